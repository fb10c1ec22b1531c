"""Lesson 11 - the training recipe (He et al. 2015, section 4.2 for CIFAR-10), each part with a
number you can see: He initialisation vs a naive one (activation scale per layer), momentum 0.9,
weight decay 1e-4, lr 0.1 divided by 10 at 32k and 48k iterations, and 4-pixel padding + random
32x32 crop + horizontal flip.

    python lessons/11_training_recipe.py     # ~10 s
"""
# %%
import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import tinyres as tr  # noqa: E402
import tinyres.functional as F  # noqa: E402
from tinyres.data import RandomCrop, RandomHorizontalFlip, digits  # noqa: E402
from tinyres.lesson import Lesson, conclude_init_scale, mean_sd  # noqa: E402
from tinyres.optim import SGD, lr_scheduler  # noqa: E402
from tinyres.train import RECIPES  # noqa: E402

L = Lesson(__file__, __doc__, [
    ("He initialisation", "He 초기화", "weights ~ N(0, 2 / fan): keeps the activation scale through ReLU layers"),
    ("momentum", "모멘텀", "a running sum of past gradients: v <- m v + g, w <- w - lr v"),
    ("weight decay", "가중치 감쇠", "adds wd * w to the gradient: pulls every weight toward 0"),
    ("learning-rate schedule", "학습률 스케줄", "lr divided by 10 at fixed iterations"),
    ("data augmentation", "데이터 증강", "random crops and flips: a new variant of each image every epoch"),
])
dev = L.args.device
q = L.args.quick

# %% He initialisation
L.title("1. He initialisation: the activation scale per layer", "1. He 초기화: 층별 활성값 크기")
depth, width = (8 if q else 30), 16
fan = width * 9
inits = {"He: std sqrt(2 / fan)": math.sqrt(2.0 / fan), "naive: std 0.01": 0.01,
         "Xavier-like: std sqrt(1 / fan)": math.sqrt(1.0 / fan)}
stds = {label: [] for label in inits}
for seed in L.seeds:
    x0 = tr.tensor(np.random.default_rng((seed, 5)).standard_normal((8, width, 16, 16)), device=dev)
    for label, std in inits.items():
        w_rng = np.random.default_rng((seed, 6))       # the same draws for every init, only the scale differs
        h, per_layer = x0, []
        with tr.no_grad():
            for _ in range(depth):
                w = tr.tensor(w_rng.standard_normal((width, width, 3, 3)) * std, device=dev)
                h = F.relu(F.conv2d(h, w, padding=1))
                per_layer.append(float(h.numpy().std()))
        stds[label].append(per_layer)
