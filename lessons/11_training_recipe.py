"""Lesson 11 - the training recipe (He et al. 2015, section 4.2 for CIFAR-10), each part with a
number you can see: He initialisation vs a naive one (activation scale per layer), momentum 0.9,
weight decay 1e-4, lr 0.1 divided by 10 at 32k and 48k iterations, and 4-pixel padding + random
32x32 crop + horizontal flip.

    python lessons/11_training_recipe.py     # ~10 s
"""
# %%
import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import tinyres as tr  # noqa: E402
import tinyres.functional as F  # noqa: E402
from tinyres.data import RandomCrop, RandomHorizontalFlip, digits  # noqa: E402
from tinyres.i18n import _, fig_text, pad  # noqa: E402
from tinyres.i18n import width as text_width  # noqa: E402
from tinyres.lesson import Lesson, conclude_init_scale, mean_sd  # noqa: E402
from tinyres.optim import SGD, lr_scheduler  # noqa: E402
from tinyres.train import RECIPES  # noqa: E402

L = Lesson(__file__, __doc__, [
    ("He initialisation", "weights ~ N(0, 2 / fan): keeps the activation scale through ReLU layers"),
    ("momentum", "a running sum of past gradients: v <- m v + g, w <- w - lr v"),
    ("weight decay", "adds wd * w to the gradient: pulls every weight toward 0"),
    ("learning-rate schedule", "lr divided by 10 at fixed iterations"),
    ("data augmentation", "random crops and flips: a new variant of each image every epoch"),
])
dev = L.args.device
q = L.args.quick

# %% He initialisation
L.title("1. He initialisation: the activation scale per layer")
depth, width = (8 if q else 30), 16
fan = width * 9
inits = {"he": math.sqrt(2.0 / fan), "naive": 0.01, "xavier": math.sqrt(1.0 / fan)}
init_names = {"he": _("He: std sqrt(2 / fan)"), "naive": _("naive: std 0.01"),
              "xavier": _("Xavier-like: std sqrt(1 / fan)")}
stds = {label: [] for label in inits}
for seed in L.seeds:
    x0 = tr.tensor(np.random.default_rng((seed, 5)).standard_normal((8, width, 16, 16)), device=dev)
    for label, std in inits.items():
        w_rng = np.random.default_rng((seed, 6))       # the same draws for every init, only the scale differs
        h, per_layer = x0, []
        with tr.no_grad():
            for layer in range(depth):
                w = tr.tensor(w_rng.standard_normal((width, width, 3, 3)) * std, device=dev)
                h = F.relu(F.conv2d(h, w, padding=1))
                per_layer.append(float(h.numpy().std()))
        stds[label].append(per_layer)
