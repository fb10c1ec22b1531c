"""Data-parallel training: K replicas of one model, each on a disjoint shard of every batch.

The communication layer. Every replica (a "rank") runs the same program::

    comm = distributed.init(device)            # MPI ranks; NCCL between GPUs with device "cuda"
    distributed.broadcast_module(model, comm)  # start from rank 0's weights and buffers
    opt = distributed.DistributedOptimizer(SGD(model.parameters(), ...), comm)
    for x, y in distributed.ShardedLoader(loader, comm):   # rank r gets its slice of each batch
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad(); loss.backward()
        opt.step()                             # allreduce-average the gradients, then SGD

After the allreduce every rank holds the same averaged gradient, so the same SGD step keeps
the replicas identical without sending weights again. The gradients travel in buckets
(flattened into ~25 MB messages, not one message per parameter: a ResNet has ~60 parameter
tensors and each message pays the network latency once).

Communicators (all with rank, size, allreduce_sum, broadcast, sum_floats, barrier, abort):

- :class:`MPICommunicator`: mpi4py, the only place tinyres imports it (``pip install -e
  ".[mpi]"``; launch with ``mpiexec -n K``). Arrays on a GPU are staged through the host.
- :class:`NCCLCommunicator`: NCCL through ``cupyx.distributed``, one rank per GPU; MPI still
  launches the ranks, tells each its local GPU and carries the rendezvous address.
- :class:`SingleProcess`: K = 1, no communication.
- :class:`ThreadGroup`: K replicas as threads of one process, for tests and lessons
  (synchronized batch norm and gradient averaging without MPI).

A rank that dies must not leave the others waiting forever: every collective runs under a
watchdog; after ``TINYRES_DIST_TIMEOUT`` seconds (default 300) without an answer the rank
prints which collective it was stuck in and aborts the whole job through MPI. mpiexec itself
also ends the job when one rank is killed. Either way the last checkpoint stays intact: it is
written atomically, by rank 0 only.
"""
from __future__ import annotations

import array
import os
import socket
import sys
import threading
import time
from contextlib import contextmanager, nullcontext

from . import backend
from .tensor import Tensor

__all__ = ["init", "DistributedError", "SingleProcess", "MPICommunicator", "NCCLCommunicator", "ThreadGroup",
           "broadcast_module", "average_buffers", "allreduce_gradients", "DistributedOptimizer", "ShardedLoader",
           "shard_bounds", "BUCKET_BYTES", "default_timeout"]

#: gradient bucket size: large enough that latency is paid a few times per step, small enough
#: that the flattened copy stays a fraction of the model
BUCKET_BYTES = 25 * 2 ** 20


class DistributedError(RuntimeError):
    """Distributed training cannot start or cannot go on (missing mpi4py, a lost rank)."""


def default_timeout():
    """Seconds a collective may wait for the other ranks: $TINYRES_DIST_TIMEOUT, else 300."""
    text = os.environ.get("TINYRES_DIST_TIMEOUT", "300")
    try:
        value = float(text)
    except ValueError:
        raise DistributedError(f"TINYRES_DIST_TIMEOUT must be a number of seconds, got {text!r}") from None
    if not value > 0:
        raise DistributedError(f"TINYRES_DIST_TIMEOUT must be > 0 seconds, got {text!r}")
    return value


def shard_bounds(n, rank, size):
    """[lo, hi) of rank's contiguous share of n items; shares differ by at most one."""
    return n * rank // size, n * (rank + 1) // size


# ---------------------------------------------------------------- communicators

class _Watchdog:
    """Calls ``on_expire(what, seconds)`` from a daemon thread when a watched block runs
    longer than ``seconds``. MPI releases the GIL while it waits, so the thread gets to run."""

    def __init__(self, seconds, on_expire):
        self.seconds, self.on_expire = seconds, on_expire
        self.deadline, self.what = None, None
        self._thread = None

    @contextmanager
    def __call__(self, what):
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="tinyres-watchdog", daemon=True)
            self._thread.start()
        self.what, self.deadline = what, time.monotonic() + self.seconds
        try:
            yield
        finally:
            self.deadline = None

    def _loop(self):
        while True:
            time.sleep(min(1.0, self.seconds / 4))
            deadline = self.deadline
            if deadline is not None and time.monotonic() > deadline:
                self.on_expire(self.what, self.seconds)
                return


