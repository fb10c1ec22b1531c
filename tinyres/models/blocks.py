"""Residual blocks (He et al. 2015, 2016) and their plain twins: one base, the branches differ.

Every block is y = join(branch(x), shortcut(x)) (then ReLU, except pre-activation blocks);
the base class owns that forward, the shortcut and the named places where the two paths part
(``fork``) and meet (``join``), so hooks can reach them. A subclass defines only the branch.

Names follow torchvision (conv1, bn1, ..., downsample) so ImageNet weights load as is; fork and
join have no parameters and add no state_dict keys.

Shortcut options (paper §3.3):
  "A"  identity; where the shape changes, subsample + zero-pad channels (no parameters)
  "B"  identity; where the shape changes, a 1x1 projection + norm (torchvision's choice)
  "C"  a 1x1 projection + norm in every block
  None no shortcut at all: the plain network of the paper's comparison
"""
from __future__ import annotations

from .. import nn

__all__ = ["ResidualBlock", "BasicBlock", "Bottleneck", "PlainBlock", "PlainBottleneck", "PreActBlock",
           "PreActBottleneck", "conv3x3", "conv1x1", "make_shortcut", "make_stage"]


def conv3x3(cin, cout, stride=1, groups=1):
    return nn.Conv2d(cin, cout, 3, stride=stride, padding=1, groups=groups, bias=False)


def conv1x1(cin, cout, stride=1):
    return nn.Conv2d(cin, cout, 1, stride=stride, bias=False)


def make_shortcut(cin, cout, stride, option, norm_layer=None, preact=False):
    """The module on the shortcut path, or None for the plain identity."""
    if option not in ("A", "B", "C"):
        raise ValueError(f"shortcut option must be 'A', 'B' or 'C', got {option!r}")
    changes = stride != 1 or cin != cout
    if option == "A":
        return nn.ShortcutA(cout, stride) if changes else None
    if option == "B" and not changes:
        return None
    if preact:      # pre-activation blocks project the already normalised input: no norm after
        return nn.Sequential(conv1x1(cin, cout, stride))
    return nn.Sequential(conv1x1(cin, cout, stride), (norm_layer or nn.BatchNorm2d)(cout))


def make_stage(block, inplanes, planes, blocks, stride, **kw):
    """``blocks`` blocks, the first with ``stride``; returns (Sequential, output channels)."""
    layers = [block(inplanes, planes, stride, **kw)]
    out = planes * block.expansion
    layers += [block(out, planes, 1, **kw) for _ in range(1, blocks)]
    return nn.Sequential(*layers), out


class ResidualBlock(nn.Module):
    """y = relu(join(branch(x), shortcut(x))); pre-activation: y = join(branch(a), shortcut(.))
    with a = relu(bn1(x)) and nothing after the join. ``shortcut=None``: y = relu(branch(x)).

    Subclasses build their layers, then call ``_finish``, and define ``branch``. Pre-activation
    subclasses set ``preact = True``: their branch starts at a; a projection shortcut also
    takes a (the paths part after the first BN-ReLU), the identity takes x itself.
    """
    expansion = 1
    preact = False

    def _finish(self, inplanes, planes, stride, shortcut, norm_layer):
        self.relu = nn.ReLU()
        if shortcut is None:
            self.downsample = None
        else:
            self.downsample = make_shortcut(inplanes, planes * self.expansion, stride, shortcut, norm_layer,
                                            preact=self.preact)
            self.fork = nn.ResidualFork()
            self.join = nn.ResidualJoin()
        self.stride = stride

    @property
    def plain(self):
        return "join" not in self._modules

    def branch(self, x):
        raise NotImplementedError(f"{type(self).__name__} must define branch()")

    def forward(self, x):
        if self.plain:
            return self.relu(self.branch(x))
        if self.preact and self.downsample is not None:
            xb, xs = self.fork(self.relu(self.bn1(x)))
            out = self.branch(xb)
        else:
            xb, xs = self.fork(x)
            out = self.branch(self.relu(self.bn1(xb)) if self.preact else xb)
        y = self.join(out, xs if self.downsample is None else self.downsample(xs))
        return y if self.preact else self.relu(y)

    def last_bn(self):
        """The norm layer that ends the branch (zero-init target); None for pre-activation."""
        return None


def _two_conv_width(block, groups, base_width):
    """Two-conv blocks have no width knobs (as torchvision's BasicBlock): refuse them clearly."""
    if groups != 1 or base_width != 64:
        raise ValueError(f"{type(block).__name__} supports only groups=1 and base_width=64 (as torchvision), "
                         f"got groups={groups}, base_width={base_width}")


