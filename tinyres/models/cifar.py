"""The paper's CIFAR-10 networks (He et al. 2015, §4.2): 6n+2 layers, 16/32/64 filters.

conv 3x3 (16) -> n blocks at 32x32 (16) -> n at 16x16 (32) -> n at 8x8 (64) -> global
average pool -> fc. Each block has two 3x3 convs, so depth = 6n + 2. Shortcut option A
(zero-padding, no extra parameters) as in the paper; plain twins drop the shortcuts;
``preact=True`` gives He et al. 2016's pre-activation version.
"""
from __future__ import annotations

from .. import nn
from .blocks import BasicBlock, PlainBlock, PreActBlock, make_stage
from .registry import RESIDUAL, register, register_depths
from .resnet import init_weights, zero_init_last_bn

__all__ = ["CifarResNet", "cifar_resnet", "resnet20", "resnet32", "resnet44", "resnet56", "resnet110",
           "resnet1202", "plain20", "plain32", "plain44", "plain56", "plain110"]


class CifarResNet(nn.Module):
    def __init__(self, depth, shortcut="A", preact=False, plain=False, num_classes=10, in_channels=3,
                 width=16, norm_layer=None, zero_init_residual=False):
        super().__init__()
        if depth < 8 or (depth - 2) % 6:
            raise ValueError(f"CIFAR ResNet depth must be 6n+2 with n >= 1 (20, 32, 44, 56, 110, ...), got {depth}")
        if plain and preact:
            raise ValueError("plain networks have no pre-activation variant")
        n = (depth - 2) // 6
        norm_layer = norm_layer or nn.BatchNorm2d
        block = PlainBlock if plain else (PreActBlock if preact else BasicBlock)
        self.depth, self.plain, self.preact, self.block_name = depth, plain, preact, block.__name__
        self.conv1 = nn.Conv2d(in_channels, width, 3, padding=1, bias=False)
        if not preact:
            self.bn1 = norm_layer(width)
            self.relu = nn.ReLU()
        self.inplanes = width
        kw = dict(shortcut=None if plain else shortcut, norm_layer=norm_layer)
        self.layer1 = self._make_layer(block, width, n, 1, kw)
        self.layer2 = self._make_layer(block, width * 2, n, 2, kw)
        self.layer3 = self._make_layer(block, width * 4, n, 2, kw)
        if preact:   # the final BN-ReLU of a pre-activation network
            self.bn = norm_layer(width * 4)
            self.relu = nn.ReLU()
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(width * 4, num_classes)
        init_weights(self)
        if zero_init_residual:
            zero_init_last_bn(self)

    def _make_layer(self, block, planes, blocks, stride, kw):
        stage, self.inplanes = make_stage(block, self.inplanes, planes, blocks, stride, **kw)
        return stage

    def forward(self, x):
        x = self.conv1(x)
        if not self.preact:
            x = self.relu(self.bn1(x))
        x = self.layer3(self.layer2(self.layer1(x)))
        if self.preact:
            x = self.relu(self.bn(x))
        return self.fc(self.avgpool(x).flatten(1))


def cifar_resnet(depth, shortcut="A", preact=False, num_classes=10, in_channels=3, **kw):
    """A CIFAR ResNet of depth 6n+2 (option-A shortcuts by default)."""
    return CifarResNet(depth, shortcut=shortcut, preact=preact, num_classes=num_classes,
                       in_channels=in_channels, **kw)


def cifar_plain(depth, num_classes=10, in_channels=3, **kw):
    """The plain twin: the same layers with no shortcuts."""
    return CifarResNet(depth, plain=True, num_classes=num_classes, in_channels=in_channels, **kw)


PAPER = "He et al. 2015, Deep Residual Learning for Image Recognition, §4.2"
PREACT_PAPER = "He et al. 2016, Identity Mappings in Deep Residual Networks"
CIFAR = RESIDUAL | {"width"}
CIFAR_PLAIN = CIFAR - {"shortcut"}


def _named(depth, plain):
    maker = cifar_plain if plain else cifar_resnet

    def build(**kw):
        return maker(depth, **kw)
    build.__name__ = f"{'plain' if plain else 'resnet'}{depth}"
    build.__doc__ = f"CIFAR {'plain net' if plain else 'ResNet'} with {depth} layers (n={(depth - 2) // 6})."
    return register("cifar-plain" if plain else "cifar-resnet", 32, PAPER, CIFAR_PLAIN if plain else CIFAR)(build)


resnet20, resnet32, resnet44, resnet56, resnet110, resnet1202 = (_named(d, False) for d in (20, 32, 44, 56, 110, 1202))
plain20, plain32, plain44, plain56, plain110 = (_named(d, True) for d in (20, 32, 44, 56, 110))
register_depths("resnet", cifar_resnet, "cifar-resnet", 32, PAPER, CIFAR)
register_depths("plain", cifar_plain, "cifar-plain", 32, PAPER, CIFAR_PLAIN)
register_depths("preact", lambda depth, **kw: cifar_resnet(depth, preact=True, **kw), "cifar-preact", 32,
                PREACT_PAPER, CIFAR)
