"""The graders: one function per exercise, raising :class:`Wrong` at the first thing wrong.

The standard is the library's own (DESIGN.md, "Gradient checking"): float64; every element
of every input checked against central differences with a RANDOM upstream gradient drawn
from its own generator (seed ``COTANGENT_SEED + case``, never the inputs' stream); the
tolerance of :data:`tinyres.inspect.gradcheck.TOLERANCE`, the one place it is defined,
also for comparing forwards with the library's op. Shapes include odd sizes, stride 2,
padding and batch 1; inputs of ReLU and max-pool stay clear of kinks and ties, which are
then checked on their own against the library's convention.
"""
from __future__ import annotations

from .. import backend
from .. import functional as F
from ..i18n import M
from ..inspect.gradcheck import TOLERANCE, gradcheck
from ..tensor import Tensor, tensor
from .bridge import LearnerFunction, Wrong

__all__ = ["GRADERS", "INPUT_SEED", "COTANGENT_SEED"]

INPUT_SEED = 1000          # case k draws its inputs from generator(INPUT_SEED + k)
COTANGENT_SEED = 900000    # ... and its upstream gradient from generator(COTANGENT_SEED + k)


# ---------------------------------------------------------------- helpers

def need(mod, name):
    fn = getattr(mod, name, None)
    if not callable(fn):
        raise Wrong(M("{module}.py has no function {name}() (was it renamed or deleted?)", module=mod.__name__,
                      name=name))
    return fn


def t64(a, grad=True):
    return tensor(backend.asarray(a, dtype="float64"), requires_grad=grad)


def _host(a):
    return backend.to_numpy(a.data if isinstance(a, Tensor) else a)


def _index(flat, shape):
    idx = []
    for s in reversed(shape):
        idx.append(flat % s)
        flat //= s
    return tuple(reversed(idx))


def compare(what, got, want, case):
    """Raise Wrong unless ``got`` equals ``want`` within the tolerance (shape first)."""
    got, want = _host(got), _host(want)
    if tuple(got.shape) != tuple(want.shape):
        raise Wrong(M("wrong shape: {what} has shape {got}, expected {want} ({case})", what=what,
                      got=tuple(got.shape), want=tuple(want.shape), case=case))
    if got.size == 0:
        return
    diff = abs(got - want)
    excess = diff / (TOLERANCE["atol"] + TOLERANCE["rtol"] * abs(want))
    k = int(excess.argmax())
    if not excess.reshape(-1)[k] <= 1:       # also catches NaN
        i = _index(k, want.shape)
        raise Wrong(M("{what} differs from the library's: max difference {diff:.3g} at index {index} (got "
                      "{got:.6g}, expected {want:.6g}) ({case})", what=what, diff=float(diff.reshape(-1)[k]),
                      index=i, got=float(got[i]), want=float(want[i]), case=case))


def check_grads(fn, inputs, names, k, case):
    """Gradient-check ``fn`` (which builds LearnerFunctions) with a random upstream gradient."""
    report = gradcheck(fn, inputs, seed=COTANGENT_SEED + k, raise_on_fail=False)
    if not report.ok:
        m = report.worst
        tol = TOLERANCE["atol"] + TOLERANCE["rtol"] * abs(m.numeric)
        raise Wrong(M("dL/d{name} wrong at index {index}: analytic {analytic:.6g}, numeric {numeric:.6g}, "
                      "tolerance {tol:.2g} (atol {atol:g} + rtol {rtol:g}*|numeric|) ({case}); {diagnosis}",
                      name=names[m.input], index=m.index, analytic=m.analytic, numeric=m.numeric, tol=tol,
                      atol=TOLERANCE["atol"], rtol=TOLERANCE["rtol"], case=case, diagnosis=m.diagnosis()))


def _of(function, value):
    """ "relu_forward's y": what a comparison is about."""
    return M("{function}'s {value}", function=function, value=value)


def _window(x_shape, kernel, stride, padding):
    return M("x {x}, kernel {kernel}, stride {stride}, padding {padding}", x=x_shape, kernel=kernel, stride=stride,
             padding=padding)


