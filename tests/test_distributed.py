"""Data-parallel training: synchronized batch norm, gradient averaging, sharding, and real
MPI runs (``mpiexec -n 2``, one BLAS thread per rank).

The op tests run in one process: K = 1 with SingleProcess, K = 2 with two threads
(ThreadGroup) that split a batch in two. The MPI tests start ``mpiexec`` as a subprocess and
skip, saying why, where mpi4py or mpiexec is missing (``pip install -e ".[mpi]"``)."""
import json
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

import tinyres as tr
import tinyres.functional as F
from tinyres import backend, distributed, nn
from tinyres.function import Function
from tinyres.tensor import Tensor

from conftest import make

ROOT = pathlib.Path(__file__).resolve().parents[1]


@pytest.fixture
def f64():
    """Models built in float64 (the equivalence tests compare to 1e-10)."""
    tr.set_default_dtype("float64")
    yield
    tr.set_default_dtype("float32")


# ---------------------------------------------------------------- the op, in one process

def _stats(rng, device, c=3):
    return (tr.tensor(rng.standard_normal(c), device=device), tr.tensor(rng.uniform(0.5, 2.0, c), device=device))


class _Replicas(Function):
    """sync_batch_norm of K replicas (threads), each on its contiguous slice of the batch, as
    one differentiable function of the whole batch: forward runs the K replica forwards,
    backward runs the K replica backwards (their allreduces pair up across the threads) and
    returns the gradients the replicas computed, summed over replicas for gamma and beta as
    the gradient allreduce would."""

    def __init__(self, k, running=None):
        self.k, self.running = k, running

    def forward(self, x, gamma, beta):
        xp = backend.namespace(x)
        group = distributed.ThreadGroup(self.k)

        def replica(comm):
            lo, hi = distributed.shard_bounds(x.shape[0], comm.rank, comm.size)
            xr, g, b = Tensor(x[lo:hi, ...], True), Tensor(gamma, True), Tensor(beta, True)
            rm, rv = self.running[comm.rank] if self.running else (None, None)
            return xr, g, b, F.sync_batch_norm(xr, rm, rv, g, b, training=True, comm=comm)

        self.group, self.parts = group, group.run(replica)
        return xp.concat([p[3].data for p in self.parts], axis=0)

    def backward(self, gy):
        xp = backend.namespace(gy)

        def replica(comm):
            lo, hi = distributed.shard_bounds(gy.shape[0], comm.rank, comm.size)
            self.parts[comm.rank][3].backward(gy[lo:hi, ...])

        self.group.run(replica)
        gx = xp.concat([p[0].grad for p in self.parts], axis=0)
        return gx, sum(p[1].grad for p in self.parts[1:]) + self.parts[0][1].grad, \
            sum(p[2].grad for p in self.parts[1:]) + self.parts[0][2].grad


def test_sync_batch_norm_single_process_is_batch_norm_and_passes_gradcheck(device, rng):
    x, g, b = make(rng, (4, 3, 3, 2), device), make(rng, (3,), device), make(rng, (3,), device)
    (rm1, rv1), (rm2, rv2) = _stats(np.random.default_rng(0), device), _stats(np.random.default_rng(0), device)
    comm = distributed.SingleProcess()
    y = F.sync_batch_norm(x, rm1, rv1, g, b, training=True, comm=comm)
    ref = F.batch_norm(x, rm2, rv2, g, b, training=True)
    for a, r in ((y, ref), (rm1, rm2), (rv1, rv2)):
        np.testing.assert_allclose(backend.to_numpy(a.data), backend.to_numpy(r.data), rtol=0, atol=1e-12)
    report = tr.gradcheck(lambda x, g, b: F.sync_batch_norm(x, None, None, g, b, training=True, comm=comm), [x, g, b])
    assert report.ok and report.checked_elements == x.size + 6


