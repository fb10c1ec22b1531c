"""Lesson 05 - the residual idea and its mechanism: H(x) = F(x) + x (He et al. 2015); fitting the
identity with a plain block vs a residual block; the block's backward assembled by hand, branch
included, dL/dx = dL/dz (dF/dx + 1); the ReLU after the add that gates the identity path; many
blocks unrolled, and pre-activation (He et al. 2016) that keeps the path clean.

    python lessons/05_residual_block.py        # ~20 s on a 2-core CPU
"""
# %%
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

import tinyres as tr
import tinyres.functional as F
from tinyres.data import digits
from tinyres.lesson import Lesson, compare_identity_fit
from tinyres.models.blocks import BasicBlock, PlainBlock, PreActBlock
from tinyres.optim import SGD

L = Lesson(__file__, __doc__, [
    ("residual function F(x)", "잔차 함수 F(x)", "what the block's layers learn: H(x) - x"),
    ("shortcut / identity path", "지름길 / 항등 경로", "x carried around the layers and added back"),
    ("residual add", "잔차 덧셈", "z = F(x) + x, its own op in tinyres"),
    ("pre-activation block", "사전 활성화 블록", "BN and ReLU before each conv; nothing after the add"),
    ("option A shortcut", "옵션 A 지름길", "subsample + zero channels when the shape changes"),
    ("zero-init residual", "잔차 0 초기화", "last BN gamma = 0: the block starts as the identity"),
])
dev = L.args.device
q = L.args.quick

L.say("Notation for the whole lesson (the original block of He et al. 2015): the branch F(x) = "
      "bn2(conv2(relu(bn1(conv1(x))))), the add z = F(x) + x, and the block output y = relu(z). The ReLU sits "
      "AFTER the add.",
      "이 강의 전체의 표기(He 등 2015의 원래 블록): 가지 F(x) = bn2(conv2(relu(bn1(conv1(x))))), 덧셈 "
      "z = F(x) + x, 블록 출력 y = relu(z). ReLU는 덧셈 뒤에 있습니다.")

# %% The idea: learn F = H - x
L.title("1. Fitting the identity: plain block vs residual block", "1. 항등 함수 맞추기: 일반 블록 대 잔차 블록")
stem = tr.nn.Conv2d(1, 8, 3, padding=1).to(dev, dtype="float64")
n = 16 if q else 64
with tr.no_grad():
    feats = F.relu(stem(tr.tensor(digits("train").images[:n].astype("float64") / 16.0, device=dev)))
steps = 20 if q else 150
finals = {"plain": [], "residual": []}
for seed in L.seeds:
    for kind, cls in (("plain", PlainBlock), ("residual", BasicBlock)):
        tr.manual_seed(seed)                       # the same initial weights for both blocks
        block = cls(8, 8, 1).to(dev, dtype="float64")
        opt = SGD(block.parameters(), lr=0.05, momentum=0.9)
        for _ in range(steps + 1):
            diff = block(feats) - feats
            loss = F.sum(diff * diff) * (1.0 / diff.size)
            if _ == steps:
                break
            opt.zero_grad()
            loss.backward()
            opt.step()
        finals[kind].append(loss.item())
    L.result(f"seed {seed} mean squared error of y - x after {steps} steps",
             f"plain {finals['plain'][-1]:.4g}   residual {finals['residual'][-1]:.4g}")
L.conclude(compare_identity_fit(finals["plain"], finals["residual"], steps))
L.say("This is the paper's reformulation: if the best H is close to the identity, the layers of a residual block "
      "only have to push F toward 0 (e.g. bn2's gamma to 0), while a plain block must rebuild x through two "
      "convolutions, two batch norms and two ReLUs.",
      "이것이 논문의 재구성입니다. 가장 좋은 H가 항등 함수에 가깝다면, 잔차 블록의 층들은 F를 0 쪽으로(예: bn2의 "
      "gamma를 0으로) 밀기만 하면 되지만, 일반 블록은 합성곱 두 개, 배치 정규화 두 개, ReLU 두 개로 x를 다시 "
      "만들어야 합니다.")

# %% Backward through one block, by hand
L.title("2. One block's backward, assembled by hand", "2. 블록 하나의 역전파를 손으로 조립하기")
x = tr.tensor(feats.data[:8 if q else 32], requires_grad=True)
block = BasicBlock(8, 8, 1).to(dev, dtype="float64")
y = block(x)
G = L.rng.standard_normal(y.shape)                 # dL/dy, an arbitrary upstream gradient
y.backward(G)
auto = tr.backend.to_numpy(x.grad)


def conv_np(a, w):
    """3x3 convolution, stride 1, padding 1, as windows times weights."""
    win = sliding_window_view(np.pad(a, ((0, 0), (0, 0), (1, 1), (1, 1))), (3, 3), axis=(2, 3))
    return np.einsum("ncijkl,ockl->noij", win, w)


