"""Lesson 07 - evidence 2, degradation with shortcuts: ResNet-20 and ResNet-56 trained with
exactly the recipe lesson 04 gave plain-20 and plain-56 (the paper's Figure 6, right, on the
digits), over several seeds, and set beside lesson 04's plain nets when its results are there.

    python lessons/07_residual_depth.py      # ~2 minutes on a 2-core CPU (ResNet-20 and -56, 3 seeds)
"""
# %%
import json
import os

from tinyres.i18n import _, fig_text
from tinyres.inspect.plots import plot_training_curves
from tinyres.lesson import Lesson, compare_depths, compare_families


def options(p):
    p.add_argument("--epochs", type=int, default=4, help="keep it equal to lesson 04's to compare")
    p.add_argument("--plain", default=os.path.join("tinyres-out", "04_degradation", "results.json"),
                   help="lesson 04's results.json")


L = Lesson(__file__, __doc__, [
    ("shortcut connection", "the identity path around every two convolutions"),
    ("degradation problem", "a deeper plain net has HIGHER training error than a shallower one"),
    ("training error", "errors on the images the net trains on"),
], extra=options)
a = L.args
shallow, deep = ("resnet8", "resnet14") if a.quick else ("resnet20", "resnet56")
epochs = 1 if a.quick else a.epochs
RECIPE = {"lr": 0.02, "milestones": [max(1, 3 * epochs // 4)]}       # lesson 04's

# %% Train both residual nets
L.title("1. {shallow} vs {deep}: lesson 04's recipe with shortcuts", shallow=shallow, deep=deep)
errors = {shallow: [], deep: []}
runs = {}
for seed in L.seeds:
    for name in errors:
        r = L.train_on_digits(name, epochs, seed=seed, log_every=5, **RECIPE)
        errors[name].append(L.digits_error(r.model, "train"))
        if seed == L.seeds[0]:
            runs[name] = r.rows
        L.result("seed {seed} {name:>8}",
                 _("training-set error {train:6.2f}% (eval mode)   test error {test:6.2f}%",
                   train=100 * errors[name][-1], test=100 * r.test_error), seed=seed, name=name)
fig = plot_training_curves(runs, L.path("training_curves.png"),
                           title=fig_text("{shallow} vs {deep} on the digits, seed {seed}: thin = training, bold = "
                                          "test", shallow=shallow, deep=deep, seed=L.seeds[0]))
L.result("figure", fig.path)
L.conclude(compare_depths(errors[shallow], errors[deep], shallow, deep))

# %% Beside the plain nets
L.title("2. Beside lesson 04's plain nets")
plain = None
if os.path.exists(a.plain):
    with open(a.plain) as f:
        plain = json.load(f)
same = (plain is not None and plain["epochs"] == epochs and plain.get("recipe") == RECIPE and plain["seeds"] == L.seeds
        and plain["quick"] == a.quick)
if same:
    for depth_name, plain_name in ((shallow, "plain" + shallow[6:]), (deep, "plain" + deep[6:])):
        L.conclude(compare_families(plain["errors"][plain_name], errors[depth_name], plain_name, depth_name))
else:
    L.say("No results of lesson 04 with the same recipe, epochs ({epochs}) and seeds ({seeds}) at {path}; run "
          "`python lessons/04_degradation.py{quick} --epochs {epochs}` first to set the plain nets beside these.",
          epochs=epochs, seeds=L.seeds, path=a.plain, quick=" --quick" if a.quick else "")
L.say("In the paper (CIFAR-10, 64k iterations) ResNet-56 ends BELOW ResNet-20 in training and test error. A run of "
      "a few epochs on 1438 digits is far shorter: whatever the lines above say about the two residual nets is "
      "what this short run measured.")

# %% Your turn
L.your_turn("sgd",
            "Every run here is SGD with momentum 0.9 and weight decay (lesson 11 explains both). Write the "
            "update with PyTorch's semantics: decay added to the gradient BEFORE the momentum buffer.")
