"""Lesson 04 - the residual block: H(x) = F(x) + x, backward through the add,
dL/dx = dL/dy (dF/dx + 1), a block's backward written out by hand, and zero-initialised
last BN gamma making the block the identity.

    python lessons/04_residual_block.py        # seconds
"""
# %%
import numpy as np

import tinyres as tr
import tinyres.functional as F
from tinyres.data import digits
from tinyres.lesson import Lesson
from tinyres.models.blocks import BasicBlock

L = Lesson(__file__, __doc__, [
    ("residual function F(x)", "잔차 함수 F(x)", "what the block's layers learn: H(x) - x"),
    ("shortcut / identity path", "지름길 / 항등 경로", "x carried around the layers and added back"),
    ("residual add", "잔차 덧셈", "y = F(x) + x, its own op in tinyres"),
    ("option A shortcut", "옵션 A 지름길", "subsample + zero channels when the shape changes"),
    ("zero-init residual", "잔차 0 초기화", "last BN gamma = 0: the block starts as the identity"),
])
dev = L.args.device
rng = np.random.default_rng(L.args.seed)

# %% A block on real data
L.title("1. H(x) = F(x) + x on digit features", "1. 숫자 특징맵에서 H(x) = F(x) + x")
tr.manual_seed(L.args.seed)
stem = tr.nn.Conv2d(1, 8, 3, padding=1).to(dev, dtype="float64")
n = 8 if L.args.quick else 32
x_img = tr.tensor(digits("train").images[:n].astype("float64") / 16.0, device=dev)
x = tr.tensor(F.relu(stem(x_img)).data, requires_grad=True)     # a leaf: the block input
block = BasicBlock(8, 8, 1).to(dev, dtype="float64")
y = block(x)
L.result("block input x", x.shape)
L.result("F(x) (the branch)", block.residual(x).shape)
L.result("y = relu(F(x) + x)", y.shape)

# %% Backward through the add
L.title("2. Backward through the add", "2. 덧셈을 통과하는 역전파")
L.say("For y = F + s the add's backward hands the upstream gradient dL/dy, unchanged, to BOTH inputs. "
      "So dL/dx = dL/dy dF/dx + dL/dy = dL/dy (dF/dx + 1): the '+1' term reaches x however small dF/dx is.",
      "y = F + s 에서 덧셈의 역전파는 상류 그래디언트 dL/dy를 그대로 두 입력 모두에 전달합니다. 따라서 "
      "dL/dx = dL/dy dF/dx + dL/dy = dL/dy (dF/dx + 1) 이고, '+1' 항은 dF/dx가 아무리 작아도 x에 도달합니다.")
G = rng.standard_normal(y.shape)
y.backward(G)
auto = tr.backend.to_numpy(x.grad).copy()

# %% The same gradient, assembled by hand from the pieces
x.grad = None
pre = F.residual_add(block.residual(x), x)           # the add's output, before the final ReLU
mask = (pre.numpy() > 0).astype("float64")
g_y = G * mask                                       # dL/d(F + x): through the final ReLU by hand
x_branch = tr.tensor(x.data, requires_grad=True)     # a separate leaf for the branch alone
block.residual(x_branch).backward(g_y)               # dL/dy * dF/dx
by_hand = tr.backend.to_numpy(x_branch.grad) + g_y   # ... + dL/dy * 1 (the identity path)
L.result("max |autograd - (dL/dy dF/dx + dL/dy)|", f"{np.abs(auto - by_hand).max():.2e}")
L.result("|dL/dy| through the identity path", f"{np.linalg.norm(g_y):.4f}")
L.result("|dL/dy dF/dx| through the branch ", f"{np.linalg.norm(tr.backend.to_numpy(x_branch.grad)):.4f}")
assert np.allclose(auto, by_hand)
rep = tr.gradcheck(lambda x, *p: block(x), [tr.tensor(rng.standard_normal((2, 8, 4, 4)), requires_grad=True,
                                                      device=dev)] + list(block.parameters()))
print("  whole block, every parameter:", str(rep).splitlines()[0])

# %% Option A: when the shape changes
L.title("3. When the shape changes: option A", "3. 모양이 바뀔 때: 옵션 A")
down = BasicBlock(8, 16, stride=2, shortcut="A").to(dev, dtype="float64")
s = F.shortcut_a(x, 16, 2)
L.result("shortcut_a(x, 16, stride 2)", f"{x.shape} -> {s.shape}: x[:, :, ::2, ::2] in channels 4..11, "
         f"zeros in channels 0..3 and 12..15 (max there {np.abs(s.numpy()[:, [0, 1, 2, 3, 12, 13, 14, 15]]).max()})")
L.result("block output", down(x).shape)

# %% Zero-initialised last BN
L.title("4. zero_init_residual: every block starts as the identity", "4. zero_init_residual: 항등 함수로 시작하는 블록")
zblock = BasicBlock(8, 8, 1).to(dev, dtype="float64")
tr.nn.init.zeros_(zblock.bn2.weight)
out = zblock(x).numpy()
L.result("max |block(x) - x| with gamma_last = 0", f"{np.abs(out - x.numpy()).max():.2e}")
L.say("With the last BN scale at 0 the branch outputs 0, so y = relu(0 + x) = x for x >= 0: a deep network "
      "of such blocks starts as a shallow one and the identity path carries the signal and the gradient.",
      "마지막 BN의 스케일이 0이면 가지의 출력이 0이므로 x >= 0 에서 y = relu(0 + x) = x 입니다. 이런 블록으로 "
      "만든 깊은 신경망은 얕은 신경망처럼 시작하고, 신호와 그래디언트는 항등 경로로 흐릅니다.")
