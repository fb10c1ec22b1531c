"""Op-level robustness (issue 10, items 1-4 and 13): no silent wrong numbers, and a bad argument
gets an OpError that names the op and the argument."""
import math

import numpy as np
import pytest

import tinyres as tr
import tinyres.functional as F
from tinyres import OpError, backend
from tinyres.function import Function
from tinyres.inspect.gradcheck import gradcheck
from tinyres.distributed import SingleProcess

from conftest import make


def arange(shape, device="cpu", dtype="float64", requires_grad=False):
    a = np.arange(math.prod(shape), dtype=dtype).reshape(shape)
    return tr.tensor(a, device=device, requires_grad=requires_grad)


# ---------------------------------------------------------------- 1. axes are never wrapped

@pytest.mark.parametrize("call, message", [
    (lambda x: x.sum(axis=5), r"sum: axis 5 is out of range for a tensor of rank 2 \(valid: -2 to 1\)"),
    (lambda x: F.sum(x, axis=2), r"sum: axis 2 is out of range for a tensor of rank 2"),
    (lambda x: F.sum(x, axis=-3), r"sum: axis -3 is out of range for a tensor of rank 2"),
    (lambda x: F.sum(x, axis=(0, 4)), r"sum: axis 4 is out of range for a tensor of rank 2"),
    (lambda x: F.sum(x, axis=np.int64(2)), r"sum: axis 2 is out of range"),
    (lambda x: F.sum(x, axis=(1, -1)), r"sum: axis \(1, -1\) names an axis more than once"),
    (lambda x: F.sum(x, axis=1.0), r"sum: axis must be an int, got 1.0"),
    (lambda x: x.mean(axis=2), r"mean: axis 2 is out of range for a tensor of rank 2"),
    (lambda x: F.mean(x, axis=(-3,)), r"mean: axis -3 is out of range for a tensor of rank 2"),
    (lambda x: F.transpose(x, (0, 3)), r"transpose: axis 3 is out of range for a tensor of rank 2"),
    (lambda x: F.transpose(x, (0, -3)), r"transpose: axis -3 is out of range for a tensor of rank 2"),
    (lambda x: F.transpose(x, (0,)), r"transpose: axes \(0,\) must list each of the 2 axes"),
    (lambda x: F.transpose(x, (0, 0)), r"transpose: axes \(0, 0\) are not a permutation"),
    (lambda x: F.transpose(x, 1), r"transpose: axes must be a tuple of ints, got 1"),
    (lambda x: F.cat([x, x], axis=2), r"cat: axis 2 is out of range for a tensor of rank 2"),
    (lambda x: F.cat([x, x], axis=-3), r"cat: axis -3 is out of range for a tensor of rank 2"),
    (lambda x: F.flatten(x, 2), r"flatten: start_dim 2 is out of range for a tensor of rank 2"),
    (lambda x: F.flatten(x, -3), r"flatten: start_dim -3 is out of range for a tensor of rank 2"),
])
def test_out_of_range_axis_is_refused(call, message, device):
    with pytest.raises(OpError, match=message):
        call(arange((2, 3), device))


@pytest.mark.parametrize("ours, theirs", [
    (lambda x: F.sum(x, axis=-1), lambda a: a.sum(axis=-1)),
    (lambda x: F.sum(x, axis=(-1, 0)), lambda a: a.sum(axis=(-1, 0))),
    (lambda x: F.mean(x, axis=-2, keepdims=True), lambda a: a.mean(axis=-2, keepdims=True)),
    (lambda x: F.transpose(x, (-1, 0, 1)), lambda a: a.transpose(2, 0, 1)),
    (lambda x: F.cat([x, x], axis=-1), lambda a: np.concatenate([a, a], axis=-1)),
    (lambda x: F.flatten(x, -2), lambda a: a.reshape(2, -1)),
    (lambda x: F.flatten(x, 0), lambda a: a.reshape(-1)),
])
def test_negative_axes_in_range_keep_working(ours, theirs, device):
    x = arange((2, 3, 4), device, requires_grad=True)
    y = ours(x)
    np.testing.assert_array_equal(y.numpy(), theirs(x.numpy()))
    gradcheck(ours, [x])


