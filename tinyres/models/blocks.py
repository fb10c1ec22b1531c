"""Residual blocks (He et al. 2015, 2016) and their plain twins.

Names follow torchvision (conv1, bn1, ..., downsample) so ImageNet weights load as is.

Shortcut options (paper §3.3):
  "A"  identity; where the shape changes, subsample + zero-pad channels (no parameters)
  "B"  identity; where the shape changes, a 1x1 projection + BN (torchvision's choice)
  "C"  a 1x1 projection + BN in every block
"""
from __future__ import annotations

from .. import functional as F
from .. import nn

__all__ = ["BasicBlock", "Bottleneck", "PlainBlock", "PlainBottleneck", "PreActBlock", "PreActBottleneck",
           "conv3x3", "conv1x1", "make_shortcut", "make_stage"]


def conv3x3(cin, cout, stride=1):
    return nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)


def conv1x1(cin, cout, stride=1):
    return nn.Conv2d(cin, cout, 1, stride=stride, bias=False)


def split_paths(block, x):
    """(input to the branch, input to the shortcut): both ``x``, unless gradient tracing has
    installed taps (see tinyres.inspect.gradflow) to record what each path sends back."""
    taps = block.__dict__.get("_gradient_taps")
    return (x, x) if taps is None else taps(block, x)


def _norm(channels, batch_norm):
    return nn.BatchNorm2d(channels) if batch_norm else nn.Identity()


def make_shortcut(cin, cout, stride, option, batch_norm=True, preact=False):
    """The module on the shortcut path, or None for the plain identity."""
    if option not in ("A", "B", "C"):
        raise ValueError(f"shortcut option must be 'A', 'B' or 'C', got {option!r}")
    changes = stride != 1 or cin != cout
    if option == "A":
        return nn.ShortcutA(cout, stride) if changes else None
    if option == "B" and not changes:
        return None
    if preact:      # pre-activation blocks project the already normalised input: no BN after
        return nn.Sequential(conv1x1(cin, cout, stride))
    return nn.Sequential(conv1x1(cin, cout, stride), _norm(cout, batch_norm))


def make_stage(block, inplanes, planes, blocks, stride, **kw):
    """``blocks`` blocks, the first with ``stride``; returns (Sequential, output channels)."""
    layers = [block(inplanes, planes, stride, **kw)]
    out = planes * block.expansion
    layers += [block(out, planes, 1, **kw) for _ in range(1, blocks)]
    return nn.Sequential(*layers), out


class BasicBlock(nn.Module):
    """Two 3x3 convs. y = relu(F(x) + shortcut(x)), F = bn2(conv2(relu(bn1(conv1(x)))))."""
    expansion = 1

    def __init__(self, inplanes, planes, stride=1, shortcut="B", batch_norm=True):
        super().__init__()
        self.conv1 = conv3x3(inplanes, planes, stride)
        self.bn1 = _norm(planes, batch_norm)
        self.relu = nn.ReLU()
        self.conv2 = conv3x3(planes, planes)
        self.bn2 = _norm(planes, batch_norm)
        self.downsample = make_shortcut(inplanes, planes * self.expansion, stride, shortcut, batch_norm)
        self.stride = stride

    def residual(self, x):
        """The branch F(x)."""
        return self.bn2(self.conv2(self.relu(self.bn1(self.conv1(x)))))

    def forward(self, x):
        xb, xs = split_paths(self, x)
        s = xs if self.downsample is None else self.downsample(xs)
        return self.relu(F.residual_add(self.residual(xb), s, tag=self))

    def last_bn(self):
        return self.bn2


