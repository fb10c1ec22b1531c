"""Lesson 03 - batch norm, ReLU and pooling: the batch-norm backward derived, train vs eval,
and why a gradient check of f(x).sum() cannot catch a wrong batch-norm backward (live).

    python lessons/03_batchnorm_relu_pooling.py     # seconds
"""
# %%
import numpy as np

import tinyres as tr
import tinyres.functional as F
from tinyres.data import digits
from tinyres.lesson import Lesson
from tinyres.ops.norm import BatchNorm

L = Lesson(__file__, __doc__, [
    ("batch normalisation", "배치 정규화", "normalise each channel by the batch's mean and variance"),
    ("running statistics", "이동 통계", "averages of mean/var kept for evaluation"),
    ("train / eval mode", "학습 / 평가 모드", "batch statistics vs running statistics"),
    ("ReLU", "ReLU", "max(x, 0); its gradient is 1 where x > 0, else 0"),
    ("max pooling", "최대 풀링", "keep the largest value of each window; only it gets gradient"),
    ("cotangent", "코탄젠트(상류 벡터)", "the upstream gradient v in the check v^T J"),
])
dev = L.args.device
rng = np.random.default_rng(L.args.seed)

# %% Batch norm on real digit activations
L.title("1. Batch norm, train vs eval", "1. 배치 정규화: 학습 모드와 평가 모드")
imgs = digits("train").images[:64].astype("float64") / 16.0
tr.manual_seed(L.args.seed)
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
      "averages move 10% toward them. In eval mode the running averages are used: the output no longer "
      "depends on the rest of the batch.",
      "학습 모드에서는 각 채널을 이 배치의 평균과 분산으로 정규화하고, 이동 평균을 10%씩 그쪽으로 옮깁니다. "
      "평가 모드에서는 이동 평균을 사용하므로 출력이 배치의 다른 샘플에 의존하지 않습니다.")

# %% The backward pass, derived
L.title("2. The batch-norm backward", "2. 배치 정규화의 역전파")
L.say("With xhat = (x - mu)/sigma and g = dL/dxhat: dL/dx = (g - mean(g) - xhat * mean(g * xhat)) / sigma. "
      "The two mean terms are the paths through mu and sigma, which depend on every x in the batch.",
      "xhat = (x - mu)/sigma, g = dL/dxhat 일 때 dL/dx = (g - mean(g) - xhat * mean(g * xhat)) / sigma 입니다. "
      "두 평균 항은 배치의 모든 x에 의존하는 mu와 sigma를 거치는 경로입니다.")
x = tr.tensor(rng.standard_normal((4, 3, 3, 3)), requires_grad=True, device=dev)
gamma = tr.tensor(rng.uniform(0.5, 1.5, 3), requires_grad=True, device=dev)
beta = tr.tensor(rng.standard_normal(3), requires_grad=True, device=dev)


def bn_train(x, g, b):
    return F.batch_norm(x, None, None, g, b, training=True)


print("  correct backward, random cotangent:", tr.gradcheck(bn_train, [x, gamma, beta]).ok)

# %% A broken backward, caught only by a random cotangent
L.title("3. A wrong backward that a sum-check cannot see", "3. 합(sum) 검사로는 보이지 않는 잘못된 역전파")


def broken_backward(self, gy):     # forgets the path through the variance
    xp = tr.backend.namespace(gy)
    xhat, inv_std, g = self.saved
    d = gy * xp.reshape(g, (1, -1, 1, 1))
    gx = inv_std * (d - xp.mean(d, axis=(0, 2, 3), keepdims=True))
    return gx, xp.sum(gy * xhat, axis=(0, 2, 3)), xp.sum(gy, axis=(0, 2, 3))


correct = BatchNorm.backward
BatchNorm.backward = broken_backward
try:
    blind = tr.gradcheck(lambda x, g, b: F.sum(bn_train(x, g, b)), [x, gamma, beta], raise_on_fail=False)
    sharp = tr.gradcheck(bn_train, [x, gamma, beta], raise_on_fail=False)
finally:
    BatchNorm.backward = correct
L.result("check of sum(BN(x)) with the broken backward", "PASSED" if blind.ok else "FAILED")
L.result("check with a random cotangent              ", "PASSED" if sharp.ok else "FAILED")
w = sharp.worst
L.result("worst element", f"input {w.input} at {w.index}: analytic {w.analytic:.4f} vs numeric {w.numeric:.4f}")
L.say("sum(BN(x)) does not depend on x at all (each channel sums to N*H*W*beta), so its true gradient is "
      "zero and the broken term multiplies zeros. A random upstream gradient exercises every path.",
      "sum(BN(x))는 x와 무관합니다(각 채널의 합은 N*H*W*beta). 그래서 참 그래디언트가 0이고, 빠뜨린 항도 0에 "
      "곱해집니다. 무작위 상류 그래디언트를 쓰면 모든 경로가 검사됩니다.")
assert blind.ok and not sharp.ok

# %% ReLU and pooling gradients
L.title("4. ReLU and max pooling route the gradient", "4. ReLU와 최대 풀링은 그래디언트의 길을 정한다")
z = tr.tensor(np.array([[[[1.0, -2.0], [3.0, 0.5]]]]), requires_grad=True, device=dev)
F.sum(F.max_pool2d(F.relu(z), 2)).backward()
L.result("input", z.numpy()[0, 0].tolist())
L.result("gradient", tr.backend.to_numpy(z.grad)[0, 0].tolist())
L.say("Only the window's maximum (3.0) receives the gradient; ReLU passes it where its input was positive.",
      "창의 최댓값(3.0)만 그래디언트를 받습니다. ReLU는 입력이 양수였던 곳으로만 그래디언트를 통과시킵니다.")