# ---------------------------------------------------------------- 2. cross-entropy by indexing

def test_cross_entropy_ignores_a_minus_inf_non_target_logit(device):
    z = tr.tensor(np.array([[3.0, -np.inf]]), device=device, requires_grad=True)
    loss = F.cross_entropy(z, [0])
    assert loss.item() == 0.0
    loss.backward()
    np.testing.assert_array_equal(backend.to_numpy(z.grad), [[0.0, 0.0]])


def test_cross_entropy_of_a_minus_inf_target_logit_is_inf(device):
    z = tr.tensor(np.array([[-np.inf, 3.0], [1.0, 2.0]]), device=device)
    losses = F.cross_entropy(z, [0, 1], reduction="none").numpy()
    assert losses[0] == np.inf and np.isfinite(losses[1])
    assert F.cross_entropy(z, [0, 1]).item() == np.inf


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_gradient_with_one_hugely_negative_logit(reduction, device):
    rng = np.random.default_rng(3)
    a = rng.standard_normal((4, 5))
    a[1, 3] = -1e4                      # softmax underflows to exactly 0 there
    z = tr.tensor(a, device=device, requires_grad=True)
    target = tr.tensor(np.array([0, 2, 4, 3]), device=device)
    gradcheck(lambda z: F.cross_entropy(z, target, reduction=reduction), [z])


def test_cross_entropy_with_infinite_logits_matches_torch():
    torch = pytest.importorskip("torch")
    a = np.array([[3.0, -np.inf, 1.0], [-np.inf, 0.5, 2.0], [0.1, 0.2, 0.3]])
    target = np.array([0, 2, 1])
    for reduction in ("none", "sum", "mean"):
        z = tr.tensor(a, requires_grad=True)
        zt = torch.tensor(a, requires_grad=True)
        ours = F.cross_entropy(z, target, reduction=reduction)
        theirs = torch.nn.functional.cross_entropy(zt, torch.tensor(target), reduction=reduction)
        np.testing.assert_allclose(ours.numpy(), theirs.detach().numpy(), rtol=1e-13)
        g = np.random.default_rng(0).standard_normal(ours.shape)
        ours.backward(tr.tensor(g))
        theirs.backward(torch.tensor(g))
        np.testing.assert_allclose(z.grad, zt.grad.numpy(), rtol=1e-13, atol=1e-15)


# ---------------------------------------------------------------- 3. max-pool never picks padding

def _one_finite(device):
    a = np.full((1, 1, 4, 4), -np.inf)
    a[0, 0, 1, 2] = 1.5
    return a, tr.tensor(a, device=device, requires_grad=True)


def test_max_pool_gradient_of_an_all_minus_inf_window_reaches_an_input(device):
    a, x = _one_finite(device)
    y = F.max_pool2d(x, 3, stride=2, padding=1)
    assert y.shape == (1, 1, 2, 2)
    y.backward(tr.tensor(np.ones(y.shape), device=device))
    g = backend.to_numpy(x.grad)
    assert g.sum() == 4.0          # every window's gradient reaches an input element (issue 10: was 2)
    # windows (0,0) and (1,0) hold only -inf inputs: each sends its gradient to its first input element
    expected = np.zeros((4, 4))
    expected[0, 0] += 1            # window (0,0): rows -1..1, cols -1..1 -> first input (0,0)
    expected[1, 2] += 2            # windows (0,1) and (1,1) both see the finite value
    expected[1, 0] += 1            # window (1,0): rows 1..3, cols -1..1 -> first input (1,0)
    np.testing.assert_array_equal(g[0, 0], expected)


