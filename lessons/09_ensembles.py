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

from tinyres.inspect.plots import colour  # noqa: E402
from tinyres.lesson import Lesson, compare_deletion, mean_sd  # noqa: E402
from tinyres.models.blocks import BasicBlock, PlainBlock  # noqa: E402

L = Lesson(__file__, __doc__, [
    ("unraveled view", "풀어 본 관점", "n residual blocks = 2^n paths of different lengths from input to output"),
    ("lesion study", "손상 실험", "remove one part of a trained net and measure the damage"),
    ("ensemble", "앙상블", "many models voting; losing one barely matters"),
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
L.title(f"1. Train {nets[0]} and {nets[1]}, then delete one block at a time",
        f"1. {nets[0]}와 {nets[1]}를 학습하고 블록을 하나씩 지우기")
drops = {name: [] for name in nets}
first = {}
for seed in L.seeds:
    for name in nets:
        model = L.train_on_digits(name, epochs, seed=seed).model
        base, rows = lesion(model)
        kept = [acc for _, acc in rows if acc is not None]
        drops[name].append(base - sum(kept) / len(kept))
        if seed == L.seeds[0]:
            first[name] = (base, rows)
        L.result(f"seed {seed} {name:>8}", f"intact {100 * base:.1f}%, after deleting one block: mean "
                 f"{100 * sum(kept) / len(kept):.1f}%, worst {100 * min(kept):.1f}%")
for name, (base, rows) in first.items():
    print(f"  {name}, seed {L.seeds[0]}: " + "  ".join(f"{n}:{'-' if acc is None else f'{100 * acc:.0f}%'}"
                                                     for n, acc in rows))
L.say("'-' marks a plain block that changes the shape (stride 2, more channels): without a shortcut there is "
      "nothing of the right shape to put in its place, so it cannot be deleted. A residual block of that kind "
      "keeps its option-A shortcut when its branch is deleted.",
      "'-'는 모양을 바꾸는 일반 블록(스트라이드 2, 채널 증가)입니다. 지름길이 없으니 그 자리에 넣을 같은 모양의 것이 "
      "없어 지울 수 없습니다. 그런 잔차 블록은 가지를 지워도 옵션 A 지름길이 남습니다.")
for name in nets:
    m, s = mean_sd(drops[name])
    L.result(f"{name}: test accuracy lost by deleting one block (mean over blocks)", f"{100 * m:.1f} ± {100 * s:.1f} "
             f"points over {len(drops[name])} seed(s)")
n_blocks = sum(1 for _, acc in first[nets[1]][1])
L.conclude(compare_deletion(drops[nets[1]], drops[nets[0]], nets[1], nets[0]))
L.say(f"Veit et al.'s reading: {nets[1]}'s {n_blocks} blocks, each either taken or skipped, give 2^{n_blocks} = "
      f"{2 ** n_blocks} paths of different lengths from input to output; deleting one block removes only the "
      "paths through it, and half of them never used it. A plain net has one path.",
      f"Veit 등의 해석: {nets[1]}의 블록 {n_blocks}개를 각각 지나거나 건너뛰면 입력에서 출력까지 길이가 다른 "
      f"경로가 2^{n_blocks} = {2 ** n_blocks}개 생깁니다. 블록 하나를 지우면 그 블록을 지나는 경로만 사라지고, 절반은 "
      "애초에 그 블록을 쓰지 않았습니다. 일반 신경망의 경로는 하나입니다.")

fig, ax = plt.subplots(figsize=(8, 4))
for name, (base, rows) in first.items():
    xs = [i + 1 for i, (_, acc) in enumerate(rows) if acc is not None]
    ax.plot(xs, [100 * acc for _, acc in rows if acc is not None], "o-", color=colour(name, list(first)),
            label=f"{name}, one block deleted")
    ax.axhline(100 * base, color=colour(name, list(first)), ls="--", lw=1, label=f"{name}, intact")
ax.xaxis.set_major_locator(MaxNLocator(integer=True))
ax.set_xlabel("deleted block (input side = 1)")
ax.set_ylabel("test accuracy (%)")
ax.set_ylim(0, 100)
ax.grid(alpha=0.3)
ax.legend(fontsize=8)
ax.set_title(f"Deleting single blocks: residual vs plain (Veit et al. 2016), seed {L.seeds[0]}")
fig.savefig(L.path("block_deletion.png"), dpi=110, bbox_inches="tight")
L.result("figure", L.path("block_deletion.png"))

# %% Your turn
L.your_turn("residual",
            "Deleting a block keeps only its shortcut. In your residual add, make sure the shortcut's gradient is "
            "dL/dz itself, and that option A's backward returns the subsampled middle channels to the input.",
            "블록을 지우면 지름길만 남습니다. 여러분의 잔차 덧셈에서 지름길의 그래디언트가 dL/dz 그 자체인지, "
            "옵션 A의 역전파가 가운데 채널을 부분 추출된 입력 위치로 돌려주는지 확인하세요.")
