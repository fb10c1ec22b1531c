"""Figures for gradient flow and training, written as PNG files (matplotlib, Agg backend).

Colours are fixed across every figure: plain networks red, residual networks blue
(darker for deeper). Every function returns a PlotResult(path, series), ``series``
being the number of lines/bar groups drawn (the tests check it).
"""
from __future__ import annotations

import math
import os
import re
from collections import defaultdict
from typing import NamedTuple

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from ..i18n import fig_text  # noqa: E402

__all__ = ["PlotResult", "colour", "plot_layer_norms", "plot_residual_split", "plot_norm_history",
           "plot_training_curves", "conv_weight_norms", "PLAIN", "RESIDUAL"]

PLAIN = ("#fcae91", "#fb6a4a", "#de2d26", "#a50f15")       # light -> dark reds
RESIDUAL = ("#9ecae1", "#4292c6", "#2171b5", "#08306b")     # light -> dark blues


class PlotResult(NamedTuple):
    path: str
    series: int


def _depth(label):
    m = re.search(r"(\d+)", label)
    return int(m.group(1)) if m else 0


def colour(label, labels):
    """Fixed family colour (plain: red, residual: blue), darker for the deeper of a family."""
    plain = label.startswith("plain")
    family = sorted({lb for lb in labels if lb.startswith("plain") == plain}, key=_depth)
    shades = PLAIN if plain else RESIDUAL
    i = family.index(label) if label in family else 0
    k = len(shades) - len(family) + i if len(family) <= len(shades) else i % len(shades)
    return shades[max(0, min(k, len(shades) - 1))]


def _save(fig, path):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)
    return path


def _integer_ticks(ax):
    """Layers, blocks, steps and iterations are counted: no 2.5th block on the axis (call after plotting)."""
    lo, hi = ax.get_xlim()
    if hi - lo < 2:        # a single point: matplotlib would pad it to a fractional range
        centre = round((lo + hi) / 2)
        ax.set_xlim(centre - 1, centre + 1)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def _style(n_points, line):
    """A line style with markers when a series has so few points that a bare line would not show."""
    return line + "o" if n_points <= 3 else line


def conv_weight_norms(params, step):
    """[(layer index, name, norm)] of convolution weights at one step, in network order."""
    rows = [r for r in params if r["step"] == step and r["name"].endswith("weight")
            and ("conv" in r["name"] or "downsample.0" in r["name"])]
    rows.sort(key=lambda r: r["depth"])
    return [(i, r["name"], r["norm"]) for i, r in enumerate(rows)]


def plot_layer_norms(traces, path, steps, title=None):
    """Gradient norm of every conv weight versus its depth, one panel per step, plain vs
    residual in their fixed colours. ``traces``: {label: trace dict (GradientTrace.to_dict())}."""
    labels = list(traces)
    fig, axes = plt.subplots(1, len(steps), figsize=(5.5 * len(steps), 4), squeeze=False, sharey=True)
    series = 0
    for ax, step in zip(axes[0], steps):
        for label in labels:
            rows = conv_weight_norms(traces[label]["params"], step)
            if not rows:
                continue
            ax.plot([r[0] + 1 for r in rows], [r[2] for r in rows], "-o", ms=2.5, lw=1.4,
                    color=colour(label, labels), label=label)
            series += 1
        ax.set_yscale("log")
        _integer_ticks(ax)
        ax.set_xlabel(fig_text("conv layer (input side = 1)"))
        ax.set_title(fig_text("at initialisation") if step == 0 else fig_text("after {step} steps", step=step))
        ax.grid(alpha=0.3, which="both")
    axes[0][0].set_ylabel(fig_text("|dL/dW| of the layer (log)"))
    axes[0][0].legend(fontsize=8)      # the first panel has every model (a diverged one stops early)
    fig.suptitle(title or fig_text("Gradient norm per layer: plain vs residual"))
    return PlotResult(_save(fig, path), series)


