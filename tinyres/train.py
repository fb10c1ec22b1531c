"""Training: the paper's recipe, a progress bar, metrics, checkpoints, resume.

    from tinyres.train import TrainConfig, train
    result = train(TrainConfig(model="resnet20", data="digits", epochs=30, out="runs/r20"))

Every epoch the model is evaluated, ``metrics.csv``/``metrics.json`` are rewritten and
``checkpoint.npz`` (model, optimizer, scheduler, RNG, position) is written atomically.
``distributed=True`` (under ``mpiexec -n K``) trains K data-parallel replicas, each on
its share of every batch (tinyres.distributed); rank 0 alone logs and writes, and
``sync_bn=True`` computes batch-norm statistics over the global batch.
``resume=True`` continues from it: on NumPy the weights and every metrics row are
bitwise the same as a run that was never interrupted. The checkpoint holds the config;
resuming with a setting that contradicts it is refused (:class:`ConfigError`). A
non-finite loss, or non-finite parameters or evaluation loss at a save, stops the run
with a message naming the step; no non-finite state is ever written as a checkpoint.
Ctrl-C saves a checkpoint and exits.

The pieces are public so other experiments reuse them: :func:`build_data`,
:func:`build_model`, :func:`build_optimizer`, and :func:`run_steps`, the training step
loop with per-step callbacks.
"""
from __future__ import annotations

import csv
import dataclasses
import io
import json
import math
import os
import re
import shlex
import signal
import threading
import time
from dataclasses import dataclass, field

from . import backend, distributed, nn
from . import functional as F
from .data import DataLoader, load_dataset, paper_transforms
from .i18n import M, _
from .io import CheckpointError, atomic_write, check_output_dir, clean_stale_temp_files, load, save
from .models import get_model, model_info
from .optim import SGD, lr_scheduler, sgd_step_override
from .tensor import no_grad

__all__ = ["TrainConfig", "train", "evaluate", "RECIPES", "NonFiniteLossError", "TrainResult", "ConfigError",
           "build_data", "build_model", "build_optimizer", "run_steps", "Step", "saved_config"]