@pytest.mark.parametrize("k", [2, 3])
def test_sync_batch_norm_over_replicas_equals_batch_norm_of_the_whole_batch(device, rng, k):
    x, g, b = make(rng, (6, 3, 2, 2), device), make(rng, (3,), device), make(rng, (3,), device)
    x = x * 3.0 + 5.0         # a mean far from 0: the shifted sums must not cancel
    running = [_stats(np.random.default_rng(0), device) for _ in range(k)]
    rm, rv = _stats(np.random.default_rng(0), device)
    y = _Replicas(k, running)(x, g, b)
    ref = F.batch_norm(x, rm, rv, g, b, training=True)
    np.testing.assert_allclose(backend.to_numpy(y.data), backend.to_numpy(ref.data), rtol=0, atol=1e-12)
    for rm_r, rv_r in running:        # every replica updates its running statistics with the global ones
        np.testing.assert_allclose(backend.to_numpy(rm_r.data), backend.to_numpy(rm.data), rtol=0, atol=1e-12)
        np.testing.assert_allclose(backend.to_numpy(rv_r.data), backend.to_numpy(rv.data), rtol=0, atol=1e-12)


def test_sync_batch_norm_gradcheck_two_replicas(device, rng):
    """The distributed backward (the allreduce of the two gradient sums) against central
    differences of the two-replica forward: every element of x, gamma and beta."""
    x, g, b = make(rng, (4, 3, 2, 3), device), make(rng, (3,), device), make(rng, (3,), device)
    running = [_stats(np.random.default_rng(0), device) for _ in range(2)]
    report = tr.gradcheck(lambda x, g, b: _Replicas(2, running)(x, g, b), [x, g, b])
    assert report.ok and report.checked_elements == x.size + 6


def test_gradcheck_catches_a_backward_without_the_allreduce(rng, monkeypatch):
    """The check can fail: a backward that uses only the replica's own gradient sums (what
    per-replica batch norm would do) is caught."""
    from tinyres.ops import sync_batch_norm as sbn
    original = sbn.SyncBatchNorm.backward

    def local_backward(self, gy):
        comm, self.comm = self.comm, distributed.SingleProcess()
        try:
            return original(self, gy)
        finally:
            self.comm = comm
    monkeypatch.setattr(sbn.SyncBatchNorm, "backward", local_backward)
    x, g, b = make(rng, (4, 3, 2, 2), "cpu"), make(rng, (3,), "cpu"), make(rng, (3,), "cpu")
    report = tr.gradcheck(lambda x, g, b: _Replicas(2)(x, g, b), [x, g, b], raise_on_fail=False)
    assert not report.ok and report.worst.input == 0


def test_sync_batch_norm_errors_are_one_line(rng):
    x = make(rng, (4, 3), "cpu")
    with pytest.raises(tr.OpError, match="sync_batch_norm: training mode needs comm"):
        F.sync_batch_norm(x, None, None, training=True)
    with pytest.raises(tr.OpError, match="more than one value per channel over all replicas, got 1"):
        F.sync_batch_norm(make(rng, (1, 3), "cpu"), None, None, training=True, comm=distributed.SingleProcess())