@pytest.mark.parametrize("fill", ["one finite", "all -inf", "ties"])
def test_max_pool_gradient_positions_match_torch(fill):
    torch = pytest.importorskip("torch")
    if fill == "one finite":
        a = _one_finite("cpu")[0]
    elif fill == "all -inf":
        a = np.full((1, 2, 5, 4), -np.inf)
    else:
        a = np.zeros((1, 2, 5, 4))
    rng = np.random.default_rng(0)
    x = tr.tensor(a, requires_grad=True)
    xt = torch.tensor(a, requires_grad=True)
    y = F.max_pool2d(x, 3, 2, 1)
    yt = torch.nn.functional.max_pool2d(xt, 3, 2, 1)
    np.testing.assert_array_equal(y.numpy(), yt.detach().numpy())
    g = rng.standard_normal(y.shape)
    y.backward(tr.tensor(g))
    yt.backward(torch.tensor(g))
    np.testing.assert_array_equal(x.grad, xt.grad.numpy())


# ---------------------------------------------------------------- 4. empty maps and unsupported dtypes

@pytest.mark.parametrize("call, op", [
    (lambda x: F.adaptive_avg_pool2d(x, 1), "adaptive_avg_pool2d"),
    (lambda x: F.adaptive_avg_pool2d(x, (2, 2)), "adaptive_avg_pool2d"),
    (lambda x: F.global_avg_pool2d(x), "global_avg_pool2d"),
    (lambda x: F.max_pool2d(x, 2, padding=1), "max_pool2d"),
    (lambda x: F.avg_pool2d(x, 2, padding=1), "avg_pool2d"),
])
@pytest.mark.parametrize("shape", [(1, 2, 0, 3), (1, 2, 3, 0)])
def test_pools_refuse_an_empty_map(call, op, shape, device):
    with pytest.raises(OpError, match=rf"{op}: input has an empty spatial size"):
        call(tr.tensor(np.ones(shape), device=device))


@pytest.mark.parametrize("data, dtype", [
    (np.ones(3, dtype=complex), "complex128"),
    (np.array([1 + 2j]), "complex128"),
    (np.array(["a", "b"]), "str"),
    (np.array([object()]), "object"),
    ([1j, 2.0], "complex128"),
])
def test_tensor_refuses_unsupported_dtypes(data, dtype):
    with pytest.raises(TypeError, match=rf"dtype {dtype}.*supported dtypes: float16, float32, float64"):
        tr.tensor(data)


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "uint8", "bool"])
def test_tensor_keeps_supported_dtypes(dtype, device):
    x = tr.tensor(np.zeros(3, dtype=dtype), device=device)
    assert backend.dtype_name(x.dtype) == dtype


# ---------------------------------------------------------------- 13. one policy for non-Tensor arguments

def _x(d, shape=(2, 4, 5, 5)):
    return make(np.random.default_rng(0), shape, d, requires_grad=False)


