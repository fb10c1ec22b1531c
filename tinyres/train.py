"""Training: the paper's recipe, a progress bar, metrics, checkpoints, resume.

    from tinyres.train import TrainConfig, train
    result = train(TrainConfig(model="resnet20", data="digits", epochs=30, out="runs/r20"))

Every epoch the model is evaluated, ``metrics.csv``/``metrics.json`` are rewritten and
``checkpoint.npz`` (model, optimizer, scheduler, RNG, position) is written atomically.
``resume=True`` continues from it: on NumPy the weights are bitwise the same as a run
that was never interrupted. A non-finite loss stops the run with a message naming the
step and leaves the last good checkpoint alone; Ctrl-C saves a checkpoint and exits.
"""
from __future__ import annotations

import csv
import dataclasses
import io
import json
import math
import os
import signal
import threading
import time
from dataclasses import dataclass, field

from . import backend, nn
from . import functional as F
from .data import DataLoader, load_dataset, paper_transforms
from .io import CheckpointError, load, save
from .models import get_model, model_info
from .optim import SGD, lr_scheduler
from .tensor import no_grad

__all__ = ["TrainConfig", "train", "evaluate", "RECIPES", "NonFiniteLossError", "TrainResult"]


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
    pass


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
    stopped: str = "finished"
    model: object = None                 # the trained model (in train mode)


def _build(cfg: TrainConfig):
    train_set = load_dataset(cfg.data, "train", root=cfg.root, download=cfg.download)
    test_set = load_dataset(cfg.data, "test", root=cfg.root, download=cfg.download)
    if cfg.limit_train:
        train_set = train_set.subset(cfg.limit_train)
    if cfg.limit_test:
        test_set = test_set.subset(cfg.limit_test)
    scale = 16.0 if cfg.data == "digits" else 255.0
    side = train_set.shape[-1]
    pad = cfg.crop_padding if cfg.crop_padding is not None else (1 if side <= 8 else 4)
    flip = cfg.flip if cfg.flip is not None else cfg.data != "digits"
    train_tf, test_tf = paper_transforms(train_set.images, scale, cfg.augment, pad, flip, cfg.per_channel)
    device = backend.parse_device(cfg.device)
    train_loader = DataLoader(train_set, cfg.batch_size, shuffle=True, drop_last=False, seed=cfg.seed,
                              device=device, transform=train_tf)
    test_loader = DataLoader(test_set, 500, device=device, transform=test_tf)
    backend.manual_seed(cfg.seed)
    kw = dict(num_classes=len(train_set.classes), in_channels=train_set.shape[0])
    info = model_info(cfg.model)
    if info.family in ("cifar-resnet", "cifar-preact"):     # cfg.shortcut is the CIFAR option (A by default)
        kw.update(shortcut=cfg.shortcut)
    if "norm_layer" in info.options:
        kw.update(norm_layer=None if cfg.batch_norm else nn.Identity, zero_init_residual=cfg.zero_init_residual)
    model = get_model(cfg.model, **kw).to(device)
    optimizer = SGD(model.parameters(), lr=cfg.lr, momentum=cfg.momentum, weight_decay=cfg.weight_decay,
                    nesterov=cfg.nesterov)
    total_steps = cfg.iterations or cfg.epochs
    if cfg.schedule == "multistep":
        scheduler = lr_scheduler.MultiStepLR(optimizer, cfg.milestones, cfg.gamma)
    elif cfg.schedule == "cosine":
        scheduler = lr_scheduler.CosineAnnealingLR(optimizer, total_steps)
    elif cfg.schedule == "constant":
        scheduler = lr_scheduler.MultiStepLR(optimizer, [], 1.0)
    else:
        raise ValueError(f"schedule must be multistep, cosine or constant, got {cfg.schedule!r}")
    if cfg.warmup_lr is not None:
        scheduler = lr_scheduler.WarmupLR(scheduler, cfg.warmup_lr, cfg.warmup_iterations if cfg.iterations
                                          else max(1, math.ceil(cfg.warmup_iterations / len(train_loader))))
    return model, optimizer, scheduler, train_loader, test_loader


def evaluate(model, loader):
    """(mean loss, error rate) of ``model`` on ``loader``, in eval mode, without a graph."""
    was_training = model.training
    model.eval()
    total_loss, wrong, n = 0.0, 0, 0
    with no_grad():
        for x, y in loader:
            logits = model(x)
            total_loss += F.cross_entropy(logits, y, reduction="sum").item()
            wrong += _wrong(logits, y)
            n += len(y)
    model.train(was_training)
    return total_loss / n, wrong / n