def test_convert_sync_batchnorm_keeps_tensors_order_and_state_dict(f64):
    tr.manual_seed(0)
    model = tr.models.get_model("resnet8", num_classes=10, in_channels=1)
    before = list(model.state_dict())
    bn_ids = [id(m.weight) for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    comm = distributed.SingleProcess()
    model = nn.convert_sync_batchnorm(model, comm)
    syncs = [m for m in model.modules() if isinstance(m, nn.SyncBatchNorm)]
    assert len(syncs) == len(bn_ids) > 0 and [id(m.weight) for m in syncs] == bn_ids
    assert all(m.comm is comm for m in syncs) and list(model.state_dict()) == before
    x = tr.tensor(np.random.default_rng(1).standard_normal((4, 1, 8, 8)))
    tr.manual_seed(0)
    ref = tr.models.get_model("resnet8", num_classes=10, in_channels=1)
    np.testing.assert_allclose(model(x).data, ref(x).data, rtol=0, atol=1e-12)


# ---------------------------------------------------------------- data parallel, in one process

def _initial_state(name):
    tr.manual_seed(0)
    return tr.models.get_model(name, num_classes=10, in_channels=1).state_dict()


def _replica_step(cfg_model, state, x, y, comm, sync_bn, steps=3, lr=0.1):
    """``steps`` SGD steps of a resnet8 replica on its shard of (x, y); returns (params, grads, buffers)."""
    model = tr.models.get_model(cfg_model, num_classes=10, in_channels=1)
    model.load_state_dict(state)
    if sync_bn:
        model = nn.convert_sync_batchnorm(model, comm)
    distributed.broadcast_module(model, comm)
    opt = distributed.DistributedOptimizer(tr.optim.SGD(model.parameters(), lr=lr, momentum=0.9,
                                                        weight_decay=5e-4), comm)
    lo, hi = distributed.shard_bounds(len(y), comm.rank, comm.size)
    for _ in range(steps):
        loss = F.cross_entropy(model(tr.tensor(x[lo:hi])), tr.tensor(y[lo:hi]))
        opt.zero_grad()
        loss.backward()
        opt.step()
    return ({n: p.data.copy() for n, p in model.named_parameters()},
            {n: p.grad.copy() for n, p in model.named_parameters()},
            {n: b.data.copy() for n, b in model.named_buffers()})


def _batch(n=16):
    r = np.random.default_rng(3)
    return r.standard_normal((n, 1, 8, 8)), r.integers(0, 10, n)


def test_two_thread_replicas_with_sync_bn_equal_one_process(f64):
    x, y = _batch()
    state = _initial_state("resnet8")      # built here: the threads share one RNG
    one = _replica_step("resnet8", state, x, y, distributed.SingleProcess(), sync_bn=False)
    two = distributed.ThreadGroup(2).run(lambda comm: _replica_step("resnet8", state, x, y, comm, sync_bn=True))
    for rank in range(2):
        for got, want in zip(two[rank], one):
            for name in want:
                np.testing.assert_allclose(got[name], want[name], rtol=0, atol=1e-10, err_msg=name)


def test_gradient_weights_give_the_global_mean_for_uneven_shards(f64):
    """3 replicas on 7 samples (shards of 2, 2, 3): weighted averaging gives the one-process
    gradient of the mean loss. Without batch norm, so shards are independent."""
    x, y = _batch(7)

    tr.manual_seed(0)
    state = tr.models.get_model("plain8", num_classes=10, in_channels=1, norm_layer=nn.Identity).state_dict()

    def grads(comm):
        model = tr.models.get_model("plain8", num_classes=10, in_channels=1, norm_layer=nn.Identity)
        model.load_state_dict(state)
        lo, hi = distributed.shard_bounds(7, comm.rank, comm.size)
        F.cross_entropy(model(tr.tensor(x[lo:hi])), tr.tensor(y[lo:hi])).backward()
        params = list(model.parameters())
        distributed.allreduce_gradients(params, comm, weight=(hi - lo) * comm.size / 7, bucket_bytes=4096)
        return [p.grad.copy() for p in params]

    want = grads(distributed.SingleProcess())
    for got in distributed.ThreadGroup(3).run(grads):
        for g, w in zip(got, want):
            np.testing.assert_allclose(g, w, rtol=0, atol=1e-12)


def test_sharded_loader_gives_the_same_global_batches_for_any_k():
    from tinyres.data import DataLoader, digits, paper_transforms
    data = digits("train").subset(50)
    train_tf, _ = paper_transforms(data.images, data.pixel_max, True, 1, False)
    loader = DataLoader(data, 16, shuffle=True, seed=7, transform=train_tf)
    loader.set_epoch(2)
    whole = [(x.data, y.data) for x, y in loader]
    for k in (2, 3):
        shards = [list(distributed.ShardedLoader(loader, c)) for c in distributed.ThreadGroup(k).communicators()]
        for b, (x, y) in enumerate(whole):
            np.testing.assert_array_equal(np.concatenate([s[b][0].data for s in shards]), x)
            np.testing.assert_array_equal(np.concatenate([s[b][1].data for s in shards]), y)


def test_thread_group_runs_one_replica_at_a_time_and_gives_each_its_own_result():
    """Lockstep: between two collectives only one replica runs; every rank gets the same sum,
    each in an array of its own (a rank may update it in place), and a group runs again."""
    group = distributed.ThreadGroup(4)
    running, most = [0], [0]

    def work(comm):
        got = []
        for step in range(3):
            running[0] += 1
            most[0] = max(most[0], running[0])
            time.sleep(0.002)                      # another thread would run here if it could
            running[0] -= 1
            got.append(comm.allreduce_sum(np.full(3, float(comm.rank + step))))
        got[-1] += comm.rank                       # in place: must not reach the other ranks
        return got, comm.sum_floats([comm.rank, 1.0]), comm.broadcast(np.arange(3.0) + comm.rank, root=2)

    for _ in range(2):
        results = group.run(work)
        assert most[0] == 1
        for rank, (got, floats, bcast) in enumerate(results):
            for step in range(2):
                np.testing.assert_array_equal(got[step], np.full(3, 6.0 + 4 * step))
            np.testing.assert_array_equal(got[2], np.full(3, 14.0 + rank))
            assert floats == [6.0, 4.0]
            np.testing.assert_array_equal(bcast, np.arange(3.0) + 2)


def test_thread_group_stops_every_rank_when_one_fails_or_leaves_early():
    def fails(comm):
        comm.barrier()
        if comm.rank == 1:
            raise ValueError("rank 1 broke")
        comm.barrier()

    with pytest.raises(ValueError, match="rank 1 broke"):
        distributed.ThreadGroup(3, timeout=30).run(fails)

    def leaves(comm):                              # rank 0 skips the last collective
        comm.barrier()
        if comm.rank != 0:
            comm.barrier()

    start = time.monotonic()
    with pytest.raises(distributed.DistributedError, match="finished"):
        distributed.ThreadGroup(3, timeout=30).run(leaves)
    assert time.monotonic() - start < 10           # told at once, not after the timeout


def test_thread_group_holds_blas_to_one_thread_while_it_runs():
    before = backend.host_blas_threads()
    if before is None:
        pytest.skip("NumPy's BLAS is not an OpenBLAS that tinyres can find: nothing to limit")
    inside = distributed.ThreadGroup(2).run(lambda comm: backend.host_blas_threads())
    assert inside == [1, 1]
    assert backend.host_blas_threads() == before
    assert distributed.ThreadGroup(2, blas_threads=None).run(lambda comm: backend.host_blas_threads()) == [before] * 2


# ---------------------------------------------------------------- MPI: real ranks

def _mpiexec():
    """(mpiexec path, None) or (None, why the MPI tests cannot run here)."""
    try:
        import mpi4py  # noqa: F401
    except ImportError:
        return None, "mpi4py is not installed (pip install -e '.[mpi]')"
    exe = shutil.which("mpiexec", path=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    if exe is None:
        return None, "no mpiexec next to this Python or on PATH (the mpich wheel brings one)"
    return exe, None


MPIEXEC, WHY_NOT = _mpiexec()
needs_mpi = pytest.mark.skipif(MPIEXEC is None, reason=f"MPI tests skipped: {WHY_NOT}")


def _env(**extra):
    path = [str(ROOT)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1",
               PYTHONPATH=os.pathsep.join(path))
    env.update(extra)
    return env


def _mpi(n, args, timeout=120, extra=(), **env):
    return subprocess.run([MPIEXEC, *extra, "-n", str(n), sys.executable, *args], capture_output=True, text=True,
                          timeout=timeout, env=_env(**env), cwd=ROOT)


EQUIVALENCE = r"""
import json, sys
import numpy as np
import tinyres as tr, tinyres.functional as F
from tinyres import distributed, nn
tr.set_default_dtype("float64")
comm = distributed.init()
sync_bn, steps = sys.argv[1] == "sync", 3
r = np.random.default_rng(3)
x, y = r.standard_normal((128, 1, 8, 8)), r.integers(0, 10, 128)
tr.manual_seed(comm.rank)                     # different inits: the broadcast must fix them
model = tr.models.get_model("resnet8", num_classes=10, in_channels=1)
if sync_bn:
    model = nn.convert_sync_batchnorm(model, comm)
distributed.broadcast_module(model, comm)
opt = distributed.DistributedOptimizer(tr.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=5e-4), comm)
lo, hi = distributed.shard_bounds(128, comm.rank, comm.size)
out = {}
for step in range(steps):
    loss = F.cross_entropy(model(tr.tensor(x[lo:hi])), tr.tensor(y[lo:hi]))
    opt.zero_grad(); loss.backward(); opt.step()
    out[f"grad{step}"] = {n: p.grad.tolist() for n, p in model.named_parameters()}
out["params"] = {n: p.data.tolist() for n, p in model.named_parameters()}
out["buffers"] = {n: b.data.tolist() for n, b in model.named_buffers()}
json.dump(out, open(sys.argv[2] + f".{comm.rank}", "w"))
"""


def _one_process(per_half):
    """The same 3 steps in one process on the batch of 128; with per_half, batch norm (its
    statistics) is computed on each half of 64 on its own, as the per-replica ranks do."""
    r = np.random.default_rng(3)
    x, y = r.standard_normal((128, 1, 8, 8)), r.integers(0, 10, 128)
    tr.manual_seed(0)
    model = tr.models.get_model("resnet8", num_classes=10, in_channels=1)
    opt = tr.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=5e-4)
    out = {}
    for step in range(3):
        opt.zero_grad()
        halves = (slice(0, 64), slice(64, 128)) if per_half else (slice(0, 128),)
        if per_half:      # the mean loss of 128 = the mean of the two half means; BN sees each half alone
            loss = sum(F.cross_entropy(model(tr.tensor(x[s])), tr.tensor(y[s])) for s in halves) * 0.5
        else:
            loss = F.cross_entropy(model(tr.tensor(x)), tr.tensor(y))
        loss.backward()
        opt.step()
        out[f"grad{step}"] = {n: p.grad for n, p in model.named_parameters()}
    out["params"] = {n: p.data for n, p in model.named_parameters()}
    out["buffers"] = {n: b.data for n, b in model.named_buffers()}
    return out


@needs_mpi
@pytest.mark.parametrize("mode", ["sync", "per-replica"])
def test_two_mpi_ranks_at_64_equal_one_process_at_128(tmp_path, mode, f64):
    """float64, 3 steps, 1e-10: gradients and weights on both ranks. sync: synchronized BN
    equals one process on 128. per-replica: equals one process computing BN per half-batch
    (buffers excepted: each rank's running statistics saw only its half)."""
    script = tmp_path / "eq.py"
    script.write_text(EQUIVALENCE)
    run = _mpi(2, [str(script), "sync" if mode == "sync" else "local", str(tmp_path / "out")])
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-3000:]
    want = _one_process(per_half=mode != "sync")
    for rank in range(2):
        got = json.loads((tmp_path / f"out.{rank}").read_text())
        for key in [f"grad{s}" for s in range(3)] + ["params"] + (["buffers"] if mode == "sync" else []):
            for name, value in want[key].items():
                np.testing.assert_allclose(np.asarray(got[key][name]), value, rtol=0, atol=1e-10,
                                           err_msg=f"rank {rank} {key} {name}")