class SingleProcess:
    """One replica: every collective is the identity."""

    rank, size, local_rank, name = 0, 1, 0, "single process"

    def allreduce_sum(self, a):
        return a

    def broadcast(self, a, root=0):
        return a

    def sum_floats(self, values):
        return [float(v) for v in values]

    def barrier(self, watched=True):
        pass

    def abort(self, message):
        raise DistributedError(message)


class MPICommunicator:
    """Collectives over an mpi4py communicator (COMM_WORLD by default), each under the
    watchdog. ``allreduce_sum`` may reuse its argument's memory: pass an array you own."""

    def __init__(self, comm=None, timeout=None):
        from mpi4py import MPI
        self.MPI = MPI
        self.comm = comm if comm is not None else MPI.COMM_WORLD
        self.rank, self.size = self.comm.Get_rank(), self.comm.Get_size()
        self.local_rank = self.comm.Split_type(MPI.COMM_TYPE_SHARED, key=self.rank).Get_rank()
        self.name = f"MPI ({' '.join(MPI.Get_library_version().split()[:3])})"
        self.watch = _Watchdog(timeout or default_timeout(), self._expired)

    def _expired(self, what, seconds):
        self.abort(f"no answer from the other ranks for {seconds:g} s in {what}: a rank has died or hangs "
                   f"(TINYRES_DIST_TIMEOUT sets the limit)")

    def allreduce_sum(self, a):
        host = backend.to_numpy(a)
        with self.watch("an allreduce"):
            self.comm.Allreduce(self.MPI.IN_PLACE, host, op=self.MPI.SUM)
        return host if host is a else backend.from_numpy(host, backend.device_name(a))

    def broadcast(self, a, root=0):
        host = backend.to_numpy(a)
        host = host.copy() if host is a else host
        with self.watch("a broadcast"):
            self.comm.Bcast(host, root=root)
        return backend.from_numpy(host, backend.device_name(a))

    def sum_floats(self, values):
        buf = array.array("d", values)
        with self.watch("an allreduce"):
            self.comm.Allreduce(self.MPI.IN_PLACE, buf, op=self.MPI.SUM)
        return list(buf)

    def broadcast_text(self, text, root=0):
        data = bytearray(text.encode())
        size = array.array("q", [len(data)])
        with self.watch("a broadcast"):
            self.comm.Bcast(size, root=root)
            data = data if self.rank == root else bytearray(size[0])
            self.comm.Bcast(data, root=root)
        return data.decode()

    def barrier(self, watched=True):
        if watched:
            with self.watch("a barrier"):
                self.comm.Barrier()
        else:
            self.comm.Barrier()

    def abort(self, message):
        """Print one line and end every rank of the job (MPI_Abort; mpiexec kills the rest)."""
        print(f"tinyres: rank {self.rank} of {self.size}: {message}; stopping all ranks. The last checkpoint "
              f"in --out is intact: continue with --resume", file=sys.__stderr__, flush=True)
        # the line goes through a pipe to mpiexec, which Abort tears down: give it a moment to arrive
        # (a CI run once lost it, the job ending with no word of why)
        time.sleep(1.0)
        self.comm.Abort(1)
        os._exit(1)      # Abort does not return; this is for an MPI that does