show = [0, depth // 4, depth // 2, depth - 1]
heads = [_("layer {i}", i=i + 1) for i in show]
name_cols = max([32] + [text_width(name) + 2 for name in init_names.values()])
print("  " + pad(_("init"), name_cols) + "".join(" " * (12 - text_width(h)) + h for h in heads))
for label in inits:
    mean_layers = np.mean(stds[label], axis=0)
    print("  " + pad(init_names[label], name_cols) + "".join(f"{mean_layers[i]:>12.3g}" for i in show))
he_last = mean_sd(s[-1] for s in stds["he"])[0]
naive_last = mean_sd(s[-1] for s in stds["naive"])[0]
L.result("activation std after layer {depth}, mean over {n} seed(s)",
         _("He {he:.3g}, naive {naive:.3g}", he=he_last, naive=naive_last), depth=depth, n=len(L.seeds))
L.conclude(conclude_init_scale(he_last, naive_last))
L.say("Why 2: a ReLU zeroes half of a symmetric input, halving the second moment, so each layer needs weights "
      "with variance 2 / fan to give it back (He et al. 2015b, 'Delving Deep into Rectifiers'). tinyres "
      "initialises every conv this way (fan_out, like torchvision). Batch norm would hide a bad scale in the "
      "forward pass, but the paper's recipe uses He init with it all the same.")

# %% Momentum
L.title("2. Momentum 0.9 on a narrow valley")
scales = tr.tensor(np.array([1.0, 0.01]), device=dev)          # curvature 100 times larger along one axis


def steps_to_converge(momentum, lr):
    w = tr.tensor(np.array([1.0, 1.0]), requires_grad=True, device=dev)
    opt = SGD([w], lr=lr, momentum=momentum)
    for step in range(1, 20001):
        loss = F.sum(scales * w * w) * 0.5
        if loss.item() < 1e-6:
            return step - 1
        opt.zero_grad()
        loss.backward()
        opt.step()
    return None


plain_steps, mom_steps = steps_to_converge(0.0, 1.0), steps_to_converge(0.9, 1.0)
L.result("loss 0.5 * (w1^2 + 0.01 w2^2) below 1e-6, lr 1.0",
         _("plain SGD {plain} steps, momentum 0.9 {mom} steps", plain=plain_steps, mom=mom_steps))
if mom_steps is not None and (plain_steps is None or mom_steps < plain_steps):
    L.say("Along the flat direction plain SGD creeps: {plain} steps here. Momentum keeps a running sum "
          "v <- 0.9 v + g and steps w <- w - lr v; on a steady slope the step grows to lr / (1 - 0.9) = 10 lr, while "
          "in the steep direction the alternating signs cancel ({mom} steps). tinyres's SGD follows PyTorch: "
          "weight decay is added to g BEFORE the momentum buffer.", plain=plain_steps, mom=mom_steps)

# %% Weight decay
L.title("3. Weight decay 1e-4")
w = tr.tensor(np.ones(4), requires_grad=True, device=dev)
opt = SGD([w], lr=0.1, momentum=0.9, weight_decay=1e-4)
n = 1000 if q else 32000
for step in range(n):
    w.grad = tr.backend.asarray(np.zeros(4), device=dev)     # no loss at all: only the decay acts
    opt.step()
left = float(w.numpy()[0])
L.result("a weight with zero loss gradient after {n} steps (lr 0.1, momentum 0.9, wd 1e-4)", f"1.0 -> {left:.4g}",
         n=n)
L.result("the same from the formula (1 - lr * wd / (1 - momentum))^steps",
         f"{(1 - 0.1 * 1e-4 / 0.1) ** n:.4g}")
L.say("Weight decay adds wd * w to every gradient, so a weight the loss does not need shrinks geometrically; "
      "with momentum 0.9 the effective factor per step is about 1 - lr * wd / (1 - 0.9). With batch norm after a "
      "conv the loss does not care about the conv's scale; decay keeps that scale, and so the effective learning "
      "rate, from drifting (van Laarhoven 2017). The paper uses 1e-4 on CIFAR-10; tinyres's digits recipe uses 5e-4.")

# %% The learning-rate schedule
L.title("4. lr 0.1, divided by 10 at 32k and 48k, stop at 64k")
paper = RECIPES["cifar10-paper"]
opt = SGD([tr.tensor(np.zeros(1), requires_grad=True)], lr=paper["lr"], momentum=paper["momentum"])
sched = lr_scheduler.MultiStepLR(opt, paper["milestones"], 0.1)
seen = {}
for it in range(paper["iterations"]):
    if it in (0, 31999, 32000, 47999, 48000, 63999):
        seen[it] = opt.param_groups[0]["lr"]
    sched.step()
L.result("lr at iterations 0, 31999, 32000, 47999, 48000, 63999",
         ", ".join(f"{it}: {lr:.4g}" for it, lr in seen.items()))
per_epoch = math.ceil(50000 / paper["batch_size"])
L.result("iterations per epoch (50,000 images, batch {batch})", per_epoch, batch=paper["batch_size"])
L.result("64k iterations in epochs", f"{64000 / per_epoch:.0f}")
L.say("A large lr explores; each division lets the weights settle into the basin found so far, which is where "
      "the paper's error curves drop in steps. The paper chose 32k/48k/64k on a 45k/5k train/validation split.")

# %% Augmentation
L.title("5. 4-pixel padding + random 32x32 crop + horizontal flip")
img = digits("train").images[:1].astype("float64") / 16.0
img = np.repeat(np.repeat(img, 4, axis=2), 4, axis=3)                # an 8x8 digit drawn at 32x32
batch = tr.backend.from_numpy(np.repeat(img, 8, axis=0), dev)
rng = np.random.default_rng((L.args.seed, 7))
aug = RandomHorizontalFlip()(RandomCrop(32, 4)(batch, rng), rng)
views = tr.backend.to_numpy(aug)
distinct = len({v.tobytes() for v in views})
L.result("distinct views of one image per epoch",
         _("{offsets} crop offsets x 2 flips = {views}", offsets=(2 * 4 + 1) ** 2, views=(2 * 4 + 1) ** 2 * 2))
L.result("distinct among the 8 views drawn here", distinct)
fig, axes = plt.subplots(1, 9, figsize=(13, 1.8))
for ax, v, t in zip(axes, [img[0, 0]] + [v[0] for v in views], [fig_text("original")] + [fig_text("view {i}", i=i + 1) for i in range(8)]):
    ax.imshow(v, cmap="gray")
    ax.set_title(t, fontsize=8)
    ax.axis("off")
fig.savefig(L.path("augmentation.png"), dpi=100, bbox_inches="tight")
L.result("figure", L.path("augmentation.png"))
L.say("Every epoch the net sees a shifted (and on CIFAR-10 possibly mirrored) copy of each image. The training error the loop reports is measured on these harder views while "
      "the weights move, which is one reason it can exceed the test error. (A digit drawn at 32x32 stands in "
      "for a CIFAR-10 image here; the digits recipe itself uses a 1-pixel shift and no flip, since a mirrored "
      "2 is no 2.)")

# %% Your turn
L.your_turn("sgd",
            "Write SGD with momentum and weight decay. The checker catches decay applied after the momentum "
            "buffer; when it passes, `tinyres train --ops DIR` runs this recipe on your own ops end to end.")
