"""Wide Residual Networks (Zagoruyko & Komodakis 2016): fewer, wider layers.

CIFAR ``wrnD_K``: a 3x3 conv (16), three stages of pre-activation basic blocks with 16K, 32K
and 64K filters at 32x32, 16x16 and 8x8, a final BN-ReLU, global average pool and fc. Depth
D = 6n + 4 counts the stem, the 2n convs of each stage and the three 1x1 projections where the
shape changes (the paper's convention), so a stage has n = (D - 4) / 6 blocks.

ImageNet ``wide_resnet50_2`` is torchvision's: ResNet-50 with the bottleneck's inner width
doubled (width_per_group=128), torchvision's key names.
"""
from __future__ import annotations

from .. import nn
from .blocks import Bottleneck, PreActBlock, make_stage
from .registry import RESIDUAL, register
from .resnet import BOTTLENECK, ResNet, init_weights, zero_init_last_bn

__all__ = ["WideResNet", "wide_resnet", "wrn16_8", "wrn28_10", "wrn40_4", "wide_resnet50_2"]

PAPER = "Zagoruyko & Komodakis 2016, Wide Residual Networks"


class WideResNet(nn.Module):
    def __init__(self, depth, widen_factor, num_classes=10, in_channels=3, norm_layer=None, shortcut="B",
                 zero_init_residual=False):
        super().__init__()
        if depth < 10 or (depth - 4) % 6:
            raise ValueError(f"Wide ResNet depth must be 6n+4 with n >= 1 (10, 16, 28, 40, ...), got {depth}")
        norm_layer = norm_layer or nn.BatchNorm2d
        n = (depth - 4) // 6
        self.depth, self.widen_factor = depth, widen_factor
        self.conv1 = nn.Conv2d(in_channels, 16, 3, padding=1, bias=False)
        kw = dict(shortcut=shortcut, norm_layer=norm_layer)
        self.layer1, c = make_stage(PreActBlock, 16, 16 * widen_factor, n, 1, **kw)
        self.layer2, c = make_stage(PreActBlock, c, 32 * widen_factor, n, 2, **kw)
        self.layer3, c = make_stage(PreActBlock, c, 64 * widen_factor, n, 2, **kw)
        self.bn = norm_layer(c)             # the final BN-ReLU of a pre-activation network
        self.relu = nn.ReLU()
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(c, num_classes)
        init_weights(self)
        if zero_init_residual:      # a no-op, as for preactN: pre-activation branches end in a conv
            zero_init_last_bn(self)

    def forward(self, x):
        x = self.layer3(self.layer2(self.layer1(self.conv1(x))))
        return self.fc(self.avgpool(self.relu(self.bn(x))).flatten(1))


def wide_resnet(depth, widen_factor, **kw):
    """WRN-depth-widen_factor for CIFAR (10 classes by default)."""
    return WideResNet(depth, widen_factor, **kw)


def _wrn(depth, k):
    def build(**kw):
        return WideResNet(depth, k, **kw)
    build.__name__ = f"wrn{depth}_{k}"
    build.__doc__ = f"WRN-{depth}-{k} (CIFAR)."
    return register("wide-resnet", 32, PAPER, RESIDUAL)(build)


wrn16_8, wrn28_10, wrn40_4 = _wrn(16, 8), _wrn(28, 10), _wrn(40, 4)


@register("wide-resnet", 224, PAPER + " (torchvision's ImageNet variant)", BOTTLENECK)
def wide_resnet50_2(**kw):
    return ResNet(Bottleneck, [3, 4, 6, 3], **{"width_per_group": 128, **kw})