def vjp(fn, inputs, gy):
    """The gradients backward gives for upstream ``gy`` (one engine pass)."""
    for t in inputs:
        t.grad = None
    fn(*inputs).backward(gy)
    return [t.grad for t in inputs]


def normal(g, shape, low=None):
    a = g.standard_normal(shape)
    if low is not None:          # |a| >= low: clear of the kink at 0
        a = (a > 0) * (a + low) + (a <= 0) * (a - low)
    return a


def distinct(g, shape, gap=0.01):
    """Pairwise different values (no ties within a window), none near 0."""
    n = 1
    for s in shape:
        n *= s
    return ((g.permutation(n) - n / 2 + 0.25) * gap).reshape(shape)


def out_len(n, k, s, p):
    return (n + 2 * p - k) // s + 1


# ---------------------------------------------------------------- 1 add / mul

def grade_add_mul(mod):
    need(mod, "unbroadcast")        # graded through add_backward and mul_backward, which use it
    add_b, mul_b = need(mod, "add_backward"), need(mod, "mul_backward")
    cases = [((2, 3, 4), (2, 3, 4)), ((3, 1), (2, 3, 4)), ((4, 1), (5,)), ((1,), (3, 2))]
    for k, (sa, sb) in enumerate(cases):
        g = backend.generator(INPUT_SEED + k)
        a, b = t64(normal(g, sa)), t64(normal(g, sb))
        case = f"a {sa}, b {sb}"
        check_grads(lambda a, b: LearnerFunction("add", _add_fwd, lambda gy, c: add_b(gy, *c), "ab")(a, b),
                    [a, b], "ab", k, "add, " + case)
        check_grads(lambda a, b: LearnerFunction("mul", _mul_fwd, lambda gy, c: mul_b(gy, *c), "ab")(a, b),
                    [a, b], "ab", k, "mul, " + case)


def _add_fwd(a, b):
    return a + b, (a.shape, b.shape)


def _mul_fwd(a, b):
    return a * b, (a, b)


# ---------------------------------------------------------------- 2 topological sort

def grade_topological_sort(mod):
    order_fn = need(mod, "topological_order")
    g = backend.generator(INPUT_SEED)
    x, w = t64(normal(g, (3,))), t64(normal(g, (3,)))
    u = x * w
    diamond = (u * u.exp()).sum()                       # u feeds both the mul and the exp
    h = x
    for step in range(4):                               # residual-like: h feeds the branch and the add
        h = h + h * w
    chain = x
    for link in range(3000):                            # deeper than Python's recursion limit
        chain = chain * 1.0
    for label, root in ((M("a diamond: u = x*w used by exp(u) and u*exp(u)"), diamond),
                        (M("4 residual steps h = h + h*w"), h.sum()),
                        (M("a chain of 3000 muls"), chain.sum())):
        _check_order(order_fn, root, label)


def _check_order(order_fn, root, label):
    from ..tensor import _topological_order
    expected = _topological_order(root.creator)
    reachable = {id(f) for f in expected}
    order = order_fn(root.creator)
    if not isinstance(order, (list, tuple)):
        raise Wrong(M("topological_order must return a list of Functions, got {kind} (graph: {label})",
                      kind=type(order).__name__, label=label))
    seen = set()
    for f in order:
        if id(f) not in reachable:
            raise Wrong(M("topological_order returned {function}, which is not a Function reachable from the root "
                          "(graph: {label})", function=repr(f), label=label))
        if id(f) in seen:
            raise Wrong(M("topological_order lists the Function '{op}' twice: a node used by two consumers must "
                          "appear once, or its backward runs twice (graph: {label})", op=f.op_name, label=label))
        seen.add(id(f))
    if len(seen) != len(expected):
        missing = next(f for f in expected if id(f) not in seen)
        raise Wrong(M("topological_order misses {missing} of the {total} Functions (e.g. '{op}') (graph: {label})",
                      missing=len(expected) - len(seen), total=len(expected), op=missing.op_name, label=label))
    pos = {id(f): i for i, f in enumerate(order)}
    for f in order:
        for t in f.inputs:
            if t.creator is not None and pos[id(t.creator)] < pos[id(f)]:
                raise Wrong(M("'{producer}' is listed before '{consumer}', which consumes its output: its backward "
                              "would run before its gradient is complete (graph: {label})",
                              producer=t.creator.op_name, consumer=f.op_name, label=label))