# name -> (call, the Tensor arguments as keyword names with their valid values)
def _ops(d):
    t = lambda *s: _x(d, s)   # noqa: E731
    rm, rv = tr.tensor(np.zeros(4), device=d), tr.tensor(np.ones(4), device=d)
    ops = {
        "relu": (F.relu, dict(input=t(2, 3))),
        "dropout": (F.dropout, dict(input=t(2, 3))),
        "add": (F.add, dict(input=t(2, 3), other=t(2, 3))),
        "sub": (F.sub, dict(input=t(2, 3), other=t(2, 3))),
        "mul": (F.mul, dict(input=t(2, 3), other=t(2, 3))),
        "div": (F.div, dict(input=t(2, 3), other=t(2, 3))),
        "astype": (lambda input: F.astype(input, "float32"), dict(input=t(2, 3))),
        "cat": (lambda a, b: F.cat([a, b]), {"tensors[0]": t(2, 3), "tensors[1]": t(2, 3)}),
        "exp": (F.exp, dict(input=t(2, 3))),
        "log": (F.log, dict(input=tr.tensor(np.full((2, 3), 2.0), device=d))),
        "neg": (F.neg, dict(input=t(2, 3))),
        "pow": (lambda input: F.pow(input, 2), dict(input=t(2, 3))),
        "flatten": (F.flatten, dict(input=t(2, 3, 4))),
        "matmul": (F.matmul, dict(input=t(2, 3), other=t(3, 2))),
        "mean": (F.mean, dict(input=t(2, 3))),
        "sum": (F.sum, dict(input=t(2, 3))),
        "pad": (lambda input: F.pad(input, (1, 1)), dict(input=t(2, 3))),
        "reshape": (lambda input: F.reshape(input, (3, 2)), dict(input=t(2, 3))),
        "transpose": (F.transpose, dict(input=t(2, 3))),
        "to_device": (lambda input: F.to_device(input, d), dict(input=t(2, 3))),
        "conv2d": (F.conv2d, dict(input=t(2, 4, 5, 5), weight=t(3, 4, 3, 3), bias=t(3))),
        "linear": (F.linear, dict(input=t(2, 3), weight=t(4, 3), bias=t(4))),
        "cross_entropy": (F.cross_entropy, dict(logits=t(2, 3), target=tr.tensor(np.array([0, 2]), device=d))),
        "log_softmax": (F.log_softmax, dict(input=t(2, 3))),
        "batch_norm": (F.batch_norm, dict(input=t(2, 4, 3, 3), running_mean=rm, running_var=rv,
                                          weight=t(4), bias=t(4))),
        "adaptive_avg_pool2d": (lambda input: F.adaptive_avg_pool2d(input, 2), dict(input=t(2, 4, 5, 5))),
        "avg_pool2d": (lambda input: F.avg_pool2d(input, 2), dict(input=t(2, 4, 5, 5))),
        "global_avg_pool2d": (F.global_avg_pool2d, dict(input=t(2, 4, 5, 5))),
        "max_pool2d": (lambda input: F.max_pool2d(input, 2), dict(input=t(2, 4, 5, 5))),
        "residual_add": (F.residual_add, dict(branch=t(2, 3), shortcut=t(2, 3))),
        "shortcut_a": (lambda input: F.shortcut_a(input, 6, 2), dict(input=t(2, 4, 4, 4))),
        "gradient_tap": (lambda x: F.gradient_tap(x, lambda g: None), {"input 0": t(2, 3)}),
        "group_norm": (lambda input, weight, bias: F.group_norm(input, 2, weight, bias),
                       dict(input=t(2, 4, 3, 3), weight=t(4), bias=t(4))),
        # one replica (every collective the identity): the argument checks are the op's own
        "sync_batch_norm": (lambda input, running_mean, running_var, weight, bias: F.sync_batch_norm(
            input, running_mean, running_var, weight, bias, training=True, comm=SingleProcess()),
            dict(input=t(2, 4, 3, 3), running_mean=rm, running_var=rv, weight=t(4), bias=t(4))),
    }
    return ops


def test_the_policy_table_covers_every_public_op():
    missing = sorted(set(F.__all__) - set(_ops("cpu")))
    assert not missing, f"add these ops to _ops() in {__file__}: {missing}"


BAD = {"list": [[1.0, 2.0]], "numpy array": np.ones((2, 3)), "None": None}
#: None is a valid value of these (optional) arguments
NONE_OK = {"conv2d": {"bias"}, "linear": {"bias"}, "group_norm": {"weight", "bias"},
           "batch_norm": {"running_mean", "running_var", "weight", "bias"},
           "sync_batch_norm": {"running_mean", "running_var", "weight", "bias"}}
#: class labels carry no gradient: a list or an array of them is accepted, as in the issue's reproducer
LABELS = {("cross_entropy", "target")}


@pytest.mark.parametrize("bad", list(BAD), ids=list(BAD))
@pytest.mark.parametrize("name", sorted(F.__all__))
def test_every_op_names_a_non_tensor_argument(name, bad, device):
    call, args = _ops(device)[name]
    assert call(*args.values()) is not None       # the table's call is valid as it stands
    for arg in args:
        if (bad == "None" and arg in NONE_OK.get(name, ())) or (bad != "None" and (name, arg) in LABELS):
            continue
        values = dict(args)
        values[arg] = BAD[bad]
        with pytest.raises(OpError, match=rf"^{name}: {arg.replace('[', '.').replace(']', '.')} "
                                          rf"must be a Tensor.*got {'None' if bad == 'None' else ''}"):
            call(*values.values())