def bn_forward(a, g, b):
    mu, var = a.mean(axis=(0, 2, 3), keepdims=True), a.var(axis=(0, 2, 3), keepdims=True)
    sigma = np.sqrt(var + 1e-5)
    xhat = (a - mu) / sigma
    return xhat * g.reshape(1, -1, 1, 1) + b.reshape(1, -1, 1, 1), xhat, sigma


def bn_backward(gy, xhat, sigma, g):              # lesson 03
    d = gy * g.reshape(1, -1, 1, 1)
    return (d - d.mean(axis=(0, 2, 3), keepdims=True) - xhat * (d * xhat).mean(axis=(0, 2, 3), keepdims=True)) / sigma


def conv_backward_x(gy, w):                       # lesson 02: the adjoint is a conv with the flipped kernel
    return conv_np(gy, w[:, :, ::-1, ::-1].transpose(1, 0, 2, 3))


xn = x.numpy()
p = {k: tr.backend.to_numpy(v.data) for k, v in block.named_parameters()}
a1 = conv_np(xn, p["conv1.weight"])
b1, xhat1, s1 = bn_forward(a1, p["bn1.weight"], p["bn1.bias"])
r1 = np.maximum(b1, 0)
a2 = conv_np(r1, p["conv2.weight"])
Fx, xhat2, s2 = bn_forward(a2, p["bn2.weight"], p["bn2.bias"])
z = Fx + xn
L.result("max |y by hand - y|", f"{np.abs(np.maximum(z, 0) - y.numpy()).max():.2e}")
gz = G * (z > 0)                                   # through the ReLU after the add
g_branch = conv_backward_x(bn_backward(conv_backward_x(bn_backward(gz, xhat2, s2, p["bn2.weight"]),
                                                       p["conv2.weight"]) * (b1 > 0), xhat1, s1, p["bn1.weight"]),
                           p["conv1.weight"])
print("  dL/dz = dL/dy * 1[z > 0]                       (the ReLU after the add)")
print("  branch: dL/dz -> bn2 backward -> conv2 backward -> * 1[bn1 out > 0] -> bn1 backward -> conv1 backward")
print("  dL/dx = (branch term: dL/dz dF/dx) + (identity term: dL/dz)\n")
L.result("max |by hand - autograd|", f"{np.abs(g_branch + gz - auto).max():.2e}")
L.result("|dL/dy|                            ", f"{np.linalg.norm(G):.4f}")
L.result("|dL/dz| (identity term)            ", f"{np.linalg.norm(gz):.4f}")
L.result("|dL/dz dF/dx| (branch term)        ", f"{np.linalg.norm(g_branch):.4f}")
L.result("share of z <= 0 (gradient blocked)", f"{100 * (z <= 0).mean():.1f}%")
assert np.allclose(g_branch + gz, auto)
L.say("For the add z = F + x the backward hands dL/dz, unchanged, to BOTH inputs, so dL/dx = dL/dz (dF/dx + 1): the "
      "'+1' reaches x however small dF/dx is. But what reaches the add is dL/dz = dL/dy * 1[z > 0], not dL/dy: "
      "wherever z <= 0 the ReLU after the add blocks the identity path as well as the branch (the share above).",
      "덧셈 z = F + x의 역전파는 dL/dz를 그대로 두 입력 모두에 넘기므로 dL/dx = dL/dz (dF/dx + 1)입니다. '+1'은 "
      "dF/dx가 아무리 작아도 x에 닿습니다. 하지만 덧셈에 도착하는 것은 dL/dy가 아니라 dL/dz = dL/dy * 1[z > 0]"
      "입니다. z <= 0인 곳에서는 덧셈 뒤의 ReLU가 가지뿐 아니라 항등 경로도 막습니다(위의 비율).")

# %% Many blocks: the unrolled sum, gated or clean
L.title("3. Many blocks: x_L = x_l + sum of F", "3. 여러 블록: x_L = x_l + F들의 합")
depth = 3 if q else 9
post = [BasicBlock(8, 8, 1).to(dev, dtype="float64") for _ in range(depth)]
pre = [PreActBlock(8, 8, 1).to(dev, dtype="float64") for _ in range(depth)]
rows = {}
for label, blocks in (("original (ReLU after the add)", post), ("pre-activation (nothing after the add)", pre)):
    h = tr.tensor(x.data, requires_grad=True)
    out, gate = h, np.ones(h.shape)
    for b in blocks:
        if isinstance(b, BasicBlock):       # the mask of this block's final ReLU, by hand
            with tr.no_grad():
                zb = (F.residual_add(b.branch(out), out)).numpy()
            gate = gate * (zb > 0)
        out = b(out)
    GL = L.rng.standard_normal(out.shape)
    out.backward(GL)
    total = tr.backend.to_numpy(h.grad)
    direct = GL * gate                       # the identity term that survives every gate
    rows[label] = (np.linalg.norm(direct) / np.linalg.norm(GL), np.linalg.norm(total - direct) / np.linalg.norm(GL))
    L.result(f"{label:<40}", f"|identity term| / |dL/dx_L| = {rows[label][0]:.3f},  "
             f"|sum of branch terms| / |dL/dx_L| = {rows[label][1]:.3f}")
