"""Lesson 02 - convolution: im2col, forward and backward by hand, gradient check, counting
multiply-adds.

    python lessons/02_convolution.py          # seconds
"""
# %%
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import tinyres as tr  # noqa: E402
import tinyres.functional as F  # noqa: E402
from tinyres.data import digits  # noqa: E402
from tinyres.i18n import _, fig_text  # noqa: E402
from tinyres.inspect import summary  # noqa: E402
from tinyres.lesson import Lesson, build_model  # noqa: E402
from tinyres.ops.im2col import im2col  # noqa: E402

L = Lesson(__file__, __doc__, [
    ("convolution", "the same small filter applied at every position"),
    ("im2col", "copy every window into a column so convolution becomes one matrix product"),
    ("col2im", "the adjoint: add each column back where its window came from"),
    ("stride / padding", "step between windows / zeros added around the border"),
    ("multiply-add (MAC)", "one w*x + acc; the paper's FLOPs count these"),
])
dev = L.args.device

# %% One real digit, one 3x3 filter, the slow way
L.title("1. Convolution as a loop over windows")
img = digits("train").images[0, 0].astype("float64") / 16.0          # 8x8
k = np.array([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]])  # a vertical-edge (Sobel) filter
padded = np.pad(img, 1)
slow = np.array([[np.sum(padded[i:i + 3, j:j + 3] * k) for j in range(8)] for i in range(8)])
x = tr.tensor(img[None, None], device=dev)
wt = tr.tensor(k[None, None], device=dev)
fast = F.conv2d(x, wt, padding=1).numpy()[0, 0]
L.result("max |loop - conv2d|", f"{np.abs(slow - fast).max():.2e}")

# %% im2col turns it into a matrix product
L.title("2. im2col: every window becomes a column")
xt = tr.backend.from_numpy(padded[None, None].transpose(1, 0, 2, 3).copy(), dev)
cols = tr.backend.to_numpy(im2col(xt, (3, 3), (1, 1), (1, 1), (8, 8))).reshape(9, 64)
as_gemm = (k.reshape(1, 9) @ cols).reshape(8, 8)
L.result("columns matrix shape (C*kh*kw, N*Ho*Wo)", cols.shape)
L.result("max |GEMM - loop|", f"{np.abs(as_gemm - slow).max():.2e}")
L.say("Nine shifted copies of the image, stacked, turn the convolution into a single matrix product: "
      "W (C_out x C*kh*kw) @ cols. Backward is two more products (dW = G cols^T, dcols = W^T G) and col2im, "
      "which adds each window's gradient back to the pixels it covered.")

fig, axes = plt.subplots(1, 3, figsize=(9, 3))
for ax, im, t in zip(axes, (img, fast, cols), (fig_text("digit (8x8)"), fig_text("conv with a Sobel filter"),
                                               fig_text("im2col columns (9 x 64)"))):
    ax.imshow(im, cmap="gray" if im is img else "RdBu_r", aspect="auto")
    ax.set_title(t)
    ax.axis("off")
fig.suptitle(fig_text("Convolution = im2col + matrix product"), y=1.06)
fig.savefig(L.path("im2col.png"), dpi=100, bbox_inches="tight")
L.result("figure", L.path("im2col.png"))

# %% Backward by hand and by gradient check
L.title("3. Backward: by hand, and checked")
xb = tr.tensor(L.rng.standard_normal((2, 3, 6, 6)), requires_grad=True, device=dev)
wb = tr.tensor(L.rng.standard_normal((4, 3, 3, 3)), requires_grad=True, device=dev)
y = F.conv2d(xb, wb, stride=2, padding=1)
G = L.cotangent(y.shape)
y.backward(G)
xn, wn = xb.numpy(), wb.numpy()
xp_ = np.pad(xn, ((0, 0), (0, 0), (1, 1), (1, 1)))
gw = np.zeros_like(wn)
for oy in range(y.shape[2]):
    for ox in range(y.shape[3]):
        patch = xp_[:, :, 2 * oy:2 * oy + 3, 2 * ox:2 * ox + 3]              # (N, C, 3, 3)
        gw += np.einsum("no,nckl->ockl", G[:, :, oy, ox], patch)
L.result("max |dL/dW autograd - loop|", f"{np.abs(tr.backend.to_numpy(wb.grad) - gw).max():.2e}")
report = tr.gradcheck(lambda a, b: F.conv2d(a, b, stride=2, padding=1), [xb, wb], seed=L.cotangent_seed)
print("  " + str(report).splitlines()[0])

# %% Counting multiply-adds
L.title("4. Counting multiply-adds")
c_in, c_out, hw = 16, 16, 32
per_layer = c_out * hw * hw * c_in * 9
L.result("one 3x3 conv, 16->16 channels, 32x32 output", _("{n:,} multiply-adds", n=per_layer))
s = summary(build_model("resnet20"), (3, 32, 32))
convs = [r for r in s.rows if r.type == "Conv2d"]
by_cost = {}
for r in convs:
    by_cost[r.madds] = by_cost.get(r.madds, 0) + 1
fc = sum(r.madds for r in s.rows if r.type == "Linear")
L.result("ResNet-20, traced", _("{n:,} multiply-adds, {convs} convolutions", n=s.total_madds, convs=len(convs)))
for cost, count in sorted(by_cost.items(), key=lambda kv: -kv[1]):
    L.result("  {count:2d} conv(s) of", _("{n:,} multiply-adds each", n=cost), count=count)
L.result("  the fully connected layer", f"{fc:,}")
same = by_cost.get(per_layer, 0)
L.say("ResNet-20 costs {total:.1f}M multiply-adds per 32x32 image. {same} of its {convs} convolutions cost exactly "
      "{per_layer:,} each, like the one above: the channels double whenever the map halves, so the cost per conv "
      "stays. The cheaper ones are the first conv (3 input channels) and the stride-2 convs that open stages 2 and "
      "3 (half: they still read the narrower input).",
      total=s.total_madds / 1e6, same=same, convs=len(convs), per_layer=per_layer)

# %% Your turn
L.your_turn("im2col",
            "Write im2col and its adjoint col2im (they must satisfy <im2col(x), c> = <x, col2im(c)>), then "
            "conv2d: dW = G cols^T and dX = col2im(W^T G), with stride 2 and padding.")