class NCCLCommunicator:
    """Array collectives on the GPUs through NCCL (``cupyx.distributed``), one rank per GPU;
    host-side values, barriers and aborts through ``mpi`` (an :class:`MPICommunicator`).
    Rank 0 hosts NCCL's rendezvous on its address and $TINYRES_NCCL_PORT (default 13333)."""

    def __init__(self, mpi, timeout=None):
        import cupy
        import cupyx.distributed
        self.mpi, self.cupy = mpi, cupy
        self.rank, self.size, self.local_rank = mpi.rank, mpi.size, mpi.local_rank
        if self.local_rank >= cupy.cuda.runtime.getDeviceCount():
            mpi.abort(f"{cupy.cuda.runtime.getDeviceCount()} GPU(s) on this host, but local rank "
                      f"{self.local_rank} needs one of its own: start at most one rank per GPU")
        cupy.cuda.Device(self.local_rank).use()
        host = mpi.broadcast_text(socket.gethostbyname(socket.gethostname()) if self.rank == 0 else "")
        port = int(os.environ.get("TINYRES_NCCL_PORT", "13333"))
        self.nccl = cupyx.distributed.init_process_group(self.size, self.rank, host=host, port=port)
        self.name = "NCCL (cupyx.distributed)"
        self.watch = _Watchdog(timeout or default_timeout(), mpi._expired)

    def allreduce_sum(self, a):
        with self.watch("an NCCL allreduce"):
            self.nccl.all_reduce(a, a, op="sum")
            self.cupy.cuda.get_current_stream().synchronize()
        return a

    def broadcast(self, a, root=0):
        buf = a.copy()
        with self.watch("an NCCL broadcast"):
            self.nccl.broadcast(buf, root)
            self.cupy.cuda.get_current_stream().synchronize()
        return buf

    def sum_floats(self, values):
        return self.mpi.sum_floats(values)

    def barrier(self, watched=True):
        self.mpi.barrier(watched)

    def abort(self, message):
        self.mpi.abort(message)


class ThreadGroup:
    """K replicas as K threads of this process, for tests and lessons::

        results = ThreadGroup(2).run(lambda comm: work(comm))   # work runs once per rank

    The threads take turns (lockstep): one replica runs at a time, from one collective to the
    next, and hands on to the next rank. The last rank to arrive at a collective combines
    the K contributions once, in rank order, and every rank gets that result (its own copy),
    so all get bitwise the same sum. Python runs one thread at a time anyway (the GIL); K
    runnable threads fighting over it cost more than the work of small replicas did
    (measured: a K = 16 step of resnet8 on 4 images per replica, 109-121 ms with a barrier
    where all 16 ran at once, half of it system time). Collectives therefore work only
    inside run(). An exception in one thread, a replica that finishes while another waits in
    a collective, or ``timeout`` seconds without its turn stop the others too (they raise
    DistributedError), and run() raises the first error.

    While run() runs, NumPy's BLAS is held to ``blas_threads`` threads per call (default 1, as
    an MPI rank gets with OMP_NUM_THREADS=1; None leaves it alone): K replicas that each call a
    multi-threaded BLAS oversubscribe the cores, and its idle threads' spinning then takes
    most of the time (:func:`tinyres.backend.limit_host_blas_threads`)."""

    def __init__(self, size, timeout=60.0, blas_threads=1):
        self.size, self.timeout, self.blas_threads = size, timeout, blas_threads
        self._reset()

    def _reset(self):
        self._turn = [threading.Semaphore(0) for _ in range(self.size)]
        self._slots = [None] * self.size
        self._result = None
        self._count = [0] * self.size         # collectives each rank has entered
        self._done = [False] * self.size
        self._broken = None                   # why the group stopped, once it has

    def communicators(self):
        return [_ThreadCommunicator(self, r) for r in range(self.size)]

    def _break(self, why):
        if self._broken is None:
            self._broken = why
        for turn in self._turn:
            turn.release()

    def _wait_turn(self, rank):
        if not self._turn[rank].acquire(timeout=self.timeout):
            self._break(f"rank {rank} waited {self.timeout:g} s for its turn")
        if self._broken is not None:
            raise DistributedError(f"rank {rank}: {self._broken}")

    def _hand_on(self, rank):
        """Give the turn to the next rank that has not finished (none: everyone has)."""
        for step in range(1, self.size + 1):
            nxt = (rank + step) % self.size
            if not self._done[nxt]:
                self._turn[nxt].release()
                return

    def _exchange(self, rank, value, combine):
        if self._broken is not None:
            raise DistributedError(f"rank {rank}: {self._broken}")
        finished = [r for r in range(self.size) if self._done[r]]
        if finished:
            self._break(f"rank {finished[0]} finished while another replica entered a collective")
            raise DistributedError(f"rank {rank}: {self._broken}")
        self._slots[rank] = value
        self._count[rank] += 1
        if rank == self.size - 1:           # everyone has contributed: combine once, in rank order
            result = combine(list(self._slots))
            self._result = result
            self._slots = [None] * self.size
        self._hand_on(rank)
        self._wait_turn(rank)
        result = self._result
        if rank == self.size - 1:
            return result
        if backend.is_array(result):
            return backend.namespace(result).asarray(result, copy=True)
        return list(result) if isinstance(result, list) else result

    def run(self, fn):
        """fn(comm) in one thread per rank, taking turns; the list of results in rank order."""
        self._reset()
        results, errors = [None] * self.size, [None] * self.size

        def target(comm):
            rank = comm.rank
            try:
                self._wait_turn(rank)
                results[rank] = fn(comm)
            except BaseException as exc:      # noqa: BLE001 - handed to the caller below
                errors[rank] = exc
                self._done[rank] = True
                self._break(f"rank {rank} failed" if not isinstance(exc, DistributedError) else str(exc))
                return
            self._done[rank] = True
            if any(c > self._count[rank] for c in self._count):
                self._break(f"rank {rank} finished while another replica waits in a collective")
            else:
                self._hand_on(rank)

        threads = [threading.Thread(target=target, args=(c,)) for c in self.communicators()]
        with backend.limit_host_blas_threads(self.blas_threads) if self.blas_threads else nullcontext():
            for t in threads:
                t.start()
            self._turn[0].release()
            for t in threads:
                t.join()
        first = next((e for e in errors if e is not None and not isinstance(e, DistributedError)), None)
        first = first or next((e for e in errors if e is not None), None)
        if first is None and self._broken is not None:
            first = DistributedError(self._broken)
        if first is not None:
            raise first
        return results


