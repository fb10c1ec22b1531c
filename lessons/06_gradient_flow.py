"""Lesson 06 - evidence 1, gradient flow: per-layer weight-gradient norms at initialisation of
plain and residual nets, with and without batch norm, at the paper's 32x32 input (digits
upsampled) and at the digits' own 8x8, over several seeds; the identity/branch split at every
residual block; and what a few SGD steps do to the plain net's gradient.

    python lessons/06_gradient_flow.py       # ~1.5 minutes on a 2-core CPU
"""
# %%
import numpy as np

import tinyres as tr
import tinyres.functional as F
from tinyres.data import digits
from tinyres.experiments import gradient_flow
from tinyres.i18n import M, fig_text
from tinyres.inspect.gradflow import trace_gradients
from tinyres.inspect.plots import conv_weight_norms, plot_layer_norms, plot_residual_split
from tinyres.lesson import (Lesson, build_model, conclude_after_steps, conclude_first_layer_ratio, conclude_growth,
                            mean_sd)

L = Lesson(__file__, __doc__, [
    ("gradient norm", "the length of dL/dW for one layer"),
    ("vanishing / exploding gradients", "norms shrinking or growing geometrically with depth"),
    ("identity path", "the shortcut: it returns dL/dz itself to the block input"),
    ("branch path", "the residual layers: they return dL/dz dF/dx"),
    ("feature-map size", "height x width of a stage's activations (32, 16, 8 for CIFAR)"),
])
q = L.args.quick
shallow, deep = ("8", "14") if q else ("20", "56")
batch = 8 if q else 16
train = digits("train")
mean = (train.images / 16.0).mean(axis=0)


def batch_at(size, seed):
    """A batch of real digits, mean-subtracted, nearest-upsampled from 8x8 to size x size."""
    idx = np.random.default_rng((seed, 3)).choice(len(train), batch, replace=False)
    x = train.images[idx] / 16.0 - mean
    k = size // 8
    return tr.tensor(np.repeat(np.repeat(x, k, axis=2), k, axis=3).astype("float32"), device=L.args.device), \
        tr.tensor(train.labels[idx], device=L.args.device)


def measure(name, batch_norm, size, seed):
    """First and last conv weight-gradient norms at initialisation, and the identity share."""
    tr.manual_seed(seed)
    model = build_model(name, batch_norm=batch_norm, in_channels=1, num_classes=10).to(L.args.device)
    x, y = batch_at(size, seed)
    with trace_gradients(model, name, outputs=False) as trace:
        F.cross_entropy(model(x), y).backward()
    rows = conv_weight_norms(trace.to_dict()["params"], 0)
    split = trace.to_dict()["residual"]
    share = (sum(r["identity_norm"] for r in split) / sum(r["identity_norm"] + r["branch_norm"] for r in split)
             if split else None)
    return rows[0][2], rows[-1][2], share, trace.to_dict()


# %% With batch norm
sizes = (8,) if q else (32, 8)
results = {}
for size in sizes:
    for bn in (True, False):
        for seed in L.seeds:
            for name in (f"plain{shallow}", f"plain{deep}", f"resnet{deep}"):
                results[(size, bn, name, seed)] = measure(name, bn, size, seed)

grows = {}
for size in sizes:
    for bn in (True, False):
        traces = {name: results[(size, bn, name, L.seeds[0])][3] for name in (f"plain{deep}", f"resnet{deep}")}
        tag = f"{size}x{size}_{'bn' if bn else 'nobn'}"
        title = (fig_text("Gradient norm per conv layer at initialisation, {size}x{size} input, with batch norm, "
                          "seed {seed}", size=size, seed=L.seeds[0]) if bn else
                 fig_text("Gradient norm per conv layer at initialisation, {size}x{size} input, without batch "
                          "norm, seed {seed}", size=size, seed=L.seeds[0]))
        fig = plot_layer_norms(traces, L.path(f"layer_norms_{tag}.png"), [0], title=title)
        L.result("figure", fig.path)
    L.result("figure", plot_residual_split(results[(size, True, f"resnet{deep}", L.seeds[0])][3],
                                           L.path(f"residual_split_{size}x{size}.png"), 0).path)
