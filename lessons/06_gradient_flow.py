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
from tinyres.inspect.gradflow import trace_gradients
from tinyres.inspect.plots import conv_weight_norms, plot_layer_norms, plot_residual_split
from tinyres.lesson import (Lesson, build_model, conclude_after_steps, conclude_first_layer_ratio, conclude_growth,
                            mean_sd)

L = Lesson(__file__, __doc__, [
    ("gradient norm", "그래디언트 노름", "the length of dL/dW for one layer"),
    ("vanishing / exploding gradients", "소실 / 폭주 그래디언트", "norms shrinking or growing geometrically with depth"),
    ("identity path", "항등 경로", "the shortcut: it returns dL/dz itself to the block input"),
    ("branch path", "가지 경로", "the residual layers: they return dL/dz dF/dx"),
    ("feature map size", "특징 맵 크기", "height x width of a stage's activations (32, 16, 8 for CIFAR)"),
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
        fig = plot_layer_norms(traces, L.path(f"layer_norms_{tag}.png"), [0],
                               title=f"Gradient norm per conv layer at initialisation, {size}x{size} input, "
                                     f"{'with' if bn else 'without'} batch norm, seed {L.seeds[0]}")
        L.result("figure", fig.path)
    L.result("figure", plot_residual_split(results[(size, True, f"resnet{deep}", L.seeds[0])][3],
                                           L.path(f"residual_split_{size}x{size}.png"), 0).path)
for size in sizes:
    L.title(f"1. With batch norm, {size}x{size} input", f"1. 배치 정규화가 있을 때, 입력 {size}x{size}")
    for name in (f"plain{deep}", f"resnet{deep}"):
        ratios = [results[(size, True, name, s)][0] / results[(size, True, name, s)][1] for s in L.seeds]
        L.result(f"{name:>9} first / last conv |dL/dW| per seed", ", ".join(f"{r:.3g}" for r in ratios))
        verdict = conclude_growth(ratios, name, f"{size}x{size}")
        L.conclude(verdict)
        grows[(size, name)] = verdict.verdict
    shares = [results[(size, True, f"resnet{deep}", s)][2] for s in L.seeds]
    m, sd = mean_sd(shares)
    L.result(f"resnet{deep}: share of the summed block-input gradient norms carried by the shortcuts",
             f"{100 * m:.0f}% ± {100 * sd:.0f}%")
L.say("A first/last ratio above 1 means the gradient is LARGER near the input: that is growth, not vanishing, "
      "however large the number.", "첫 층/마지막 층 비율이 1보다 크면 입력 가까이의 그래디언트가 더 크다는 "
      "뜻입니다. 숫자가 아무리 커도 소실이 아니라 증가입니다.")
if grows.get((sizes[0], f"plain{deep}")) == "grows":
    L.say(f"That is what plain{deep} showed on every seed here: at initialisation, batch norm makes the gradient "
          "of a deep plain stack grow geometrically toward the input (Yang et al. 2019, 'A Mean Field Theory of "
          "Batch Normalization', prove this for batch-normalised feed-forward nets). It agrees with He et al. "
          "2015, who checked that the gradients of their BN plain nets have healthy norms and concluded that "
          "degradation is unlikely to be caused by vanishing gradients.",
          f"여기서 plain{deep}은 모든 시드에서 그랬습니다. 초기화 시점에 배치 정규화는 깊은 일반 층 더미의 "
          "그래디언트를 입력 쪽으로 기하급수적으로 키웁니다(Yang 등 2019, 'A Mean Field Theory of Batch "
          "Normalization'이 배치 정규화된 순방향 신경망에서 증명). 이는 BN을 쓴 일반 신경망의 그래디언트 노름이 "
          "건강함을 확인하고 성능 저하가 기울기 소실 때문일 가능성은 낮다고 결론 내린 He 등 2015와 맞습니다.")

# %% Without batch norm
vanish = {}
for size in sizes:
    L.title(f"2. Without batch norm, {size}x{size} input", f"2. 배치 정규화가 없을 때, 입력 {size}x{size}")
    ratios = [results[(size, False, f"plain{shallow}", s)][0] / results[(size, False, f"plain{deep}", s)][0]
              for s in L.seeds]
    verdict = conclude_first_layer_ratio(ratios, f"plain{shallow}", f"plain{deep}", f"{size}x{size}")
    L.conclude(verdict)
    vanish[size] = verdict.verdict
    growth = [results[(size, False, f"resnet{deep}", s)][0] / results[(size, False, f"resnet{deep}", s)][1]
              for s in L.seeds]
    L.conclude(conclude_growth(growth, f"resnet{deep} without batch norm", f"{size}x{size}"))
if vanish.get(8) == "vanishes" and vanish.get(32) == "no_vanishing":
    L.say("Compare the two input sizes: the vanishing appears at 8x8 only. On 8x8 digits the CIFAR networks' last "
          "stage runs on 2x2 maps, where every 3x3 window sees 4 real values and 5 zeros of padding; at 32x32 the "
          "same depth does not shrink the first-layer gradient this way, so the 8x8 number is an artefact of the "
          "small input, not of depth. Depth claims belong at the map sizes the networks were designed for "
          "(32, 16, 8).",
          "두 입력 크기를 비교하세요. 소실은 8x8에서만 나타납니다. 8x8 숫자에서는 CIFAR 신경망의 마지막 단계가 "
          "2x2 맵에서 돌아 3x3 창마다 실제 값 4개와 0 패딩 5개를 봅니다. 32x32에서는 같은 깊이가 첫 층 "
          "그래디언트를 이렇게 줄이지 않으므로, 8x8의 숫자는 깊이가 아니라 작은 입력의 부산물입니다. 깊이에 "
          "관한 주장은 신경망이 설계된 맵 크기(32, 16, 8)에서 해야 합니다.")

# %% A few SGD steps later
L.title("3. What a few SGD steps do (8x8 digits)", "3. SGD 몇 단계 뒤 (8x8 숫자)")
steps = 2 if q else 20
before, after = [], []
for seed in L.seeds:
    gf = gradient_flow([f"plain{deep}"], (0, steps), device=L.args.device, seed=seed, out=L.path(f"steps-seed{seed}"),
                       progress=False, log=lambda *x: None, limit_train=128 if q else None)
    t = gf["traces"][f"plain{deep}"]
    before.append(conv_weight_norms(t["params"], 0)[0][2])
    after.append(conv_weight_norms(t["params"], steps)[0][2])
drops = [b / a_ for b, a_ in zip(before, after)]
L.result(f"plain{deep} first-layer |dL/dW| at step 0 / at step {steps}, per seed", ", ".join(f"{d:.3g}" for d in drops))
L.conclude(conclude_after_steps(drops, f"plain{deep}", steps))
L.result("figures of each run", L.path("steps-seed*"))

# %% Your turn
L.your_turn("residual",
            "With your residual add passing, `tinyres gradflow --ops DIR` draws these figures with YOUR backward: "
            "the blue identity bars are the dL/dz your add hands to the shortcut.",
            "여러분의 잔차 덧셈이 통과하면 `tinyres gradflow --ops DIR`이 여러분의 역전파로 이 그림들을 그립니다. "
            "파란 항등 막대는 여러분의 덧셈이 지름길에 넘긴 dL/dz입니다.")
