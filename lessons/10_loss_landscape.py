"""Lesson 10 - loss landscape (Li, Xu, Taylor, Studer & Goldstein 2018): filter-normalised 1-D
and 2-D slices of the training loss around a trained plain net and a trained ResNet.

    python lessons/10_loss_landscape.py      # ~3 minutes on a 2-core CPU (trains both nets first)
"""
# %%

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from tinyres import backend, nn  # noqa: E402
from tinyres.data import DataLoader, digits, paper_transforms  # noqa: E402
from tinyres.inspect.plots import colour  # noqa: E402
from tinyres.lesson import Lesson  # noqa: E402
from tinyres.train import evaluate  # noqa: E402

L = Lesson(__file__, __doc__, [
    ("loss landscape", "손실 지형", "the loss as a function of the weights"),
    ("filter normalisation", "필터 정규화", "scale each random direction's filter to the norm of the weight's filter"),
    ("1-D / 2-D slice", "1차원 / 2차원 단면", "loss along theta + a d1 (+ b d2)"),
    ("sharp / flat minimum", "뾰족한 / 평평한 최솟값", "loss rising fast / slowly around the trained weights"),
])
a = L.args
epochs = 1 if a.quick else 10
nets = ("plain8", "resnet8") if a.quick else ("plain20", "resnet20")
n1, n2 = (5, 3) if a.quick else (25, 13)
span = 1.0

train_set = digits("train")
_, tf = paper_transforms(train_set.images, 16.0, augment=False)
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


landscapes = {}
for name in nets:
    L.title(f"Training {name}", f"{name} 학습")
    model = L.train_on_digits(name, epochs)
    theta = {id(p): backend.to_numpy(p.data).astype("float64") for p in model.parameters()}
    rng = np.random.default_rng(a.seed)
    d1, d2 = direction(model, rng), direction(model, rng)
    alphas = np.linspace(-span, span, n1)
    line = [loss_at(model, theta, [d1], [t]) for t in alphas]
    grid_ab = np.linspace(-span, span, n2)
    grid = np.array([[loss_at(model, theta, [d1, d2], [u, v]) for u in grid_ab] for v in grid_ab])
    loss_at(model, theta, [], [])            # put the trained weights back
    landscapes[name] = (alphas, line, grid_ab, grid)
    centre = line[len(line) // 2]
    L.result(f"{name} training loss at the minimum", f"{centre:.4f}")
    L.result(f"{name} loss at alpha = -1 and +1 along d1", f"{line[0]:.3f}, {line[-1]:.3f}")

# %% Figures
fig, ax = plt.subplots(figsize=(6.5, 4))
for name, (alphas, line, _, _) in landscapes.items():
    ax.plot(alphas, line, "-o", ms=3, color=colour(name, list(landscapes)), label=name)
ax.set_yscale("log")
ax.set_xlabel("alpha (filter-normalised random direction)")
ax.set_ylabel("training loss (log)")
ax.grid(alpha=0.3, which="both")
ax.legend()
ax.set_title("1-D loss slice around the trained weights")
fig.savefig(L.path("loss_1d.png"), dpi=110, bbox_inches="tight")
plt.close(fig)
fig, axes = plt.subplots(1, len(landscapes), figsize=(5.2 * len(landscapes), 4.4))
for ax, (name, (_, _, g, grid)) in zip(np.atleast_1d(axes), landscapes.items()):
    levels = np.logspace(np.log10(max(grid.min(), 1e-4)), np.log10(grid.max()), 15)
    cs = ax.contour(g, g, grid, levels=levels, cmap="viridis")
    ax.clabel(cs, fontsize=6, fmt="%.2g")
    ax.plot([0], [0], "r*", ms=10)
    ax.set_title(name)
    ax.set_xlabel("alpha (d1)")
    ax.set_ylabel("beta (d2)")
fig.suptitle("2-D loss contours around the trained weights (red star)")
fig.savefig(L.path("loss_2d.png"), dpi=110, bbox_inches="tight")
plt.close(fig)
L.result("figures", f"{L.path('loss_1d.png')}, {L.path('loss_2d.png')}")
rise = {name: (v[1][0] + v[1][-1]) / 2 / max(v[1][len(v[1]) // 2], 1e-12) for name, v in landscapes.items()}
for name, r in rise.items():
    L.result(f"{name}: mean loss at |alpha| = 1 / loss at the minimum", f"{r:.3g}x")
L.say("Li et al. found that skip connections keep the landscape of deep networks smooth and convex-looking, "
      "while deep plain networks become chaotic. The ratios above say how fast the loss rises around each "
      "trained minimum in this run; the contour plots show the shape.",
      "Li 등은 지름길 연결이 깊은 신경망의 손실 지형을 매끄럽고 볼록해 보이게 유지하는 반면, 깊은 평범한 신경망의 "
      "지형은 혼란스러워진다는 것을 발견했습니다. 위의 비율은 이번 실행에서 학습된 최솟값 주변에서 손실이 얼마나 "
      "빨리 커지는지 보여 주고, 등고선 그림은 그 모양을 보여 줍니다.")
