"""Lesson 01 - autograd: tensors, the graph, the chain rule, and checking a gradient.

    python lessons/01_autograd.py            # seconds on a laptop CPU
    python lessons/01_autograd.py --lang ko

Builds a small computation by hand, walks the graph backward, compares autograd with the
chain rule written out, checks gradients against finite differences, and finally trains
softmax regression on the real digits with nothing but these pieces.
"""
# %%
import numpy as np

import tinyres as tr
import tinyres.functional as F
from tinyres.data import digits
from tinyres.lesson import Lesson

L = Lesson(__file__, __doc__, [
    ("tensor", "텐서", "an array plus its gradient and the op that made it"),
    ("computational graph", "계산 그래프", "ops linked by the tensors they pass"),
    ("chain rule", "연쇄 법칙", "dL/dx = dL/dy * dy/dx, applied op by op from the loss back"),
    ("upstream gradient", "상류 그래디언트", "dL/d(output) handed to an op's backward"),
    ("finite differences", "유한 차분", "(f(x+eps) - f(x-eps)) / 2eps, the numeric check"),
])
dev = L.args.device

# %% A graph of three ops
L.title("1. A graph, forward and backward", "1. 그래프: 순전파와 역전파")
x = tr.tensor([1.5, -0.5, 2.0], requires_grad=True, device=dev, dtype="float64")
w = tr.tensor([0.3, 0.8, -1.2], requires_grad=True, device=dev, dtype="float64")
z = x * w                 # Mul
h = F.relu(z)             # ReLU
loss = F.sum(h * h)       # Mul, Sum
print("  graph (from the loss back):", " <- ".join(
    t.creator.op_name for t in (loss, loss.creator.inputs[0], h, z)))
loss.backward()
L.say("Each op saved what its backward needs. backward() visits the ops from the loss back to the leaves "
      "in topological order and hands each op the gradient of its output.",
      "각 연산은 역전파에 필요한 값만 저장합니다. backward()는 손실에서 잎(leaf) 텐서까지 위상 정렬 순서로 "
      "연산을 방문하며, 각 연산에 출력의 그래디언트를 넘겨 줍니다.")

# %% The chain rule by hand
xn, wn = x.numpy(), w.numpy()
zn = xn * wn
by_hand = 2 * np.maximum(zn, 0) * (zn > 0) * wn      # dL/dh = 2h, dh/dz = 1[z>0], dz/dx = w
L.result("dL/dx by autograd", np.round(tr.backend.to_numpy(x.grad), 6))
L.result("dL/dx by hand    ", np.round(by_hand, 6))
assert np.allclose(tr.backend.to_numpy(x.grad), by_hand)

# %% Checking gradients numerically
L.title("2. Gradient check", "2. 그래디언트 검사")
A = tr.tensor(L.rng.standard_normal((4, 5)), requires_grad=True, device=dev)
B = tr.tensor(L.rng.standard_normal((5, 3)), requires_grad=True, device=dev)
report = tr.gradcheck(lambda a, b: F.relu(a @ b) * 2.0 - a.sum(axis=1, keepdims=True), [A, B], seed=L.cotangent_seed)
print("  " + str(report).replace("\n", "\n  "))
L.say("gradcheck compares backward with central differences for EVERY element of every input, using a "
      "random upstream gradient v (so it checks v^T J, not just the sum of the outputs).",
      "gradcheck는 모든 입력의 모든 원소에 대해 역전파 결과를 중앙 차분과 비교합니다. 상류 그래디언트 v를 "
      "무작위로 뽑기 때문에 출력의 합이 아니라 v^T J 전체를 검사합니다.")

# %% Train softmax regression on real digits with autograd alone
L.title("3. Learning from data: softmax regression on digits", "3. 데이터로 학습: 숫자 데이터의 소프트맥스 회귀")
train, test = digits("train"), digits("test")
n = 256 if L.args.quick else len(train)
X = tr.tensor((train.images[:n].reshape(n, -1) / 16.0).astype("float32"), device=dev)
Y = tr.tensor(train.labels[:n], device=dev)
Xt = tr.tensor((test.images.reshape(len(test), -1) / 16.0).astype("float32"), device=dev)
W = tr.tensor(np.zeros((10, 64), dtype="float32"), requires_grad=True, device=dev)
b = tr.tensor(np.zeros(10, dtype="float32"), requires_grad=True, device=dev)
steps = 30 if L.args.quick else 300
for step in range(steps + 1):
    loss = F.cross_entropy(F.linear(X, W, b), Y)
    if step % (steps // 5) == 0:
        L.result(f"step {step:3d} loss", f"{loss.item():.4f}")
    if step == steps:
        break
    W.zero_grad()
    b.zero_grad()
    loss.backward()
    with tr.no_grad():           # the update itself is not part of the graph
        W.data = W.data - 0.5 * W.grad
        b.data = b.data - 0.5 * b.grad
pred = tr.backend.to_numpy(F.linear(Xt, W, b).data).argmax(1)
acc = (pred == test.labels).mean()
L.result("test accuracy of a linear classifier", f"{100 * acc:.2f}%")
L.say(f"A linear model reaches {100 * acc:.1f}% on the 359 test digits. The next lessons build the "
      "convolutions, normalisation and residual connections that go further.",
      f"선형 모델이 359개 테스트 숫자에서 {100 * acc:.1f}%를 얻었습니다. 다음 강의들에서는 더 나아가기 위한 "
      "합성곱, 정규화, 잔차 연결을 만들어 봅니다.")

# %% Your turn
L.your_turn("add_mul",
            "Write the backward of add and mul and the topological sort that orders the graph; then relu, linear "
            "and cross_entropy, each checked with a random upstream gradient like section 2's.",
            "add와 mul의 역전파, 그리고 그래프 순서를 정하는 위상 정렬을 작성하세요. 그다음 relu, linear, "
            "cross_entropy를 작성하면, 2절처럼 무작위 상류 그래디언트로 각각 검사됩니다.")
