"""The paper's networks and their descendants, all in one registry (``list_models``, ``model_info``,
``get_model``): ImageNet ResNets (torchvision names), CIFAR ResNets and plain twins, VGG-19,
Wide ResNets and ResNeXt."""
from .blocks import (BasicBlock, Bottleneck, PlainBlock, PlainBottleneck, PreActBlock, PreActBottleneck,
                     ResidualBlock)
from .cifar import (CifarResNet, cifar_plain, cifar_resnet, plain20, plain32, plain44, plain56, plain110,
                    resnet20, resnet32, resnet44, resnet56, resnet110, resnet1202)
from .registry import ModelInfo, get_model, input_size, list_models, model_info
from .resnet import ResNet, plain18, plain34, resnet18, resnet34, resnet50, resnet101, resnet152
from .resnext import resnext50_32x4d, resnext101_32x8d
from .vgg import VGG, vgg19
from .wide_resnet import WideResNet, wide_resnet, wide_resnet50_2, wrn16_8, wrn28_10, wrn40_4

__all__ = ["ResidualBlock", "BasicBlock", "Bottleneck", "PlainBlock", "PlainBottleneck", "PreActBlock",
           "PreActBottleneck", "CifarResNet", "cifar_resnet", "cifar_plain", "ResNet", "VGG", "WideResNet",
           "wide_resnet", "ModelInfo", "get_model", "input_size", "list_models", "model_info", *list_models()]