def _train_args(out, *more):
    return ["-m", "tinyres", "train", "--distributed", "--model", "resnet8", "--limit-train", "256",
            "--limit-test", "128", "--batch-size", "32", "--no-progress", "--out", str(out), *more]


@needs_mpi
def test_distributed_cli_trains_resumes_with_another_k_and_matches_one_process(tmp_path):
    """`mpiexec -n 2 tinyres train --distributed --sync-bn` = the one-process run (same
    global batches, BN over the global batch), rank 0 alone writes, and a K = 2 run resumed
    with K = 1 continues it."""
    ranks2, single = tmp_path / "k2", tmp_path / "k1"
    run = _mpi(2, _train_args(ranks2, "--sync-bn", "--epochs", "1"))
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-3000:]
    assert run.stdout.count("epoch 1/1") == 1            # rank 0 alone logs
    assert sorted(p.name for p in ranks2.iterdir()) == ["checkpoint.npz", "metrics.csv", "metrics.json"]
    one_process = [a for a in _train_args(single, "--epochs", "1") if a != "--distributed"]
    ref = subprocess.run([sys.executable, *one_process], capture_output=True, text=True, timeout=120, env=_env(),
                         cwd=ROOT)
    assert ref.returncode == 0, ref.stderr[-3000:]
    a, b = tr.io.load(ranks2 / "checkpoint.npz"), tr.io.load(single / "checkpoint.npz")
    for k in a:        # float32 training: the two sum orders differ in the last bits
        if k.startswith("model."):
            np.testing.assert_allclose(a[k], b[k], rtol=1e-4, atol=1e-5, err_msg=k)
    rows2 = json.loads((ranks2 / "metrics.json").read_text())["rows"]
    rows1 = json.loads((single / "metrics.json").read_text())["rows"]
    for r2, r1 in zip(rows2, rows1):
        for key in ("train_loss", "train_error", "test_loss", "test_error"):
            if key in r1:
                assert abs(r2[key] - r1[key]) < 1e-4, (key, r2, r1)
    resumed = subprocess.run([sys.executable, "-m", "tinyres", "train", "--resume", "--out", str(ranks2),
                              "--epochs", "2", "--no-progress"], capture_output=True, text=True, timeout=120,
                             env=_env(), cwd=ROOT)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert json.loads((ranks2 / "metrics.json").read_text())["final"]["iterations"] == 16


