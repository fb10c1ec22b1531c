"""Experiments shared by the CLI, the tour and the lessons: gradient flow of several models
during a short training run, and the degradation comparison."""
from __future__ import annotations

import dataclasses
import itertools
import json
import os

from . import backend, nn
from .data import DataLoader, load_dataset, paper_transforms
from .i18n import _, fig_text
from .inspect.gradflow import trace_gradients
from .io import check_output_dir
from .inspect.plots import plot_layer_norms, plot_norm_history, plot_residual_split
from .models import get_model
from .optim import SGD

__all__ = ["gradient_flow", "degradation"]


def gradient_flow(model_names, steps=(0, 100), data="digits", root=None, batch_size=64, lr=0.1,
                  batch_norm=True, device=None, seed=0, out="tinyres-out/gradflow", progress=True, log=print,
                  limit_train=None):
    """Train each model for max(steps) SGD steps, tracing every backward pass, and write
    gradflow.json plus the figures: per-layer norms at each of ``steps``, the residual split
    of each residual model (first and last step), and the first/last conv norm over training.
    Returns {"traces": {name: trace dict}, "figures": [paths], "diverged": {name: step}}."""
    from tqdm.auto import tqdm

    from .train import NonFiniteLossError, run_steps

    check_output_dir(out)
    train_set = load_dataset(data, "train", root=root)
    if limit_train:
        train_set = train_set.subset(limit_train)
    train_tf = paper_transforms(train_set.images, train_set.pixel_max, augment=False)[0]
    device = backend.parse_device(device)
    last = max(steps)
    traces, diverged = {}, {}
    for name in model_names:
        backend.manual_seed(seed)
        model = get_model(name, in_channels=train_set.shape[0], num_classes=len(train_set.classes),
                          norm_layer=None if batch_norm else nn.Identity).to(device)
        optimizer = SGD(model.parameters(), lr=lr, momentum=0.9)
        loader = DataLoader(train_set, batch_size, shuffle=True, drop_last=True, seed=seed, device=device,
                            transform=train_tf)
        bar = tqdm(total=last + 1, desc=_("gradient flow {name}", name=name), disable=not progress, leave=False)

        def advance(step, bar=bar):
            bar.update(1)     # returns whether it redrew, which must not end the loop
        with trace_gradients(model, name, outputs=False) as trace:
            # the last step is traced but not taken: its gradients are the ones plotted at step `last`
            try:
                run_steps(model, optimizer, itertools.islice(_forever(loader), last + 1),
                          callbacks=[advance], update=lambda i: i < last)
            except NonFiniteLossError as exc:
                diverged[name] = exc.step
                log(_("{name}: loss is {value} at step {step}; stopped tracing it there", name=name, value=exc.value,
                      step=exc.step))
        bar.close()
        traces[name] = trace.to_dict()
    with open(os.path.join(out, "gradflow.json"), "w") as f:
        json.dump({"steps": list(steps), "batch_norm": batch_norm, "data": data, "traces": traces}, f)
    suffix = "" if batch_norm else "_nobn"
    figures = [plot_layer_norms(traces, os.path.join(out, f"layer_norms{suffix}.png"), list(steps),
                                title=None if batch_norm else fig_text("Gradient norm per layer, no batch norm")).path]
    for name, t in traces.items():
        if t["residual"]:
            for s in sorted({min(steps), last}):
                figures.append(plot_residual_split(t, os.path.join(out, f"residual_split_{name}_step{s}{suffix}.png"),
                                                   s).path)
    figures.append(plot_norm_history(traces, os.path.join(out, f"norm_history{suffix}.png")).path)
    return {"traces": traces, "figures": figures, "diverged": diverged}


def _train_for_numbers(cfg):
    """One run of the degradation comparison: its numbers, not its model (a worker process sends
    back only these)."""
    from .train import train

    result = train(cfg, log=lambda *a: None)
    return {"rows": result.rows, "train_error": result.train_error, "test_error": result.test_error,
            "seconds": result.seconds, "iterations": result.iteration}


def _log_final(log, name, r):
    log("  " + _("{name}: train error {train:.2f}%, test error {test:.2f}% ({seconds:.0f}s)", name=name,
                 train=100 * r["train_error"], test=100 * r["test_error"], seconds=r["seconds"]))


