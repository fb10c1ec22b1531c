"""ResNeXt (Xie et al. 2017): the bottleneck's 3x3 conv split into ``groups`` parallel paths
(the "cardinality"), each ``width_per_group`` channels wide at the first stage. torchvision's
builders and key names, so its checkpoints load."""
from __future__ import annotations

from .blocks import Bottleneck
from .registry import register
from .resnet import BOTTLENECK, ResNet

__all__ = ["resnext50_32x4d", "resnext101_32x8d"]

PAPER = "Xie et al. 2017, Aggregated Residual Transformations for Deep Neural Networks"


@register("resnext", 224, PAPER, BOTTLENECK)
def resnext50_32x4d(**kw):
    return ResNet(Bottleneck, [3, 4, 6, 3], **{"groups": 32, "width_per_group": 4, **kw})


@register("resnext", 224, PAPER, BOTTLENECK)
def resnext101_32x8d(**kw):
    return ResNet(Bottleneck, [3, 4, 23, 3], **{"groups": 32, "width_per_group": 8, **kw})