@dataclass
class TrainConfig:
    model: str = "resnet20"
    data: str = "digits"
    root: str | None = None              # CIFAR-10 folder
    download: bool = False
    epochs: int = 30
    iterations: int | None = None        # train for this many iterations instead of epochs
    batch_size: int = 64
    lr: float = 0.1
    momentum: float = 0.9
    weight_decay: float = 5e-4
    nesterov: bool = False
    schedule: str = "multistep"          # multistep | cosine | constant
    milestones: tuple = (15, 23)         # epochs, or iterations when `iterations` is set
    gamma: float = 0.1
    warmup_lr: float | None = None       # e.g. 0.01 for ResNet-110 (paper §4.2)
    warmup_iterations: int = 400
    augment: bool = True
    crop_padding: int | None = None      # default: 4 for 32x32 images, 1 for digits
    flip: bool | None = None             # default: True for CIFAR, False for digits (a flipped 2 is no 2)
    per_channel: bool = False            # per-channel normalisation instead of the per-pixel mean
    shortcut: str = "A"
    preact: bool = False
    batch_norm: bool = True
    zero_init_residual: bool = False
    eval_every: int | None = None        # also evaluate every N iterations (for training curves)
    log_every: int = 20                  # a metrics row every N iterations
    limit_train: int | None = None       # use only the first N samples (quick runs)
    limit_test: int | None = None
    seed: int = 0
    device: str | None = None
    out: str = "runs/run"
    progress: bool = True
    distributed: bool = False            # K data-parallel ranks (run under mpiexec -n K); the batch is global
    sync_bn: bool = False                # distributed: batch-norm statistics over the global batch, not per rank

    def validate(self):
        """Refuse settings that would fail later or silently mean something else (``limit_train=0``
        is not "all", ``iterations=0`` does not switch milestones to iterations)."""
        def whole(name, low=1, optional=False):
            v = getattr(self, name)
            if v is None and optional:
                return
            if isinstance(v, bool) or not isinstance(v, int) or v < low:
                raise ConfigError(name, f"must be a whole number >= {low}, got {v!r}")
        whole("epochs")
        whole("batch_size")
        whole("log_every")
        whole("warmup_iterations")
        for name in ("iterations", "eval_every", "limit_train", "limit_test"):
            whole(name, optional=True)
        for name in ("lr", "momentum", "weight_decay", "gamma"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v < 0:
                raise ConfigError(name, f"must be a finite number >= 0, got {v!r}")
        if self.schedule not in ("multistep", "cosine", "constant"):
            raise ConfigError("schedule", f"must be multistep, cosine or constant, got {self.schedule!r}")
        if self.shortcut not in ("A", "B", "C"):
            raise ConfigError("shortcut", f"must be A, B or C, got {self.shortcut!r}")
        return self


RECIPES = {
    # He et al. 2015 §4.2: batch 128, lr 0.1, momentum 0.9, weight decay 1e-4, /10 at 32k and 48k
    # iterations, stop at 64k; per-pixel mean, 4-pixel pad + 32x32 crop + flip; He init.
    "cifar10-paper": dict(data="cifar10", batch_size=128, lr=0.1, momentum=0.9, weight_decay=1e-4,
                          schedule="multistep", iterations=64000, milestones=(32000, 48000), augment=True,
                          crop_padding=4, flip=True, shortcut="A", eval_every=2000, log_every=100),
    # The built-in digits: minutes on a laptop CPU.
    "digits": dict(data="digits", batch_size=64, lr=0.1, momentum=0.9, weight_decay=5e-4, epochs=30,
                   schedule="multistep", milestones=(15, 23), augment=True, crop_padding=1, flip=False),
}


class NonFiniteLossError(RuntimeError):
    """Training produced a non-finite loss, parameter or evaluation loss; ``step`` is the
    number of steps done before it (as run_steps counts them)."""

    def __init__(self, message, step=None, value=None):
        # the exception's text stays English (it also goes into metrics.json); ``message`` is what
        # the training log prints, in the chosen language when it is an M
        super().__init__(message.render("en") if isinstance(message, M) else message)
        self.step, self.value, self.message = step, value, message


class ConfigError(ValueError):
    """A TrainConfig field is invalid, or contradicts the checkpoint being resumed.
    ``field`` is the TrainConfig name (the CLI turns it into ``--field-name``)."""

    def __init__(self, field, problem, saved=None, given=None):
        super().__init__(f"{field} {problem}")
        self.field, self.problem, self.saved, self.given = field, problem, saved, given


@dataclass
class TrainResult:
    epochs_done: int
    iteration: int
    test_error: float | None
    test_loss: float | None
    train_error: float | None
    rows: list = field(default_factory=list)
    seconds: float = 0.0
    checkpoint: str | None = None
    stopped: str = "finished"            # finished | interrupted | complete (nothing left to resume)
    model: object = None                 # the trained model (in train mode)


# ---------------------------------------------------------------- building the pieces

def build_data(cfg: TrainConfig):
    """(train loader, test loader, train set) with the paper's transforms for ``cfg``."""
    train_set = load_dataset(cfg.data, "train", root=cfg.root, download=cfg.download)
    test_set = load_dataset(cfg.data, "test", root=cfg.root, download=cfg.download)
    if cfg.limit_train is not None:
        train_set = train_set.subset(cfg.limit_train)
    if cfg.limit_test is not None:
        test_set = test_set.subset(cfg.limit_test)
    side = train_set.shape[-1]
    pad = cfg.crop_padding if cfg.crop_padding is not None else (1 if side <= 8 else 4)
    flip = cfg.flip if cfg.flip is not None else train_set.flip_ok
    train_tf, test_tf = paper_transforms(train_set.images, train_set.pixel_max, cfg.augment, pad, flip,
                                         cfg.per_channel)
    device = backend.parse_device(cfg.device)
    train_loader = DataLoader(train_set, cfg.batch_size, shuffle=True, drop_last=False, seed=cfg.seed,
                              device=device, transform=train_tf)
    test_loader = DataLoader(test_set, 500, device=device, transform=test_tf)
    return train_loader, test_loader, train_set


def build_model(cfg: TrainConfig, train_set):
    """The model ``cfg.model`` for ``train_set``'s channels and classes, seeded by ``cfg.seed``."""
    backend.manual_seed(cfg.seed)
    kw = dict(num_classes=len(train_set.classes), in_channels=train_set.shape[0])
    try:
        info = model_info(cfg.model)
        if info.family in ("cifar-resnet", "cifar-preact"):     # cfg.shortcut is the CIFAR option (A by default)
            kw.update(shortcut=cfg.shortcut)
        if "norm_layer" in info.options:
            kw.update(norm_layer=None if cfg.batch_norm else nn.Identity, zero_init_residual=cfg.zero_init_residual)
        model = get_model(cfg.model, **kw)
    except ValueError as exc:
        # a depth that is neither family's: name both, so resnet51 is not read as "CIFAR only"
        if re.fullmatch(r"(resnet|plain|preact\w*?)\d+", cfg.model):
            raise ConfigError("model", f"{cfg.model!r} has no known depth: CIFAR ResNets take 6n+2 layers "
                                       f"(20, 32, 44, 56, 110, ...), ImageNet ResNets 18, 34, 50, 101 or 152") from None
        raise ConfigError("model", str(exc)) from None
    return model.to(backend.parse_device(cfg.device))


def build_optimizer(cfg: TrainConfig, model, steps_per_epoch):
    """(SGD, schedule) as ``cfg`` says; the schedule steps per epoch, or per iteration when
    ``cfg.iterations`` is set. Within ``tinyres.optim.override_sgd_step`` (``tinyres train --ops``)
    this SGD updates the parameters with the installed step, which has no Nesterov momentum."""
    installed = sgd_step_override()
    if installed is not None and cfg.nesterov:
        raise ConfigError("nesterov", f"cannot be used with {installed[1]}, which implements plain momentum")
    optimizer = SGD(model.parameters(), lr=cfg.lr, momentum=cfg.momentum, weight_decay=cfg.weight_decay,
                    nesterov=cfg.nesterov)
    total_steps = cfg.iterations or cfg.epochs
    if cfg.schedule == "multistep":
        scheduler = lr_scheduler.MultiStepLR(optimizer, cfg.milestones, cfg.gamma)
    elif cfg.schedule == "cosine":
        scheduler = lr_scheduler.CosineAnnealingLR(optimizer, total_steps)
    else:
        scheduler = lr_scheduler.MultiStepLR(optimizer, [], 1.0)
    if cfg.warmup_lr is not None:
        scheduler = lr_scheduler.WarmupLR(scheduler, cfg.warmup_lr, cfg.warmup_iterations if cfg.iterations
                                          else max(1, math.ceil(cfg.warmup_iterations / steps_per_epoch)))
    return optimizer, scheduler


# ---------------------------------------------------------------- the step loop

@dataclass
class Step:
    """What a step callback sees: the batch, the logits, the loss value, and ``index``,
    the number of steps run before this one."""
    index: int
    x: object
    y: object
    logits: object
    loss: float


def run_steps(model, optimizer, batches, loss_fn=None, callbacks=(), update=None, first_index=0):
    """The training step for each (x, y) of ``batches``: forward, loss, backward, optimizer
    step, then ``callback(step)`` for each callback; a callback returning True ends the loop.
    A non-finite loss raises NonFiniteLossError before the backward pass, so the parameters
    stay as they were. ``update(index)`` False skips the optimizer step (the gradient is
    still computed, e.g. to trace it). Returns the number of steps run."""
    loss_fn = loss_fn or F.cross_entropy
    index = first_index
    for x, y in batches:
        logits = model(x)
        loss = loss_fn(logits, y)
        value = loss.item()
        if not math.isfinite(value):
            raise NonFiniteLossError(f"loss became {value} at step {index + 1}", step=index, value=value)
        optimizer.zero_grad()
        loss.backward()
        if update is None or update(index):
            optimizer.step()
        step = Step(index, x, y, logits, value)
        index += 1
        if any([cb(step) for cb in callbacks]):
            break
    return index - first_index


def evaluate(model, loader, comm=None):
    """(mean loss, error rate) of ``model`` on ``loader``, in eval mode, without a graph.
    With ``comm``, each rank evaluates its shards and the sums are added over the ranks."""
    was_training = model.training
    model.eval()
    total_loss, wrong, n = 0.0, 0, 0
    with no_grad():
        for x, y in loader:
            if len(y) == 0:       # a rank's share of a short last batch
                continue
            logits = model(x)
            total_loss += F.cross_entropy(logits, y, reduction="sum").item()
            wrong += _wrong(logits, y)
            n += len(y)
    model.train(was_training)
    if comm is not None:
        total_loss, wrong, n = comm.sum_floats([total_loss, wrong, n])
    return total_loss / n, wrong / n


def _wrong(logits, y):
    xp = logits.xp
    return int(xp.sum(xp.astype(xp.argmax(logits.data, axis=1) != y.data, xp.int64)))


def _first_non_finite(model):
    """Name of the first parameter or buffer holding a NaN or infinity, else None."""
    for name, value in model.state_dict().items():
        xp = backend.namespace(value)
        if xp.isdtype(value.dtype, "real floating") and not bool(xp.all(xp.isfinite(value))):
            return name
    return None


# ---------------------------------------------------------------- checkpoints

# settings a resumed run may change: how long to train and where/how it runs, never what it computes
RESUME_MAY_CHANGE = ("epochs", "iterations", "device", "out", "root", "download", "progress", "distributed",
                     "sync_bn")


def _save_checkpoint(path, model, optimizer, scheduler, position, rows, cfg):
    arrays = {f"model.{k}": v for k, v in model.state_dict().items()}
    osd = optimizer.state_dict()
    for i, s in osd["state"].items():
        for name, value in s.items():
            arrays[f"optim.{i}.{name}"] = value
    meta = dict(position=position, optimizer_groups=osd["param_groups"],
                optimizer_state={str(i): sorted(s) for i, s in osd["state"].items()},
                scheduler=scheduler.state_dict(), rng=backend.rng().bit_generator.state, rows=rows,
                config=dataclasses.asdict(cfg))
    arrays["meta"] = json.dumps(meta)
    return save(arrays, path)


def _read_meta(path):
    data = load(path)
    if "meta" not in data:
        raise CheckpointError(f"{path}: not a tinyres training checkpoint (no 'meta' entry)")
    try:
        meta = json.loads(str(data["meta"]))
    except ValueError as exc:
        raise CheckpointError(f"{path}: its 'meta' entry is not valid JSON ({exc}); the file is damaged") from None
    needed = ("position", "optimizer_groups", "optimizer_state", "scheduler", "rng", "rows", "config")
    missing = [k for k in needed if not isinstance(meta, dict) or k not in meta]
    if missing:
        raise CheckpointError(f"{path}: checkpoint meta lacks {', '.join(missing)}; it is damaged or from "
                              f"another version of tinyres")
    position = meta["position"]
    if not isinstance(position, dict) or not all(isinstance(position.get(k), int)
                                                  for k in ("epoch", "batch", "iteration")):
        raise CheckpointError(f"{path}: checkpoint position {position!r} is not "
                              f"{{'epoch', 'batch', 'iteration'}} whole numbers")
    return data, meta


def saved_config(out) -> dict:
    """The TrainConfig fields stored in ``out``/checkpoint.npz (to resume a run as it was)."""
    path = os.path.join(os.fspath(out), "checkpoint.npz")
    if not os.path.exists(path):
        raise CheckpointError(f"no checkpoint to resume at {path}")
    config = _read_meta(path)[1]["config"]
    known = {f.name for f in dataclasses.fields(TrainConfig)}
    unknown = sorted(set(config) - known)
    if unknown:
        raise CheckpointError(f"{path}: its config has settings this tinyres does not know: {unknown}")
    if "milestones" in config:
        config["milestones"] = tuple(config["milestones"])
    return config


def _check_resume_config(cfg, saved):
    given = json.loads(json.dumps(dataclasses.asdict(cfg)))
    for name, value in given.items():
        if name in RESUME_MAY_CHANGE and not (name == "iterations" and (value is None) != (saved.get(name) is None)):
            continue
        if name in saved and saved[name] != value:
            raise ConfigError(name, f"is {saved[name]!r} in the checkpoint, {value!r} given", saved[name], value)


def _load_checkpoint(path, data, meta, model, optimizer, scheduler):
    model.load_state_dict({k[6:]: v for k, v in data.items() if k.startswith("model.")})
    state = {}
    for k, v in data.items():
        if k.startswith("optim."):
            _optim, i, name = k.split(".", 2)
            state.setdefault(i, {})[name] = v
    listed = {i: sorted(s) for i, s in state.items()}
    if listed != meta["optimizer_state"]:
        raise CheckpointError(f"{path}: optimizer buffers {listed} do not match the ones it lists "
                              f"{meta['optimizer_state']}; the file is damaged")
    try:
        optimizer.load_state_dict({"param_groups": meta["optimizer_groups"],
                                   "state": {int(i): s for i, s in state.items()}})
        scheduler.load_state_dict(meta["scheduler"])
    except ValueError as exc:
        raise CheckpointError(f"{path}: {exc}") from None
    backend.rng().bit_generator.state = meta["rng"]


# ---------------------------------------------------------------- metrics

FIELDS = ["kind", "epoch", "iteration", "lr", "train_loss", "train_error", "test_loss", "test_error", "seconds"]


def _write_metrics(out, rows, cfg, final=None):
    buf = io.StringIO()
    writer = csv.DictWriter(buf, FIELDS)
    writer.writeheader()
    for r in rows:
        writer.writerow({k: r.get(k, "") for k in FIELDS})
    atomic_write(os.path.join(out, "metrics.csv"), buf.getvalue())
    doc = {"config": dataclasses.asdict(cfg), "rows": rows, "final": final}
    atomic_write(os.path.join(out, "metrics.json"), json.dumps(doc, indent=1))


# ---------------------------------------------------------------- the loop

class _StopRequest:
    """Ctrl-C during training: finish the current step, then save and stop (a second Ctrl-C
    aborts at once). Stopping between steps keeps the checkpoint consistent: a forward pass
    cut in half would already have moved the batch-norm running statistics."""

    def __init__(self):
        self.requested = False
        self.previous = None

    def _handler(self, signum, frame):
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True

    def install(self):
        if threading.current_thread() is threading.main_thread():
            self.previous = signal.signal(signal.SIGINT, self._handler)
        return self

    def restore(self):
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)


