"""Lesson 10 - evidence 5, loss landscape (Li, Xu, Taylor, Studer & Goldstein 2018):
filter-normalised 1-D slices of the training loss around a trained plain-20 and ResNet-20 over
several seeds, and 2-D slices for the first seed.

    python lessons/10_loss_landscape.py      # ~2 minutes on a 2-core CPU (trains both nets, 3 seeds)
"""
# %%

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from tinyres import backend, nn  # noqa: E402
from tinyres.data import DataLoader, digits, paper_transforms  # noqa: E402
from tinyres.i18n import _, fig_text  # noqa: E402
from tinyres.inspect.plots import colour  # noqa: E402
from tinyres.lesson import Lesson, conclude_sharpness, mean_sd  # noqa: E402
from tinyres.train import evaluate  # noqa: E402

L = Lesson(__file__, __doc__, [
    ("loss landscape", "the loss as a function of the weights"),
    ("filter normalisation", "scale each random direction's filter to the norm of the weight's filter"),
    ("1-D / 2-D slice", "loss along theta + a d1 (+ b d2)"),
    ("sharp / flat minimum", "loss rising fast / slowly around the trained weights"),
])
a = L.args
epochs = 1 if a.quick else 5
nets = ("plain8", "resnet8") if a.quick else ("plain20", "resnet20")
n1, n2 = (5, 3) if a.quick else (11, 7)
span = 1.0

train_set = digits("train")
_stats, tf = paper_transforms(train_set.images, 16.0, augment=False)
probe = DataLoader(train_set.subset(128 if a.quick else 720), 360, device=a.device, transform=tf)


def direction(model, rng):
    """A random direction, each conv/linear filter scaled to its weight's filter norm; BN untouched."""
    d = {}
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            w = backend.to_numpy(m.weight.data).astype("float64")
            r = rng.standard_normal(w.shape)
            axes = tuple(range(1, w.ndim))
            r *= np.sqrt((w * w).sum(axis=axes, keepdims=True) / ((r * r).sum(axis=axes, keepdims=True) + 1e-24))
            d[id(m.weight)] = r
    return d


def loss_at(model, theta, dirs, coeffs):
    for p in model.parameters():
        if id(p) in theta:
            moved = theta[id(p)] + sum(c * d.get(id(p), 0.0) for c, d in zip(coeffs, dirs))   # BN: no move
            p.data = backend.from_numpy(moved.astype("float32"), a.device)
    return evaluate(model, probe)[0]


L.say("Li et al. compared ResNet-20/56/110 with the same nets without shortcuts on CIFAR-10. At 20 layers "
      "the landscape without shortcuts still looked nearly convex; it turned chaotic at 56 and 110 layers, while "
      "the residual nets' stayed smooth. This lesson uses {plain} and {resnet} on the digits (deeper nets cost "
      "more than a lesson's minutes), so do not expect the chaos they saw; what follows is what these nets "
      "measure.", plain=nets[0], resnet=nets[1])
landscapes = {}
rise = {name: [] for name in nets}
for seed in L.seeds:
    for name in nets:
        model = L.train_on_digits(name, epochs, seed=seed).model
        theta = {id(p): backend.to_numpy(p.data).astype("float64") for p in model.parameters()}
        rng = np.random.default_rng((seed, 4))
        d1, d2 = direction(model, rng), direction(model, rng)
        alphas = np.linspace(-span, span, n1)
        line = [loss_at(model, theta, [d1], [t]) for t in alphas]
        if seed == L.seeds[0]:
            grid_ab = np.linspace(-span, span, n2)
            grid = np.array([[loss_at(model, theta, [d1, d2], [u, v]) for u in grid_ab] for v in grid_ab])
            landscapes[name] = (alphas, line, grid_ab, grid)
        loss_at(model, theta, [], [])            # put the trained weights back
        centre = line[len(line) // 2]
        rise[name].append((line[0] + line[-1]) / 2 - centre)
        L.result("seed {seed} {name:>8}", _("training loss at the minimum {centre:.4f}, at alpha = -1 and +1 "
                                            "{left:.3f}, {right:.3f}", centre=centre, left=line[0], right=line[-1]),
                 seed=seed, name=name)

# %% Figures
fig, ax = plt.subplots(figsize=(6.5, 4))
for name, (alphas, line, _g, _grid) in landscapes.items():
    ax.plot(alphas, line, "-o", ms=3, color=colour(name, list(landscapes)), label=name)
ax.set_yscale("log")
ax.set_xlabel(fig_text("alpha (filter-normalised random direction)"))
ax.set_ylabel(fig_text("training loss (log)"))
ax.grid(alpha=0.3, which="both")
ax.legend()
ax.set_title(fig_text("1-D loss slice around the trained weights, seed {seed}", seed=L.seeds[0]))
fig.savefig(L.path("loss_1d.png"), dpi=110, bbox_inches="tight")
plt.close(fig)
fig, axes = plt.subplots(1, len(landscapes), figsize=(5.2 * len(landscapes), 4.4))
for ax, (name, (_a, _line, g, grid)) in zip(np.atleast_1d(axes), landscapes.items()):
    levels = np.logspace(np.log10(max(grid.min(), 1e-4)), np.log10(grid.max()), 15)
    cs = ax.contour(g, g, grid, levels=levels, cmap="viridis")
    ax.clabel(cs, fontsize=6, fmt="%.2g")
    ax.plot([0], [0], "r*", ms=10)
    ax.set_title(name)
    ax.set_xlabel("alpha (d1)")
    ax.set_ylabel("beta (d2)")
fig.suptitle(fig_text("2-D loss contours around the trained weights (red star), seed {seed}, 8x8 digits",
                      seed=L.seeds[0]))
fig.savefig(L.path("loss_2d.png"), dpi=110, bbox_inches="tight")
plt.close(fig)
L.result("figures", f"{L.path('loss_1d.png')}, {L.path('loss_2d.png')}")
for name, r in rise.items():
    m, sd = mean_sd(r)
    L.result("{name}: mean loss at |alpha| = 1 minus loss at the minimum",
             _("{m:.3g} ± {sd:.2g} over {n} seed(s)", m=m, sd=sd, n=len(r)), name=name)
L.say("The rise is measured in loss units, as the contour plots show it, not as a ratio: a ratio would divide by "
      "the loss at the minimum, which differs between the two nets and would make the better-trained one look "
      "sharper.")
L.conclude(conclude_sharpness(rise[nets[1]], rise[nets[0]], nets[1], nets[0]))

# %% Your turn
L.your_turn("sgd",
            "The minima above are where SGD with momentum stopped. With your sgd passing, train with "
            "`tinyres train --ops DIR` and compare your run's final loss with the loss at the minimum printed here.")
