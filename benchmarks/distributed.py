"""Data-parallel training on one machine's CPU cores, and what the gradient allreduce costs.

    python benchmarks/distributed.py                     # ResNet-20, batch 128, 10 timed steps
    python benchmarks/distributed.py --steps 3 --warmup 1 --batch 16     # a quick look

1. Throughput of the same training step (ResNet-20, a global batch of CIFAR-sized random images):
   one process with 2 BLAS threads, against 2 MPI ranks with 1 BLAS thread each, each rank
   computing half of the batch (``tinyres.distributed``, as ``tinyres train --distributed``);
   and one process with 1 thread, the baseline both use twice.
2. The gradient allreduce between 2 ranks alone, for ResNet-20 (0.27 M parameters) and
   ResNet-110 (1.7 M), bucketed (25 MB buckets) and one message per parameter.

Every figure is the median (with min-max) of N timed repetitions after warm-up. Needs the
mpi extra (pip install -e '.[mpi]'); without it part 1 runs the single process only.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def _summary(times):
    return {"median": statistics.median(times), "min": min(times), "max": max(times), "n": len(times)}


def worker_step(args):
    """Timed training steps; under mpiexec each rank takes its share of the global batch."""
    import numpy as np

    import tinyres as tr
    import tinyres.functional as F
    from tinyres import distributed

    comm = distributed.init() if args.distributed else distributed.SingleProcess()
    r = np.random.default_rng(0)
    x = r.standard_normal((args.batch, 3, 32, 32)).astype("float32")
    y = r.integers(0, 10, args.batch)
    lo, hi = distributed.shard_bounds(args.batch, comm.rank, comm.size)
    x, y = tr.tensor(x[lo:hi]), tr.tensor(y[lo:hi])
    tr.manual_seed(0)
    model = tr.models.get_model(args.model, num_classes=10)
    distributed.broadcast_module(model, comm)
    opt = distributed.DistributedOptimizer(tr.optim.SGD(model.parameters(), lr=0.1, momentum=0.9), comm)
    times, comm_times = [], []
    for i in range(args.warmup + args.steps):
        comm.barrier()
        t = time.perf_counter()
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        t_comm = time.perf_counter()
        opt.step()
        done = time.perf_counter()
        if i >= args.warmup:
            times.append(done - t)
            comm_times.append(done - t_comm)      # allreduce + SGD update
    if comm.rank == 0:
        print(json.dumps({"step": _summary(times), "allreduce_and_update": _summary(comm_times)}))


def worker_allreduce(args):
    """The bucketed gradient allreduce alone, on arrays shaped like a model's gradients."""
    import tinyres as tr
    from tinyres import distributed

    comm = distributed.init()
    out = {}
    for name in args.models.split(","):
        model = tr.models.get_model(name, num_classes=10)
        params = list(model.parameters())
        out[name] = {"parameters": sum(p.size for p in params), "tensors": len(params)}
        for label, bucket in (("bucketed", distributed.BUCKET_BYTES), ("per_parameter", 0)):
            times = []
            for i in range(args.warmup + args.reps):
                for p in params:
                    p.grad = p.data * 1.0
                comm.barrier()
                t = time.perf_counter()
                distributed.allreduce_gradients(params, comm, bucket_bytes=bucket)
                if i >= args.warmup:
                    times.append(time.perf_counter() - t)
            out[name][label] = _summary(times)
    if comm.rank == 0:
        print(json.dumps(out))


def _env(threads):
    return dict(os.environ, OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(threads),
                MKL_NUM_THREADS=str(threads),
                PYTHONPATH=os.pathsep.join([ROOT] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))


def _run(cmd, threads):
    run = subprocess.run(cmd, capture_output=True, text=True, env=_env(threads), cwd=ROOT)
    if run.returncode != 0:
        raise SystemExit(f"benchmark worker failed ({' '.join(cmd[:4])} ...):\n{run.stderr[-3000:]}")
    return json.loads(run.stdout.strip().splitlines()[-1])


def _fmt(s, scale=1e3, unit="ms"):
    return f"{s['median'] * scale:8.2f} {unit} (min {s['min'] * scale:.2f}, max {s['max'] * scale:.2f}, n={s['n']})"


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", default="resnet20")
    p.add_argument("--batch", type=int, default=128, help="global batch")
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--models", default="resnet20,resnet110", help="part 2: models whose gradients are allreduced")
    p.add_argument("--reps", type=int, default=30, help="part 2: timed allreduces per model")
    p.add_argument("--worker", choices=["step", "allreduce"], help=argparse.SUPPRESS)
    p.add_argument("--distributed", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.worker == "step":
        return worker_step(args)
    if args.worker == "allreduce":
        return worker_allreduce(args)

    me = [sys.executable, os.path.abspath(__file__), "--model", args.model, "--batch", str(args.batch), "--steps",
          str(args.steps), "--warmup", str(args.warmup), "--models", args.models, "--reps", str(args.reps)]
    try:
        import mpi4py  # noqa: F401
        mpiexec = shutil.which("mpiexec", path=os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"])
    except ImportError:
        mpiexec = None
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"machine: {os.cpu_count()} CPU cores, load average {load:.2f} at the start (other work on the machine "
          f"shows up as spread: read the medians)")
    print(f"1. training step, {args.model}, global batch {args.batch} of 3x32x32, float32, median of {args.steps} "
          f"steps after {args.warmup} warm-up")
    single = _run(me + ["--worker", "step"], threads=1)
    print(f"   1 process  x 1 thread : step {_fmt(single['step'])}  -> {args.batch / single['step']['median']:7.1f} "
          f"images/s")
    one = _run(me + ["--worker", "step"], threads=2)
    print(f"   1 process  x 2 threads: step {_fmt(one['step'])}  -> {args.batch / one['step']['median']:7.1f} images/s")
    if mpiexec is None:
        print("   2 processes x 1 thread: skipped (no mpi4py/mpiexec: pip install -e '.[mpi]')")
        return 0
    two = _run([mpiexec, "-n", "2"] + me + ["--worker", "step", "--distributed"], threads=1)
    print(f"   2 processes x 1 thread: step {_fmt(two['step'])}  -> {args.batch / two['step']['median']:7.1f} images/s")
    print(f"      of which allreduce + SGD update {_fmt(two['allreduce_and_update'])} (1 process, SGD update alone: "
          f"{_fmt(one['allreduce_and_update'])})")
    print(f"   speed-up of 2 processes x 1 thread over 1 process x 2 threads: "
          f"{one['step']['median'] / two['step']['median']:.2f}x; over 1 process x 1 thread: "
          f"{single['step']['median'] / two['step']['median']:.2f}x")
    print("2. gradient allreduce between 2 ranks (float32), median of", args.reps)
    ar = _run([mpiexec, "-n", "2"] + me + ["--worker", "allreduce"], threads=1)
    for name, r in ar.items():
        print(f"   {name:>10}: {r['parameters'] / 1e6:5.2f} M parameters in {r['tensors']:3d} tensors: bucketed "
              f"{_fmt(r['bucketed'])}; one message per parameter {_fmt(r['per_parameter'])}")
    names = list(ar)
    if len(names) >= 2:
        a, b = ar[names[0]], ar[names[-1]]
        print(f"   {names[-1]} / {names[0]}: {b['parameters'] / a['parameters']:.1f}x the parameters, "
              f"{b['bucketed']['median'] / a['bucketed']['median']:.1f}x the bucketed allreduce time")
    return 0


if __name__ == "__main__":
    sys.exit(main())