def plot_residual_split(trace, path, step, title=None):
    """Per residual block: the gradient norm that reaches its input through the shortcut
    (identity / option A / projection) and through the branch, and the cosine between them."""
    rows = sorted((r for r in trace["residual"] if r["step"] == step), key=lambda r: r["depth"])
    fig, (ax, ax2) = plt.subplots(2, 1, figsize=(max(6, 0.28 * len(rows) + 3), 5.5), sharex=True,
                                  gridspec_kw={"height_ratios": [3, 1.3]})
    x = list(range(1, len(rows) + 1))
    w = 0.4
    ax.bar([i - w / 2 for i in x], [r["identity_norm"] for r in rows], w, color=RESIDUAL[2],
           label=fig_text("through the shortcut (identity path: dL/dz at the add, itself)"))
    ax.bar([i + w / 2 for i in x], [r["branch_norm"] for r in rows], w, color="#fdae6b",
           label=fig_text("through the residual branch F (dL/dz dF/dx)"))
    ax.plot(x, [r["total_norm"] for r in rows], "k.-", lw=1, ms=4, label=fig_text("total at the block input"))
    top = max([r["total_norm"] for r in rows] + [r["identity_norm"] for r in rows] + [r["branch_norm"] for r in rows]
              + [1e-30])
    kinds = {"option A": fig_text("option A"), "projection": fig_text("projection")}
    for i, r in zip(x, rows):
        if r["shortcut"] != "identity":
            ax.annotate(kinds.get(r["shortcut"], r["shortcut"]), (i - w / 2, r["identity_norm"]), xytext=(0, 3),
                        textcoords="offset points", fontsize=6, ha="center", va="bottom", rotation=90,
                        annotation_clip=False)
    ax.set_ylim(0, 1.45 * top)           # head-room so the rotated shortcut labels stay inside the axes
    ax.set_ylabel(fig_text("gradient norm"))
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3, axis="y")
    ax2.plot(x, [r.get("cosine", math.nan) for r in rows], "o-", color="#636363", ms=3)
    ax2.axhline(0, color="k", lw=0.6)
    ax2.set_ylabel(fig_text("cosine"))
    ax2.set_xlabel(fig_text("residual block (input side = 1)"))
    _integer_ticks(ax2)
    ax2.grid(alpha=0.3)
    fig.suptitle(title or fig_text("{model}: where the gradient at each block input comes from (step {step})",
                                   model=trace["model"], step=step))
    return PlotResult(_save(fig, path), 3)


def plot_norm_history(traces, path, title=None):
    """Gradient norm at the first and the last conv layer over training, plain vs residual."""
    labels = list(traces)
    fig, ax = plt.subplots(figsize=(7, 4.2))
    series = 0
    for label in labels:
        by_step = defaultdict(list)
        for r in traces[label]["params"]:
            by_step[r["step"]].append(r)
        steps = sorted(by_step)
        first, last = [], []
        for s in steps:
            rows = conv_weight_norms(by_step[s], s)
            first.append(rows[0][2])
            last.append(rows[-1][2])
        c = colour(label, labels)
        ax.plot(steps, first, _style(len(steps), "-"), color=c, lw=1.6, label=fig_text("{label}: first conv", label=label))
        ax.plot(steps, last, _style(len(steps), "--"), color=c, lw=1.0, label=fig_text("{label}: last conv", label=label))
        series += 2
    ax.set_yscale("log")
    _integer_ticks(ax)
    ax.set_xlabel(fig_text("training step"))
    ax.set_ylabel(fig_text("|dL/dW| (log)"))
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=7)
    ax.set_title(title or fig_text("Gradient norm at the first and last conv layer during training"))
    return PlotResult(_save(fig, path), series)


def plot_training_curves(runs, path, title=None):
    """The paper's Figure 6 style: error vs iteration, thin = training, bold = test.
    ``runs``: {label: metrics rows as written by tinyres.train}."""
    labels = list(runs)
    fig, ax = plt.subplots(figsize=(7, 4.5))
    series = 0
    for label in labels:
        rows = runs[label]
        c = colour(label, labels)
        train = [(r["iteration"], 100 * r["train_error"]) for r in rows if r.get("train_error") not in (None, "")]
        test = [(r["iteration"], 100 * r["test_error"]) for r in rows if r.get("test_error") not in (None, "")]
        if train:
            ax.plot(*zip(*train), _style(len(train), "-"), color=c, lw=0.8, alpha=0.8, ms=4)
            series += 1
        if test:
            ax.plot(*zip(*test), _style(len(test), "-"), color=c, lw=2.4, label=label, ms=7)
            series += 1
    _integer_ticks(ax)
    ax.set_xlabel(fig_text("iteration"))
    ax.set_ylabel(fig_text("error (%)"))
    ax.grid(alpha=0.3)
    ax.legend(title=fig_text("thin: training, bold: test"), fontsize=8, title_fontsize=8)
    ax.set_title(title or fig_text("Training and test error: plain vs residual"))
    return PlotResult(_save(fig, path), series)
