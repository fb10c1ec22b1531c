"""Bad input: each a clear error naming the op, what it expected and what it got."""
import numpy as np
import pytest

import tinyres as tr
import tinyres.functional as F
from tinyres import OpError


def t(shape, device="cpu", dtype="float64", requires_grad=False):
    return tr.tensor(np.ones(shape, dtype=dtype), device=device, requires_grad=requires_grad)


@pytest.mark.parametrize("call, message", [
    (lambda: F.conv2d(t((2, 3, 8, 8)), t((4, 2, 3, 3))), r"conv2d: input has 3 channels.*expects 2"),
    (lambda: F.conv2d(t((3, 8, 8)), t((4, 3, 3, 3))), r"conv2d: input must have 4 dimensions \(N, C, H, W\), got shape \(3, 8, 8\)"),
    (lambda: F.conv2d(t((1, 3, 8, 8), dtype="int64"), t((4, 3, 3, 3))), r"conv2d: input must be a floating-point tensor, got dtype int64"),
    (lambda: F.conv2d(t((1, 3, 2, 2)), t((4, 3, 5, 5)), padding=1), r"conv2d: kernel of extent 5 along height is larger than the padded input \(2 \+ 2\*1 = 4\)"),
    (lambda: F.conv2d(t((1, 3, 8, 8)), t((4, 3, 3, 3), dtype="float32")), r"conv2d: all inputs must have one dtype"),
    (lambda: F.conv2d(t((1, 4, 8, 8)), t((3, 2, 3, 3)), groups=2), r"conv2d: 3 output channels are not divisible by groups=2"),
    (lambda: F.conv2d(t((1, 3, 8, 8)), t((4, 3, 3, 3)), t((3,))), r"conv2d: bias must have shape \(4,\)"),
    (lambda: F.conv2d(t((1, 3, 8, 8)), t((4, 3, 3, 3)), stride=0), r"conv2d: stride and dilation must be >= 1"),
    (lambda: F.conv2d(t((1, 3, 8, 8)), t((4, 3, 3, 3)), stride="2"), r"conv2d: stride must be an int or a pair"),
    (lambda: F.conv2d(t((1, 3, 8, 8)), t((4, 3, 3, 3), device="strict")), r"conv2d: inputs are on different devices \['cpu', 'strict'\]"),
    (lambda: F.max_pool2d(t((1, 1, 2, 2)), 3), r"max_pool2d: kernel of extent 3 along height is larger"),
    (lambda: F.max_pool2d(t((1, 1, 4, 4)), 2, padding=2), r"max_pool2d: padding \(2, 2\) must be at most half"),
    (lambda: F.max_pool2d(t((1, 1, 4, 4)), 2, padding=-1), r"max_pool2d: kernel_size and stride must be >= 1, padding >= 0"),
    (lambda: F.avg_pool2d(t((1, 1, 4, 4)), 2, stride=0), r"avg_pool2d: kernel_size and stride must be >= 1"),
    (lambda: F.avg_pool2d(t((4, 4)), 2), r"avg_pool2d: input must have 4 dimensions"),
    (lambda: F.batch_norm(t((2, 3, 4, 4)), t((4,)), t((4,))), r"batch_norm: running_mean must be a Tensor of shape \(3,\) for 3 channels, got \(4,\)"),
    (lambda: F.batch_norm(t((2, 3, 4, 4)), None, None), r"batch_norm: eval mode .* needs running_mean"),
    (lambda: F.batch_norm(t((1, 3)), None, None, training=True), r"batch_norm: training mode needs more than one value per channel"),
    (lambda: F.linear(t((2, 5)), t((3, 4))), r"linear: input has 5 features, weight of shape \(3, 4\) expects 4"),
    (lambda: F.cross_entropy(t((2, 3)), tr.tensor([0.0, 1.0])), r"cross_entropy: target must hold integer class labels"),
    (lambda: F.cross_entropy(t((2, 3)), tr.tensor([0, 3])), r"cross_entropy: target labels must lie in \[0, 3\), got values from 0 to 3"),
    (lambda: F.cross_entropy(t((2, 3)), tr.tensor([0, 1, 2])), r"cross_entropy: target must have shape \(2,\)"),
    (lambda: F.cross_entropy(t((2, 3, 1)), tr.tensor([0, 1])), r"cross_entropy: logits must have 2 dimensions"),
    (lambda: F.residual_add(t((1, 4, 4, 4)), t((1, 2, 4, 4))), r"residual_add: branch shape \(1, 4, 4, 4\) != shortcut shape"),
    (lambda: F.shortcut_a(t((1, 4, 4, 4)), 2, 2), r"shortcut_a: out_channels \(2\) must be >= input channels \(4\)"),
    (lambda: F.reshape(t((2, 3)), (4, 2)), r"reshape: cannot reshape a tensor of shape \(2, 3\) \(6 elements\) to \(4, 2\)"),
    (lambda: F.matmul(t((2, 3)), t((2, 3))), r"matmul: inner dimensions differ"),
    (lambda: F.cat([t((2, 3)), t((3, 3))], axis=1), r"cat: shapes \(2, 3\) and \(3, 3\) differ outside axis 1"),
])
def test_bad_input_is_named(call, message):
    with pytest.raises(OpError, match=message):
        call()


def test_add_across_devices_is_refused():
    with pytest.raises(OpError, match=r"add: inputs are on different devices"):
        t((2,)) + t((2,), device="strict")


@pytest.mark.parametrize("kw", [dict(lr=-0.1), dict(lr=0.1, momentum=-0.9), dict(lr=0.1, weight_decay=-1e-4)])
def test_sgd_refuses_each_negative_hyperparameter(kw):
    with pytest.raises(ValueError, match=r"SGD: lr, momentum and weight_decay must be >= 0"):
        tr.optim.SGD([tr.tensor([1.0], requires_grad=True)], **kw)
