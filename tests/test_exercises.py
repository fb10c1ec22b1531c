"""The exercises: a blank workspace fails every exercise cleanly, the solutions pass, planted
bugs that students really make are caught, and use_ops runs a learner's ops in the engine."""
import os
import shutil
import subprocess
import sys

import pytest

import tinyres as tr
from tinyres import functional as F
from tinyres.exercises import EXERCISES, OpsNotReady, WorkspaceError, check, init_workspace, use_ops
from tinyres.optim import SGD, override_sgd_step, sgd_step_override
from tinyres.tensor import BackwardOrderError, _topological_order, backward_order_override, override_backward_order


@pytest.fixture(scope="module")
def solved(tmp_path_factory):
    d = tmp_path_factory.mktemp("solved")
    init_workspace(str(d), solved=True)
    return d


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "tinyres", *args], capture_output=True, text=True,
                          env={**os.environ, "OMP_NUM_THREADS": "1"})


def _patched(solved, tmp_path, patches):
    """A copy of the solved workspace with (file, old, new) source patches applied."""
    d = tmp_path / "ws"
    shutil.copytree(solved, d)
    for file, old, new in patches:
        path = d / file
        text = path.read_text()
        assert text.count(old) == 1, f"planted bug no longer applies to {file}: {old!r}"
        path.write_text(text.replace(old, new))
    return d


def test_blank_workspace_fails_every_exercise_cleanly(tmp_path):
    r = _cli("exercises", "init", str(tmp_path / "ws"))
    assert r.returncode == 0, r.stderr
    r = _cli("exercises", "check", str(tmp_path / "ws"))
    assert r.returncode == 1 and "Traceback" not in r.stdout + r.stderr
    lines = r.stdout.strip().splitlines()
    assert len(lines) == len(EXERCISES) + 1
    for line, ex in zip(lines, EXERCISES):
        assert line.startswith(f"FAIL  {ex.name}:") and "not implemented yet" in line, line
    assert lines[-1] == f"0/{len(EXERCISES)} passed; next: {EXERCISES[0].name}"


def test_solved_workspace_passes_every_exercise(solved):
    r = _cli("exercises", "check", str(solved))
    assert r.returncode == 0, r.stdout + r.stderr
    lines = r.stdout.strip().splitlines()
    assert [line.split()[:2] for line in lines[:-1]] == [["PASS", e.name] for e in EXERCISES]
    assert lines[-1].startswith(f"{len(EXERCISES)}/{len(EXERCISES)} passed")


def test_init_refuses_to_overwrite_the_learners_work(tmp_path):
    ws = tmp_path / "ws"
    init_workspace(str(ws))
    (ws / "ex03_relu.py").write_text("# my work\n")
    r = _cli("exercises", "init", str(ws), "--solved")
    assert r.returncode == 2 and "--force" in r.stderr and "Traceback" not in r.stderr
    assert (ws / "ex03_relu.py").read_text() == "# my work\n"
    with pytest.raises(WorkspaceError):
        init_workspace(str(ws))
    init_workspace(str(ws), solved=True, force=True)
    assert "def relu_forward" in (ws / "ex03_relu.py").read_text()


def test_list_names_every_exercise_in_order():
    r = _cli("exercises", "list")
    assert r.returncode == 0
    assert [line.split()[1] for line in r.stdout.strip().splitlines()] == [e.name for e in EXERCISES]