# ---------------------------------------------------------------- 3 relu

def grade_relu(mod):
    fwd, bwd = need(mod, "relu_forward"), need(mod, "relu_backward")

    def op(x):
        return LearnerFunction("relu", fwd, bwd, "x")(x)
    for k, shape in enumerate([(2, 3, 4, 5), (1, 7), (5,)]):
        g = backend.generator(INPUT_SEED + k)
        x = t64(normal(g, shape, low=0.1))
        compare(_of("relu_forward", "y"), op(x), F.relu(x), f"x {shape}")
        check_grads(op, [x], ["x"], k, f"x {shape}")
    g = backend.generator(INPUT_SEED + 10)
    x = t64(g.integers(-2, 3, size=(4, 6)))            # exact zeros: the kink
    gy = backend.asarray(normal(backend.generator(COTANGENT_SEED + 10), (4, 6)))
    zeros = M("x with exact zeros")
    compare(_of("relu_forward", "y"), op(x), F.relu(x), zeros)
    compare(M("relu_backward's dL/dx at x == 0 (must be 0, as the library and PyTorch)"),
            vjp(op, [x], gy)[0], vjp(F.relu, [x], gy)[0], zeros)


# ---------------------------------------------------------------- 4 linear

def grade_linear(mod):
    fwd, bwd = need(mod, "linear_forward"), need(mod, "linear_backward")

    def op(x, w, b):
        return LearnerFunction("linear", fwd, bwd, ("x", "w", "b"))(x, w, b)
    for k, (n, fin, fout) in enumerate([(5, 3, 4), (1, 6, 6), (7, 1, 2), (4, 3, 3)]):
        g = backend.generator(INPUT_SEED + k)
        x, w, b = t64(normal(g, (n, fin))), t64(normal(g, (fout, fin))), t64(normal(g, (fout,)))
        case = f"x ({n}, {fin}), w ({fout}, {fin})"
        compare(_of("linear_forward", "y"), op(x, w, b), F.linear(x, w, b), case)
        check_grads(op, [x, w, b], ("x", "w", "b"), k, case)


# ---------------------------------------------------------------- 5 cross-entropy

def grade_cross_entropy(mod):
    fwd, bwd = need(mod, "cross_entropy_forward"), need(mod, "cross_entropy_backward")
    for k, (n, classes, scale) in enumerate([(5, 4, 1.0), (1, 10, 1.0), (8, 3, 3.0), (3, 4, 1000.0)]):
        g = backend.generator(INPUT_SEED + k)
        z = t64(normal(g, (n, classes)) * scale)
        target = backend.asarray(g.integers(0, classes, size=n))

        def op(z):
            return LearnerFunction("cross_entropy", lambda a: fwd(a, target), bwd, ("z",))(z)
        case = M("logits {shape}, scale {scale:g}", shape=(n, classes), scale=scale)
        compare(_of("cross_entropy_forward", "L"), op(z), F.cross_entropy(z, target), case)
        if scale < 100:     # finite differences of a loss of ~1000 lose the digits the check needs
            check_grads(op, [z], ("z",), k, case)


# ---------------------------------------------------------------- 6 im2col / col2im

CONV_WINDOWS = [(2, 3, 5, 5, 3, 1, 1), (1, 2, 7, 6, 3, 2, 1), (2, 1, 4, 4, 2, 2, 0), (1, 2, 6, 5, 3, 2, 0)]


def _library_im2col(x, k, s, p):
    from ..ops.conv import im2col, pad_cn
    xp = backend.namespace(x)
    n, c, h, w = x.shape
    ho, wo = out_len(h, k, s, p), out_len(w, k, s, p)
    cols = im2col(pad_cn(x, p, p), (k, k), (s, s), (1, 1), (ho, wo))
    return xp.reshape(cols, (c * k * k, n * ho * wo))


