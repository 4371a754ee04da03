"""``mx.gluon.model_zoo.vision``: the 34 image classification models of MXNet 1.9.1 with MXNet's parameter
names, ``save_parameters`` keys and output shapes, so MXNet's saved and pretrained weights load.

Families: AlexNet, DenseNet (121/161/169/201), Inception v3, ResNet v1/v2 (18/34/50/101/152), SqueezeNet
(1.0/1.1), VGG (11/13/16/19, with ``_bn``), MobileNet (1.0/0.75/0.5/0.25) and MobileNet v2. Every model is
``features`` then ``output``. Names follow MXNet's process-wide counters: the second ``resnet18_v1()`` of a
process is ``resnetv11_``. ``pretrained=True`` loads MXNet's own file from ``$MXNET_HOME/models`` (or
``root=``) after checking its SHA-1; see :mod:`.model_store`.

Pretrained models expect RGB images in [0, 1] normalized with mean (0.485, 0.456, 0.406) and std
(0.229, 0.224, 0.225), at least 224x224 (299x299 for Inception v3).

Examples
--------
>>> import ssdkit as mx
>>> net = get_model('mobilenet0.25', classes=10); net.initialize()
>>> net(mx.nd.zeros((1, 3, 32, 32))).shape
(1, 10)
"""
from .alexnet import *  # noqa: F401,F403
from .densenet import *  # noqa: F401,F403
from .inception import *  # noqa: F401,F403
from .resnet import *  # noqa: F401,F403
from .squeezenet import *  # noqa: F401,F403
from .vgg import *  # noqa: F401,F403
from .mobilenet import *  # noqa: F401,F403
from ....base import MXNetError

#: get_model's names -> constructors, in MXNet 1.9.1's order.
_models = {"resnet18_v1": resnet18_v1, "resnet34_v1": resnet34_v1, "resnet50_v1": resnet50_v1,
           "resnet101_v1": resnet101_v1, "resnet152_v1": resnet152_v1,
           "resnet18_v2": resnet18_v2, "resnet34_v2": resnet34_v2, "resnet50_v2": resnet50_v2,
           "resnet101_v2": resnet101_v2, "resnet152_v2": resnet152_v2,
           "vgg11": vgg11, "vgg13": vgg13, "vgg16": vgg16, "vgg19": vgg19,
           "vgg11_bn": vgg11_bn, "vgg13_bn": vgg13_bn, "vgg16_bn": vgg16_bn, "vgg19_bn": vgg19_bn,
           "alexnet": alexnet, "densenet121": densenet121, "densenet161": densenet161,
           "densenet169": densenet169, "densenet201": densenet201,
           "squeezenet1.0": squeezenet1_0, "squeezenet1.1": squeezenet1_1, "inceptionv3": inception_v3,
           "mobilenet1.0": mobilenet1_0, "mobilenet0.75": mobilenet0_75, "mobilenet0.5": mobilenet0_5,
           "mobilenet0.25": mobilenet0_25, "mobilenetv2_1.0": mobilenet_v2_1_0,
           "mobilenetv2_0.75": mobilenet_v2_0_75, "mobilenetv2_0.5": mobilenet_v2_0_5,
           "mobilenetv2_0.25": mobilenet_v2_0_25}

# (the submodule ``alexnet`` is shadowed by the function ``alexnet`` here, as in MXNet)
__all__ = ["get_model", "get_model_list"] + [name for family in ("alexnet", "densenet", "inception", "resnet",
                                                                 "squeezenet", "vgg", "mobilenet")
                                             for name in __import__("sys").modules[f"{__name__}.{family}"].__all__]


def get_model_list():
    """The names :func:`get_model` accepts, in MXNet's order.

    Examples
    --------
    >>> len(get_model_list()), get_model_list()[:2]
    (34, ['resnet18_v1', 'resnet34_v1'])
    """
    return list(_models)


def get_model(name, **kwargs):
    """A model of the zoo by name (case-insensitive), e.g. ``'resnet50_v1'``, ``'mobilenetv2_0.25'``.

    Parameters
    ----------
    name : str
    pretrained : bool, default False
        Load MXNet's ImageNet weights (from ``root``; nothing is downloaded).
    classes : int, default 1000
        Size of the output layer.
    ctx : Context, default cpu()
        Where the pretrained weights are loaded.
    root : str, default ``$MXNET_HOME/models``
        Folder holding MXNet's ``<name>-<short sha1>.params`` files.

    Returns
    -------
    HybridBlock

    Examples
    --------
    >>> get_model('squeezenet1.1', classes=4).output[0].weight.shape
    (4, 0, 1, 1)
    >>> get_model('resnet19_v1')
    Traceback (most recent call last):
    ...
    ssdkit.base.MXNetError: Model resnet19_v1 is not supported. Available options are
    	alexnet
    ...
    """
    key = name.lower()
    if key not in _models:
        raise MXNetError("Model %s is not supported. Available options are\n\t%s"
                         % (key, "\n\t".join(sorted(_models))))
    return _models[key](**kwargs)