# (description, exercise, [(file, old, new), ...], a phrase the FAIL line must contain)
BUGS = [
    ("mul backward scales by its own input", "add_mul",
     [("ex01_add_mul.py", "unbroadcast(gy * b, a.shape), unbroadcast(gy * a, b.shape)",
       "unbroadcast(gy * a, a.shape), unbroadcast(gy * b, b.shape)")], "wrong at index"),
    ("add backward forgets to undo broadcasting", "add_mul",
     [("ex01_add_mul.py", "return unbroadcast(gy, a_shape), unbroadcast(gy, b_shape)", "return gy, gy")],
     "wrong shape"),
    ("unbroadcast drops the kept axis", "add_mul",
     [("ex01_add_mul.py", "g.sum(axis=axes, keepdims=True)", "g.sum(axis=axes)")], "wrong shape"),
    ("topological sort visits a shared node twice", "topological_sort",
     [("ex02_topological_sort.py", "        if id(fn) in visited:\n            continue\n", "")], "twice"),
    ("topological sort forgets to reverse the post-order", "topological_sort",
     [("ex02_topological_sort.py", "    post.reverse()\n", "")], "is listed before"),
    ("recursive topological sort on a deep graph", "topological_sort",
     [("ex02_topological_sort.py", "    post.reverse()\n    return post\n",
       "    post.reverse()\n    return post\n\n\ndef topological_order(root):  # noqa: F811\n"
       "    order, seen = [], set()\n\n    def visit(fn):\n        if id(fn) in seen:\n            return\n"
       "        seen.add(id(fn))\n        for t in fn.inputs:\n            if t.creator is not None:\n"
       "                visit(t.creator)\n        order.append(fn)\n    visit(root)\n    return order[::-1]\n")],
     "RecursionError"),
    ("ReLU passes the gradient where x == 0", "relu",
     [("ex03_relu.py", "gy * (x > 0)", "gy * (x >= 0)")], "x == 0"),
    ("ReLU masks by the gradient's sign", "relu", [("ex03_relu.py", "gy * (x > 0)", "gy * (gy > 0)")], "wrong at"),
    ("linear dW transposed", "linear", [("ex04_linear.py", "gy.T @ x", "x.T @ gy")], "wrong shape"),
    ("linear db averaged", "linear", [("ex04_linear.py", "gy.sum(axis=0)", "gy.mean(axis=0)")], "dL/db wrong"),
    ("cross-entropy gradient not divided by N", "cross_entropy",
     [("ex05_cross_entropy.py", "gz * gloss / n", "gz * gloss")], "a constant factor is off"),
    ("cross-entropy ignores the upstream gradient", "cross_entropy",
     [("ex05_cross_entropy.py", "gz * gloss / n", "gz / n")], "dL/dz wrong"),
    ("softmax without the max shift overflows", "cross_entropy",
     [("ex05_cross_entropy.py", "shifted = z - z.max(axis=1, keepdims=True)", "shifted = z")], "NaN or inf"),
    ("col2im overwrites overlaps instead of adding", "im2col",
     [("ex06_im2col.py", "+= cols[:, i, j]", "= cols[:, i, j]")], "col2im"),
    ("im2col ignores the stride", "im2col",
     [("ex06_im2col.py", "xpad[:, :, i:i + stride * ho:stride, j:j + stride * wo:stride].transpose",
       "xpad[:, :, i:i + ho, j:j + wo].transpose")], "im2col"),
    ("col2im leaves the padding on", "im2col",
     [("ex06_im2col.py", "return xpad[:, :, padding:padding + h, padding:padding + w]", "return xpad")],
     "wrong shape"),
    ("conv dW transposed", "conv2d",
     [("ex07_conv2d.py", "gw = (g2 @ cols.T).reshape(w.shape)", "gw = (cols @ g2.T).reshape(w.shape)")],
     "dL/dw wrong"),
    ("conv db averaged", "conv2d",
     [("ex07_conv2d.py", "gb = gy.sum(axis=(0, 2, 3))", "gb = gy.mean(axis=(0, 2, 3))")], "dL/db wrong"),
    ("conv dX without the stride", "conv2d",
     [("ex07_conv2d.py", "x_shape, kh, kw, stride, padding)", "x_shape, kh, kw, 1, padding)")], "FAIL"),
    ("max-pool gradient to every tied maximum", "max_pool2d",
     [("ex08_max_pool2d.py", "(x, arg, k, stride, padding)", "(x, windows == windows.max(axis=0), k, stride, padding)"),
      ("ex08_max_pool2d.py", "np.where(arg == i * k + j, gy, 0.0)", "np.where(arg[i * k + j], gy, 0.0)")],
     "tied maxima"),
    ("max-pool gradient to the last tied maximum", "max_pool2d",
     [("ex08_max_pool2d.py", "arg = windows.argmax(axis=0)", "arg = k * k - 1 - windows[::-1].argmax(axis=0)")],
     "tied maxima"),
    ("max-pool pads with zeros", "max_pool2d",
     [("ex08_max_pool2d.py", "constant_values=-np.inf", "constant_values=0")], "-inf"),
    ("batch-norm backward without the variance path", "batch_norm",
     [("ex09_batch_norm.py", "gx = inv_std * (g - mean_g - xhat * mean_g_xhat)", "gx = inv_std * (g - mean_g)")],
     "a term is missing or extra"),
    ("batch-norm backward without the mean path", "batch_norm",
     [("ex09_batch_norm.py", "gx = inv_std * (g - mean_g - xhat * mean_g_xhat)",
       "gx = inv_std * (g - xhat * mean_g_xhat)")], "dL/dx wrong"),
    ("batch norm normalises with the unbiased variance", "batch_norm",
     [("ex09_batch_norm.py", "var = ((x - mu) ** 2).mean(axis=(0, 2, 3), keepdims=True)",
       "var = x.var(axis=(0, 2, 3), ddof=1, keepdims=True)")], "differs from the library"),
    ("residual backward drops the identity path", "residual",
     [("ex10_residual.py", "return gy, gy", "return gy, np.zeros_like(gy)")], "identity path"),
    ("option-A backward ignores the stride", "residual",
     [("ex10_residual.py", "gx[:, :, ::stride, ::stride] = gs", "gx[:, :, :gs.shape[2], :gs.shape[3]] = gs")],
     "dL/dx wrong"),
    ("option A puts all zero channels after", "residual",
     [("ex10_residual.py", "front = extra // 2", "front = 0")], "differs from the library"),
    ("weight decay applied after momentum", "sgd",
     [("ex11_sgd.py", "\n    d = g + weight_decay * p\n", "\n    d = g\n"),
      ("ex11_sgd.py", "return p - lr * buf, buf", "return p - lr * (buf + weight_decay * p), buf")], "step 2"),
    ("momentum with dampening (an average, not PyTorch's sum)", "sgd",
     [("ex11_sgd.py", "else momentum * buf + d", "else momentum * buf + (1 - momentum) * d")], "step 2"),
    ("learning rate folded into the buffer", "sgd",
     [("ex11_sgd.py", "buf = d.copy() if buf is None else momentum * buf + d\n    return p - lr * buf, buf",
       "buf = lr * d if buf is None else momentum * buf + lr * d\n    return p - buf, buf")], "differs"),
    ("block backward drops the identity path", "basic_block",
     [("ex12_basic_block.py", "gx = gx + (gs if c6 is None else shortcut_a_backward(gs, c6))", "gx = gx")],
     "dL/dx wrong"),
    ("block backward skips the ReLU after the add", "basic_block",
     [("ex12_basic_block.py", "g = relu_backward(gy, c7)", "g = gy")], "wrong at"),
    ("block strides its second conv instead of the first", "basic_block",
     [("ex12_basic_block.py", 'conv2d_forward(x, params["w1"], zero, stride, 1)',
       'conv2d_forward(x, params["w1"], zero, 1, 1)'),
      ("ex12_basic_block.py", 'conv2d_forward(h, params["w2"], zero, 1, 1)',
       'conv2d_forward(h, params["w2"], zero, stride, 1)')], "FAIL"),
]


