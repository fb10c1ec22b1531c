"""Lesson 03 - batch norm, ReLU and pooling: batch norm train vs eval, its backward DERIVED
step by step (each step checked against autograd), why a gradient check of sum(f(x)) cannot
catch a batch norm that forgets the path through the variance (live), and how ReLU and max
pooling route the gradient.

    python lessons/03_batchnorm_relu_pooling.py     # seconds
"""
# %%
import numpy as np

import tinyres as tr
import tinyres.functional as F
from tinyres.data import digits
from tinyres.i18n import _, pad
from tinyres.lesson import Lesson
from tinyres.ops.norm import BatchNorm

L = Lesson(__file__, __doc__, [
    ("batch normalisation", "normalise each channel by the batch's mean and variance"),
    ("running statistics", "averages of mean/var kept for evaluation"),
    ("train / eval mode", "batch statistics vs running statistics"),
    ("ReLU", "max(x, 0); its gradient is 1 where x > 0, else 0"),
    ("max pooling", "keep the largest value of each window; only it gets gradient"),
    ("cotangent", "the upstream gradient v in the check v^T J"),
])
dev = L.args.device

# %% Batch norm on real digit activations
L.title("1. Batch norm, train vs eval")
imgs = digits("train").images[:64].astype("float64") / 16.0
conv = tr.nn.Conv2d(1, 4, 3, padding=1).to(dev, dtype="float64")
bn = tr.nn.BatchNorm2d(4).to(dev, dtype="float64")
a = conv(tr.tensor(imgs, device=dev))
y = bn(a)
yn = y.numpy()
L.result("per-channel mean after BN (train)", np.round(yn.mean(axis=(0, 2, 3)), 6))
L.result("per-channel std  after BN (train)", np.round(yn.std(axis=(0, 2, 3)), 4))
L.result("running_mean after one batch (momentum 0.1)", np.round(bn.running_mean.numpy(), 4))
bn.eval()
ye = bn(a).numpy()
L.result("per-channel std in eval mode (running stats)", np.round(ye.std(axis=(0, 2, 3)), 3))
L.say("In training mode every channel is normalised with THIS batch's mean and variance, and the running "
      "averages move 10% toward them. In eval mode the running averages are used, so the output no longer "
      "depends on the rest of the batch - and differs from the training-mode output while the running averages "
      "are still catching up (above: the eval-mode std is not 1). This is one reason a network's error measured "
      "in training mode on augmented batches can be HIGHER than its error on the test set in eval mode.")

# %% The backward pass, derived step by step
L.title("2. The batch-norm backward, derived")
x = tr.tensor(L.rng.standard_normal((4, 3, 3, 3)), requires_grad=True, device=dev)
gamma = tr.tensor(L.rng.uniform(0.5, 1.5, 3), requires_grad=True, device=dev)
beta = tr.tensor(L.rng.standard_normal(3), requires_grad=True, device=dev)


def bn_train(x, g, b):
    return F.batch_norm(x, None, None, g, b, training=True)


out = bn_train(x, gamma, beta)
v = L.cotangent(out.shape)                  # the same upstream gradient the checks below use
assert not np.allclose(v, x.numpy()), "the cotangent must not be the input"
out.backward(v)
auto = tr.backend.to_numpy(x.grad)

xn, gn, eps = x.numpy(), gamma.numpy().reshape(1, -1, 1, 1), 1e-5
ax = (0, 2, 3)
m = xn.size // xn.shape[1]
mu = xn.mean(axis=ax, keepdims=True)
var = ((xn - mu) ** 2).mean(axis=ax, keepdims=True)
sigma = np.sqrt(var + eps)
xhat = (xn - mu) / sigma
d = v * gn                                                            # step 1
d_var = np.sum(d * (xn - mu), axis=ax, keepdims=True) * -0.5 * sigma ** -3   # step 2
d_mu = np.sum(-d / sigma, axis=ax, keepdims=True) + d_var * np.mean(-2 * (xn - mu), axis=ax, keepdims=True)  # step 3
dx_steps = d / sigma + d_var * 2 * (xn - mu) / m + d_mu / m          # step 4
dx_closed = (d - d.mean(axis=ax, keepdims=True) - xhat * (d * xhat).mean(axis=ax, keepdims=True)) / sigma
L.say("Per channel, over its m = N*H*W values: mu = mean(x), var = mean((x - mu)^2), sigma = sqrt(var + eps), "
      "xhat = (x - mu)/sigma, y = gamma*xhat + beta. x reaches the loss three ways: directly through xhat, "
      "through mu and through var. With v = dL/dy:")
