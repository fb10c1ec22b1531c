"""Lesson 04 - the degradation problem (He et al. 2015, Figure 1): a deeper plain network ends
with HIGHER training error than a shallower one trained the same way. Training error, so it is
not overfitting; and a deeper net could do at least as well, because it can copy the shallower
one and set its extra layers to the identity (built and checked below).

    python lessons/04_degradation.py          # ~2 minutes on a 2-core CPU (plain-20 and plain-56, 3 seeds)
"""
# %%
import json

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402

import tinyres as tr  # noqa: E402
from tinyres import backend  # noqa: E402
from tinyres.inspect.plots import plot_training_curves  # noqa: E402
from tinyres.lesson import Lesson, build_model, compare_depths  # noqa: E402


def options(p):
    p.add_argument("--epochs", type=int, default=4)


L = Lesson(__file__, __doc__, [
    ("degradation problem", "성능 저하 문제", "a deeper plain net has HIGHER training error than a shallower one"),
    ("overfitting", "과적합", "low training error, high test error: NOT what degradation is"),
    ("training error", "학습 오차", "errors on the images the net trains on"),
    ("identity mapping", "항등 사상", "a layer whose output equals its input"),
    ("plain network", "일반 신경망(plain)", "the same layers as a ResNet, without shortcuts"),
], extra=options)
a = L.args
shallow, deep = ("plain8", "plain14") if a.quick else ("plain20", "plain56")
epochs = 1 if a.quick else a.epochs
depth = {name: int(name[5:]) for name in (shallow, deep)}
RECIPE = {"lr": 0.02, "milestones": [max(1, 3 * epochs // 4)]}       # lesson 07 trains the residual nets with it

# %% Train both, on several seeds
L.title(f"1. {shallow} vs {deep}, the same recipe, {len(L.seeds)} seed(s)",
        f"1. 같은 학습 방법으로 {shallow}와 {deep}, 시드 {len(L.seeds)}개")
L.say(f"Both nets: the digits (8x8 images, {'256' if a.quick else '1438'} training images), {epochs} epoch(s), "
      "SGD with momentum 0.9, lr 0.02 divided by 10 for the last quarter of the run, weight decay 5e-4, "
      "batch norm after every convolution, He initialisation. Only the depth differs.",
      f"두 신경망 모두: 숫자 데이터(8x8 이미지, 학습 이미지 {'256' if a.quick else '1438'}장), {epochs} 에폭, "
      "모멘텀 0.9의 SGD, 학습률 0.02를 마지막 1/4 구간에서 10으로 나눔, 가중치 감쇠 5e-4, 모든 합성곱 뒤에 배치 "
      "정규화, He 초기화. 깊이만 다릅니다.")
errors = {name: [] for name in depth}
runs, kept = {}, {}
for seed in L.seeds:
    for name in depth:
        r = L.train_on_digits(name, epochs, seed=seed, log_every=5, **RECIPE)
        err = L.digits_error(r.model, "train")
        errors[name].append(err)
        if seed == L.seeds[0]:
            runs[name], kept[name] = r.rows, r.model
        L.result(f"seed {seed} {name:>8}", f"training-set error {100 * err:6.2f}% (eval mode)   running training error "
                 f"{100 * r.train_error:6.2f}%   test error {100 * r.test_error:6.2f}%")
fig = plot_training_curves(runs, L.path("training_curves.png"),
                           title=f"{shallow} vs {deep} on the digits, seed {L.seeds[0]}: thin = training, bold = test")
L.result("figure", fig.path)
L.say("Two training errors are printed: the running error during the last epoch (augmented images, batch "
      "statistics, weights still moving) and the error of the finished net on the un-augmented training set in "
      "eval mode. The first can exceed the test error for those reasons; the conclusion below uses the second.",
      "학습 오차를 두 가지 출력합니다: 마지막 에폭 동안의 누적 오차(증강된 이미지, 배치 통계, 움직이는 가중치)와, "
      "학습이 끝난 신경망의 평가 모드 오차(증강 없는 학습 데이터). 앞의 것은 그런 이유로 테스트 오차보다 클 수 "
      "있습니다. 아래 결론은 뒤의 것을 씁니다.")
L.conclude(compare_depths(errors[shallow], errors[deep], shallow, deep))
with open(L.path("results.json"), "w") as f:     # lesson 07 sets the residual nets beside these
    json.dump({"epochs": epochs, "recipe": RECIPE, "seeds": L.seeds, "quick": a.quick, "errors": errors}, f)

# %% A deeper net that copies the shallower one
L.title(f"2. A {deep} that computes exactly what {shallow} computes", f"2. {shallow}와 똑같이 계산하는 {deep}")
n_s, n_d = (depth[shallow] - 2) // 6, (depth[deep] - 2) // 6
src = kept[shallow].state_dict()
copy = build_model(deep, in_channels=1, num_classes=10)
state = {k: backend.to_numpy(v).copy() for k, v in copy.state_dict().items()}
for key in state:
    parts = key.split(".")
    if parts[0].startswith("layer") and int(parts[1]) >= n_s:       # an extra block: make it the identity
        if key.endswith("conv1.weight") or key.endswith("conv2.weight"):
            w = np.zeros_like(state[key])
            w[np.arange(w.shape[0]), np.arange(w.shape[1]), 1, 1] = 1.0   # centre tap, channel to itself
            state[key] = w
        elif key.endswith("running_var"):
            state[key][:] = 1.0 - 1e-5                                 # eval BN: (x - 0) / sqrt(1 - eps + eps)
        elif key.endswith(("running_mean", ".bias")):
            state[key][:] = 0.0
        elif key.endswith(".weight"):
            state[key][:] = 1.0
    else:
        state[key] = backend.to_numpy(src[key])
copy.load_state_dict(state)
copy.to(a.device).eval()
probe = L.digits_error(copy, "train")
x_probe = tr.tensor(L.rng.standard_normal((16, 1, 8, 8)).astype("float32"), device=a.device)
with tr.no_grad():
    gap = np.abs(kept[shallow](x_probe).numpy() - copy(x_probe).numpy()).max()
L.result(f"extra identity blocks per stage", f"{n_d - n_s} (two convs each: {2 * 3 * (n_d - n_s)} extra layers)")
L.result(f"max |logits of {shallow} - logits of the constructed {deep}| on 16 inputs", f"{gap:.1e}")
L.result(f"training-set error of the trained {shallow}", f"{100 * errors[shallow][0]:.2f}%")
L.result(f"training-set error of the constructed {deep}", f"{100 * probe:.2f}%")
L.result(f"training-set error of {deep} trained from scratch", f"{100 * errors[deep][0]:.2f}%")
assert probe == errors[shallow][0], "the constructed deep net must make exactly the shallow net's mistakes"
L.say("Each extra block is conv (a 1 at the centre tap, channel to itself) -> batch norm with mean 0 and "
      "variance 1 -> ReLU, twice. Its input comes out of a ReLU and is never negative, so the block passes it "
      "through unchanged. A solution at least as good as the shallow net therefore EXISTS for the deep one; "
      "when SGD finds a worse one, the trouble is optimisation. He et al. (2015) conjecture that solvers find it "
      "hard to fit an identity with a stack of nonlinear layers; the next lesson changes what the layers have "
      "to learn.",
      "추가한 블록은 합성곱(가운데 탭에 1, 각 채널은 자기 자신으로) -> 평균 0, 분산 1의 배치 정규화 -> ReLU를 "
      "두 번 거칩니다. 입력이 ReLU에서 나와 음수가 없으므로 블록은 입력을 그대로 내보냅니다. 따라서 깊은 "
      "신경망에도 얕은 것만큼 좋은 해가 존재합니다. SGD가 더 나쁜 해를 찾는다면 문제는 최적화입니다. He 등(2015)은 "
      "비선형 층을 쌓아 항등 함수를 맞추기가 최적화 알고리즘에게 어렵다고 추측합니다. 다음 강의는 층이 배워야 할 "
      "것을 바꿉니다.")

# %% Your turn
L.your_turn("residual",
            "The repair of lesson 05 is one op: y = F + x, whose backward hands dL/dy unchanged to both inputs, "
            "and the option-A shortcut for blocks that change shape. Write both; the checker fails a backward "
            "that drops the identity path.",
            "다음 강의의 처방은 연산 하나입니다: y = F + x, 그 역전파는 dL/dy를 두 입력 모두에 그대로 넘깁니다. "
            "모양이 바뀌는 블록을 위한 옵션 A 지름길도 함께 작성하세요. 항등 경로를 빠뜨린 역전파는 검사기가 "
            "실패로 잡습니다.")