show = [0, depth // 4, depth // 2, depth - 1]
print(f"  {'init':<32}" + "".join(f"{'layer ' + str(i + 1):>12}" for i in show))
for label in inits:
    mean_layers = np.mean(stds[label], axis=0)
    print(f"  {label:<32}" + "".join(f"{mean_layers[i]:>12.3g}" for i in show))
he_last = mean_sd(s[-1] for s in stds["He: std sqrt(2 / fan)"])[0]
naive_last = mean_sd(s[-1] for s in stds["naive: std 0.01"])[0]
L.result(f"activation std after layer {depth}, mean over {len(L.seeds)} seed(s)",
         f"He {he_last:.3g}, naive {naive_last:.3g}")
L.conclude(conclude_init_scale(he_last, naive_last))
L.say("Why 2: a ReLU zeroes half of a symmetric input, halving the second moment, so each layer needs weights "
      "with variance 2 / fan to give it back (He et al. 2015b, 'Delving Deep into Rectifiers'). tinyres "
      "initialises every conv this way (fan_out, like torchvision). Batch norm would hide a bad scale in the "
      "forward pass, but the paper's recipe uses He init with it all the same.",
      "왜 2인가: ReLU는 대칭인 입력의 절반을 0으로 만들어 2차 모멘트를 반으로 줄입니다. 그래서 각 층은 분산이 "
      "2 / fan인 가중치로 그만큼을 돌려줘야 합니다(He 등 2015b, 'Delving Deep into Rectifiers'). tinyres는 모든 "
      "합성곱을 이렇게 초기화합니다(torchvision처럼 fan_out). 배치 정규화가 순전파에서 잘못된 크기를 가려 주지만, "
      "논문의 방법은 그래도 He 초기화를 함께 씁니다.")

# %% Momentum
L.title("2. Momentum 0.9 on a narrow valley", "2. 좁은 골짜기에서 모멘텀 0.9")
scales = tr.tensor(np.array([1.0, 0.01]), device=dev)          # curvature 100 times larger along one axis


def steps_to_converge(momentum, lr):
    w = tr.tensor(np.array([1.0, 1.0]), requires_grad=True, device=dev)
    opt = SGD([w], lr=lr, momentum=momentum)
    for step in range(1, 20001):
        loss = F.sum(scales * w * w) * 0.5
        if loss.item() < 1e-6:
            return step - 1
        opt.zero_grad()
        loss.backward()
        opt.step()
    return None


plain_steps, mom_steps = steps_to_converge(0.0, 1.0), steps_to_converge(0.9, 1.0)
L.result("loss 0.5 * (w1^2 + 0.01 w2^2) below 1e-6, lr 1.0", f"plain SGD {plain_steps} steps, momentum 0.9 "
         f"{mom_steps} steps")
if mom_steps is not None and (plain_steps is None or mom_steps < plain_steps):
    L.say(f"Along the flat direction plain SGD creeps: {plain_steps} steps here. Momentum keeps a running sum "
          f"v <- 0.9 v + g and steps w <- w - lr v; on a steady slope the step grows to lr / (1 - 0.9) = 10 lr, while "
          f"in the steep direction the alternating signs cancel ({mom_steps} steps). tinyres's SGD follows PyTorch: "
          "weight decay is added to g BEFORE the momentum buffer.",
          f"평평한 방향으로 일반 SGD는 느리게 기어갑니다: 여기서 {plain_steps}단계. 모멘텀은 v <- 0.9 v + g 를 쌓고 "
          f"w <- w - lr v 로 움직입니다. 일정한 기울기에서는 스트라이드이 lr / (1 - 0.9) = 10 lr까지 커지고, 가파른 방향에서는 "
          f"부호가 번갈아 상쇄됩니다({mom_steps}단계). tinyres의 SGD는 PyTorch를 따릅니다: 가중치 감쇠는 모멘텀 버퍼 "
          "전에 g에 더해집니다.")

# %% Weight decay
L.title("3. Weight decay 1e-4", "3. 가중치 감쇠 1e-4")
w = tr.tensor(np.ones(4), requires_grad=True, device=dev)
opt = SGD([w], lr=0.1, momentum=0.9, weight_decay=1e-4)
n = 1000 if q else 32000
for _ in range(n):
    w.grad = tr.backend.asarray(np.zeros(4), device=dev)     # no loss at all: only the decay acts
    opt.step()
left = float(w.numpy()[0])
L.result(f"a weight with zero loss gradient after {n} steps (lr 0.1, momentum 0.9, wd 1e-4)", f"1.0 -> {left:.4g}")
L.result("the same from the formula (1 - lr * wd / (1 - momentum))^steps",
         f"{(1 - 0.1 * 1e-4 / 0.1) ** n:.4g}")
L.say("Weight decay adds wd * w to every gradient, so a weight the loss does not need shrinks geometrically; "
      "with momentum 0.9 the effective factor per step is about 1 - lr * wd / (1 - 0.9). With batch norm after a "
      "conv the loss does not care about the conv's scale; decay keeps that scale, and so the effective learning "
      "rate, from drifting (van Laarhoven 2017). The paper uses 1e-4 on CIFAR-10; tinyres's digits recipe uses 5e-4.",
      "가중치 감쇠는 모든 그래디언트에 wd * w를 더해, 손실이 필요로 하지 않는 가중치를 기하급수적으로 줄입니다. "
      "모멘텀 0.9에서는 단계마다 약 1 - lr * wd / (1 - 0.9)배입니다. 합성곱 뒤에 배치 정규화가 있으면 손실은 "
      "합성곱의 크기에 무관하고, 감쇠는 그 크기(그리고 실질 학습률)가 떠다니지 않게 잡아 줍니다. 논문은 CIFAR-10에서 "
      "1e-4를, tinyres의 숫자 데이터 방법은 5e-4를 씁니다.")

# %% The learning-rate schedule
L.title("4. lr 0.1, divided by 10 at 32k and 48k, stop at 64k", "4. 학습률 0.1, 32k와 48k에서 10으로 나누고 64k에서 멈춤")
paper = RECIPES["cifar10-paper"]
opt = SGD([tr.tensor(np.zeros(1), requires_grad=True)], lr=paper["lr"], momentum=paper["momentum"])
sched = lr_scheduler.MultiStepLR(opt, paper["milestones"], 0.1)
seen = {}
for it in range(paper["iterations"]):
    if it in (0, 31999, 32000, 47999, 48000, 63999):
        seen[it] = opt.param_groups[0]["lr"]
    sched.step()
L.result("lr at iterations 0, 31999, 32000, 47999, 48000, 63999",
         ", ".join(f"{it}: {lr:.4g}" for it, lr in seen.items()))
per_epoch = math.ceil(50000 / paper["batch_size"])
L.result(f"iterations per epoch (50,000 images, batch {paper['batch_size']})", per_epoch)
L.result("64k iterations in epochs", f"{64000 / per_epoch:.0f}")
L.say("A large lr explores; each division lets the weights settle into the basin found so far, which is where "
      "the paper's error curves drop in steps. The paper chose 32k/48k/64k on a 45k/5k train/validation split.",
      "큰 학습률은 탐색하고, 나눌 때마다 가중치가 지금까지 찾은 골짜기 안으로 자리 잡습니다. 논문의 오차 곡선이 "
      "계단처럼 떨어지는 곳입니다. 논문은 45k/5k 학습/검증 분할에서 32k/48k/64k를 골랐습니다.")

# %% Augmentation
L.title("5. 4-pixel padding + random 32x32 crop + horizontal flip", "5. 4픽셀 패딩 + 무작위 32x32 자르기 + 좌우 뒤집기")
img = digits("train").images[:1].astype("float64") / 16.0
img = np.repeat(np.repeat(img, 4, axis=2), 4, axis=3)                # an 8x8 digit drawn at 32x32
batch = tr.backend.from_numpy(np.repeat(img, 8, axis=0), dev)
rng = np.random.default_rng((L.args.seed, 7))
aug = RandomHorizontalFlip()(RandomCrop(32, 4)(batch, rng), rng)
views = tr.backend.to_numpy(aug)
distinct = len({v.tobytes() for v in views})
L.result("distinct views of one image per epoch", f"{(2 * 4 + 1) ** 2} crop offsets x 2 flips = {(2 * 4 + 1) ** 2 * 2}")
L.result("distinct among the 8 views drawn here", distinct)
fig, axes = plt.subplots(1, 9, figsize=(13, 1.8))
for ax, v, t in zip(axes, [img[0, 0]] + [v[0] for v in views], ["original"] + [f"view {i + 1}" for i in range(8)]):
    ax.imshow(v, cmap="gray")
    ax.set_title(t, fontsize=8)
    ax.axis("off")
fig.savefig(L.path("augmentation.png"), dpi=100, bbox_inches="tight")
L.result("figure", L.path("augmentation.png"))
L.say("Every epoch the net sees a shifted (and on CIFAR-10 possibly mirrored) copy of each image. The training error the loop reports is measured on these harder views while "
      "the weights move, which is one reason it can exceed the test error. (A digit drawn at 32x32 stands in "
      "for a CIFAR-10 image here; the digits recipe itself uses a 1-pixel shift and no flip, since a mirrored "
      "2 is no 2.)",
      "매 에폭 신경망은 각 이미지의 이동된(CIFAR-10에서는 뒤집혔을 수도 있는) 복사본을 봅니다. 학습 루프가 알려 "
      "주는 학습 오차는 가중치가 움직이는 동안 이 더 어려운 변형들에서 잰 것이라 테스트 오차보다 클 수 있습니다. "
      "(여기서는 32x32로 그린 숫자가 CIFAR-10 이미지를 대신합니다. 숫자 데이터 방법은 1픽셀 이동만 쓰고 뒤집지 "
      "않습니다. 뒤집힌 2는 2가 아니니까요.)")

# %% Your turn
L.your_turn("sgd",
            "Write SGD with momentum and weight decay. The checker catches decay applied after the momentum "
            "buffer; when it passes, `tinyres train --ops DIR` runs this recipe on your own ops end to end.",
            "모멘텀과 가중치 감쇠가 있는 SGD를 작성하세요. 검사기는 감쇠를 모멘텀 버퍼 뒤에 적용한 실수를 잡습니다. "
            "통과하면 `tinyres train --ops DIR`이 이 방법 전체를 여러분의 연산으로 실행합니다.")
