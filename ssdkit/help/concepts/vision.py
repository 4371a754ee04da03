"""Help-search phrases for ``mx.gluon.model_zoo`` (the ImageNet classifiers and their pretrained files) and
``mx.gluon.contrib.nn``.

Examples
--------
>>> any("gluon.model_zoo.vision.get_model" in targets for targets, _ in CONCEPTS)
True
"""

_V = "gluon.model_zoo.vision"

CONCEPTS = (
    (f"{_V}.get_model {_V}.get_model_list model_zoo.get_model",
     "model zoo | vision model zoo | gluon model zoo | imagenet model | imagenet classifier | "
     "pretrained imagenet model | image classification model | classification network by name | "
     "torchvision models | keras applications | tf.keras.applications | get_model | predefined model | "
     "imagenet classification models by name | names of the imagenet models | build a classifier by its name"),
    (f"{_V}.resnet50_v1 {_V}.resnet18_v1 {_V}.get_resnet {_V}.ResNetV1 {_V}.ResNetV2",
     "pretrained resnet | resnet | resnet50 | resnet18 | resnet101 | resnet152 | residual network | "
     "torchvision resnet | resnet v2 | pre activation resnet"),
    (f"{_V}.vgg16 {_V}.get_vgg {_V}.VGG", "pretrained vgg | vgg16 | vgg19 | vgg network"),
    (f"{_V}.mobilenet1_0 {_V}.mobilenet_v2_1_0 {_V}.MobileNet {_V}.MobileNetV2",
     "pretrained mobilenet | mobilenet | mobilenet v2 | depthwise separable network | small fast classifier"),
    (f"{_V}.densenet121 {_V}.DenseNet", "pretrained densenet | densenet | densely connected network"),
    (f"{_V}.squeezenet1_1 {_V}.SqueezeNet", "pretrained squeezenet | squeezenet | fire module"),
    (f"{_V}.inception_v3 {_V}.Inception3", "pretrained inception | inception v3 | googlenet"),
    (f"{_V}.alexnet {_V}.AlexNet", "pretrained alexnet | alexnet"),
    ("gluon.model_zoo.model_store.get_model_file gluon.model_zoo.model_store.purge",
     "pretrained weights file | where to put pretrained weights | imagenet weights offline | "
     "download pretrained weights | mxnet home models folder | model store | delete downloaded models"),
    ("model_zoo.vgg16_atrous_300 model_zoo.vgg16_atrous_512 model_zoo.VGGAtrousExtractor",
     "vgg atrous | vgg16 atrous | ssd vgg16 backbone | dilated vgg | ssd300 backbone | ssd512 backbone | "
     "gluoncv vgg16_atrous"),
    ("gluon.contrib.nn.HybridConcurrent gluon.contrib.nn.Concurrent",
     "concatenate branches | parallel branches | run layers side by side | inception branches | "
     "concurrent layers"),
    (f"{_V}.vgg16_bn {_V}.vgg11_bn {_V}.vgg13_bn {_V}.vgg19_bn {_V}.get_vgg",
     "vgg with batch norm | vgg16_bn | vgg bn | vgg with batch normalization | vgg batchnorm variant"),
)