def _library_col2im(cols, x_shape, k, s, p):
    from ..ops.conv import col2im
    xp = backend.namespace(cols)
    n, c, h, w = x_shape
    ho, wo = out_len(h, k, s, p), out_len(w, k, s, p)
    xt = col2im(xp.reshape(cols, (c, k * k, n, ho, wo)), (c, n, h + 2 * p, w + 2 * p), (k, k), (s, s), (1, 1))
    return xp.permute_dims(xt[:, :, p:p + h, p:p + w], (1, 0, 2, 3))


def grade_im2col(mod):
    im2col, col2im = need(mod, "im2col"), need(mod, "col2im")
    for k, (n, c, h, w, kk, s, p) in enumerate(CONV_WINDOWS):
        g = backend.generator(INPUT_SEED + k)
        case = _window((n, c, h, w), kk, s, p)
        x = t64(normal(g, (n, c, h, w)))
        compare(_of("im2col", "cols"), backend.asarray(im2col(x.data.copy(), kk, kk, s, p)),
                _library_im2col(x.data, kk, s, p), case)
        cols = normal(g, (c * kk * kk, n * out_len(h, kk, s, p) * out_len(w, kk, s, p)))
        compare(M("col2im's result"), backend.asarray(col2im(cols.copy(), (n, c, h, w), kk, kk, s, p)),
                _library_col2im(backend.asarray(cols), (n, c, h, w), kk, s, p), case)

        def op(x, kk=kk, s=s, p=p):
            return LearnerFunction("im2col", lambda a: (im2col(a, kk, kk, s, p), a.shape),
                                   lambda gy, shape: col2im(gy, shape, kk, kk, s, p), "x",
                                   names=("im2col", "col2im"))(x)
        check_grads(op, [x], [M("x (im2col's backward is col2im)")], k, case)


# ---------------------------------------------------------------- 7 conv2d

def grade_conv2d(mod):
    fwd, bwd = need(mod, "conv2d_forward"), need(mod, "conv2d_backward")
    for k, (n, c, h, w, cout, kk, s, p) in enumerate([(2, 3, 5, 5, 4, 3, 1, 1), (1, 2, 7, 6, 3, 3, 2, 1),
                                                      (2, 3, 6, 6, 2, 1, 2, 0), (3, 2, 5, 4, 3, 2, 1, 0)]):
        g = backend.generator(INPUT_SEED + k)
        x, wt, b = t64(normal(g, (n, c, h, w))), t64(normal(g, (cout, c, kk, kk))), t64(normal(g, (cout,)))
        case = M("x {x}, w {w}, stride {stride}, padding {padding}", x=(n, c, h, w), w=(cout, c, kk, kk),
                 stride=s, padding=p)

        def op(x, wt, b, s=s, p=p):
            return LearnerFunction("conv2d", lambda *a: fwd(*a, s, p), bwd, ("x", "w", "b"))(x, wt, b)
        compare(_of("conv2d_forward", "y"), op(x, wt, b), F.conv2d(x, wt, b, stride=s, padding=p), case)
        check_grads(op, [x, wt, b], ("x", "w", "b"), k, case)


# ---------------------------------------------------------------- 8 max pool

def grade_max_pool2d(mod):
    fwd, bwd = need(mod, "max_pool_forward"), need(mod, "max_pool_backward")
    cases = [(2, 3, 4, 4, 2, 2, 0), (1, 2, 7, 7, 3, 2, 1), (2, 2, 5, 6, 3, 1, 1), (1, 1, 5, 5, 2, 1, 0)]
    for k, (n, c, h, w, kk, s, p) in enumerate(cases):
        g = backend.generator(INPUT_SEED + k)
        case = _window((n, c, h, w), kk, s, p)

        def op(x, kk=kk, s=s, p=p):
            return LearnerFunction("max_pool", lambda a: fwd(a, kk, s, p), bwd, "x")(x)

        def library(x, kk=kk, s=s, p=p):
            return F.max_pool2d(x, kk, s, p)
        x = t64(distinct(g, (n, c, h, w)))
        compare(_of("max_pool_forward", "y"), op(x), library(x), case)
        check_grads(op, [x], ["x"], k, case)
        negative = t64(-1.0 - abs(distinct(g, (n, c, h, w))))
        compare(M("max_pool_forward's y (all inputs negative: padding must act as -inf)"), op(negative),
                library(negative), case)
        tied = t64(g.integers(0, 2, size=(n, c, h, w)))
        gy = backend.asarray(normal(backend.generator(COTANGENT_SEED + k), tuple(library(tied).shape)))
        compare(M("max_pool_forward's y (tied maxima)"), op(tied), library(tied), case)
        compare(M("max_pool_backward's dL/dx with tied maxima (the gradient goes to the FIRST maximum in "
                  "row-major window order, as the library)"), vjp(op, [tied], gy)[0], vjp(library, [tied], gy)[0], case)