class _Stop(Exception):
    pass


class _Run:
    """The state of one training run between steps: where it is, the metrics rows, and the
    running sums [loss, wrong, n] since the last iteration row (``window``) and since the
    epoch began. All of it goes into the checkpoint, so a resumed run writes the same rows."""

    def __init__(self, cfg, model, optimizer, scheduler, test_loader, ckpt_path, log, position=None, rows=None,
                 comm=None):
        self.cfg, self.model, self.optimizer, self.scheduler = cfg, model, optimizer, scheduler
        self.comm, self.replicas_equal = comm, True
        self.test_loader, self.ckpt_path, self.log = test_loader, ckpt_path, log
        position = position or {"epoch": 0, "batch": 0, "iteration": 0}
        self.epoch, self.batch, self.iteration = position["epoch"], position["batch"], position["iteration"]
        self.window = list(position.get("window", [0.0, 0, 0]))
        self.epoch_sums = list(position.get("epoch_sums", [0.0, 0, 0]))
        self.rows = rows if rows is not None else []
        self.start = time.perf_counter() - (self.rows[-1]["seconds"] if self.rows else 0.0)
        self.saved = (ckpt_path, self.iteration) if position["iteration"] else None

    def position(self):
        return {"epoch": self.epoch, "batch": self.batch, "iteration": self.iteration,
                "window": list(self.window), "epoch_sums": list(self.epoch_sums)}

    def record(self, kind):
        sums = self.epoch_sums if kind == "epoch" else self.window
        cfg = self.cfg
        row = {"kind": kind, "epoch": self.epoch + 1, "iteration": self.iteration,
               "lr": self.optimizer.param_groups[0]["lr"], "train_loss": sums[0] / max(sums[2], 1),
               "train_error": sums[1] / max(sums[2], 1), "seconds": round(time.perf_counter() - self.start, 3)}
        if kind == "epoch" or (cfg.eval_every and self.iteration % cfg.eval_every == 0):
            self.equalize_replicas()
            row["test_loss"], row["test_error"] = evaluate(self.model, self.test_loader, self.comm)
        self.rows.append(row)
        sums[:] = [0.0, 0, 0]
        return row

    def after_step(self, step, batch_sums=None):
        """``batch_sums``: [loss sum, wrong, count] of the global batch (distributed), else this step's."""
        loss_sum, wrong, n = batch_sums or (step.loss * len(step.y), _wrong(step.logits, step.y), len(step.y))
        for sums in (self.window, self.epoch_sums):
            sums[0] += loss_sum
            sums[1] += int(wrong)
            sums[2] += int(n)
        self.replicas_equal = False
        self.iteration, self.batch = step.index + 1, self.batch + 1
        cfg = self.cfg
        if self.iteration % cfg.log_every == 0 or (cfg.eval_every and self.iteration % cfg.eval_every == 0):
            self.record("iter")

    def equalize_replicas(self):
        """Distributed, per-replica batch norm: average the running statistics over the ranks
        (each saw only its shards) so that every rank evaluates and saves the same model."""
        if self.comm is not None and not self.replicas_equal and not self.cfg.sync_bn:
            distributed.average_buffers(self.model, self.comm)
        self.replicas_equal = True

    def save(self):
        """Write the checkpoint and metrics, unless the state is not finite: then say so and
        stop, leaving the last good checkpoint (every checkpoint passed this check).
        Distributed: every rank checks (they hold the same model), rank 0 alone writes."""
        self.equalize_replicas()
        bad = _first_non_finite(self.model)
        last = self.rows[-1] if self.rows else {}
        if bad is None and "test_loss" in last and not math.isfinite(last["test_loss"]):
            bad = M("the evaluation loss ({loss})", loss=last["test_loss"])
        if bad is not None:
            epoch = self.epoch if self.batch == 0 else self.epoch + 1      # at an epoch's end, run.epoch moved on
            raise NonFiniteLossError(
                M("{bad} became non-finite by iteration {iteration} (epoch {epoch}); stopped without saving it. "
                  "{last_good}; try a lower --lr or a warm-up (--warmup-lr)",
                  bad=bad, iteration=self.iteration, epoch=epoch, last_good=self._last_good()), self.iteration)
        if self.comm is None or self.comm.rank == 0:
            _save_checkpoint(self.ckpt_path, self.model, self.optimizer, self.scheduler, self.position(), self.rows,
                             self.cfg)
            _write_metrics(self.cfg.out, self.rows, self.cfg)
        self.saved = (self.ckpt_path, self.iteration)

    def _last_good(self):
        if self.saved:
            return M("The last good checkpoint is {path} (iteration {iteration})", path=self.saved[0],
                     iteration=self.saved[1])
        return M("No checkpoint was written")