class Bottleneck(nn.Module):
    """1x1 reduce, 3x3, 1x1 expand (x4). Stride on the 3x3 (torchvision "v1.5") unless
    ``stride_in_1x1=True`` (the paper's placement, cheaper: 3.86 vs 4.09 GMACs for ResNet-50)."""
    expansion = 4

    def __init__(self, inplanes, planes, stride=1, shortcut="B", batch_norm=True, stride_in_1x1=False):
        super().__init__()
        s1, s3 = (stride, 1) if stride_in_1x1 else (1, stride)
        self.conv1 = conv1x1(inplanes, planes, s1)
        self.bn1 = _norm(planes, batch_norm)
        self.conv2 = conv3x3(planes, planes, s3)
        self.bn2 = _norm(planes, batch_norm)
        self.conv3 = conv1x1(planes, planes * self.expansion)
        self.bn3 = _norm(planes * self.expansion, batch_norm)
        self.relu = nn.ReLU()
        self.downsample = make_shortcut(inplanes, planes * self.expansion, stride, shortcut, batch_norm)
        self.stride = stride

    def residual(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        return self.bn3(self.conv3(out))

    def forward(self, x):
        xb, xs = split_paths(self, x)
        s = xs if self.downsample is None else self.downsample(xs)
        return self.relu(F.residual_add(self.residual(xb), s, tag=self))

    def last_bn(self):
        return self.bn3


class PlainBlock(BasicBlock):
    """The same layers as BasicBlock with no shortcut: y = relu(F(x))."""

    def __init__(self, inplanes, planes, stride=1, shortcut=None, batch_norm=True):
        super().__init__(inplanes, planes, stride, "A", batch_norm)
        self.downsample = None

    def forward(self, x):
        return self.relu(self.residual(x))


class PlainBottleneck(Bottleneck):
    """The same layers as Bottleneck with no shortcut."""

    def __init__(self, inplanes, planes, stride=1, shortcut=None, batch_norm=True, stride_in_1x1=False):
        super().__init__(inplanes, planes, stride, "A", batch_norm, stride_in_1x1)
        self.downsample = None

    def forward(self, x):
        return self.relu(self.residual(x))


class PreActBlock(nn.Module):
    """He et al. 2016: y = x + F(x), F = conv2(relu(bn2(conv1(relu(bn1(x)))))).

    Nothing follows the add, so the identity path is clean from block to block:
    dL/dx_l = dL/dx_L (1 + d/dx_l sum_i F_i). A projection shortcut takes relu(bn1(x)).
    """
    expansion = 1

    def __init__(self, inplanes, planes, stride=1, shortcut="B", batch_norm=True):
        super().__init__()
        self.bn1 = _norm(inplanes, batch_norm)
        self.conv1 = conv3x3(inplanes, planes, stride)
        self.bn2 = _norm(planes, batch_norm)
        self.conv2 = conv3x3(planes, planes)
        self.relu = nn.ReLU()
        self.downsample = make_shortcut(inplanes, planes * self.expansion, stride, shortcut, batch_norm, preact=True)
        self.stride = stride

    def forward(self, x):
        if self.downsample is None:          # the paths part at x
            xb, xs = split_paths(self, x)
            a, s = self.relu(self.bn1(xb)), xs
        else:                                # both paths start from a = relu(bn1(x)): they part there
            ab, as_ = split_paths(self, self.relu(self.bn1(x)))
            a, s = ab, self.downsample(as_)
        return F.residual_add(self.residual_from(a), s, tag=self)

    def residual_from(self, a):
        return self.conv2(self.relu(self.bn2(self.conv1(a))))

    def last_bn(self):
        return None


class PreActBottleneck(nn.Module):
    """Pre-activation bottleneck: BN-ReLU-1x1, BN-ReLU-3x3, BN-ReLU-1x1, then the add."""
    expansion = 4

    def __init__(self, inplanes, planes, stride=1, shortcut="B", batch_norm=True):
        super().__init__()
        self.bn1 = _norm(inplanes, batch_norm)
        self.conv1 = conv1x1(inplanes, planes)
        self.bn2 = _norm(planes, batch_norm)
        self.conv2 = conv3x3(planes, planes, stride)
        self.bn3 = _norm(planes, batch_norm)
        self.conv3 = conv1x1(planes, planes * self.expansion)
        self.relu = nn.ReLU()
        self.downsample = make_shortcut(inplanes, planes * self.expansion, stride, shortcut, batch_norm, preact=True)
        self.stride = stride

    def forward(self, x):
        if self.downsample is None:
            xb, xs = split_paths(self, x)
            a, s = self.relu(self.bn1(xb)), xs
        else:
            ab, as_ = split_paths(self, self.relu(self.bn1(x)))
            a, s = ab, self.downsample(as_)
        out = self.conv2(self.relu(self.bn2(self.conv1(a))))
        out = self.conv3(self.relu(self.bn3(out)))
        return F.residual_add(out, s, tag=self)

    def last_bn(self):
        return None