# ---------------------------------------------------------------- 9 batch norm

def grade_batch_norm(mod):
    fwd, bwd = need(mod, "batch_norm_forward"), need(mod, "batch_norm_backward")
    for k, shape in enumerate([(4, 3, 2, 3), (1, 2, 3, 3), (5, 2, 1, 1)]):
        g = backend.generator(INPUT_SEED + k)
        x = t64(normal(g, shape) * 2 + 0.5)
        gamma, beta = t64(normal(g, (shape[1],)) + 1.0), t64(normal(g, (shape[1],)))
        case = M("x {shape}, training mode", shape=shape)

        def op(x, gamma, beta):
            return LearnerFunction("batch_norm", lambda *a: fwd(*a, 1e-5), bwd, ("x", "gamma", "beta"))(x, gamma, beta)
        compare(_of("batch_norm_forward", "y"), op(x, gamma, beta),
                F.batch_norm(x, None, None, gamma, beta, training=True, eps=1e-5), case)
        check_grads(op, [x, gamma, beta], ("x", "gamma", "beta"), k, case)


# ---------------------------------------------------------------- 10 residual add, option A

def grade_residual(mod):
    add_f, add_b = need(mod, "residual_add_forward"), need(mod, "residual_add_backward")
    sc_f, sc_b = need(mod, "shortcut_a_forward"), need(mod, "shortcut_a_backward")

    names = (M("F (the branch)"), M("s (the shortcut: the identity path)"))

    def add(branch, shortcut):
        return LearnerFunction("residual_add", lambda a, b: (add_f(a, b), None), lambda gy, _: add_b(gy),
                               names)(branch, shortcut)
    for k, shape in enumerate([(2, 3, 4, 4), (1, 1, 3, 5)]):
        g = backend.generator(INPUT_SEED + k)
        branch, shortcut = t64(normal(g, shape)), t64(normal(g, shape))
        compare(_of("residual_add_forward", "y"), add(branch, shortcut), F.residual_add(branch, shortcut), f"{shape}")
        check_grads(add, [branch, shortcut], names, k, f"{shape}")
    for k, (n, c, h, w, cout, s) in enumerate([(2, 3, 5, 5, 6, 2), (1, 4, 4, 4, 8, 2), (2, 2, 3, 3, 2, 1),
                                               (1, 3, 6, 7, 6, 1)]):
        g = backend.generator(INPUT_SEED + 10 + k)
        x = t64(normal(g, (n, c, h, w)))
        case = M("x {x} to {channels} channels, stride {stride}", x=(n, c, h, w), channels=cout, stride=s)

        def op(x, cout=cout, s=s):
            return LearnerFunction("shortcut_a", lambda a: sc_f(a, cout, s), sc_b, "x")(x)
        compare(_of("shortcut_a_forward", "s"), op(x), F.shortcut_a(x, cout, s), case)
        check_grads(op, [x], ["x"], 10 + k, case)


# ---------------------------------------------------------------- 11 SGD

