"""Lesson 09 - evidence 4, residual networks behave like ensembles (Veit, Wilber & Belongie
2016): delete single blocks from a trained ResNet and a trained plain net and measure test
accuracy after each deletion, over several seeds.

    python lessons/09_ensembles.py           # ~2 minutes on a 2-core CPU (trains both nets, 3 seeds)
"""
# %%
from contextlib import contextmanager

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from tinyres.i18n import _, fig_text  # noqa: E402
from tinyres.inspect.plots import colour  # noqa: E402
from tinyres.lesson import Lesson, compare_deletion, mean_sd  # noqa: E402
from tinyres.models.blocks import BasicBlock, PlainBlock  # noqa: E402

L = Lesson(__file__, __doc__, [
    ("unraveled view", "n residual blocks = 2^n paths of different lengths from input to output"),
    ("lesion study", "remove one part of a trained net and measure the damage"),
    ("ensemble", "many models voting; losing one barely matters"),
])
a = L.args
epochs = 1 if a.quick else 6
nets = ("plain8", "resnet8") if a.quick else ("plain20", "resnet20")


@contextmanager
def deleted(block):
    """Skip one block: a residual block keeps only its shortcut; a plain block becomes the identity."""
    if isinstance(block, PlainBlock):
        def skip(x):
            return x
    else:
        def skip(x):
            s = x if block.downsample is None else block.downsample(x)
            return block.relu(s)
    block.__dict__["forward"] = skip
    try:
        yield
    finally:
        block.__dict__.pop("forward")


def lesion(model):
    """(intact test accuracy, [(block name, accuracy with it deleted, or None when it cannot be skipped)])."""
    base = 1 - L.digits_error(model, "test")
    rows = []
    for name, block in model.named_modules():
        if not isinstance(block, (BasicBlock, PlainBlock)):
            continue
        shape_kept = block.stride == 1 and block.conv1.in_channels == block.conv2.out_channels
        if isinstance(block, PlainBlock) and not shape_kept:
            rows.append((name, None))
            continue
        with deleted(block):
            rows.append((name, 1 - L.digits_error(model, "test")))
    return base, rows


# %% Train both networks, delete one block at a time
L.title("1. Train {plain} and {resnet}, then delete one block at a time", plain=nets[0], resnet=nets[1])
drops = {name: [] for name in nets}
first = {}
for seed in L.seeds:
    for name in nets:
        model = L.train_on_digits(name, epochs, seed=seed).model
        base, rows = lesion(model)
        kept = [acc for _name, acc in rows if acc is not None]
        drops[name].append(base - sum(kept) / len(kept))
        if seed == L.seeds[0]:
            first[name] = (base, rows)
        L.result("seed {seed} {name:>8}", _("intact {intact:.1f}%, after deleting one block: mean {mean:.1f}%, worst "
                                            "{worst:.1f}%", intact=100 * base, mean=100 * sum(kept) / len(kept),
                                            worst=100 * min(kept)), seed=seed, name=name)
for name, (base, rows) in first.items():
    print("  " + _("{name}, seed {seed}:", name=name, seed=L.seeds[0]) + " "
          + "  ".join(f"{n}:{'-' if acc is None else f'{100 * acc:.0f}%'}" for n, acc in rows))
L.say("'-' marks a plain block that changes the shape (stride 2, more channels): without a shortcut there is "
      "nothing of the right shape to put in its place, so it cannot be deleted. A residual block of that kind "
      "keeps its option-A shortcut when its branch is deleted.")
for name in nets:
    m, s = mean_sd(drops[name])
    L.result("{name}: test accuracy lost by deleting one block (mean over blocks)",
             _("{m:.1f} ± {s:.1f} points over {n} seed(s)", m=100 * m, s=100 * s, n=len(drops[name])), name=name)
n_blocks = len(first[nets[1]][1])
L.conclude(compare_deletion(drops[nets[1]], drops[nets[0]], nets[1], nets[0]))
L.say("Veit et al.'s reading: {name}'s {n} blocks, each either taken or skipped, give 2^{n} = {paths} paths of "
      "different lengths from input to output; deleting one block removes only the paths through it, and half of "
      "them never used it. A plain net has one path.", name=nets[1], n=n_blocks, paths=2 ** n_blocks)

fig, ax = plt.subplots(figsize=(8, 4))
for name, (base, rows) in first.items():
    xs = [i + 1 for i, (_name, acc) in enumerate(rows) if acc is not None]
    ax.plot(xs, [100 * acc for _name, acc in rows if acc is not None], "o-", color=colour(name, list(first)),
            label=fig_text("{name}, one block deleted", name=name))
    ax.axhline(100 * base, color=colour(name, list(first)), ls="--", lw=1, label=fig_text("{name}, intact", name=name))
ax.xaxis.set_major_locator(MaxNLocator(integer=True))
ax.set_xlabel(fig_text("deleted block (input side = 1)"))
ax.set_ylabel(fig_text("test accuracy (%)"))
ax.set_ylim(0, 100)
ax.grid(alpha=0.3)
ax.legend(fontsize=8)
ax.set_title(fig_text("Deleting single blocks: residual vs plain (Veit et al. 2016), seed {seed}", seed=L.seeds[0]))
fig.savefig(L.path("block_deletion.png"), dpi=110, bbox_inches="tight")
L.result("figure", L.path("block_deletion.png"))

# %% Your turn
L.your_turn("residual",
            "Deleting a block keeps only its shortcut. In your residual add, make sure the shortcut's gradient is "
            "dL/dz itself, and that option A's backward returns the subsampled middle channels to the input.")