class _ThreadCommunicator:
    def __init__(self, group, rank):
        self.group, self.rank, self.size, self.local_rank = group, rank, group.size, rank
        self.name = f"{group.size} threads"

    def allreduce_sum(self, a):
        def total(parts):
            s = parts[0]
            for p in parts[1:]:
                s = s + p
            return s
        return self.group._exchange(self.rank, a, total)

    def broadcast(self, a, root=0):
        xp = backend.namespace(a)
        return self.group._exchange(self.rank, a, lambda parts: xp.asarray(parts[root], copy=True))

    def sum_floats(self, values):
        return self.group._exchange(self.rank, [float(v) for v in values], lambda parts: [sum(v) for v in zip(*parts)])

    def barrier(self, watched=True):
        self.group._exchange(self.rank, None, lambda parts: None)

    def abort(self, message):
        self.group._break(message)
        raise DistributedError(message)


_world = None


def init(device=None, timeout=None):
    """The communicator of this job (created once): NCCL when ``device`` is a CUDA device,
    else MPI. Raises DistributedError with what to install when mpi4py (or CuPy) is missing."""
    global _world
    if _world is not None:
        return _world
    try:
        from mpi4py import MPI  # noqa: F401 - initialises MPI
    except ImportError:
        raise DistributedError("distributed training needs mpi4py and an MPI: pip install -e \".[mpi]\" "
                               "(mpi4py and the mpich wheel, which brings mpiexec), then launch with "
                               "mpiexec -n K tinyres train --distributed ...") from None
    mpi = MPICommunicator(timeout=timeout)
    if str(device or "").startswith("cuda"):
        try:
            import cupyx.distributed  # noqa: F401
        except ImportError:
            raise DistributedError("--device cuda with --distributed needs CuPy with NCCL: "
                                   "pip install -e \".[gpu]\"") from None
        _world = NCCLCommunicator(mpi, timeout=timeout)
    else:
        _world = mpi
    return _world


def device_for(comm, device):
    """The device this rank computes on: with a CUDA device, the rank's own GPU (local rank)."""
    if str(device or "").startswith("cuda") and comm.size > 1:
        return f"cuda:{comm.local_rank}"
    return device


# ---------------------------------------------------------------- replicas