steps = ("d = dL/dxhat = v * gamma;  dL/dgamma = sum(v * xhat),  dL/dbeta = sum(v)",
         "dL/dvar = sum(d * (x - mu)) * (-1/2) * sigma^-3",
         "dL/dmu  = sum(-d / sigma) + dL/dvar * mean(-2 (x - mu))    " + _("(the second term is 0: mean(x - mu) = 0)"),
         "dL/dx   = d / sigma + dL/dvar * 2 (x - mu) / m + dL/dmu / m")
for n, formula in enumerate(steps, 1):
    print("  " + pad(_("step {n}", n=n), 8) + formula)
print("  " + pad(_("simplify"), 16) + "= (d - mean(d) - xhat * mean(d * xhat)) / sigma")
print("  " + " " * 18 + _("the three paths: d (direct), - mean(d) (through mu), - xhat * mean(d * xhat) (through var)")
      + "\n")


def verdict(ok):
    return _("PASSED") if ok else _("FAILED")


L.result("max |step-by-step dL/dx - autograd|", f"{np.abs(dx_steps - auto).max():.2e}")
L.result("max |simplified dL/dx - autograd|", f"{np.abs(dx_closed - auto).max():.2e}")
L.result("max |cotangent v - input x| (they must differ)", f"{np.abs(v - xn).max():.3f}")
assert np.allclose(dx_steps, auto) and np.allclose(dx_closed, auto)
full = tr.gradcheck(bn_train, [x, gamma, beta], seed=L.cotangent_seed)
L.result("gradient check with the random cotangent v", verdict(full.ok))

# %% Broken backwards: what a sum() check sees
L.title("3. A wrong backward that a sum-check cannot see")


def without(term):
    def backward(self, gy):
        xp = tr.backend.namespace(gy)
        xhat, inv_std, g = self.saved
        d = gy * xp.reshape(g, (1, -1, 1, 1))
        gx = d
        if term != "mu":
            gx = gx - xp.mean(d, axis=(0, 2, 3), keepdims=True)
        if term != "var":
            gx = gx - xhat * xp.mean(d * xhat, axis=(0, 2, 3), keepdims=True)
        return inv_std * gx, xp.sum(gy * xhat, axis=(0, 2, 3)), xp.sum(gy, axis=(0, 2, 3))
    return backward


correct = BatchNorm.backward
checks = {}
try:
    for term in ("var", "mu"):
        BatchNorm.backward = without(term)
        checks[term] = (tr.gradcheck(lambda x, g, b: F.sum(bn_train(x, g, b)), [x, gamma, beta], seed=L.cotangent_seed,
                                     raise_on_fail=False),
                        tr.gradcheck(bn_train, [x, gamma, beta], seed=L.cotangent_seed, raise_on_fail=False))
finally:
    BatchNorm.backward = correct
for term, dropped in (("var", "- xhat * mean(d * xhat) / sigma"), ("mu", "- mean(d) / sigma")):
    blind, sharp = checks[term]
    L.result("without the path through {name} ({dropped})", _("sum() check {blind}, random-cotangent check {sharp}",
                                                              blind=verdict(blind.ok), sharp=verdict(sharp.ok)),
             name=term, dropped=dropped)
w = checks["var"][1].worst
L.result("worst element, variance path missing",
         _("input {input} at {index}: analytic {analytic:.4f} vs numeric {numeric:.4f}",
           input=w.input, index=w.index, analytic=w.analytic, numeric=w.numeric))
L.say("sum(BN(x)) does not depend on x (each channel sums to m*beta), so its true gradient is zero. With v = 1 "
      "the missing variance term, - xhat * mean(d * xhat) / sigma, is zero anyway: mean(gamma * xhat) = 0. So a "
      "backward without it passes a sum() check. Dropping the mean term, - mean(d) / sigma, leaves d / sigma, "
      "which is not zero: the sum() check catches that one. Only a random cotangent exercises every path.")
assert checks["var"][0].ok and not checks["var"][1].ok and not checks["mu"][0].ok and not checks["mu"][1].ok

# %% ReLU and pooling gradients
L.title("4. ReLU and max pooling route the gradient")
z = tr.tensor(np.array([[[[1.0, -2.0], [3.0, 0.5]]]]), requires_grad=True, device=dev)
F.sum(F.max_pool2d(F.relu(z), 2)).backward()
L.result("input", z.numpy()[0, 0].tolist())
L.result("gradient", tr.backend.to_numpy(z.grad)[0, 0].tolist())
L.say("Only the window's maximum (3.0) receives the gradient; ReLU passes it where its input was positive. "
      "With a tie, tinyres gives the whole gradient to ONE of the tied maxima (the first in the window), not to each.")

# %% Your turn
L.your_turn("batch_norm",
            "Write the batch-norm backward with both paths; the checker's random cotangent fails it if the "
            "variance path is missing. Then max_pool2d (ties: one winner) the same way.")
