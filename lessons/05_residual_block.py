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
from tinyres.i18n import _
from tinyres.lesson import Lesson, compare_identity_fit
from tinyres.models.blocks import BasicBlock, PlainBlock, PreActBlock
from tinyres.optim import SGD

L = Lesson(__file__, __doc__, [
    ("residual function F(x)", "what the block's layers learn: H(x) - x"),
    ("shortcut / identity path", "x carried around the layers and added back"),
    ("residual add", "z = F(x) + x, its own op in tinyres"),
    ("pre-activation block", "BN and ReLU before each conv; nothing after the add"),
    ("option A shortcut", "subsample + zero channels when the shape changes"),
    ("zero-init residual", "last BN gamma = 0: the block starts as the identity"),
])
dev = L.args.device
q = L.args.quick

L.say("Notation for the whole lesson (the original block of He et al. 2015): the branch F(x) = "
      "bn2(conv2(relu(bn1(conv1(x))))), the add z = F(x) + x, and the block output y = relu(z). The ReLU sits "
      "AFTER the add.")

# %% The idea: learn F = H - x
L.title("1. Fitting the identity: plain block vs residual block")
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
        for step in range(steps + 1):
            diff = block(feats) - feats
            loss = F.sum(diff * diff) * (1.0 / diff.size)
            if step == steps:
                break
            opt.zero_grad()
            loss.backward()
            opt.step()
        finals[kind].append(loss.item())
    L.result("seed {seed} mean squared error of y - x after {steps} steps", _(
        "plain {plain:.4g}   residual {residual:.4g}", plain=finals["plain"][-1], residual=finals["residual"][-1]),
        seed=seed, steps=steps)
L.conclude(compare_identity_fit(finals["plain"], finals["residual"], steps))
L.say("This is the paper's reformulation: if the best H is close to the identity, the layers of a residual block "
      "only have to push F toward 0 (e.g. bn2's gamma to 0), while a plain block must rebuild x through two "
      "convolutions, two batch norms and two ReLUs.")

# %% Backward through one block, by hand
L.title("2. One block's backward, assembled by hand")
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
print("  dL/dz = dL/dy * 1[z > 0]      " + _("(the ReLU after the add)"))
print("  " + _("branch: dL/dz -> bn2 backward -> conv2 backward -> * 1[bn1 out > 0] -> bn1 backward -> conv1 "
               "backward"))
print("  " + _("dL/dx = (branch term: dL/dz dF/dx) + (identity term: dL/dz)") + "\n")
L.result("max |by hand - autograd|", f"{np.abs(g_branch + gz - auto).max():.2e}")
L.result("|dL/dy|", f"{np.linalg.norm(G):.4f}")
L.result("|dL/dz| (identity term)", f"{np.linalg.norm(gz):.4f}")
L.result("|dL/dz dF/dx| (branch term)", f"{np.linalg.norm(g_branch):.4f}")
L.result("share of z <= 0 (gradient blocked)", f"{100 * (z <= 0).mean():.1f}%")
assert np.allclose(g_branch + gz, auto)
L.say("For the add z = F + x the backward hands dL/dz, unchanged, to BOTH inputs, so dL/dx = dL/dz (dF/dx + 1): the "
      "'+1' reaches x however small dF/dx is. But what reaches the add is dL/dz = dL/dy * 1[z > 0], not dL/dy: "
      "wherever z <= 0 the ReLU after the add blocks the identity path as well as the branch (the share above).")

# %% Many blocks: the unrolled sum, gated or clean
L.title("3. Many blocks: x_L = x_l + sum of F")
depth = 3 if q else 9
post = [BasicBlock(8, 8, 1).to(dev, dtype="float64") for i in range(depth)]
pre = [PreActBlock(8, 8, 1).to(dev, dtype="float64") for i in range(depth)]
rows = {}
for label, blocks in (("original", post), ("pre-activation", pre)):
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
    L.result("{label} blocks", _("|identity term| / |dL/dx_L| = {identity:.3f},  |sum of branch terms| / |dL/dx_L| "
                                 "= {branch:.3f}", identity=rows[label][0], branch=rows[label][1]),
             label=_("original (ReLU after the add)") if label == "original" else
             _("pre-activation (nothing after the add)"))
L.say("With pre-activation blocks x_(l+1) = x_l + F(x_l), so x_L = x_l + sum of the F's and dL/dx_l = dL/dx_L "
      "(1 + d/dx_l sum F): the upstream gradient reaches block l through {depth} adds untouched (ratio {pre:.3f} "
      "above). With the ReLU after each add, the identity term is dL/dx_L times the product of {depth} masks, so "
      "only {post:.0f}% of its norm survives here. He et al. (2016, 'Identity Mappings in Deep Residual Networks') "
      "moved BN and ReLU before the convolutions for exactly this reason.",
      depth=depth, pre=rows["pre-activation"][0], post=100 * rows["original"][0])
assert abs(rows["pre-activation"][0] - 1) < 1e-12
L.say("Attribution matters here. The '+1' argument is He et al. 2016's. The 2015 paper itself argues that "
      "degradation is unlikely to be caused by vanishing gradients, because batch norm keeps forward and "
      "backward signals healthy in its plain nets; lesson 06 measures both claims at initialisation.")

# %% Option A: when the shape changes
L.title("4. When the shape changes: option A")
s = F.shortcut_a(x, 16, 2)
zeros = np.abs(s.numpy()[:, [0, 1, 2, 3, 12, 13, 14, 15]]).max()
L.result("shortcut_a(x, 16, stride 2)", _("{before} -> {after}: x[:, :, ::2, ::2] in channels 4..11, zeros in "
                                          "channels 0..3 and 12..15 (max there {zeros})",
                                          before=x.shape, after=s.shape, zeros=zeros))
L.result("block output", BasicBlock(8, 16, stride=2, shortcut="A").to(dev, dtype="float64")(x).shape)

# %% Zero-initialised last BN
L.title("5. zero_init_residual: every block starts as the identity")
zblock = BasicBlock(8, 8, 1).to(dev, dtype="float64")
tr.nn.init.zeros_(zblock.bn2.weight)
out = zblock(x).numpy()
L.result("max |block(x) - x| with gamma_last = 0 (x >= 0 here)", f"{np.abs(out - x.numpy()).max():.2e}")
L.say("With the last BN scale at 0 the branch outputs 0, so y = relu(0 + x) = x for x >= 0: a deep network of such "
      "blocks starts as the shallow network lesson 04 built by hand.")

# %% Your turn
L.your_turn("basic_block",
            "Assemble a BasicBlock from your own ops (conv, batch norm, ReLU, the residual add, option A). When it "
            "passes, `tinyres train --ops DIR` trains ResNet-20 with your backward passes.")