def _rank_pid(out, rank, deadline):
    """The pid of the training rank ``rank`` whose command line names ``out``."""
    while time.monotonic() < deadline:
        for proc in pathlib.Path("/proc").iterdir():
            try:
                cmd = (proc / "cmdline").read_bytes().split(b"\0")
                env = (proc / "environ").read_bytes().split(b"\0")
            except (OSError, ValueError):
                continue
            if str(out).encode() in cmd and b"tinyres" in cmd and f"PMI_RANK={rank}".encode() in env:
                return int(proc.name)
        time.sleep(0.2)
    return None


@needs_mpi
@pytest.mark.skipif(not pathlib.Path("/proc/self/environ").exists(), reason="needs Linux /proc to find the ranks")
@pytest.mark.parametrize("fault", ["killed", "hung"])
def test_a_lost_rank_ends_the_run_in_bounded_time_and_the_checkpoint_stays(tmp_path, fault):
    """After the first checkpoint rank 1 is killed (SIGKILL: mpiexec ends the job) or hangs
    (SIGSTOP: rank 0's collective times out after TINYRES_DIST_TIMEOUT and it aborts the job
    with one clear line). Either way: no hang, a non-zero exit, and the checkpoint loads."""
    out = tmp_path / "run"
    proc = subprocess.Popen([MPIEXEC, "-n", "2", sys.executable, *_train_args(out, "--epochs", "50")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
                            env=_env(TINYRES_DIST_TIMEOUT="4"))
    try:
        deadline = time.monotonic() + 60
        while not (out / "checkpoint.npz").exists() and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.2)
        assert (out / "checkpoint.npz").exists(), "no checkpoint was written"
        pid = _rank_pid(out, 1, deadline)
        assert pid is not None, "rank 1 not found"
        os.kill(pid, signal.SIGKILL if fault == "killed" else signal.SIGSTOP)
        lost = time.monotonic()
        stdout, stderr = proc.communicate(timeout=40)
        seconds = time.monotonic() - lost
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode != 0 and seconds < 30, (proc.returncode, seconds)
    if fault == "hung":
        assert "tinyres: rank 0 of 2: no answer from the other ranks for 4 s in an allreduce" in stderr, stderr[-2000:]
        assert "The last checkpoint in --out is intact" in stderr
    ckpt = tr.io.load(out / "checkpoint.npz")
    assert json.loads(str(ckpt["meta"]))["position"]["iteration"] % 8 == 0      # saved at an epoch's end