for size in sizes:
    L.title("1. With batch norm, {size}x{size} input", size=size)
    for name in (f"plain{deep}", f"resnet{deep}"):
        ratios = [results[(size, True, name, s)][0] / results[(size, True, name, s)][1] for s in L.seeds]
        L.result("{name:>9} first / last conv |dL/dW| per seed", ", ".join(f"{r:.3g}" for r in ratios), name=name)
        verdict = conclude_growth(ratios, name, f"{size}x{size}")
        L.conclude(verdict)
        grows[(size, name)] = verdict.verdict
    shares = [results[(size, True, f"resnet{deep}", s)][2] for s in L.seeds]
    m, sd = mean_sd(shares)
    L.result("{name}: share of the summed block-input gradient norms carried by the shortcuts",
             f"{100 * m:.0f}% ± {100 * sd:.0f}%", name=f"resnet{deep}")
L.say("A first/last ratio above 1 means the gradient is LARGER near the input: that is growth, not vanishing, "
      "however large the number.")
if grows.get((sizes[0], f"plain{deep}")) == "grows":
    L.say("That is what {name} showed on every seed here: at initialisation, batch norm makes the gradient of a "
          "deep plain stack grow geometrically toward the input (Yang et al. 2019, 'A Mean Field Theory of Batch "
          "Normalization', prove this for batch-normalised feed-forward nets). It agrees with He et al. 2015, who "
          "checked that the gradients of their BN plain nets have healthy norms and concluded that degradation is "
          "unlikely to be caused by vanishing gradients.", name=f"plain{deep}")

# %% Without batch norm
vanish = {}
for size in sizes:
    L.title("2. Without batch norm, {size}x{size} input", size=size)
    ratios = [results[(size, False, f"plain{shallow}", s)][0] / results[(size, False, f"plain{deep}", s)][0]
              for s in L.seeds]
    verdict = conclude_first_layer_ratio(ratios, f"plain{shallow}", f"plain{deep}", f"{size}x{size}")
    L.conclude(verdict)
    vanish[size] = verdict.verdict
    growth = [results[(size, False, f"resnet{deep}", s)][0] / results[(size, False, f"resnet{deep}", s)][1]
              for s in L.seeds]
    L.conclude(conclude_growth(growth, M("{name} without batch norm", name=f"resnet{deep}"), f"{size}x{size}"))
if vanish.get(8) == "vanishes" and vanish.get(32) == "no_vanishing":
    L.say("Compare the two input sizes: the vanishing appears at 8x8 only. On 8x8 digits the CIFAR networks' last "
          "stage runs on 2x2 maps, where every 3x3 window sees 4 real values and 5 zeros of padding; at 32x32 the "
          "same depth does not shrink the first-layer gradient this way, so the 8x8 number is an artefact of the "
          "small input, not of depth. Depth claims belong at the map sizes the networks were designed for "
          "(32, 16, 8).")

# %% A few SGD steps later
L.title("3. What a few SGD steps do (8x8 digits)")
steps = 2 if q else 20
before, after = [], []
for seed in L.seeds:
    gf = gradient_flow([f"plain{deep}"], (0, steps), device=L.args.device, seed=seed, out=L.path(f"steps-seed{seed}"),
                       progress=False, log=lambda *x: None, limit_train=128 if q else None)
    t = gf["traces"][f"plain{deep}"]
    before.append(conv_weight_norms(t["params"], 0)[0][2])
    after.append(conv_weight_norms(t["params"], steps)[0][2])
drops = [b / a_ for b, a_ in zip(before, after)]
L.result("{name} first-layer |dL/dW| at step 0 / at step {steps}, per seed", ", ".join(f"{d:.3g}" for d in drops),
         name=f"plain{deep}", steps=steps)
L.conclude(conclude_after_steps(drops, f"plain{deep}", steps))
L.result("figures of each run", L.path("steps-seed*"))

# %% Your turn
L.your_turn("residual",
            "With your residual add passing, `tinyres gradflow --ops DIR` draws these figures with YOUR backward: "
            "the blue identity bars are the dL/dz your add hands to the shortcut.")
