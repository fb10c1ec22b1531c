"""ImageNet ResNets (He et al. 2015, Table 1) with torchvision's module and state_dict names."""
from __future__ import annotations

from .. import nn
from .blocks import BasicBlock, Bottleneck, PlainBlock, make_stage
from .registry import RESIDUAL, register

__all__ = ["ResNet", "resnet18", "resnet34", "resnet50", "resnet101", "resnet152", "plain18", "plain34",
           "init_weights", "zero_init_last_bn"]


def init_weights(model):
    """He normal (fan_out, relu) for convs, norm gamma 1 and beta 0, as torchvision."""
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
        elif isinstance(m, (nn.BatchNorm2d, nn.GroupNorm)) and m.affine:
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)


def zero_init_last_bn(model):
    """Last BN gamma of every residual branch = 0: each block starts as the identity."""
    for m in model.modules():
        last = getattr(m, "last_bn", None)
        norm = last() if callable(last) else None
        if getattr(norm, "weight", None) is not None:     # BN or GroupNorm with affine parameters
            nn.init.zeros_(norm.weight)


class ResNet(nn.Module):
    """conv1 7x7/2, maxpool 3x3/2, four stages (64..512 planes), global average pool, fc.

    ``norm_layer`` (default nn.BatchNorm2d) is called with a channel count, as in torchvision:
    ``nn.Identity`` gives a network without normalisation, ``lambda c: nn.GroupNorm(32, c)``
    group norm. ``groups`` and ``width_per_group`` widen the bottleneck's 3x3 (ResNeXt, Wide ResNet).
    """

    def __init__(self, block, layers, num_classes=1000, zero_init_residual=False, shortcut="B",
                 norm_layer=None, stride_in_1x1=False, in_channels=3, width=64, groups=1, width_per_group=64):
        super().__init__()
        norm_layer = norm_layer or nn.BatchNorm2d
        self.block_name = block.__name__
        self.inplanes = width
        self.conv1 = nn.Conv2d(in_channels, width, 7, stride=2, padding=3, bias=False)
        self.bn1 = norm_layer(width)
        self.relu = nn.ReLU()
        self.maxpool = nn.MaxPool2d(3, stride=2, padding=1)
        kw = dict(shortcut=shortcut, norm_layer=norm_layer, groups=groups, base_width=width_per_group)
        if stride_in_1x1:
            kw["stride_in_1x1"] = stride_in_1x1
        self.layer1 = self._make_layer(block, width, layers[0], 1, kw)
        self.layer2 = self._make_layer(block, width * 2, layers[1], 2, kw)
        self.layer3 = self._make_layer(block, width * 4, layers[2], 2, kw)
        self.layer4 = self._make_layer(block, width * 8, layers[3], 2, kw)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(width * 8 * block.expansion, num_classes)
        init_weights(self)
        if zero_init_residual:
            zero_init_last_bn(self)

    def _make_layer(self, block, planes, blocks, stride, kw):
        stage, self.inplanes = make_stage(block, self.inplanes, planes, blocks, stride, **kw)
        return stage

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(self.avgpool(x).flatten(1))


PAPER = "He et al. 2015, Deep Residual Learning for Image Recognition, Table 1"
BOTTLENECK = RESIDUAL | {"stride_in_1x1", "groups", "width_per_group"}
PLAIN = RESIDUAL - {"shortcut"}


@register("resnet", 224, PAPER)
def resnet18(**kw):
    return ResNet(BasicBlock, [2, 2, 2, 2], **kw)


@register("resnet", 224, PAPER)
def resnet34(**kw):
    return ResNet(BasicBlock, [3, 4, 6, 3], **kw)


@register("resnet", 224, PAPER, BOTTLENECK)
def resnet50(**kw):
    return ResNet(Bottleneck, [3, 4, 6, 3], **kw)


@register("resnet", 224, PAPER, BOTTLENECK)
def resnet101(**kw):
    return ResNet(Bottleneck, [3, 4, 23, 3], **kw)


@register("resnet", 224, PAPER, BOTTLENECK)
def resnet152(**kw):
    return ResNet(Bottleneck, [3, 8, 36, 3], **kw)


@register("plain", 224, PAPER + " (plain baselines)", PLAIN)
def plain18(**kw):
    return ResNet(PlainBlock, [2, 2, 2, 2], **kw)


@register("plain", 224, PAPER + " (plain baselines)", PLAIN)
def plain34(**kw):
    return ResNet(PlainBlock, [3, 4, 6, 3], **kw)
