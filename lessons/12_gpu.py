"""Lesson 12 - GPU: the same code on CuPy, timed against NumPy; moving between devices and the
common mistakes. Without a GPU it shows the mistakes on the 'strict' checking backend,
explains what it would do, and exits cleanly.

    python lessons/12_gpu.py                  # ~1 minute with a GPU, seconds without
"""
# %%
import re
import statistics
import time

import numpy as np

import tinyres as tr
import tinyres.functional as F
from tinyres import backend
from tinyres.i18n import M, _
from tinyres.lesson import Lesson, build_model


def refusal(exc, said):
    """The library's refusal ``exc`` in the reader's language. tinyres's errors are English; the lesson keeps
    a twin (``said``, an M) of each one it provokes and shows it only while its English is the error's own
    text, so a reworded error is printed as raised, never as a stale paraphrase."""
    return said.render() if said.render("en") == str(exc) else str(exc)


def your_turn():
    L.your_turn("basic_block",
                "Your ops run wherever their array namespace lives: written with `xp = array_namespace(x)` they "
                "run on CuPy unchanged. Check everything at once with `tinyres exercises check DIR`, then train on "
                "your own ops: `tinyres train --ops DIR` (add `--device cuda` on a GPU).")


L = Lesson(__file__, __doc__, [
    ("device", "where an array lives: 'cpu' (NumPy) or 'cuda:N' (CuPy)"),
    ("host / device transfer", "copying between main memory and GPU memory"),
    ("array API standard", "one set of functions NumPy and CuPy both provide"),
    ("synchronisation", "waiting for the GPU to finish before reading a clock or a value"),
])

# %% The rules, shown on the checking backend
L.title("1. Same code, any device - and the mistakes it refuses")
a = tr.tensor(np.ones((2, 3), dtype="float32"))               # cpu
try:
    b = tr.tensor(np.ones((2, 3), dtype="float32"), device="strict")
    try:
        a + b
    except tr.OpError as exc:
        L.result("adding tensors on two devices", "OpError: " + refusal(exc, M(
            "{op}: inputs are on different devices {devices}; move them to one device first, e.g. t.to('cpu')",
            op="add", devices=sorted({a.device, b.device}))))
    L.result("moving explicitly", f"(a.to('strict') + b).device = {(a.to('strict') + b).device!r}")
except backend.DeviceError as exc:      # array-api-strict comes with the dev extra
    L.result("the 'strict' checking device", _("not installed here ({error})", error=refusal(exc, M(
        "device 'strict' (the checking backend the tests use) needs array-api-strict: pip install -e \".[dev]\" "
        "in your tinyres clone"))))
try:
    backend.parse_device("cuda")
    has_gpu = True
except backend.DeviceError as exc:
    has_gpu = False
    cause = re.search(r"none usable \((.*)\)\. Install with", str(exc))
    cause = cause[1] if cause else ""
    no_cupy = M("ModuleNotFoundError: No module named 'cupy'")
    L.result("asking for 'cuda' here", "DeviceError: " + refusal(exc, M(
        "device 'cuda' needs CuPy and an NVIDIA GPU, and this machine has none usable ({cause}). Install with: "
        "{hint}; or use device='cpu'.", cause=no_cupy if cause == no_cupy.render("en") else cause,
        hint=M("pip install -e \".[gpu]\" in your tinyres clone (CuPy for CUDA 12), on a machine with an NVIDIA "
               "GPU"))))
L.say("Ops never copy data between devices behind your back: a tensor on the GPU stays there, and mixing "
      "devices is an error that names the op. 'strict' is array-api-strict on a second device: the test "
      "suite runs every op on it, because it fails on exactly the mistakes that break on a GPU.")

if not has_gpu:
    L.say("No GPU here. With one (and `pip install -e \".[gpu]\"`) this lesson builds ResNet-20 on 'cpu' and "
          "'cuda', runs the same training step on both, and prints the median time of each and the speed-up.")
    your_turn()
    raise SystemExit(0)

# %% Timing one training step on each device
L.title("2. One ResNet-20 training step, NumPy vs CuPy")
batch = 16 if L.args.quick else 128
x0 = np.random.default_rng(0).standard_normal((batch, 3, 32, 32)).astype("float32")
y0 = np.random.default_rng(1).integers(0, 10, batch)
times = {}
for dev in ("cpu", L.args.device if L.args.device.startswith("cuda") else "cuda"):
    tr.manual_seed(0)
    model = build_model("resnet20").to(dev)
    opt = tr.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    x, y = tr.tensor(x0, device=dev), tr.tensor(y0, device=dev)
    samples = []
    for i in range(3 if L.args.quick else 12):
        t = time.perf_counter()
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        loss.item()                       # reading the loss waits for the GPU: an honest clock
        if i >= 2:
            samples.append(time.perf_counter() - t)
    times[dev] = statistics.median(samples)
    L.result("{dev:>6} median step (batch {batch})", f"{1000 * times[dev]:.1f} ms", dev=dev, batch=batch)
cpu, gpu = times["cpu"], [v for k, v in times.items() if k != "cpu"][0]
L.result("speed-up", f"{cpu / gpu:.1f}x")

# %% Your turn
your_turn()