def test_every_exercise_has_at_least_two_planted_bugs():
    counts = {e.name: 0 for e in EXERCISES}
    for _, name, _, _ in BUGS:
        counts[name] += 1
    assert min(counts.values()) >= 2, counts


@pytest.mark.parametrize("description, name, patches, phrase", BUGS, ids=[b[0] for b in BUGS])
def test_planted_bug_is_caught(solved, tmp_path, description, name, patches, phrase):
    ws = _patched(solved, tmp_path, patches)
    [result] = check(str(ws), only=name)
    line = f"FAIL  {name}: {result.message}"
    assert not result.ok, f"{description} passed the checker"
    assert phrase in line, line


@pytest.mark.parametrize("source, phrase", [
    ("def relu_forward(x)\n    return x\n", "SyntaxError"),
    ("import no_such_module_here\n", "ModuleNotFoundError"),
    ("def relu_forward(x):\n    return relu_forward(x)\n\n\ndef relu_backward(gy, c):\n    return gy\n", "RecursionError"),
    ("def relu_forward(x):\n    return x.max(), None\n\n\ndef relu_backward(gy, c):\n    return gy\n", "wrong shape"),
    ("def relu_forward(x):\n    return {}[0]\n\n\ndef relu_backward(gy, c):\n    return gy\n", "KeyError"),
    ("def relu_forward(x):\n    return x\n\n\ndef relu_backward(gy, c):\n    return gy\n", "(y, cache)"),
    ("", "no function relu_forward"),
    ("import sys\nsys.exit(3)\n", "SystemExit"),
])
def test_learner_errors_are_reported_on_their_line(solved, tmp_path, source, phrase):
    ws = tmp_path / "ws"
    shutil.copytree(solved, ws)
    (ws / "ex03_relu.py").write_text(source)
    [relu] = check(str(ws), only="relu")
    assert not relu.ok and phrase in relu.message, relu.message
    assert "ex03_relu.py line" in relu.message or phrase in ("wrong shape", "(y, cache)", "no function relu_forward",
                                                                      "SystemExit")


