"""Learning-rate schedules. Call ``step()`` once per epoch or once per iteration: the
milestones count whatever you step (the paper's CIFAR recipe steps per iteration and
divides by 10 at 32k and 48k)."""
from __future__ import annotations

import math

__all__ = ["LRScheduler", "MultiStepLR", "CosineAnnealingLR", "ReduceLROnPlateau", "WarmupLR"]


def _check_state(owner, state, expected):
    """A saved state from another schedule (or a damaged one) would silently set the wrong
    rates; its keys must be exactly this schedule's."""
    if not isinstance(state, dict):
        raise ValueError(f"{type(owner).__name__}.load_state_dict: expected a dict, got {type(state).__name__}")
    missing, unexpected = sorted(set(expected) - set(state)), sorted(set(state) - set(expected))
    if missing or unexpected:
        raise ValueError(f"{type(owner).__name__}.load_state_dict: the saved state does not belong to this "
                         f"schedule (missing {missing}, unexpected {unexpected})")


class LRScheduler:
    def __init__(self, optimizer):
        self.optimizer = optimizer
        self.base_lrs = [g["initial_lr"] for g in optimizer.param_groups]
        self.last_epoch = 0
        self._apply()

    def get_lr(self):
        raise NotImplementedError

    def _apply(self):
        for group, lr in zip(self.optimizer.param_groups, self.get_lr()):
            group["lr"] = lr

    def step(self):
        self.last_epoch += 1
        self._apply()

    def get_last_lr(self):
        return [g["lr"] for g in self.optimizer.param_groups]

    def state_dict(self):
        return {k: v for k, v in self.__dict__.items() if k != "optimizer"}

    def load_state_dict(self, state):
        _check_state(self, state, self.state_dict())
        self.__dict__.update(state)
        self._apply()


class MultiStepLR(LRScheduler):
    """lr = base_lr * gamma ** (number of milestones passed)."""

    def __init__(self, optimizer, milestones, gamma=0.1):
        self.milestones, self.gamma = sorted(int(m) for m in milestones), gamma
        super().__init__(optimizer)

    def get_lr(self):
        passed = sum(1 for m in self.milestones if self.last_epoch >= m)
        return [base * self.gamma ** passed for base in self.base_lrs]


class CosineAnnealingLR(LRScheduler):
    """lr = eta_min + (base_lr - eta_min) * (1 + cos(pi * t / T_max)) / 2."""

    def __init__(self, optimizer, T_max, eta_min=0.0):
        self.T_max, self.eta_min = T_max, eta_min
        super().__init__(optimizer)

    def get_lr(self):
        t = min(self.last_epoch, self.T_max)
        return [self.eta_min + (b - self.eta_min) * (1 + math.cos(math.pi * t / self.T_max)) / 2 for b in self.base_lrs]


class WarmupLR(LRScheduler):
    """Wraps another schedule: a constant ``warmup_lr`` until ``until`` steps have passed or
    ``finish()`` is called, then the wrapped schedule. He et al. train ResNet-110 at 0.01
    "until the training error is below 80% (about 400 iterations)", then go back to 0.1."""

    def __init__(self, scheduler, warmup_lr, until=400):
        self.inner, self.warmup_lr, self.until, self.done = scheduler, warmup_lr, until, False
        super().__init__(scheduler.optimizer)

    def finish(self):
        """End the warm-up now (e.g. when the training error drops below 80%)."""
        if not self.done:
            self.done = True
            self._apply()

    def get_lr(self):
        if not self.done and self.last_epoch >= self.until:
            self.done = True
        return [self.warmup_lr] * len(self.base_lrs) if not self.done else self.inner.get_lr()

    def step(self):
        self.inner.last_epoch += 1
        super().step()

    def state_dict(self):
        return {"last_epoch": self.last_epoch, "done": self.done, "inner": self.inner.state_dict(),
                "warmup_lr": self.warmup_lr, "until": self.until}

    def load_state_dict(self, state):
        _check_state(self, state, self.state_dict())
        self.inner.load_state_dict(state["inner"])
        self.last_epoch, self.done = state["last_epoch"], state["done"]
        self.warmup_lr, self.until = state["warmup_lr"], state["until"]
        self._apply()


class ReduceLROnPlateau:
    """Divide the lr by 1/factor when a metric has not improved for ``patience`` steps
    (the paper's ImageNet recipe: /10 when the error plateaus). ``step(metric)``."""

    def __init__(self, optimizer, mode="min", factor=0.1, patience=10, threshold=1e-4, min_lr=0.0, cooldown=0):
        if mode not in ("min", "max"):
            raise ValueError(f"mode must be 'min' or 'max', got {mode!r}")
        self.optimizer, self.mode, self.factor, self.patience = optimizer, mode, factor, patience
        self.threshold, self.min_lr, self.cooldown = threshold, min_lr, cooldown
        self.best, self.bad_steps, self.cooldown_left, self.last_epoch = None, 0, 0, 0

    def _better(self, value):
        if self.best is None:
            return True
        if self.mode == "min":
            return value < self.best * (1 - self.threshold)
        return value > self.best * (1 + self.threshold)

    def step(self, metric):
        metric = float(metric)
        self.last_epoch += 1
        if self._better(metric):
            self.best, self.bad_steps = metric, 0
        else:
            self.bad_steps += 1
        if self.cooldown_left > 0:
            self.cooldown_left -= 1
            self.bad_steps = 0
        if self.bad_steps > self.patience:
            for g in self.optimizer.param_groups:
                g["lr"] = max(g["lr"] * self.factor, self.min_lr)
            self.cooldown_left, self.bad_steps = self.cooldown, 0

    def get_last_lr(self):
        return [g["lr"] for g in self.optimizer.param_groups]

    def state_dict(self):
        return {k: v for k, v in self.__dict__.items() if k != "optimizer"} | {"lrs": self.get_last_lr()}

    def load_state_dict(self, state):
        _check_state(self, state, self.state_dict())
        state = dict(state)
        for g, lr in zip(self.optimizer.param_groups, state.pop("lrs")):
            g["lr"] = lr
        self.__dict__.update(state)