class BasicBlock(ResidualBlock):
    """Two 3x3 convs: branch = bn2(conv2(relu(bn1(conv1(x)))))."""

    def __init__(self, inplanes, planes, stride=1, shortcut="B", norm_layer=None, groups=1, base_width=64):
        super().__init__()
        _two_conv_width(self, groups, base_width)
        norm_layer = norm_layer or nn.BatchNorm2d
        self.conv1 = conv3x3(inplanes, planes, stride)
        self.bn1 = norm_layer(planes)
        self.conv2 = conv3x3(planes, planes)
        self.bn2 = norm_layer(planes)
        self._finish(inplanes, planes, stride, shortcut, norm_layer)

    def branch(self, x):
        return self.bn2(self.conv2(self.relu(self.bn1(self.conv1(x)))))

    def last_bn(self):
        return self.bn2


class Bottleneck(ResidualBlock):
    """1x1 reduce, 3x3 (``groups`` groups), 1x1 expand (x4). The inner width is
    planes * base_width / 64 * groups (torchvision; ResNeXt and Wide ResNet-50 widen it).
    Stride on the 3x3 (torchvision "v1.5") unless ``stride_in_1x1=True`` (the paper's
    placement, cheaper: 3.86 vs 4.09 GMACs for ResNet-50)."""
    expansion = 4

    def __init__(self, inplanes, planes, stride=1, shortcut="B", norm_layer=None, groups=1, base_width=64,
                 stride_in_1x1=False):
        super().__init__()
        norm_layer = norm_layer or nn.BatchNorm2d
        width = int(planes * (base_width / 64.0)) * groups
        s1, s3 = (stride, 1) if stride_in_1x1 else (1, stride)
        self.conv1 = conv1x1(inplanes, width, s1)
        self.bn1 = norm_layer(width)
        self.conv2 = conv3x3(width, width, s3, groups)
        self.bn2 = norm_layer(width)
        self.conv3 = conv1x1(width, planes * self.expansion)
        self.bn3 = norm_layer(planes * self.expansion)
        self._finish(inplanes, planes, stride, shortcut, norm_layer)

    def branch(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        return self.bn3(self.conv3(out))

    def last_bn(self):
        return self.bn3


class PlainBlock(BasicBlock):
    """The same layers as BasicBlock with no shortcut: y = relu(F(x))."""

    def __init__(self, inplanes, planes, stride=1, shortcut=None, norm_layer=None, groups=1, base_width=64):
        super().__init__(inplanes, planes, stride, None, norm_layer, groups, base_width)


class PlainBottleneck(Bottleneck):
    """The same layers as Bottleneck with no shortcut."""

    def __init__(self, inplanes, planes, stride=1, shortcut=None, norm_layer=None, groups=1, base_width=64,
                 stride_in_1x1=False):
        super().__init__(inplanes, planes, stride, None, norm_layer, groups, base_width, stride_in_1x1)


class PreActBlock(ResidualBlock):
    """He et al. 2016: y = x + F(x), F = conv2(relu(bn2(conv1(relu(bn1(x)))))).

    Nothing follows the add, so the identity path is clean from block to block:
    dL/dx_l = dL/dx_L (1 + d/dx_l sum_i F_i). A projection shortcut takes relu(bn1(x)).
    """
    preact = True

    def __init__(self, inplanes, planes, stride=1, shortcut="B", norm_layer=None, groups=1, base_width=64):
        super().__init__()
        _two_conv_width(self, groups, base_width)
        norm_layer = norm_layer or nn.BatchNorm2d
        self.bn1 = norm_layer(inplanes)
        self.conv1 = conv3x3(inplanes, planes, stride)
        self.bn2 = norm_layer(planes)
        self.conv2 = conv3x3(planes, planes)
        self._finish(inplanes, planes, stride, shortcut, norm_layer)

    def branch(self, a):
        return self.conv2(self.relu(self.bn2(self.conv1(a))))


class PreActBottleneck(ResidualBlock):
    """Pre-activation bottleneck: BN-ReLU-1x1, BN-ReLU-3x3, BN-ReLU-1x1, then the add."""
    expansion = 4
    preact = True

    def __init__(self, inplanes, planes, stride=1, shortcut="B", norm_layer=None, groups=1, base_width=64):
        super().__init__()
        norm_layer = norm_layer or nn.BatchNorm2d
        width = int(planes * (base_width / 64.0)) * groups
        self.bn1 = norm_layer(inplanes)
        self.conv1 = conv1x1(inplanes, width)
        self.bn2 = norm_layer(width)
        self.conv2 = conv3x3(width, width, stride, groups)
        self.bn3 = norm_layer(width)
        self.conv3 = conv1x1(width, planes * self.expansion)
        self._finish(inplanes, planes, stride, shortcut, norm_layer)

    def branch(self, a):
        out = self.conv2(self.relu(self.bn2(self.conv1(a))))
        return self.conv3(self.relu(self.bn3(out)))