@pytest.mark.parametrize("call, message", [
    (lambda x: F.shortcut_a(x, 4.5, 1), r"shortcut_a: out_channels must be a positive int, got 4.5"),
    (lambda x: F.shortcut_a(x, 8, 1.0), r"shortcut_a: stride must be a positive int, got 1.0"),
    (lambda x: F.dropout(F.astype(x, "int64"), 0.5), r"dropout: input must be a floating-point tensor, got dtype int64"),
    (lambda x: F.dropout(x, "0.5"), r"dropout: p must be a number in \[0, 1\), got '0.5'"),
    (lambda x: F.batch_norm(x, tr.tensor(np.zeros(4)), tr.tensor(np.ones(4)), training=True, momentum=None),
     r"batch_norm: momentum must be a number in \[0, 1\], got None; .*momentum=1/k at the k-th batch"),
    (lambda x: F.batch_norm(x, None, None, training=True, eps=0), r"batch_norm: eps must be a positive number"),
    (lambda x: F.astype(x, "float99"), r"astype: unsupported dtype 'float99'; supported dtypes: float16"),
    (lambda x: F.astype(x, "complex128"), r"astype: unsupported dtype 'complex128'"),
    (lambda x: F.reshape(x, (2.0, -1)), r"reshape: shape must be a sequence of ints"),
    (lambda x: F.pad(x, (1.5, 1)), r"pad: pad must be a sequence of ints"),
    (lambda x: F.cat(x), r"cat: tensors must be a list or tuple of Tensors, got Tensor"),
    (lambda x: F.pow(x, True), r"pow: exponent must be a Python number, got bool"),
    (lambda x: x + [1.0], r"add: other must be a Tensor or a Python number, got list"),
    (lambda x: x * np.ones(5), r"mul: other must be a Tensor or a Python number, got ndarray"),
    (lambda x: np.ones(5) - x, r"sub: input must be a Tensor or a Python number, got ndarray"),
    (lambda x: F.div(2.0, 3.0), r"div: other must be a Tensor, got float"),
    (lambda x: F.conv2d(x, x, groups=True), r"conv2d: groups must be a positive int, got True"),
    (lambda x: F.max_pool2d(x, True), r"max_pool2d: kernel_size must be an int or a pair of ints, got True"),
    (lambda x: F.to_device(x, "tpu"), r"to_device: unknown device 'tpu'"),
    (lambda x: x.to(dtype="float99"), r"astype: unsupported dtype 'float99'"),
])
def test_bad_non_tensor_arguments_are_named(call, message):
    with pytest.raises(OpError, match=message):
        call(arange((1, 4, 4, 5)))


def test_python_numbers_still_work_in_arithmetic(device):
    x = arange((2, 3), device)
    for y, expected in ((x + 1, x.numpy() + 1), (2 * x, 2 * x.numpy()), (x / 4.0, x.numpy() / 4),
                        (1 - x, 1 - x.numpy()), (np.float32(2) * x, 2 * x.numpy()), (x ** 2, x.numpy() ** 2)):
        assert y.dtype == x.dtype
        np.testing.assert_array_equal(y.numpy(), expected)


def test_a_custom_function_given_a_list_names_itself():
    class Twice(Function):
        def forward(self, x):
            return 2 * x

    with pytest.raises(OpError, match=r"twice: input 0 must be a Tensor, got list"):
        Twice()([1.0])


# ---------------------------------------------------------------- backend helpers

def test_dtype_name_and_is_array_on_every_backend(device):
    x = arange((2,), device, dtype="float32")
    assert backend.dtype_name(x.dtype) == "float32"
    assert backend.is_array(x.data)
    for not_an_array in ([1.0], 1.0, x, None, "float32"):
        assert not backend.is_array(not_an_array)
    assert backend.dtype_name(np.int64) == "int64" and backend.dtype_name("bool") == "bool"
    assert backend.resolve_dtype(x.xp, np.dtype("float64")) == x.xp.float64
    with pytest.raises(ValueError, match="unsupported dtype 'float99'"):
        backend.resolve_dtype(x.xp, "float99")


# ---------------------------------------------------------------- the batch-norm docstring's claim