def test_a_broken_file_fails_only_the_exercises_that_use_it(solved, tmp_path):
    ws = tmp_path / "ws"
    shutil.copytree(solved, ws)
    (ws / "ex09_batch_norm.py").write_text("def batch_norm_forward(x\n")
    failed = [r.name for r in check(str(ws)) if not r.ok]
    assert failed == ["batch_norm", "basic_block"]


def _train_steps(steps=3):
    """Losses of a few SGD steps of a small float64 ResNet (same seed, same batches), the
    gradient norms gradient tracing records at each residual add (as `tinyres gradflow` does),
    the weights after the steps, and the optimizer's state_dict."""
    from tinyres.inspect.gradflow import trace_gradients
    from tinyres.models import get_model
    tr.manual_seed(0)
    tr.set_default_dtype("float64")
    try:
        model = get_model("resnet8", num_classes=3, in_channels=2)
    finally:
        tr.set_default_dtype("float32")
    opt = SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
    g = tr.backend.generator(5)
    losses = []
    with trace_gradients(model, outputs=False) as trace:
        for _ in range(steps):
            x = tr.tensor(g.standard_normal((4, 2, 8, 8)))
            y = tr.tensor(g.integers(0, 3, size=4))
            loss = F.cross_entropy(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
    weights = [p.numpy() for p in model.parameters()]
    return losses, [r["upstream_norm"] for r in trace.residual], weights, opt.state_dict()


# markers: the learner's add, sort and SGD step record each call in their module
_MARKERS = [("ex10_residual.py", "    return gy, gy\n", "    CALLS.append(gy.shape)\n    return gy, gy\n\n\nCALLS = []\n"),
            ("ex02_topological_sort.py", "    post.reverse()\n    return post\n",
             "    post.reverse()\n    CALLS.append(len(post))\n    return post\n\n\nCALLS = []\n"),
            ("ex11_sgd.py", "    return p - lr * buf, buf\n",
             "    CALLS.append(p.shape)\n    return p - lr * buf, buf\n\n\nCALLS = []\n")]


# a sort that passes the checker's graphs (no conv) but forgets to reverse once the graph has a conv
_SORT_WRONG_ON_CONVS = [("ex02_topological_sort.py", "    post.reverse()\n",
                         "    if not any(f.op_name == 'conv2d' for f in post):\n        post.reverse()\n")]


def _library_is_back():
    return F.overrides() == {} and backward_order_override() is None and sgd_step_override() is None


def test_use_ops_trains_a_resnet_with_the_learners_ops_sort_and_sgd(solved, tmp_path):
    ws = _patched(solved, tmp_path, _MARKERS)
    library, library_adds, library_w, library_opt = _train_steps()
    with use_ops(str(ws)) as ops:
        assert F.overrides() and backward_order_override() is not None and sgd_step_override() is not None
        learner, learner_adds, learner_w, learner_opt = _train_steps()
    assert _library_is_back()
    assert learner == pytest.approx(library, rel=1e-10, abs=0)
    assert len(learner_adds) == 3 * 3 and learner_adds == pytest.approx(library_adds, rel=1e-10, abs=0)
    assert len(learner_w) == len(library_w)
    for mine, lib in zip(learner_w, library_w):
        assert mine.shape == lib.shape and mine.ravel().tolist() == pytest.approx(lib.ravel().tolist(), rel=1e-9, abs=1e-12)
    # the learner's SGD keeps the library's state layout, so checkpoints work unchanged
    assert learner_opt["param_groups"] == library_opt["param_groups"]
    assert sorted(learner_opt["state"]) == sorted(library_opt["state"]) and len(library_opt["state"]) == len(library_w)
    for i, s in library_opt["state"].items():
        assert sorted(learner_opt["state"][i]) == ["momentum_buffer"]
        assert learner_opt["state"][i]["momentum_buffer"].ravel().tolist() == pytest.approx(
            s["momentum_buffer"].ravel().tolist(), rel=1e-9, abs=1e-12)
    assert len(ops.m["res"].CALLS) == 3 * 3      # 3 blocks, 3 backward passes: the learner's add ran
    assert ops.calls["conv2d backward"] == 3 * 7 and ops.calls["batch_norm backward"] == 3 * 7
    # one sort per backward, of the whole graph (at least the stem's 3 Functions, 7 per block, pool,
    # linear and loss); one sgd_step per parameter and step
    order_sizes = ops.m["order"].CALLS
    assert ops.calls["topological_order"] == 3 and len(order_sizes) == 3
    assert len(set(order_sizes)) == 1 and order_sizes[0] >= 3 + 3 * 7 + 3
    assert ops.calls["sgd_step"] == 3 * len(library_w)
    assert sorted(ops.m["sgd"].CALLS) == sorted([w.shape for w in library_w] * 3)


def test_the_learners_sgd_step_is_the_one_that_updates(solved, tmp_path):
    """Not just called: a step that passes the checker but ignores a weight decay of 1e-4 (the
    checker's are 0 and 0.05) trains differently, so the engine really uses what it returns."""
    ws = _patched(solved, tmp_path, [("ex11_sgd.py", "    d = g + weight_decay * p\n    buf",
                                      "    d = g + weight_decay * p if weight_decay != 1e-4 else g\n    buf")])
    assert check(str(ws), only="sgd")[0].ok
    library = _train_steps()[2]
    with use_ops(str(ws)):
        learner = _train_steps()[2]
    assert any(abs(a - b).max() > 1e-9 for a, b in zip(learner, library))


def test_a_sort_that_goes_wrong_in_training_is_refused_naming_the_exercise(solved, tmp_path):
    """It passes the checker's graphs (no conv) but forgets to reverse once the graph has a conv:
    backward() must refuse before any gradient is computed, naming the exercise."""
    ws = _patched(solved, tmp_path, _SORT_WRONG_ON_CONVS)
    assert check(str(ws), only="topological_sort")[0].ok
    from tinyres.models import get_model
    tr.manual_seed(0)
    model = get_model("resnet8", num_classes=3, in_channels=2)
    x = tr.tensor(tr.backend.generator(5).standard_normal((2, 2, 8, 8)).astype("float32"))
    with pytest.raises(BackwardOrderError, match="exercise topological_sort") as info:
        with use_ops(str(ws)):
            F.cross_entropy(model(x), tr.tensor([0, 2])).backward()
    assert "listed before" in str(info.value) and "ex02_topological_sort.py" in str(info.value)
    assert all(p.grad is None for p in model.parameters())
    assert _library_is_back()


def test_train_ops_refuses_a_wrong_sort_and_nesterov_in_one_line(solved, tmp_path):
    ws = _patched(solved, tmp_path, _SORT_WRONG_ON_CONVS)
    r = _cli("train", "--ops", str(ws), "--quick", "--no-progress", "--out", str(tmp_path / "run"))
    assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
    [line] = r.stderr.strip().splitlines()
    assert "exercise topological_sort" in line and "is invalid" in line, line
    r = _cli("train", "--ops", str(solved), "--quick", "--nesterov", "--out", str(tmp_path / "run2"))
    assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
    assert "--nesterov" in r.stderr and "exercise sgd" in r.stderr, r.stderr


def _graph(device):
    """y = sum(u * exp(u)) with u = x * w: u feeds two Functions (a diamond)."""
    import numpy as np
    x = tr.tensor(np.array([0.5, -1.0, 2.0]), requires_grad=True, device=device)
    w = tr.tensor(np.array([1.5, 0.25, -0.5]), requires_grad=True, device=device)
    u = x * w
    return x, w, (u * u.exp()).sum()


@pytest.mark.parametrize("make_order, phrase", [
    (lambda o: o + [o[1]], "listed twice"),
    (lambda o: [f for f in o if f.op_name != "exp"], "is missing"),
    (lambda o: o[1:], "the root"),
    (lambda o: o[::-1], "listed before"),
    (lambda o: o + [(tr.tensor([1.0], requires_grad=True) * 2).creator], "not a Function reachable"),
    (lambda o: {id(f): f for f in o}, "not a list"),
    (lambda o: 1 / 0, "ZeroDivisionError"),
], ids=["duplicate", "missing", "no root", "reversed", "unreachable", "dict", "raises"])
def test_an_invalid_backward_order_is_refused_before_any_gradient(device, make_order, phrase):
    x, w, y = _graph(device)
    with override_backward_order(lambda root: make_order(_topological_order(root)), "my order (exercise X)"):
        with pytest.raises(BackwardOrderError, match="my order \\(exercise X\\)") as info:
            y.backward()
    assert phrase in str(info.value), str(info.value)
    assert x.grad is None and w.grad is None
    assert backward_order_override() is None


def test_an_order_before_its_consumer_is_refused(device):
    x, w, y = _graph(device)
    order = _topological_order(y.creator)
    bad = next(i for i in range(1, len(order) - 1)
               if any(t.creator is order[i + 1] for t in order[i].inputs))   # order[i] consumes order[i+1]
    swapped = order[:bad] + [order[bad + 1], order[bad]] + order[bad + 2:]
    with override_backward_order(lambda root: swapped, "swapped"):
        with pytest.raises(BackwardOrderError, match="listed before"):
            y.backward()
    assert x.grad is None and w.grad is None


def test_another_valid_order_gives_the_same_gradients(device):
    """Kahn's algorithm (breadth-first) orders two branches differently from the library's
    depth-first order; any valid order must give the same gradients."""
    def kahn(root):
        consumers = {}
        todo, seen = [root], {id(root)}
        while todo:
            fn = todo.pop()
            for t in fn.inputs:
                if t.creator is not None:
                    consumers[id(t.creator)] = consumers.get(id(t.creator), 0) + 1
                    if id(t.creator) not in seen:
                        seen.add(id(t.creator))
                        todo.append(t.creator)
        order, ready = [], [root]
        while ready:
            fn = ready.pop(0)
            order.append(fn)
            for t in fn.inputs:
                if t.creator is not None:
                    consumers[id(t.creator)] -= 1
                    if consumers[id(t.creator)] == 0:
                        ready.append(t.creator)
        return order
    def graph():
        x, w, u = _graph(device)
        return x, w, u + (x * w).exp().sum()     # two branches: they may run in either order
    x, w, y = graph()
    y.backward()
    x2, w2, y2 = graph()
    assert [f.op_name for f in kahn(y2.creator)] != [f.op_name for f in _topological_order(y2.creator)]
    with override_backward_order(kahn, "kahn"):
        y2.backward()
    assert backward_order_override() is None
    for mine, library in ((x2.grad, x.grad), (w2.grad, w.grad)):
        assert tr.backend.to_numpy(mine).tolist() == tr.backend.to_numpy(library).tolist()


def test_build_optimizer_refuses_nesterov_with_the_learners_step():
    from tinyres.train import ConfigError, TrainConfig, build_optimizer
    model = tr.nn.Linear(2, 2)
    with override_sgd_step(lambda p, g, buf, lr, m, wd: (p, buf), "your sgd_step (exercise sgd)"):
        with pytest.raises(ConfigError, match="exercise sgd"):
            build_optimizer(TrainConfig(nesterov=True), model, 10)
        optimizer, _ = build_optimizer(TrainConfig(), model, 10)
    assert isinstance(optimizer, SGD)


def test_sgd_step_override_refuses_nesterov_and_bad_returns():
    p = tr.nn.Parameter(tr.backend.asarray([1.0, 2.0], dtype="float64"))
    p.grad = tr.backend.asarray([0.5, 0.5], dtype="float64")
    with override_sgd_step(lambda p, g, buf, lr, m, wd: (p - lr * g, g), "my step"):
        with pytest.raises(ValueError, match="my step .*Nesterov"):
            SGD([p], lr=0.1, momentum=0.9, nesterov=True).step()
    with override_sgd_step(lambda p, g, buf, lr, m, wd: (p[:1], g), "my step"):
        with pytest.raises(ValueError, match="my step returned new p of shape \\(1,\\)"):
            SGD([p], lr=0.1, momentum=0.9).step()
    assert sgd_step_override() is None and p.numpy().tolist() == [1.0, 2.0]


def test_use_ops_refuses_failing_exercises_and_restores_on_error(solved, tmp_path):
    ws = _patched(solved, tmp_path, [("ex09_batch_norm.py", "gx = inv_std * (g - mean_g - xhat * mean_g_xhat)",
                                      "gx = inv_std * (g - mean_g)"),
                                     ("ex02_topological_sort.py", "    post.reverse()\n", ""),
                                     ("ex11_sgd.py", "else momentum * buf + d", "else momentum * buf + (1 - momentum) * d")])
    with pytest.raises(OpsNotReady, match="topological_sort, batch_norm, sgd") as info:
        with use_ops(str(ws)):
            pass
    assert "conv2d" not in str(info.value)
    with pytest.raises(RuntimeError, match="inside"):
        with use_ops(str(solved)):
            raise RuntimeError("inside")
    assert _library_is_back()


def test_override_rejects_unknown_ops():
    with pytest.raises(ValueError, match="cannot be overridden"):
        with F.override(matmul=lambda a, b: a):
            pass


def test_train_with_ops_of_a_blank_workspace_is_refused(tmp_path):
    init_workspace(str(tmp_path / "ws"))
    r = _cli("train", "--ops", str(tmp_path / "ws"), "--quick", "--out", str(tmp_path / "run"))
    assert r.returncode == 2 and "fix these exercises first" in r.stderr and "Traceback" not in r.stderr



# --- the checker in Korean ---------------------------------------------------------------------

def _cli_ko(*args):
    """The command under TINYRES_LANG=ko (conftest's TINYRES_STRICT_LANG=1 is inherited: a missing
    twin is an error, not English)."""
    return subprocess.run([sys.executable, "-m", "tinyres", *args], capture_output=True, text=True,
                          env={**os.environ, "OMP_NUM_THREADS": "1", "TINYRES_LANG": "ko"})


def _no_english(text):
    from langcheck import english_left
    left = english_left(text)
    assert not left, "English left in a Korean run:\n" + "\n".join(left)


def test_list_and_init_in_korean(tmp_path):
    r = _cli_ko("exercises", "list")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.strip().splitlines()
    assert [line.split()[1] for line in lines] == [e.name for e in EXERCISES]
    assert "배치 정규화 역전파" in lines[8] and "숏컷" in lines[9]
    _no_english(r.stdout)
    ws = tmp_path / "ws"
    r = _cli_ko("exercises", "init", str(ws))
    assert r.returncode == 0 and "연습 문제 템플릿 12개" in r.stdout, r.stdout + r.stderr
    _no_english(r.stdout)
    assert "엔진을 직접 만들기" in (ws / "README.txt").read_text()
    r = _cli_ko("exercises", "init", str(ws))
    assert r.returncode == 2 and "--force" in r.stderr and "덮어쓰지 않습니다" in r.stderr
    [line] = r.stderr.strip().splitlines()
    _no_english(line)


def test_blank_workspace_in_korean(tmp_path):
    init_workspace(str(tmp_path / "ws"))
    r = _cli_ko("exercises", "check", str(tmp_path / "ws"))
    assert r.returncode == 1 and "Traceback" not in r.stdout + r.stderr
    lines = r.stdout.strip().splitlines()
    assert len(lines) == len(EXERCISES) + 1
    for line, ex in zip(lines, EXERCISES):
        assert line.startswith(f"실패  {ex.name}:") and "아직 구현하지 않았습니다" in line and "번째 줄" in line, line
    assert lines[-1] == f"0/{len(EXERCISES)} 통과. 다음: {EXERCISES[0].name}"
    _no_english(r.stdout)


def test_solved_workspace_in_korean(solved):
    r = _cli_ko("exercises", "check", str(solved))
    assert r.returncode == 0, r.stdout + r.stderr
    lines = r.stdout.strip().splitlines()
    assert lines[:-1] == [f"통과  {e.name}" for e in EXERCISES]
    assert lines[-1].startswith(f"{len(EXERCISES)}/{len(EXERCISES)} 통과. 이제 여러분의 연산으로 학습해 보세요")
    _no_english(r.stdout)


# planted bugs (from BUGS) and the Korean words their FAIL line must hold: the diagnosis in words
_KOREAN_DIAGNOSES = {
    "cross-entropy gradient not divided by N": ["dL/dz:", "모든 곳에서 참 기울기의 5배", "상수 배수가 어긋났습니다"],
    "batch-norm backward without the variance path": ["dL/dx:", "72개 중 72개가 틀렸습니다",
                                                      "항이 빠졌거나 더 들어갔습니다"],
    "residual backward drops the identity path": ["숏컷: 항등 경로", "기울기가 0입니다"],
    "ReLU passes the gradient where x == 0": ["x == 0에서 relu_backward의 dL/dx", "라이브러리의 결과와 다릅니다"],
}


def test_planted_bugs_are_diagnosed_in_korean(solved, tmp_path):
    chosen = [b for b in BUGS if b[0] in _KOREAN_DIAGNOSES]
    assert len(chosen) == len(_KOREAN_DIAGNOSES) and len({b[1] for b in chosen}) == len(chosen)
    ws = _patched(solved, tmp_path, [p for b in chosen for p in b[2]])
    r = _cli_ko("exercises", "check", str(ws))
    assert r.returncode == 1 and "Traceback" not in r.stdout + r.stderr, r.stdout + r.stderr
    lines = {line.split()[1].rstrip(":"): line for line in r.stdout.strip().splitlines()[:-1]}
    for description, name, _patches, _phrase in chosen:
        assert lines[name].startswith(f"실패  {name}: "), lines[name]
        for words in _KOREAN_DIAGNOSES[description]:
            assert words in lines[name], (description, lines[name])
    failed = [e.name for e in EXERCISES if not lines[e.name].startswith("통과")]
    assert failed == ["relu", "cross_entropy", "batch_norm", "residual", "basic_block"]   # the block uses them
    assert r.stdout.strip().splitlines()[-1] == f"{len(EXERCISES) - 5}/{len(EXERCISES)} 통과. 다음: relu"
    _no_english(r.stdout)


def test_learner_exceptions_and_ops_refusal_in_korean(solved, tmp_path):
    from tinyres import i18n
    ws = tmp_path / "ws"
    shutil.copytree(solved, ws)
    (ws / "ex03_relu.py").write_text("def relu_forward(x):\n    return {}[0]\n\n\ndef relu_backward(gy, c):\n"
                                     "    return gy\n")
    (ws / "ex04_linear.py").write_text("")
    i18n.set_lang("ko")
    [relu] = check(str(ws), only="relu")
    [linear] = check(str(ws), only="linear")
    with pytest.raises(OpsNotReady) as info:
        with use_ops(str(ws)):
            pass
    assert relu.message == "여러분의 코드에서 KeyError 발생: 0 (ex03_relu.py 2번째 줄)"
    assert linear.message.startswith("ex04_linear.py에 linear_forward() 함수가 없습니다")
    assert str(info.value).startswith("먼저 이 연습 문제들을 고치세요: relu, linear (")
    _no_english("\n".join([relu.message, linear.message, str(info.value)]))


@pytest.mark.parametrize("scale, wrong, words", [
    (0.0, 6, "기울기가 0입니다"), (-1.0, 6, "부호가 반대입니다"), (0.5, 6, "참 기울기의 0.5배"),
    (float("nan"), 2, "나머지는 맞으므로"), (float("nan"), 6, "항이 빠졌거나"),
])
def test_every_shape_of_a_wrong_gradient_has_korean_words(scale, wrong, words):
    from tinyres.inspect.gradcheck import Mismatch
    m = Mismatch(0, "x", (0,), 1.0, 2.0, 10.0, wrong=wrong, size=6, scale=scale, scale_fits=scale == scale)
    ko = m.diagnosis().render("ko")
    assert ko.startswith(f"원소 6개 중 {wrong}개가 틀렸습니다: ") and words in ko, ko
    _no_english(ko)
    assert m.diagnosis().render("en").startswith(f"{wrong} of 6 elements wrong: ")


def test_gradcheck_report_names_the_mistake_in_both_languages():
    """tinyres.gradcheck's failing report carries the same diagnosis as the checker, in the current language."""
    import numpy as np
    from tinyres import i18n
    from tinyres.function import Function

    class HalfSquare(Function):          # backward forgets the 2 of d(x^2)/dx
        def forward(self, a):
            self.a = a
            return a * a

        def backward(self, gy):
            return (gy * self.a,)
    x = tr.tensor(np.random.default_rng(0).standard_normal((3, 4)), requires_grad=True)
    report = tr.gradcheck(lambda x: HalfSquare()(x), [x], raise_on_fail=False)
    english = str(report).splitlines()
    assert english[0].startswith("gradcheck FAILED: 12 elements checked") and len(english) == 3
    assert english[2] == "    12 of 12 elements wrong: yours is 0.5 x the true gradient everywhere - a constant " \
                         "factor is off (a 1/N of a mean, a 2 of a square, a learning rate?)"
    i18n.set_lang("ko")
    korean = str(report).splitlines()
    assert korean[0].startswith("gradcheck 실패: 원소 12개 검사") and korean[1].startswith("  입력 0")
    assert "참 기울기의 0.5배" in korean[2]
    assert str(tr.gradcheck(lambda x: x * x, [x])).startswith("gradcheck 통과: 원소 12개 검사")
    _no_english("\n".join(korean))
