"""ImageNet ResNets (He et al. 2015, Table 1) with torchvision's module and state_dict names."""
from __future__ import annotations

from .. import nn
from .blocks import BasicBlock, Bottleneck, PlainBlock, PlainBottleneck, make_stage

__all__ = ["ResNet", "resnet18", "resnet34", "resnet50", "resnet101", "resnet152", "plain18", "plain34",
           "init_weights", "zero_init_last_bn"]


def init_weights(model):
    """He normal (fan_out, relu) for convs, BN gamma 1 and beta 0, as torchvision."""
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
        elif isinstance(m, nn.BatchNorm2d) and m.affine:
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)


def zero_init_last_bn(model):
    """Last BN gamma of every residual branch = 0: each block starts as the identity."""
    for m in model.modules():
        last = getattr(m, "last_bn", None)
        if callable(last) and isinstance(last(), nn.BatchNorm2d):
            nn.init.zeros_(last().weight)


class ResNet(nn.Module):
    """conv1 7x7/2, maxpool 3x3/2, four stages (64..512 planes), global average pool, fc."""

    def __init__(self, block, layers, num_classes=1000, zero_init_residual=False, shortcut="B",
                 batch_norm=True, stride_in_1x1=False, in_channels=3, width=64):
        super().__init__()
        self.block_name = block.__name__
        self.inplanes = width
        self.conv1 = nn.Conv2d(in_channels, width, 7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(width) if batch_norm else nn.Identity()
        self.relu = nn.ReLU()
        self.maxpool = nn.MaxPool2d(3, stride=2, padding=1)
        kw = dict(shortcut=shortcut, batch_norm=batch_norm)
        if block in (Bottleneck, PlainBottleneck):
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


def resnet18(**kw):
    return ResNet(BasicBlock, [2, 2, 2, 2], **kw)


def resnet34(**kw):
    return ResNet(BasicBlock, [3, 4, 6, 3], **kw)


def resnet50(**kw):
    return ResNet(Bottleneck, [3, 4, 6, 3], **kw)


def resnet101(**kw):
    return ResNet(Bottleneck, [3, 4, 23, 3], **kw)


def resnet152(**kw):
    return ResNet(Bottleneck, [3, 8, 36, 3], **kw)


def plain18(**kw):
    return ResNet(PlainBlock, [2, 2, 2, 2], **kw)


def plain34(**kw):
    return ResNet(PlainBlock, [3, 4, 6, 3], **kw)

