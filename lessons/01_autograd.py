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
from tinyres.i18n import _, pad, width
from tinyres.lesson import Lesson

L = Lesson(__file__, __doc__, [
    ("tensor", "an array plus its gradient and the op that made it"),
    ("computational graph", "ops linked by the tensors they pass"),
    ("chain rule", "dL/dx = dL/dy * dy/dx, applied op by op from the loss back"),
    ("upstream gradient", "dL/d(output) handed to an op's backward"),
    ("finite differences", "(f(x+eps) - f(x-eps)) / 2eps, the numeric check"),
])
dev = L.args.device

# %% A graph of three ops
L.title("1. A graph, forward and backward")
x = tr.tensor([1.5, -0.5, 2.0], requires_grad=True, device=dev, dtype="float64")
w = tr.tensor([0.3, 0.8, -1.2], requires_grad=True, device=dev, dtype="float64")
z = x * w                 # Mul
h = F.relu(z)             # ReLU
loss = F.sum(h * h)       # Mul, Sum
L.result("graph (from the loss back)", " <- ".join(t.creator.op_name for t in (loss, loss.creator.inputs[0], h, z)))
loss.backward()
L.say("Each op saved what its backward needs. backward() visits the ops from the loss back to the leaves "
      "in topological order and hands each op the gradient of its output.")

# %% The chain rule by hand
xn, wn = x.numpy(), w.numpy()
zn = xn * wn
by_hand = 2 * np.maximum(zn, 0) * (zn > 0) * wn      # dL/dh = 2h, dh/dz = 1[z>0], dz/dx = w
rows = [(_("dL/dx by autograd"), np.round(tr.backend.to_numpy(x.grad), 6)), (_("dL/dx by hand"), np.round(by_hand, 6))]
cols = max(width(label) for label, value in rows)     # the two arrays one above the other, in any language
for label, value in rows:
    print(f"  {pad(label, cols)}: {value}")
assert np.allclose(tr.backend.to_numpy(x.grad), by_hand)

# %% Checking gradients numerically
L.title("2. Gradient check")
A = tr.tensor(L.rng.standard_normal((4, 5)), requires_grad=True, device=dev)
B = tr.tensor(L.rng.standard_normal((5, 3)), requires_grad=True, device=dev)
report = tr.gradcheck(lambda a, b: F.relu(a @ b) * 2.0 - a.sum(axis=1, keepdims=True), [A, B], seed=L.cotangent_seed)
print("  " + str(report).replace("\n", "\n  ") + "\n")
L.say("gradcheck compares backward with central differences for EVERY element of every input, using a "
      "random upstream gradient v (so it checks v^T J, not just the sum of the outputs).")

# %% Train softmax regression on real digits with autograd alone
L.title("3. Learning from data: softmax regression on digits")
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
        L.result("step {step:3d} loss", f"{loss.item():.4f}", step=step)
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
L.say("A linear model reaches {acc:.1f}% on the {n} test digits. The next lessons build the convolutions, "
      "normalisation and residual connections that go further.", acc=100 * acc, n=len(test))

# %% Your turn
L.your_turn("add_mul",
            "Write the backward of add and mul and the topological sort that orders the graph; then relu, linear "
            "and cross_entropy, each checked with a random upstream gradient like section 2's.")