L.say(f"With pre-activation blocks x_(l+1) = x_l + F(x_l), so x_L = x_l + sum of the F's and dL/dx_l = "
      f"dL/dx_L (1 + d/dx_l sum F): the upstream gradient reaches block l through {depth} adds untouched "
      f"(ratio {rows['pre-activation (nothing after the add)'][0]:.3f} above). With the ReLU after each add, the "
      f"identity term is dL/dx_L times the product of {depth} masks, so only {100 * rows['original (ReLU after the add)'][0]:.0f}% "
      "of its norm survives here. He et al. (2016, 'Identity Mappings in Deep Residual Networks') moved BN and "
      "ReLU before the convolutions for exactly this reason.",
      f"사전 활성화 블록에서는 x_(l+1) = x_l + F(x_l) 이므로 x_L = x_l + F들의 합, dL/dx_l = dL/dx_L (1 + d/dx_l "
      f"sum F)입니다. 상류 그래디언트는 덧셈 {depth}개를 그대로 지나 블록 l에 닿습니다(위 비율 "
      f"{rows['pre-activation (nothing after the add)'][0]:.3f}). 덧셈마다 ReLU가 있으면 항등 항은 dL/dx_L에 마스크 "
      f"{depth}개를 곱한 것이라, 여기서는 노름의 {100 * rows['original (ReLU after the add)'][0]:.0f}%만 남습니다. "
      "He 등(2016, 'Identity Mappings in Deep Residual Networks')이 BN과 ReLU를 합성곱 앞으로 옮긴 이유입니다.")
assert abs(rows["pre-activation (nothing after the add)"][0] - 1) < 1e-12
L.say("Attribution matters here. The '+1' argument is He et al. 2016's. The 2015 paper itself argues that "
      "degradation is unlikely to be caused by vanishing gradients, because batch norm keeps forward and "
      "backward signals healthy in its plain nets; lesson 06 measures both claims at initialisation.",
      "출처를 구분합시다. '+1' 논증은 He 등 2016의 것입니다. 2015년 논문은 일반 신경망에서도 배치 정규화가 "
      "순전파와 역전파 신호를 건강하게 유지하므로 성능 저하가 기울기 소실 때문일 가능성은 낮다고 말합니다. "
      "강의 06에서 초기화 시점의 두 주장을 측정합니다.")

# %% Option A: when the shape changes
L.title("4. When the shape changes: option A", "4. 모양이 바뀔 때: 옵션 A")
s = F.shortcut_a(x, 16, 2)
zeros = np.abs(s.numpy()[:, [0, 1, 2, 3, 12, 13, 14, 15]]).max()
L.result("shortcut_a(x, 16, stride 2)", f"{x.shape} -> {s.shape}: x[:, :, ::2, ::2] in channels 4..11, "
         f"zeros in channels 0..3 and 12..15 (max there {zeros})")
L.result("block output", BasicBlock(8, 16, stride=2, shortcut="A").to(dev, dtype="float64")(x).shape)

# %% Zero-initialised last BN
L.title("5. zero_init_residual: every block starts as the identity", "5. zero_init_residual: 항등 함수로 시작하는 블록")
zblock = BasicBlock(8, 8, 1).to(dev, dtype="float64")
tr.nn.init.zeros_(zblock.bn2.weight)
out = zblock(x).numpy()
L.result("max |block(x) - x| with gamma_last = 0 (x >= 0 here)", f"{np.abs(out - x.numpy()).max():.2e}")
L.say("With the last BN scale at 0 the branch outputs 0, so y = relu(0 + x) = x for x >= 0: a deep network of such "
      "blocks starts as the shallow network lesson 04 built by hand.",
      "마지막 BN의 스케일이 0이면 가지의 출력이 0이므로 x >= 0 에서 y = relu(0 + x) = x 입니다. 이런 블록으로 만든 "
      "깊은 신경망은 강의 04에서 손으로 만든 얕은 신경망처럼 시작합니다.")

# %% Your turn
L.your_turn("basic_block",
            "Assemble a BasicBlock from your own ops (conv, batch norm, ReLU, the residual add, option A). When it "
            "passes, `tinyres train --ops DIR` trains ResNet-20 with your backward passes.",
            "여러분의 연산(합성곱, 배치 정규화, ReLU, 잔차 덧셈, 옵션 A)으로 BasicBlock을 조립하세요. 통과하면 "
            "`tinyres train --ops DIR`이 여러분의 역전파로 ResNet-20을 학습합니다.")