def _wrong(logits, y):
    xp = logits.xp
    return int(xp.sum(xp.astype(xp.argmax(logits.data, axis=1) != y.data, xp.int64)))


# ---------------------------------------------------------------- checkpoints

def _save_checkpoint(path, model, optimizer, scheduler, position, rows, cfg):
    arrays = {f"model.{k}": v for k, v in model.state_dict().items()}
    osd = optimizer.state_dict()
    for i, s in osd["state"].items():
        for name, value in s.items():
            arrays[f"optim.{i}.{name}"] = value
    meta = dict(position=position, optimizer_groups=osd["param_groups"], scheduler=scheduler.state_dict(),
                rng=backend.rng().bit_generator.state, rows=rows, config=dataclasses.asdict(cfg))
    arrays["meta"] = json.dumps(meta)
    return save(arrays, path)


def _load_checkpoint(path, model, optimizer, scheduler):
    data = load(path)
    if "meta" not in data:
        raise CheckpointError(f"{path}: not a tinyres training checkpoint (no 'meta' entry)")
    meta = json.loads(str(data["meta"]))
    model.load_state_dict({k[6:]: v for k, v in data.items() if k.startswith("model.")})
    state = {}
    for k, v in data.items():
        if k.startswith("optim."):
            _, i, name = k.split(".", 2)
            state.setdefault(int(i), {})[name] = v
    optimizer.load_state_dict({"param_groups": meta["optimizer_groups"], "state": state})
    scheduler.load_state_dict(meta["scheduler"])
    backend.rng().bit_generator.state = meta["rng"]
    return meta


# ---------------------------------------------------------------- metrics

FIELDS = ["kind", "epoch", "iteration", "lr", "train_loss", "train_error", "test_loss", "test_error", "seconds"]


def _write_metrics(out, rows, cfg, final=None):
    buf = io.StringIO()
    writer = csv.DictWriter(buf, FIELDS)
    writer.writeheader()
    for r in rows:
        writer.writerow({k: r.get(k, "") for k in FIELDS})
    _atomic_text(os.path.join(out, "metrics.csv"), buf.getvalue())
    doc = {"config": dataclasses.asdict(cfg), "rows": rows, "final": final}
    _atomic_text(os.path.join(out, "metrics.json"), json.dumps(doc, indent=1))


