"""Lesson 04 - the degradation problem (He et al. 2015, Figure 1): a deeper plain network ends
with HIGHER training error than a shallower one trained the same way. Training error, so it is
not overfitting; and a deeper net could do at least as well, because it can copy the shallower
one and set its extra layers to the identity (built and checked below).

    python lessons/04_degradation.py          # ~2 minutes on a 2-core CPU (plain-20 and plain-56, 3 seeds)
"""
# %%
import json

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402

import tinyres as tr  # noqa: E402
from tinyres import backend  # noqa: E402
from tinyres.i18n import _, fig_text  # noqa: E402
from tinyres.inspect.plots import plot_training_curves  # noqa: E402
from tinyres.lesson import Lesson, build_model, compare_depths  # noqa: E402


def options(p):
    p.add_argument("--epochs", type=int, default=4)


L = Lesson(__file__, __doc__, [
    ("degradation problem", "a deeper plain net has HIGHER training error than a shallower one"),
    ("overfitting", "low training error, high test error: NOT what degradation is"),
    ("training error", "errors on the images the net trains on"),
    ("identity mapping", "a layer whose output equals its input"),
    ("plain network", "the same layers as a ResNet, without shortcuts"),
], extra=options)
a = L.args
shallow, deep = ("plain8", "plain14") if a.quick else ("plain20", "plain56")
epochs = 1 if a.quick else a.epochs
depth = {name: int(name[5:]) for name in (shallow, deep)}
RECIPE = {"lr": 0.02, "milestones": [max(1, 3 * epochs // 4)]}       # lesson 07 trains the residual nets with it

# %% Train both, on several seeds
L.title("1. {shallow} vs {deep}, the same recipe, {n} seed(s)", shallow=shallow, deep=deep, n=len(L.seeds))
L.say("Both nets: the digits (8x8 images, {images} training images), {epochs} epoch(s), SGD with momentum 0.9, lr "
      "0.02 divided by 10 for the last quarter of the run, weight decay 5e-4, batch norm after every convolution, He "
      "initialisation. Only the depth differs.", images=256 if a.quick else 1438, epochs=epochs)
errors = {name: [] for name in depth}
runs, kept = {}, {}
for seed in L.seeds:
    for name in depth:
        r = L.train_on_digits(name, epochs, seed=seed, log_every=5, **RECIPE)
        err = L.digits_error(r.model, "train")
        errors[name].append(err)
        if seed == L.seeds[0]:
            runs[name], kept[name] = r.rows, r.model
        L.result("seed {seed} {name:>8}",
                 _("training-set error {train:6.2f}% (eval mode)   running training error {running:6.2f}%   test "
                   "error {test:6.2f}%", train=100 * err, running=100 * r.train_error, test=100 * r.test_error),
                 seed=seed, name=name)
fig = plot_training_curves(runs, L.path("training_curves.png"),
                           title=fig_text("{shallow} vs {deep} on the digits, seed {seed}: thin = training, bold = "
                                          "test", shallow=shallow, deep=deep, seed=L.seeds[0]))
L.result("figure", fig.path)
L.say("Two training errors are printed: the running error during the last epoch (augmented images, batch "
      "statistics, weights still moving) and the error of the finished net on the un-augmented training set in "
      "eval mode. The first can exceed the test error for those reasons; the conclusion below uses the second.")
L.conclude(compare_depths(errors[shallow], errors[deep], shallow, deep))
with open(L.path("results.json"), "w") as f:     # lesson 07 sets the residual nets beside these
    json.dump({"epochs": epochs, "recipe": RECIPE, "seeds": L.seeds, "quick": a.quick, "errors": errors}, f)

# %% A deeper net that copies the shallower one
L.title("2. A {deep} that computes exactly what {shallow} computes", shallow=shallow, deep=deep)
n_s, n_d = (depth[shallow] - 2) // 6, (depth[deep] - 2) // 6
src = kept[shallow].state_dict()
copy = build_model(deep, in_channels=1, num_classes=10)
state = {k: backend.to_numpy(v).copy() for k, v in copy.state_dict().items()}
for key in state:
    parts = key.split(".")
    if parts[0].startswith("layer") and int(parts[1]) >= n_s:       # an extra block: make it the identity
        if key.endswith("conv1.weight") or key.endswith("conv2.weight"):
            w = np.zeros_like(state[key])
            w[np.arange(w.shape[0]), np.arange(w.shape[1]), 1, 1] = 1.0   # centre tap, channel to itself
            state[key] = w
        elif key.endswith("running_var"):
            state[key][:] = 1.0 - 1e-5                                 # eval BN: (x - 0) / sqrt(1 - eps + eps)
        elif key.endswith(("running_mean", ".bias")):
            state[key][:] = 0.0
        elif key.endswith(".weight"):
            state[key][:] = 1.0
    else:
        state[key] = backend.to_numpy(src[key])
copy.load_state_dict(state)
copy.to(a.device).eval()
probe = L.digits_error(copy, "train")
x_probe = tr.tensor(L.rng.standard_normal((16, 1, 8, 8)).astype("float32"), device=a.device)
with tr.no_grad():
    gap = np.abs(kept[shallow](x_probe).numpy() - copy(x_probe).numpy()).max()
L.result("extra identity blocks per stage", _("{n} (two convs each: {layers} extra layers in the 3 stages)",
                                               n=n_d - n_s, layers=2 * 3 * (n_d - n_s)))
L.result("max |logits of {shallow} - logits of the constructed {deep}| on 16 inputs", f"{gap:.1e}",
         shallow=shallow, deep=deep)
L.result("training-set error of the trained {shallow}", f"{100 * errors[shallow][0]:.2f}%", shallow=shallow)
L.result("training-set error of the constructed {deep}", f"{100 * probe:.2f}%", deep=deep)
L.result("training-set error of {deep} trained from scratch", f"{100 * errors[deep][0]:.2f}%", deep=deep)
assert probe == errors[shallow][0], "the constructed deep net must make exactly the shallow net's mistakes"
L.say("Each extra block is conv (a 1 at the centre tap, channel to itself) -> batch norm with mean 0 and "
      "variance 1 -> ReLU, twice. Its input comes out of a ReLU and is never negative, so the block passes it "
      "through unchanged. A solution at least as good as the shallow net therefore EXISTS for the deep one; "
      "when SGD finds a worse one, the trouble is optimisation. He et al. (2015) conjecture that solvers find it "
      "hard to fit an identity with a stack of nonlinear layers; the next lesson changes what the layers have "
      "to learn.")

# %% Your turn
L.your_turn("residual",
            "The repair of lesson 05 is one op: y = F + x, whose backward hands dL/dy unchanged to both inputs, "
            "and the option-A shortcut for blocks that change shape. Write both; the checker fails a backward "
            "that drops the identity path.")