def grade_sgd(mod):
    from ..nn import Parameter
    from ..optim import SGD
    step = need(mod, "sgd_step")
    lrs = [0.1, 0.1, 0.05, 0.02, 0.02]
    for k, (momentum, wd) in enumerate([(0.9, 0.05), (0.0, 0.05), (0.9, 0.0)]):
        g = backend.generator(INPUT_SEED + k)
        shapes = [(3, 4), (5,)]
        start = [normal(g, s) for s in shapes]
        params = [Parameter(backend.asarray(a.copy(), dtype="float64")) for a in start]
        opt = SGD(params, lr=lrs[0], momentum=momentum, weight_decay=wd)
        mine, bufs = [a.copy() for a in start], [None, None]
        for i, lr in enumerate(lrs):
            grads = [normal(g, s) for s in shapes]
            opt.param_groups[0]["lr"] = lr
            for p, gr in zip(params, grads):
                p.grad = backend.asarray(gr.copy())
            opt.step()
            for j in range(len(shapes)):
                before = (mine[j].copy(), grads[j].copy(), None if bufs[j] is None else bufs[j].copy())
                out = step(mine[j], grads[j], bufs[j], lr, momentum, wd)
                if not (isinstance(out, tuple) and len(out) == 2):
                    raise Wrong(M("sgd_step must return (new p, new buf), got {kind}", kind=type(out).__name__))
                for what, old, now in zip(("p", "g", "buf"), before, (mine[j], grads[j], bufs[j])):
                    if old is not None and not (old == now).all():
                        raise Wrong(M("sgd_step modified its argument {name} in place; return new arrays instead",
                                      name=what))
                mine[j], bufs[j] = out
                compare(M("parameter {j} after step {step}", j=j, step=i + 1), backend.asarray(mine[j]),
                        params[j].data, M("lr {lr}, momentum {momentum}, weight decay {wd}; the library's SGD is "
                                          "PyTorch's", lr=lr, momentum=momentum, wd=wd))


# ---------------------------------------------------------------- 12 BasicBlock

BLOCK_KEYS = ("w1", "g1", "b1", "w2", "g2", "b2")


def grade_basic_block(mod):
    from ..models.blocks import BasicBlock
    fwd, bwd = need(mod, "basic_block_forward"), need(mod, "basic_block_backward")
    for k, (n, c, h, w, cout, s) in enumerate([(2, 3, 5, 5, 3, 1), (1, 2, 5, 5, 4, 2)]):
        g = backend.generator(INPUT_SEED + k)
        x = t64(normal(g, (n, c, h, w)))
        params = [t64(normal(g, (cout, c, 3, 3)) * 0.5), t64(normal(g, (cout,)) + 1), t64(normal(g, (cout,))),
                  t64(normal(g, (cout, cout, 3, 3)) * 0.5), t64(normal(g, (cout,)) + 1), t64(normal(g, (cout,)))]
        case = M("x {x} to {channels} channels, stride {stride}, option A, training mode", x=(n, c, h, w),
                 channels=cout, stride=s)
        previous = backend.get_default_dtype()
        backend.set_default_dtype("float64")
        try:
            block = BasicBlock(c, cout, s, shortcut="A")
        finally:
            backend.set_default_dtype(previous)
        for layer, attr, p in zip((block.conv1, block.bn1, block.bn1, block.conv2, block.bn2, block.bn2),
                                  ("weight", "weight", "bias", "weight", "weight", "bias"), params):
            getattr(layer, attr).data = p.data

        def forward(x, *ps, s=s):
            return fwd(x, dict(zip(BLOCK_KEYS, ps)), s)

        def backward(gy, cache):
            out = bwd(gy, cache)
            if not (isinstance(out, tuple) and len(out) == 2 and isinstance(out[1], dict)):
                raise Wrong(M("basic_block_backward must return (dL/dx, grads) with grads a dict"))
            missing = [key for key in BLOCK_KEYS if key not in out[1]]
            if missing:
                raise Wrong(M("basic_block_backward's grads has no {keys}", keys=", ".join(missing)))
            return (out[0],) + tuple(out[1][key] for key in BLOCK_KEYS)

        def op(*inputs):
            return LearnerFunction("basic_block", forward, backward, ("x",) + BLOCK_KEYS)(*inputs)
        compare(_of("basic_block_forward", "y"), op(x, *params), block(x), case)
        check_grads(op, [x] + params, ("x",) + BLOCK_KEYS, k, case)


GRADERS = {"add_mul": grade_add_mul, "topological_sort": grade_topological_sort, "relu": grade_relu,
           "linear": grade_linear, "cross_entropy": grade_cross_entropy, "im2col": grade_im2col,
           "conv2d": grade_conv2d, "max_pool2d": grade_max_pool2d, "batch_norm": grade_batch_norm,
           "residual": grade_residual, "sgd": grade_sgd, "basic_block": grade_basic_block}