def _atomic_text(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


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


def train(cfg: TrainConfig, resume: bool = False, loss_fn=None, log=print) -> TrainResult:
    """Train as ``cfg`` says; returns the final metrics. See the module docstring."""
    from tqdm.auto import tqdm

    loss_fn = loss_fn or F.cross_entropy
    os.makedirs(cfg.out, exist_ok=True)
    ckpt_path = os.path.join(cfg.out, "checkpoint.npz")
    model, optimizer, scheduler, train_loader, test_loader = _build(cfg)
    per_iteration = cfg.iterations is not None
    steps_per_epoch = len(train_loader)
    total_iterations = cfg.iterations or cfg.epochs * steps_per_epoch
    epochs = math.ceil(total_iterations / steps_per_epoch)
    position = {"epoch": 0, "batch": 0, "iteration": 0}
    rows = []
    if resume:
        if not os.path.exists(ckpt_path):
            raise CheckpointError(f"--resume: no checkpoint at {ckpt_path}")
        meta = _load_checkpoint(ckpt_path, model, optimizer, scheduler)
        position, rows = meta["position"], meta["rows"]
        log(f"resumed from {ckpt_path} at epoch {position['epoch']}, iteration {position['iteration']}")
    start = time.perf_counter() - (rows[-1]["seconds"] if rows else 0.0)
    iteration = position["iteration"]
    result = TrainResult(position["epoch"], iteration, None, None, None, rows, checkpoint=ckpt_path, model=model)
    model.train()
    # running sums [loss, wrong, n] since the last iteration row, and since the epoch began
    window, epoch_sums = [0.0, 0, 0], list(position.get("epoch_sums", [0.0, 0, 0]))

    def record(kind, epoch):
        sums = epoch_sums if kind == "epoch" else window
        row = {"kind": kind, "epoch": epoch, "iteration": iteration, "lr": optimizer.param_groups[0]["lr"],
               "train_loss": sums[0] / max(sums[2], 1), "train_error": sums[1] / max(sums[2], 1),
               "seconds": round(time.perf_counter() - start, 3)}
        if kind == "epoch" or (cfg.eval_every and iteration % cfg.eval_every == 0):
            row["test_loss"], row["test_error"] = evaluate(model, test_loader)
        rows.append(row)
        sums[:] = [0.0, 0, 0]
        return row

    stop = _StopRequest().install()
    try:
        for epoch in range(position["epoch"], epochs):
            train_loader.set_epoch(epoch)
            first = position["batch"] if epoch == position["epoch"] else 0
            bar = tqdm(total=steps_per_epoch, initial=first, desc=f"epoch {epoch + 1}/{epochs}",
                       disable=not cfg.progress, leave=False, dynamic_ncols=True)
            for b, (x, y) in enumerate(train_loader.iter_from(first), start=first):
                if iteration >= total_iterations:
                    break
                logits = model(x)
                loss = loss_fn(logits, y)
                value = loss.item()
                if not math.isfinite(value):
                    raise NonFiniteLossError(
                        f"loss became {value} at iteration {iteration + 1} (epoch {epoch + 1}, batch {b + 1}); "
                        f"stopped. The last good checkpoint is {ckpt_path if os.path.exists(ckpt_path) else 'none'}; "
                        f"try a lower --lr or a warm-up (--warmup-lr)")
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                iteration += 1
                if per_iteration:
                    scheduler.step()
                wrong = _wrong(logits, y)
                for sums in (window, epoch_sums):
                    sums[0] += value * len(y)
                    sums[1] += wrong
                    sums[2] += len(y)
                position = {"epoch": epoch, "batch": b + 1, "iteration": iteration}
                bar.update(1)
                bar.set_postfix(loss=f"{value:.3f}", lr=f"{optimizer.param_groups[0]['lr']:.3g}")
                if iteration % cfg.log_every == 0 or (cfg.eval_every and iteration % cfg.eval_every == 0):
                    record("iter", epoch + 1)
                if stop.requested:
                    raise _Stop
            bar.close()
            row = record("epoch", epoch + 1)      # lr column: the rate this epoch trained with
            if not per_iteration:
                scheduler.step()
            position = {"epoch": epoch + 1, "batch": 0, "iteration": iteration}
            _save_checkpoint(ckpt_path, model, optimizer, scheduler, position, rows, cfg)
            _write_metrics(cfg.out, rows, cfg)
            log(f"epoch {epoch + 1}/{epochs}  iter {iteration}  lr {row['lr']:.4g}  "
                f"train loss {row['train_loss']:.4f} err {100 * row['train_error']:.2f}%  "
                f"test loss {row['test_loss']:.4f} err {100 * row['test_error']:.2f}%  ({row['seconds']:.0f}s)")
            if iteration >= total_iterations:
                break
    except _Stop:      # mid-epoch: keep the epoch's running sums so its metrics row stays whole
        position["epoch_sums"] = epoch_sums
        _save_checkpoint(ckpt_path, model, optimizer, scheduler, position, rows, cfg)
        _write_metrics(cfg.out, rows, cfg)
        log(f"\ninterrupted after iteration {iteration}: saved {ckpt_path}; continue with --resume")
        result.stopped = "interrupted"
    except KeyboardInterrupt:
        log(f"\naborted; the last checkpoint ({ckpt_path}) is from the end of the last finished epoch")
        raise
    except NonFiniteLossError as exc:
        _write_metrics(cfg.out, rows, cfg, final={"stopped": str(exc)})
        log(str(exc))
        result.stopped = "non-finite loss"
        result.rows = rows
        raise
    finally:
        stop.restore()
    last = next((r for r in reversed(rows) if r["kind"] == "epoch"), None)
    result.epochs_done, result.iteration, result.rows = position["epoch"], iteration, rows
    if last:
        result.test_error, result.test_loss, result.train_error = last["test_error"], last["test_loss"], last["train_error"]
    result.seconds = time.perf_counter() - start
    if result.stopped == "finished":
        _write_metrics(cfg.out, rows, cfg, final={"test_error": result.test_error, "test_loss": result.test_loss,
                                                  "iterations": iteration, "seconds": round(result.seconds, 1)})
    return result