@needs_mpi
def test_distributed_refuses_a_batch_that_does_not_split(tmp_path):
    run = _mpi(2, _train_args(tmp_path / "r", "--epochs", "1", "--batch-size", "33"))
    assert run.returncode == 2
    assert "--batch-size 33 does not split evenly over the 2 ranks" in run.stderr
    assert "Traceback" not in run.stderr


def _gpus():
    try:
        import cupy
        return cupy.cuda.runtime.getDeviceCount()
    except Exception:      # noqa: BLE001 - no CuPy, no driver or no device all mean: none here
        return 0


@pytest.mark.gpu
@needs_mpi
@pytest.mark.skipif(_gpus() == 0, reason="no CuPy/GPU on this machine: the gpu-marked cases run where one exists")
def test_nccl_ranks_train_like_one_gpu_process(tmp_path):
    """--device cuda: one rank per GPU (2 where there are two, else 1), gradients over NCCL;
    with --sync-bn the weights match a one-process run on the GPU (float32 tolerance)."""
    k = 2 if _gpus() >= 2 else 1
    run = _mpi(k, _train_args(tmp_path / "nccl", "--sync-bn", "--epochs", "1", "--device", "cuda"), timeout=300)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-3000:]
    assert "NCCL" in run.stdout
    one = [a for a in _train_args(tmp_path / "one", "--epochs", "1", "--device", "cuda") if a != "--distributed"]
    ref = subprocess.run([sys.executable, *one], capture_output=True, text=True, timeout=300, env=_env(), cwd=ROOT)
    assert ref.returncode == 0, ref.stderr[-3000:]
    a, b = tr.io.load(tmp_path / "nccl" / "checkpoint.npz"), tr.io.load(tmp_path / "one" / "checkpoint.npz")
    for key in a:
        if key.startswith("model."):
            np.testing.assert_allclose(a[key], b[key], rtol=1e-4, atol=1e-5, err_msg=key)


def test_distributed_without_mpi4py_says_what_to_install(tmp_path):
    # mpi4py made unimportable in the child (a None entry in sys.modules), installed or not
    hide = ("import sys; sys.modules['mpi4py'] = None; sys.argv[0] = 'tinyres'; "
            "from tinyres.cli import main; sys.exit(main(sys.argv[1:]))")
    args = _train_args(tmp_path / "r", "--epochs", "1")[2:]       # without "-m tinyres"
    run = subprocess.run([sys.executable, "-c", hide, *args], capture_output=True,
                         text=True, timeout=60, env=_env(), cwd=ROOT)
    assert run.returncode == 2 and "Traceback" not in run.stderr, run.stderr[-2000:]
    assert "distributed training needs mpi4py" in run.stderr and 'pip install -e ".[mpi]"' in run.stderr
