"""The paper's networks: ImageNet ResNets (torchvision names), CIFAR ResNets and plain twins, VGG-19."""
from .blocks import (BasicBlock, Bottleneck, PlainBlock, PlainBottleneck, PreActBlock, PreActBottleneck)
from .cifar import (CifarResNet, cifar_plain, cifar_resnet, plain20, plain32, plain44, plain56, plain110,
                    resnet20, resnet32, resnet44, resnet56, resnet110, resnet1202)
from .resnet import ResNet, plain18, plain34, resnet18, resnet34, resnet50, resnet101, resnet152
from .vgg import VGG, vgg19

MODELS = {f.__name__: f for f in (resnet18, resnet34, resnet50, resnet101, resnet152, plain18, plain34, vgg19,
                                  resnet20, resnet32, resnet44, resnet56, resnet110, resnet1202,
                                  plain20, plain32, plain44, plain56, plain110)}
IMAGENET = ("resnet18", "resnet34", "resnet50", "resnet101", "resnet152", "plain18", "plain34", "vgg19")


def get_model(name: str, **kw):
    """Build a model by name: resnet18..152, plain18/34, vgg19 (ImageNet), resnet20..1202, plain20..110
    (CIFAR). CIFAR names also accept any 6n+2 depth, e.g. "resnet8" or "plain14"."""
    if name in MODELS:
        return MODELS[name](**kw)
    for prefix, maker in (("resnet", cifar_resnet), ("plain", cifar_plain), ("preact", None)):
        if name.startswith(prefix) and name[len(prefix):].isdigit():
            depth = int(name[len(prefix):])
            if maker is None:
                return cifar_resnet(depth, preact=True, **kw)
            return maker(depth, **kw)
    raise ValueError(f"unknown model {name!r}; known: {', '.join(MODELS)} (and resnetN/plainN/preactN for N = 6n+2)")


def input_size(name: str) -> int:
    """The paper's input resolution for a model name: 224 (ImageNet) or 32 (CIFAR)."""
    return 224 if name in IMAGENET else 32


__all__ = ["BasicBlock", "Bottleneck", "PlainBlock", "PlainBottleneck", "PreActBlock", "PreActBottleneck",
           "CifarResNet", "cifar_resnet", "cifar_plain", "ResNet", "VGG", "MODELS", "get_model", "input_size",
           *MODELS]