_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def _in_processes(configs, workers, threads, log, progress):
    """Run ``configs`` in at most ``workers`` child Pythons of ``threads`` BLAS threads each; results
    in the order of ``configs``, each run's line logged as soon as it and those before it are done.

    Plain subprocesses, not multiprocessing: a spawned multiprocessing worker re-imports the
    caller's main script, which breaks any script without an ``if __name__ == "__main__"`` guard
    (every lesson is such a script)."""
    import pickle
    import subprocess
    import sys
    from concurrent.futures import ThreadPoolExecutor

    from tqdm.auto import tqdm

    # a child reads its BLAS thread count from the environment when it imports NumPy
    env = {**os.environ, **{k: str(threads) for k in _THREAD_VARS}}
    code = "import sys, pickle; from tinyres.experiments import _train_for_numbers as f; " \
           "sys.stdout.buffer.write(pickle.dumps(f(pickle.load(sys.stdin.buffer))))"

    def one(cfg):
        run = subprocess.run([sys.executable, "-c", code], input=pickle.dumps(dataclasses.replace(cfg, progress=False)),
                             stdout=subprocess.PIPE, env=env)
        if run.returncode != 0:
            raise RuntimeError(f"degradation: the run of {cfg.model} failed (its error is above)")
        return pickle.loads(run.stdout)

    bar = tqdm(total=len(configs), desc=_("runs finished"), disable=not progress, leave=False)
    results = []
    # threads only wait on the children; each child is a whole Python with its own cores
    with ThreadPoolExecutor(workers) as pool:
        for cfg, result in zip(configs, pool.map(one, configs)):     # in order: a line as soon as it is due
            results.append(result)
            bar.update(1)
            _log_final(log, cfg.model, result)
    bar.close()
    return results


def _forever(loader):
    epoch = 0
    while True:
        loader.set_epoch(epoch)
        yield from loader
        epoch += 1


def degradation(model_names, epochs=10, data="digits", root=None, device=None, seed=0,
                out="tinyres-out/degradation", progress=True, log=print, limit_train=None, limit_test=None,
                log_every=5, lr=None, workers=None):
    """Train each model with the same recipe (the digits defaults, milestones scaled to
    ``epochs``) and plot training/test error curves in the style of the paper's Figure 6.

    On digits the learning rate defaults to 0.02: at 0.1 (fine for 20 layers) the 56-layer
    nets blow up in their first epochs on this small set, in PyTorch just the same (checked
    with identical weights and batches), and a few epochs cannot recover from that.

    ``workers``: on the CPU the runs are independent, so they go to that many processes, the
    cores shared out between them (default: one per model, at most one per core). tinyres runs
    most of its ops on one core and only its matrix products on all of them, so two one-core
    runs side by side finish sooner than the same two one after the other on two cores.
    Returns {"runs": {name: metrics rows}, "final": {name: {...}}, "figure": path}."""
    from .inspect.plots import plot_training_curves
    from .train import RECIPES, TrainConfig

    recipe = dict(RECIPES["digits"]) if data == "digits" else {k: v for k, v in RECIPES["cifar10-paper"].items()
                                                                  if k not in ("iterations", "milestones")}
    recipe.update(epochs=epochs, milestones=(max(1, epochs // 2), max(2, (3 * epochs) // 4)), log_every=log_every,
                  eval_every=None)
    recipe["lr"] = lr if lr is not None else (0.02 if data == "digits" else recipe["lr"])
    device = backend.parse_device(device)
    configs = [TrainConfig(**{**recipe, "model": name, "data": data, "root": root, "device": device, "seed": seed,
                              "out": os.path.join(out, name), "progress": progress, "limit_train": limit_train,
                              "limit_test": limit_test}) for name in model_names]
    cores = os.cpu_count() or 1
    if workers is None:
        workers = min(len(configs), cores) if device == "cpu" else 1
    if workers > 1 and device != "cpu":
        raise ValueError(f"degradation: workers={workers} runs on the CPU only (device {device})")
    final = {}
    if workers <= 1:
        results = []
        for cfg in configs:
            log(_("training {name} for {epochs} epochs on {data} ...", name=cfg.model, epochs=epochs, data=data))
            results.append(_train_for_numbers(cfg))
            _log_final(log, cfg.model, results[-1])
    else:
        log(_("training {names} for {epochs} epochs on {data}, {workers} at a time ...", names=", ".join(model_names),
              epochs=epochs, data=data, workers=workers))
        results = _in_processes(configs, workers, max(1, cores // workers), log, progress)
    runs = {cfg.model: r["rows"] for cfg, r in zip(configs, results)}
    for cfg, r in zip(configs, results):
        final[cfg.model] = {"train_error": r["train_error"], "test_error": r["test_error"],
                            "seconds": round(r["seconds"], 1), "iterations": r["iterations"]}
    figure = plot_training_curves(runs, os.path.join(out, "training_curves.png"),
                                  title=fig_text("Degradation on {data}: thin = training error, bold = test error",
                                                 data=data)).path
    with open(os.path.join(out, "degradation.json"), "w") as f:
        json.dump({"runs": runs, "final": final}, f, indent=1)
    return {"runs": runs, "final": final, "figure": figure}