def resume_command(out):
    """The exact command that continues the run in ``out``."""
    return f"tinyres train --resume --out {shlex.quote(os.fspath(out))}"


def train(cfg: TrainConfig, resume: bool = False, loss_fn=None, log=print) -> TrainResult:
    """Train as ``cfg`` says; returns the final metrics. See the module docstring."""
    from tqdm.auto import tqdm

    cfg.validate()
    comm = distributed.init(cfg.device) if cfg.distributed else None
    lead = comm is None or comm.rank == 0
    if not lead:
        log = _silent
    if comm is not None:
        cfg.device = distributed.device_for(comm, cfg.device)
        comm.barrier()         # every rank has probed --out before rank 0 cleans it
    if lead:
        check_output_dir(cfg.out)
        clean_stale_temp_files(cfg.out)
    ckpt_path = os.path.join(cfg.out, "checkpoint.npz")
    if resume:
        if not os.path.exists(ckpt_path):
            raise CheckpointError(f"no checkpoint to resume at {ckpt_path}")
        data, meta = _read_meta(ckpt_path)
        _check_resume_config(cfg, meta["config"])
    train_loader, test_loader, train_set = _build_data_in_turn(cfg, comm)
    model = build_model(cfg, train_set)
    optimizer, scheduler = build_optimizer(cfg, model, len(train_loader))
    if comm is not None:
        _check_shards(cfg, comm, len(train_set))
        train_loader = distributed.ShardedLoader(train_loader, comm)
        test_loader = distributed.ShardedLoader(test_loader, comm)
        if cfg.sync_bn:
            model = nn.convert_sync_batchnorm(model, comm)
        optimizer = distributed.DistributedOptimizer(optimizer, comm)
        if cfg.sync_bn:
            log(_("distributed: {ranks} ranks over {name}, {images} images per rank and step, batch norm "
                  "synchronized", ranks=comm.size, name=comm.name, images=cfg.batch_size // comm.size))
        else:
            log(_("distributed: {ranks} ranks over {name}, {images} images per rank and step, batch norm per rank",
                  ranks=comm.size, name=comm.name, images=cfg.batch_size // comm.size))
    per_iteration = cfg.iterations is not None
    steps_per_epoch = len(train_loader)
    total_iterations = cfg.iterations or cfg.epochs * steps_per_epoch
    epochs = math.ceil(total_iterations / steps_per_epoch)
    if resume:
        _load_checkpoint(ckpt_path, data, meta, model, optimizer, scheduler)
        run = _Run(cfg, model, optimizer, scheduler, test_loader, ckpt_path, log, meta["position"], meta["rows"],
                   comm)
        if run.iteration >= total_iterations:
            log(_("the run in {out} is already complete ({done} of {total} iterations); nothing to resume. To "
                  "train longer, resume with more --epochs (or --iterations)",
                  out=cfg.out, done=run.iteration, total=total_iterations))
            return _result(run, "complete")
        log(_("resumed from {path} at epoch {epoch}, iteration {iteration}",
              path=ckpt_path, epoch=run.epoch, iteration=run.iteration))
    else:
        run = _Run(cfg, model, optimizer, scheduler, test_loader, ckpt_path, log, comm=comm)
    global_batch = None
    if comm is not None:
        distributed.broadcast_module(model, comm)
        global_batch = _GlobalBatch(comm, loss_fn or F.cross_entropy, optimizer, run)
        loss_fn = global_batch
    model.train()
    stop = _StopRequest().install()
    if comm is not None:
        global_batch.stop_request = stop
    stopped = "finished"
    try:
        for epoch in range(run.epoch, epochs):
            train_loader.set_epoch(epoch)
            first = run.batch if epoch == run.epoch else 0
            run.epoch, run.batch = epoch, first
            bar = tqdm(total=steps_per_epoch, initial=first, desc=_("epoch {epoch}/{epochs}", epoch=epoch + 1,
                                                                     epochs=epochs),
                       disable=not (cfg.progress and lead), leave=False, dynamic_ncols=True)

            def progress(step):
                if per_iteration:
                    scheduler.step()
                run.after_step(step, global_batch.sums if comm is not None else None)
                bar.update(1)
                bar.set_postfix(loss=f"{step.loss:.3f}", lr=f"{optimizer.param_groups[0]['lr']:.3g}")
                # distributed: stop when any rank was asked to, all after the same step
                if global_batch.stop if comm is not None else stop.requested:
                    raise _Stop
                return run.iteration >= total_iterations

            batches = train_loader.iter_from(first) if run.iteration < total_iterations else iter(())
            try:
                run_steps(model, optimizer, batches, loss_fn, [progress], first_index=run.iteration)
            except NonFiniteLossError as exc:
                raise NonFiniteLossError(
                    M("loss became {value} at iteration {iteration} (epoch {epoch}, batch {batch}); stopped. "
                      "{last_good}; try a lower --lr or a warm-up (--warmup-lr)", value=exc.value,
                      iteration=exc.step + 1, epoch=epoch + 1, batch=run.batch + 1, last_good=run._last_good()),
                    exc.step, exc.value) from None
            bar.close()
            row = run.record("epoch")      # lr column: the rate this epoch trained with
            if not per_iteration:
                scheduler.step()
            run.epoch, run.batch = epoch + 1, 0
            run.save()
            log(_("epoch {epoch}/{epochs}  iter {iteration}  lr {lr:.4g}  train loss {train_loss:.4f} err "
                  "{train_error:.2f}%  test loss {test_loss:.4f} err {test_error:.2f}%  ({seconds:.0f}s)",
                  epoch=epoch + 1, epochs=epochs, iteration=run.iteration, lr=row["lr"],
                  train_loss=row["train_loss"], train_error=100 * row["train_error"], test_loss=row["test_loss"],
                  test_error=100 * row["test_error"], seconds=row["seconds"]))
            if run.iteration >= total_iterations:
                break
    except _Stop:      # mid-epoch: the running sums go into the checkpoint, so the metrics rows stay whole
        run.save()
        log("\n" + _("interrupted after iteration {iteration}: saved {path}; continue with: {command}",
                     iteration=run.iteration, path=ckpt_path, command=resume_command(cfg.out)))
        stopped = "interrupted"
    except KeyboardInterrupt:
        log("\n" + _("aborted. {last_good}; continue from it with: {command}", last_good=run._last_good(),
                     command=resume_command(cfg.out)))
        raise
    except NonFiniteLossError as exc:
        if lead:
            _write_metrics(cfg.out, run.rows, cfg, final={"stopped": str(exc)})
        log(str(exc.message))
        raise
    finally:
        stop.restore()
    result = _result(run, stopped)
    if stopped == "finished" and lead:
        _write_metrics(cfg.out, run.rows, cfg, final={"test_error": result.test_error, "test_loss": result.test_loss,
                                                      "iterations": run.iteration,
                                                      "seconds": round(result.seconds, 1)})
    return result


def _silent(*args, **kwargs):
    pass


def _build_data_in_turn(cfg, comm):
    """build_data; with --download, rank 0 downloads first and the others then read its copy."""
    if comm is None or comm.size == 1 or not cfg.download:
        return build_data(cfg)
    if comm.rank == 0:
        built = build_data(cfg)
        comm.barrier(watched=False)       # a download takes as long as it takes
        return built
    comm.barrier(watched=False)
    return build_data(cfg)


def _check_shards(cfg, comm, n_train):
    k = comm.size
    if cfg.batch_size % k:
        raise ConfigError("batch_size", f"{cfg.batch_size} does not split evenly over the {k} ranks (each rank takes "
                                        f"batch-size / {k} images); use a multiple of {k}")
    last = n_train % cfg.batch_size
    if 0 < last < k:
        raise ConfigError("batch_size", f"{cfg.batch_size} leaves a last batch of {last} image(s) per epoch, fewer "
                                        f"than the {k} ranks; choose a batch size or --limit-train that leaves none "
                                        f"or at least {k}")


class _GlobalBatch:
    """The loss function of every rank in distributed training. It returns the rank's own
    loss (for backward) and, in ONE small allreduce before backward, adds up over the ranks
    [loss sum, wrong, count, stop requested]. So every rank logs the global batch's loss,
    finds a non-finite loss at the same step (one rank's NaN is every rank's), stops after
    the same step on Ctrl-C, and weighs its gradient by its share of the batch."""

    def __init__(self, comm, loss_fn, optimizer, run):
        self.comm, self.loss_fn, self.optimizer, self.run = comm, loss_fn, optimizer, run
        self.stop_request = None
        self.sums, self.stop = None, False

    def __call__(self, logits, y):
        loss = self.loss_fn(logits, y)
        n = len(y)
        loss_sum, wrong, total, stops = self.comm.sum_floats(
            [loss.item() * n, _wrong(logits, y), n, float(bool(self.stop_request and self.stop_request.requested))])
        self.sums, self.stop = (loss_sum, wrong, total), stops > 0
        self.optimizer.weight = n * self.comm.size / total
        if not math.isfinite(loss_sum):
            raise NonFiniteLossError(f"loss became {loss_sum / total} at step {self.run.iteration + 1}",
                                     step=self.run.iteration, value=loss_sum / total)
        return loss


def _result(run, stopped):
    last = next((r for r in reversed(run.rows) if r["kind"] == "epoch"), {})
    return TrainResult(run.epoch, run.iteration, last.get("test_error"), last.get("test_loss"),
                       last.get("train_error"), run.rows, time.perf_counter() - run.start, run.ckpt_path, stopped,
                       run.model)
