"""Decode image bytes and files with Pillow into uint8 numpy arrays in MXNet's layout.

``flag=1`` gives ``(H, W, 3)`` colour, ``flag=0`` gives ``(H, W, 1)`` grey, as MXNet's OpenCV-based
``imdecode``; RGB order unless ``to_rgb=False``. Palette, grey, grey+alpha, RGBA and CMYK images are
converted (alpha dropped, as OpenCV's colour mode does); 16-bit images are scaled to 8 bits (``>> 8``)
like OpenCV rather than clipped.

Examples
--------
>>> import io
>>> import numpy as np
>>> from PIL import Image
>>> buf = io.BytesIO(); Image.new("LA", (3, 2), (200, 10)).save(buf, "PNG")
>>> decode_image(buf.getvalue()).shape, decode_image(buf.getvalue(), flag=0).shape
((2, 3, 3), (2, 3, 1))
"""
import io
import os

import numpy as np

from ....base import MXNetError

__all__ = ["ImageDecodeError", "decode_image", "read_image"]

_SIXTEEN_BIT_MODES = ("I;16", "I;16B", "I;16L", "I;16N")
_BYTE_SHIFT = 8
#: OpenCV's RGB -> grey weights in 14-bit fixed point (0.299, 0.587, 0.114).
_LUMA_Q14 = np.array([4899, 9617, 1868], np.uint32)
_Q14_SHIFT = 14


class ImageDecodeError(MXNetError):
    """Bytes that are not a decodable image, or an unreadable image file.

    Examples
    --------
    >>> issubclass(ImageDecodeError, MXNetError)
    True
    """


def _open(buf, where, grey=False):
    from PIL import Image, UnidentifiedImageError

    if not isinstance(buf, (bytes, bytearray, memoryview, np.ndarray)):
        raise ImageDecodeError(f"imdecode: {where}: buf must be bytes, bytearray or a uint8 numpy array, "
                               f"got {type(buf).__name__} (encode text first)")
    data = buf.tobytes() if isinstance(buf, np.ndarray) else bytes(buf)
    if not data:
        raise ImageDecodeError(f"imdecode: {where}: empty image buffer")
    try:
        pil = Image.open(io.BytesIO(data))
        if grey and pil.format == "JPEG" and pil.mode != "CMYK":
            pil.draft("L", pil.size)   # libjpeg's own luma at full size, what OpenCV's grey decode returns
        pil.load()
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError) as err:
        raise ImageDecodeError(f"imdecode: {where}: cannot decode {len(data)} bytes as an image "
                               f"({describe_head(data)}): {err}") from None
    return pil


#: Leading bytes of the image formats worth naming in an error.
IMAGE_SIGNATURES = ((b"\xff\xd8\xff", "JPEG"), (b"\x89PNG\r\n\x1a\n", "PNG"), (b"GIF8", "GIF"), (b"BM", "BMP"),
                    (b"II*\x00", "TIFF"), (b"MM\x00*", "TIFF"))
_TEXT_BYTES = frozenset(range(0x20, 0x7F)) | frozenset(b"\t\r\n")


def describe_head(data):
    """What the first bytes of undecodable ``data`` look like, without repeating them: an error may be read
    by others than the owner of the file (an image list can name any file).

    Examples
    --------
    >>> describe_head(b"\\x89PNG\\r\\n\\x1a\\n..."), describe_head(b"root:x:0:0"), describe_head(b"\\x00\\x01")
    ('begins like a PNG file: damaged or truncated?', 'begins with text, not image data', 'no known image signature')
    """
    for magic, name in IMAGE_SIGNATURES:
        if data.startswith(magic):
            return f"begins like a {name} file: damaged or truncated?"
    if data[:64] and set(data[:64]) <= _TEXT_BYTES:
        return "begins with text, not image data"
    return "no known image signature"


def _grey8(pil):
    if pil.mode in _SIXTEEN_BIT_MODES:
        return (np.asarray(pil).astype(np.uint16) >> _BYTE_SHIFT).astype(np.uint8)
    if pil.mode in ("L", "1", "LA"):
        return np.asarray(pil.convert("L"))
    # OpenCV's truncating fixed-point luma (its grey PNG decode, bit for bit; Pillow rounds instead)
    rgb = np.asarray(pil if pil.mode == "RGB" else pil.convert("RGB")).astype(np.uint32)
    return ((rgb @ _LUMA_Q14) >> _Q14_SHIFT).astype(np.uint8)


def decode_image(buf, flag=1, to_rgb=True, where="image"):
    """Decode encoded image bytes (JPEG, PNG, BMP, ... anything Pillow reads).

    Parameters
    ----------
    buf : bytes, bytearray or numpy.ndarray of uint8
    flag : {1, 0}
        1: three colour channels; 0: one grey channel.
    to_rgb : bool
        RGB (MXNet's default) or BGR (OpenCV's) channel order.
    where : str
        Names the source in error messages (file, record key).

    Returns
    -------
    numpy.ndarray, uint8, shape (H, W, 3) or (H, W, 1)

    Raises
    ------
    ImageDecodeError
        The bytes are not an image Pillow can decode.

    Examples
    --------
    >>> decode_image(b"not an image", where="train.rec key 3")
    Traceback (most recent call last):
    ...
    ssdkit.gluon.data.vision.imageio.ImageDecodeError: imdecode: train.rec key 3: cannot decode 12 bytes ...
    """
    pil = _open(buf, where, grey=flag == 0)
    if flag == 0:
        return _grey8(pil)[:, :, None]
    if pil.mode in _SIXTEEN_BIT_MODES:
        rgb = np.repeat(_grey8(pil)[:, :, None], 3, axis=2)
    else:
        rgb = np.asarray(pil if pil.mode == "RGB" else pil.convert("RGB"))
    return np.ascontiguousarray(rgb if to_rgb else rgb[:, :, ::-1])


def read_image(filename, flag=1, to_rgb=True):
    """Read and decode an image file (see :func:`decode_image`).

    Examples
    --------
    >>> read_image("/no/such/file.jpg")
    Traceback (most recent call last):
    ...
    ssdkit.gluon.data.vision.imageio.ImageDecodeError: imread: cannot read '/no/such/file.jpg': ...
    """
    filename = os.fspath(filename)
    try:
        with open(filename, "rb") as handle:
            data = handle.read()
    except OSError as err:
        raise ImageDecodeError(f"imread: cannot read {filename!r}: {err}") from None
    return decode_image(data, flag, to_rgb, where=filename)