def test_a_sum_check_catches_a_dropped_mean_term_but_not_a_dropped_variance_term():
    """norm.py's docstring: with an all-ones upstream gradient (a check of sum(batch_norm(x))) the
    true dL/dx is 0; dropping the mean(g) term fails that check, dropping the variance term passes it.
    A random upstream gradient catches both."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((6, 2))
    x = tr.tensor(a, requires_grad=True)
    eps = 1e-5

    def variants(g):
        xhat = (a - a.mean(0)) / np.sqrt(a.var(0) + eps)
        inv = 1 / np.sqrt(a.var(0) + eps)
        return {"full": inv * (g - g.mean(0) - xhat * (g * xhat).mean(0)),
                "no mean term": inv * (g - xhat * (g * xhat).mean(0)),
                "no variance term": inv * (g - g.mean(0))}

    def numeric(g, h=1e-6):
        out = np.zeros_like(a)
        for i in np.ndindex(a.shape):
            d = np.zeros_like(a)
            d[i] = h
            f = [(F.batch_norm(tr.tensor(a + s * d), None, None, training=True, eps=eps).numpy() * g).sum()
                 for s in (1, -1)]
            out[i] = (f[0] - f[1]) / (2 * h)
        return out

    for g, passes in ((np.ones_like(a), {"full", "no variance term"}),
                      (rng.standard_normal(a.shape), {"full"})):
        n = numeric(g)
        got = {k for k, v in variants(g).items() if np.allclose(v, n, rtol=1e-5, atol=1e-6)}
        assert got == passes
    F.batch_norm(x, None, None, training=True, eps=eps).backward(tr.tensor(np.ones_like(a)))
    np.testing.assert_allclose(x.grad, variants(np.ones_like(a))["full"], atol=1e-12)


def test_batchnorm_module_with_momentum_none_keeps_a_cumulative_average(device):
    """nn.BatchNorm2d(momentum=None) as PyTorch: running stats are the plain average over batches."""
    rng = np.random.default_rng(2)
    bn = tr.nn.BatchNorm2d(3, momentum=None, dtype="float64", device=device)
    batches = [rng.standard_normal((4, 3, 2, 2)) * (k + 1) + k for k in range(3)]
    for b in batches:
        bn(tr.tensor(b, device=device))
    np.testing.assert_allclose(bn.running_mean.numpy(), np.mean([b.mean(axis=(0, 2, 3)) for b in batches], 0),
                               rtol=1e-12)
    np.testing.assert_allclose(bn.running_var.numpy(),
                               np.mean([b.var(axis=(0, 2, 3), ddof=1) for b in batches], 0), rtol=1e-12)
    torch = pytest.importorskip("torch")
    tbn = torch.nn.BatchNorm2d(3, momentum=None).double()
    for b in batches:
        tbn(torch.tensor(b))
    np.testing.assert_allclose(bn.running_var.numpy(), tbn.running_var.numpy(), rtol=1e-12)
    bn.eval()
    y = bn(tr.tensor(batches[0], device=device))
    np.testing.assert_allclose(y.numpy(), tbn.eval()(torch.tensor(batches[0])).detach().numpy(), rtol=1e-12)


@pytest.mark.parametrize("index, message", [
    (5, r"getitem: index 5 is out of range for axis 0 of size 2"),
    ((0, -4), r"getitem: index -4 is out of range for axis 1 of size 3"),
    ((Ellipsis, 3), r"getitem: index 3 is out of range for axis 1 of size 3"),
    ((0, 0, 0), r"getitem: 3 indices for a tensor of rank 2"),
    (True, r"getitem: only integers, slices and \.\.\. are supported"),
    ((Ellipsis, Ellipsis), r"getitem: an index can have only one \.\.\."),
])
def test_getitem_refuses_out_of_range_indices(index, message, device):
    with pytest.raises(OpError, match=message):
        arange((2, 3), device)[index]


@pytest.mark.parametrize("index", [1, -2, (Ellipsis, -1), (slice(None), 2), (-1, Ellipsis, 0), (Ellipsis,)])
def test_getitem_in_range_matches_numpy(index, device):
    x = arange((2, 3), device, requires_grad=True)
    np.testing.assert_array_equal(x[index].numpy(), x.numpy()[index])
    gradcheck(lambda x: x[index] * 1.0, [x])
