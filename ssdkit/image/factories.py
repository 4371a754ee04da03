"""MXNet's augmenter-list factories: ``CreateAugmenter`` (classification), ``CreateDetAugmenter`` and
``CreateMultiRandCropAugmenter`` (detection).

Examples
--------
>>> [type(a).__name__ for a in CreateAugmenter((3, 4, 4), rand_mirror=True, mean=True)]
['CenterCropAug', 'HorizontalFlipAug', 'CastAug', 'ColorNormalizeAug']
"""
from ..base import MXNetError
from .augmenters import (CastAug, CenterCropAug, ForceResizeAug, HorizontalFlipAug, RandomCropAug,
                         RandomSizedCropAug, ResizeAug)
from .color import ColorNormalizeAug, _normalizer, color_augmenters
from .detection import DetBorrowAug, DetHorizontalFlipAug, DetRandomCropAug, DetRandomPadAug, DetRandomSelectAug

__all__ = ["CreateAugmenter", "CreateMultiRandCropAugmenter", "CreateDetAugmenter"]


def CreateAugmenter(data_shape, resize=0, rand_crop=False, rand_resize=False, rand_mirror=False,  # noqa: N802
                    mean=None, std=None, brightness=0, contrast=0, saturation=0, hue=0, pca_noise=0,
                    rand_gray=0, inter_method=2):
    """MXNet's standard classification augmenter list.

    Parameters
    ----------
    data_shape : (C, H, W)
    resize : int
        Resize the shorter edge first when > 0.
    rand_crop, rand_resize, rand_mirror : bool
        Random (sized) crop instead of center crop; horizontal flip with probability 0.5.
    mean, std : True, array of 1 or 3 values, or None
        ``True`` uses the ImageNet values.
    brightness, contrast, saturation, hue, pca_noise, rand_gray : float
    inter_method : int
        Interpolation code for every resize.

    Returns
    -------
    list of Augmenter

    Examples
    --------
    >>> [type(a).__name__ for a in CreateAugmenter((3, 8, 8), resize=10, rand_crop=True, rand_resize=True)]
    ['ResizeAug', 'RandomSizedCropAug', 'CastAug']
    """
    augs = [ResizeAug(resize, inter_method)] if resize > 0 else []
    crop_size = (data_shape[2], data_shape[1])
    if rand_resize:
        if not rand_crop:
            raise MXNetError("CreateAugmenter: rand_resize needs rand_crop=True")
        augs.append(RandomSizedCropAug(crop_size, 0.08, (3.0 / 4.0, 4.0 / 3.0), inter_method))
    elif rand_crop:
        augs.append(RandomCropAug(crop_size, inter_method))
    else:
        augs.append(CenterCropAug(crop_size, inter_method))
    if rand_mirror:
        augs.append(HorizontalFlipAug(0.5))
    augs.append(CastAug())
    augs += color_augmenters(brightness, contrast, saturation, hue, pca_noise, rand_gray)
    mean, std = _normalizer(mean, std)
    if mean is not None or std is not None:
        augs.append(ColorNormalizeAug(mean, std))
    return augs


def _align(params):
    """Broadcast per-augmenter parameter lists (a non-list value is shared by all)."""
    lists = [p if isinstance(p, list) else [p] for p in params]
    count = max(len(p) for p in lists)
    for p in lists:
        if len(p) not in (1, count):
            raise MXNetError(f"CreateMultiRandCropAugmenter: parameter lists must have 1 or {count} entries, "
                             f"got {p!r}")
    return [p * count if len(p) == 1 else p for p in lists]


def CreateMultiRandCropAugmenter(min_object_covered=0.1, aspect_ratio_range=(0.75, 1.33),  # noqa: N802
                                 area_range=(0.05, 1.0), min_eject_coverage=0.3, max_attempts=50, skip_prob=0):
    """One :class:`DetRandomCropAug` per entry of the list-valued parameters, picked at random per image.

    Examples
    --------
    >>> aug = CreateMultiRandCropAugmenter(min_object_covered=[0.3, 0.7], area_range=(0.1, 1.0))
    >>> [a.min_object_covered for a in aug.aug_list]
    [0.3, 0.7]
    """
    augs = [DetRandomCropAug(min_object_covered=moc, aspect_ratio_range=arr, area_range=ar,
                             min_eject_coverage=mec, max_attempts=ma)
            for moc, arr, ar, mec, ma in zip(*_align([min_object_covered, aspect_ratio_range, area_range,
                                                      min_eject_coverage, max_attempts]))]
    return DetRandomSelectAug(augs, skip_prob=skip_prob)


def CreateDetAugmenter(data_shape, resize=0, rand_crop=0, rand_pad=0, rand_gray=0, rand_mirror=False,  # noqa: N802
                       mean=None, std=None, brightness=0, contrast=0, saturation=0, pca_noise=0, hue=0,
                       inter_method=2, min_object_covered=0.1, aspect_ratio_range=(0.75, 1.33),
                       area_range=(0.05, 3.0), min_eject_coverage=0.3, max_attempts=50, pad_val=(127, 127, 127)):
    """MXNet's detection augmenter list: resize, crop, mirror, pad, force-resize, cast, colour, normalize.

    Parameters
    ----------
    data_shape : (C, H, W)
    resize : int
        Resize the shorter edge first when > 0.
    rand_crop, rand_pad : float
        Probability of a random crop / pad.
    rand_gray : float
    rand_mirror : bool
    mean, std : True, array of 1 or 3 values, or None
        ``True`` uses the ImageNet values ``(123.68, 116.28, 103.53)`` / ``(58.395, 57.12, 57.375)``.
    brightness, contrast, saturation, pca_noise, hue : float
    inter_method : int
    min_object_covered, aspect_ratio_range, area_range, min_eject_coverage, max_attempts
        Crop rules (lists make one crop augmenter per entry); the pad uses ``(1, area_range[1])``.
    pad_val : float or (float, float, float)

    Returns
    -------
    list of DetAugmenter

    Examples
    --------
    >>> augs = CreateDetAugmenter((3, 256, 256), mean=True, rand_crop=1, min_object_covered=0.95,
    ...                           max_attempts=200)
    >>> [type(a).__name__ for a in augs]
    ['DetRandomSelectAug', 'DetBorrowAug', 'DetBorrowAug', 'DetBorrowAug']
    """
    augs = [DetBorrowAug(ResizeAug(resize, inter_method))] if resize > 0 else []
    if rand_crop > 0:
        augs.append(CreateMultiRandCropAugmenter(min_object_covered, aspect_ratio_range, area_range,
                                                 min_eject_coverage, max_attempts, skip_prob=1 - rand_crop))
    if rand_mirror > 0:
        augs.append(DetHorizontalFlipAug(0.5))
    if rand_pad > 0:   # padding late keeps the earlier steps on the smaller image
        pad = DetRandomPadAug(aspect_ratio_range, (1.0, area_range[1]), max_attempts, pad_val)
        augs.append(DetRandomSelectAug([pad], 1 - rand_pad))
    augs.append(DetBorrowAug(ForceResizeAug((data_shape[2], data_shape[1]), inter_method)))
    augs.append(DetBorrowAug(CastAug()))
    augs += [DetBorrowAug(aug) for aug in color_augmenters(brightness, contrast, saturation, hue, pca_noise,
                                                          rand_gray)]
    mean, std = _normalizer(mean, std)
    if mean is not None or std is not None:
        augs.append(DetBorrowAug(ColorNormalizeAug(mean, std)))
    return augs