def broadcast_module(model, comm, root=0):
    """Overwrite every parameter and buffer with rank ``root``'s, so all replicas start equal."""
    if comm.size == 1:
        return model
    for _, t in list(model.named_parameters()) + list(model.named_buffers()):
        t.data = comm.broadcast(t.data, root)
    return model


def average_buffers(model, comm):
    """Replace each floating buffer (batch-norm running statistics) by its mean over the
    replicas. With per-replica batch norm each replica's statistics saw only its own shards;
    before evaluating or saving, every replica must hold the same model."""
    if comm.size == 1:
        return model
    for _, t in model.named_buffers():
        if t is not None and backend.is_floating(t.data):
            t.data = comm.allreduce_sum(backend.namespace(t.data).asarray(t.data, copy=True)) / comm.size
    return model


def allreduce_gradients(params, comm, weight=1.0, bucket_bytes=BUCKET_BYTES):
    """Make every ``p.grad`` the average over the replicas of ``weight * p.grad``, in buckets.

    ``weight`` is n_local * K / n_global when the shards of a batch differ in size (the last,
    short batch), so the result is the gradient of the mean loss over the global batch.
    Parameters without a gradient are left out (every replica has the same graph, so the
    same ones)."""
    if comm.size == 1 and weight == 1.0:
        return
    buckets, current, nbytes = [], [], 0
    for p in params:
        if p.grad is None:
            continue
        if current and (nbytes + p.grad.size * p.grad.dtype.itemsize > bucket_bytes
                        or p.grad.dtype != current[0].grad.dtype):
            buckets.append(current)
            current, nbytes = [], 0
        current.append(p)
        nbytes += p.grad.size * p.grad.dtype.itemsize
    if current:
        buckets.append(current)
    for bucket in buckets:
        xp = backend.namespace(bucket[0].grad)
        flat = xp.concat([xp.reshape(p.grad, (-1,)) for p in bucket])
        if weight != 1.0:
            flat = flat * weight
        flat = comm.allreduce_sum(flat) / comm.size
        offset = 0
        for p in bucket:
            n = p.grad.size
            p.grad = xp.reshape(flat[offset:offset + n], p.grad.shape)
            offset += n


class DistributedOptimizer:
    """Wraps an optimizer: ``step()`` first averages the gradients over the replicas
    (:func:`allreduce_gradients`), then runs the optimizer's step. ``weight`` (set per batch
    by the training loop) is passed on."""

    def __init__(self, optimizer, comm, bucket_bytes=BUCKET_BYTES):
        self.optimizer, self.comm, self.bucket_bytes = optimizer, comm, bucket_bytes
        self.weight = 1.0

    @property
    def param_groups(self):
        return self.optimizer.param_groups

    def zero_grad(self):
        self.optimizer.zero_grad()

    def step(self):
        params = [p for g in self.optimizer.param_groups for p in g["params"]]
        allreduce_gradients(params, self.comm, self.weight, self.bucket_bytes)
        self.optimizer.step()

    def state_dict(self):
        return self.optimizer.state_dict()

    def load_state_dict(self, state):
        self.optimizer.load_state_dict(state)


class ShardedLoader:
    """Rank r's share of every batch of ``loader``: batch b is the one ``loader`` makes for
    one process (the same shuffle and, since the whole batch is augmented before it is cut,
    the same crops and flips), cut into K contiguous shards. So a seed gives the same global
    data order, and the same global batches, for any K. The price: each rank augments the
    whole batch (cheap next to the forward pass)."""

    def __init__(self, loader, comm):
        self.loader, self.comm = loader, comm

    def __len__(self):
        return len(self.loader)

    def set_epoch(self, epoch):
        self.loader.set_epoch(epoch)

    def iter_from(self, start_batch=0):
        order = self.loader.order()
        for b in range(start_batch, len(self.loader)):
            x, y = self.loader.batch(b, order)
            lo, hi = shard_bounds(len(y), self.comm.rank, self.comm.size)
            yield Tensor(x.data[lo:hi, ...]), Tensor(y.data[lo:hi, ...])

    def __iter__(self):
        return self.iter_from(0)
