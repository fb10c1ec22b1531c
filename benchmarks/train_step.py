"""Training-step and evaluation speed of tinyres vs PyTorch, side by side in one run.

    python benchmarks/train_step.py                       # ResNet-20 and ResNet-56, batch 128, CPU
    python benchmarks/train_step.py --device cuda         # CuPy vs PyTorch CUDA
    python benchmarks/train_step.py --models resnet20 --steps 10 --no-memory
    OMP_NUM_THREADS=1 python benchmarks/train_step.py --threads 1 --cpu-time --input fresh

The two frameworks run the same network (weights copied) on the same batch, alternating
step by step so that machine noise hits both alike. Prints the median and min-max of N
timed steps after warm-up, images/s, tinyres/PyTorch ratio, achieved GFLOP/s (2 FLOPs per
multiply-add; a training step counted as 3x the forward) and its fraction of this machine's
measured float32 GEMM rate; then the peak memory of each framework's step, each measured
in a fresh process. PyTorch is optional: without it only tinyres is timed.

Two harness styles (``--input``): ``fixed`` wraps one batch into tensors once and reuses
them every step; ``fresh`` is what a training loop does: every step wraps the next host
batch (one of four, float32 NumPy) into new tensors. Both use SGD with momentum 0.9 and
weight decay 1e-4. ``--cpu-time`` times each step by the process's CPU time instead of the
wall clock: on a machine shared with other work that is far less noisy (run it with
OMP_NUM_THREADS=1 and --threads 1 so that both frameworks use one core).

``--keep-heap`` (Linux, glibc) tells malloc to keep freed memory instead of handing it back to
the system, for both frameworks alike (they share the process): otherwise every step's
activations are page-faulted in afresh, which here costs tinyres ~15% of a training step
(~33,000 minor faults, ~200 ms of system time) and PyTorch ~10%. It is the same as starting
Python with MALLOC_MMAP_THRESHOLD_ and MALLOC_TRIM_THRESHOLD_ set large.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np


def keep_heap():
    """glibc: serve large arrays from the heap (not fresh mmaps) and never trim it (M_MMAP_THRESHOLD
    and M_TRIM_THRESHOLD set to 1 GiB), so memory freed by one step is reused by the next."""
    import ctypes
    libc = ctypes.CDLL("libc.so.6")
    m_trim_threshold, m_mmap_threshold = -1, -3
    if not (libc.mallopt(m_mmap_threshold, 1 << 30) and libc.mallopt(m_trim_threshold, 1 << 30)):
        raise OSError("mallopt refused the thresholds")


def gemm_peak(device="cpu", n=2048, reps=5):
    """Measured float32 GEMM rate (GFLOP/s) of this machine's BLAS (or the GPU's)."""
    if device.startswith("cuda"):
        import cupy as cp
        a = cp.random.standard_normal((n, n), dtype=cp.float32)
        (a @ a).sum().item()
        t = time.perf_counter()
        for _ in range(reps):
            c = a @ a
        c.sum().item()
        return 2 * n ** 3 * reps / (time.perf_counter() - t) / 1e9
    a = np.random.default_rng(0).standard_normal((n, n)).astype(np.float32)
    a @ a
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        a @ a
        times.append(time.perf_counter() - t)
    return 2 * n ** 3 / min(times) / 1e9


def build(name, device, batch, want_torch=True, fresh=False):
    import tinyres as tr
    import tinyres.functional as F
    from tinyres import models
    tr.manual_seed(0)
    model = models.get_model(name).to(device)
    rng = np.random.default_rng(0)
    host = [(rng.standard_normal((batch, 3, 32, 32)).astype("float32"), rng.integers(0, 10, batch))
            for _ in range(4 if fresh else 1)]
    x0, y0 = host[0]
    x, y = tr.tensor(x0, device=device), tr.tensor(y0, device=device)
    opt = tr.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=1e-4)
    turn = [0]

    def batch_of(wrap):
        """The step's input: the one fixed batch, or (fresh) the next host batch wrapped anew."""
        if not fresh:
            return None
        turn[0] += 1
        xh, yh = host[turn[0] % len(host)]
        return wrap(xh), wrap(yh)

    def ours_train():
        xy = batch_of(lambda a: tr.tensor(a, device=device))
        xb, yb = xy if xy else (x, y)
        loss = F.cross_entropy(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss.item()

    def ours_eval():
        xy = batch_of(lambda a: tr.tensor(a, device=device))
        with tr.no_grad():
            out = model(xy[0] if xy else x)
        return float(tr.backend.to_numpy(out.data[0, 0]))

    fns = {"tinyres": (ours_train, ours_eval, model)}
    if want_torch:
        try:
            import torch
            from torch_cifar import CifarResNet
        except ImportError:
            return fns
        ref = CifarResNet(int(name[6:])).float()
        ref.load_state_dict({k: torch.tensor(np.asarray(tr.backend.to_numpy(v))) for k, v in model.state_dict().items()})
        tdev = "cuda" if device.startswith("cuda") else "cpu"
        ref = ref.to(tdev)
        xt, yt = torch.tensor(x0, device=tdev), torch.tensor(y0, device=tdev)
        same_network(model, ref, x, xt)
        topt = torch.optim.SGD(ref.parameters(), lr=0.01, momentum=0.9, weight_decay=1e-4)

        def torch_train():
            ref.train()
            xy = batch_of(lambda a: torch.tensor(a, device=tdev))
            xb, yb = xy if xy else (xt, yt)
            loss = torch.nn.functional.cross_entropy(ref(xb), yb)
            topt.zero_grad()
            loss.backward()
            topt.step()
            return loss.item()

        def torch_eval():
            ref.eval()
            xy = batch_of(lambda a: torch.tensor(a, device=tdev))
            with torch.no_grad():
                return ref(xy[0] if xy else xt)[0, 0].item()
        fns["pytorch"] = (torch_train, torch_eval, ref)
    return fns


def same_network(model, ref, x, xt):
    """Refuse to time two different networks: eval outputs must agree (float32)."""
    import torch
    import tinyres as tr
    model.eval()
    ref.eval()
    with tr.no_grad():
        ours = np.asarray(tr.backend.to_numpy(model(x).data))
    with torch.no_grad():
        theirs = ref(xt).cpu().numpy()
    model.train()
    ref.train()
    if not np.allclose(ours, theirs, rtol=1e-3, atol=1e-4):
        raise SystemExit(f"the PyTorch reference disagrees with tinyres (max |diff| {np.abs(ours - theirs).max():.3g})")


def time_side_by_side(fns, which, steps, warmup, clock=time.perf_counter):
    idx = 0 if which == "train" else 1
    for _ in range(warmup):
        for f in fns.values():
            f[idx]()
    if which == "eval":
        fns["tinyres"][2].eval()
    samples = {k: [] for k in fns}
    for _ in range(steps):
        for k, f in fns.items():
            t = clock()
            f[idx]()
            samples[k].append(clock() - t)
    fns["tinyres"][2].train()
    return samples


def memory_child(name, framework, device, batch, steps, fresh=False):
    """Run in a fresh process: peak resident memory growth (MB) over the training steps.

    VmHWM (the high-water mark) is read from /proc: unlike getrusage's ru_maxrss it starts
    afresh at exec, so the parent's peak does not leak into the child's figure."""
    fns = build(name, device, batch, want_torch=framework == "pytorch", fresh=fresh)
    step = fns[framework][0]

    def rss_mb():
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2 ** 20
    def hwm_mb():
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmHWM")) / 1024
    base = rss_mb()
    for _ in range(steps):
        step()
    peak = hwm_mb()
    print(json.dumps({"peak_mb": peak, "base_mb": base, "step_mb": peak - base}))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--models", default="resnet20,resnet56")
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--steps", type=int, default=15)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--device", default="cpu")
    p.add_argument("--threads", type=int, default=2, help="PyTorch intra-op threads (BLAS threads follow the env)")
    p.add_argument("--no-memory", dest="memory", action="store_false")
    p.add_argument("--input", choices=("fixed", "fresh", "both"), default="fixed",
                   help="fixed: one batch wrapped once; fresh: the next host batch wrapped every step; "
                        "both: one after the other, per model")
    p.add_argument("--cpu-time", action="store_true", help="time steps by process CPU time, not wall clock")
    p.add_argument("--keep-heap", action="store_true",
                   help="glibc malloc keeps freed memory (no page faults each step), for both frameworks")
    p.add_argument("--memory-child", nargs=2, metavar=("MODEL", "FRAMEWORK"), help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    from _common import blas_kernels, device_or_skip
    args.device = device_or_skip(args.device)
    if args.device is None:
        return
    try:
        import torch
        torch.set_num_threads(args.threads)
    except ImportError:
        torch = None
    if args.keep_heap:
        keep_heap()
    if args.memory_child:
        memory_child(*args.memory_child, args.device, args.batch, 3, fresh=args.input == "fresh")
        return
    from tinyres import models
    from tinyres.inspect.summary import summary
    peak = gemm_peak(args.device)
    print(f"device {args.device}; measured float32 GEMM rate {peak:.0f} GFLOP/s; batch {args.batch}; "
          f"{args.steps} timed steps after {args.warmup} warm-up, frameworks alternating; "
          f"input {args.input}; {'CPU' if args.cpu_time else 'wall'} time; "
          f"{'malloc keeps freed memory; ' if args.keep_heap else ''}"
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; "
          f"torch {'%s, %d threads' % (torch.__version__, args.threads) if torch else 'not installed'}")
    if args.device == "cpu":
        print(blas_kernels())
    styles = ("fixed", "fresh") if args.input == "both" else (args.input,)
    for name in args.models.split(","):
        madds = summary(models.get_model(name), (3, 32, 32)).total_madds * args.batch
        for style in styles:
            fns = build(name, args.device, args.batch, fresh=style == "fresh")
            tag = f"  [{style} input]" if len(styles) > 1 else ""
            for which, flops in (("train", 3 * 2 * madds), ("eval", 2 * madds)):
                s = time_side_by_side(fns, which, args.steps, args.warmup,
                                      time.process_time if args.cpu_time else time.perf_counter)
                med = {k: statistics.median(v) for k, v in s.items()}
                for k, v in s.items():
                    ratio = f"  {med[k] / med['pytorch']:.2f}x PyTorch" if "pytorch" in med and k != "pytorch" else ""
                    print(f"{name:>9} {which:<5} {k:<8} median {1000 * med[k]:7.1f} ms (min {1000 * min(v):7.1f}, "
                          f"max {1000 * max(v):7.1f})  {args.batch / med[k]:7.0f} img/s  {flops / med[k] / 1e9:6.1f} "
                          f"GFLOP/s = {100 * flops / med[k] / 1e9 / peak:4.1f}% of GEMM{ratio}{tag}", flush=True)
        if args.memory:
            mem = {}
            for fw in fns:
                out = subprocess.run([sys.executable, __file__, "--memory-child", name, fw, "--device", args.device,
                                      "--batch", str(args.batch), "--threads", str(args.threads),
                                      "--input", styles[-1]] + (["--keep-heap"] if args.keep_heap else []),
                                     capture_output=True, text=True, check=True)
                mem[fw] = json.loads(out.stdout.strip().splitlines()[-1])
            line = "  ".join(f"{fw}: +{m['step_mb']:.0f} MB over the model (peak RSS {m['peak_mb']:.0f} MB)"
                             for fw, m in mem.items())
            ratio = (f"  ratio {mem['tinyres']['step_mb'] / mem['pytorch']['step_mb']:.2f}x"
                     if "pytorch" in mem else "")
            print(f"{name:>9} peak memory of a training step, fresh process each: {line}{ratio}")


if __name__ == "__main__":
    main()
