"""Lesson 07 - evidence 2, degradation with shortcuts: ResNet-20 and ResNet-56 trained with
exactly the recipe lesson 04 gave plain-20 and plain-56 (the paper's Figure 6, right, on the
digits), over several seeds, and set beside lesson 04's plain nets when its results are there.

    python lessons/07_residual_depth.py      # ~2 minutes on a 2-core CPU (ResNet-20 and -56, 3 seeds)
"""
# %%
import json
import os

from tinyres.inspect.plots import plot_training_curves
from tinyres.lesson import Lesson, compare_depths, compare_families


def options(p):
    p.add_argument("--epochs", type=int, default=4, help="keep it equal to lesson 04's to compare")
    p.add_argument("--plain", default=os.path.join("tinyres-out", "04_degradation", "results.json"),
                   help="lesson 04's results.json")


L = Lesson(__file__, __doc__, [
    ("shortcut connection", "지름길 연결", "the identity path around every two convolutions"),
    ("degradation problem", "성능 저하 문제", "a deeper plain net has HIGHER training error than a shallower one"),
    ("training error", "학습 오차", "errors on the images the net trains on"),
], extra=options)
a = L.args
shallow, deep = ("resnet8", "resnet14") if a.quick else ("resnet20", "resnet56")
epochs = 1 if a.quick else a.epochs
RECIPE = {"lr": 0.02, "milestones": [max(1, 3 * epochs // 4)]}       # lesson 04's

# %% Train both residual nets
L.title(f"1. {shallow} vs {deep}: lesson 04's recipe with shortcuts", f"1. {shallow}와 {deep}: 지름길을 더한 강의 04의 학습")
errors = {shallow: [], deep: []}
runs = {}
for seed in L.seeds:
    for name in errors:
        r = L.train_on_digits(name, epochs, seed=seed, log_every=5, **RECIPE)
        errors[name].append(L.digits_error(r.model, "train"))
        if seed == L.seeds[0]:
            runs[name] = r.rows
        L.result(f"seed {seed} {name:>8}", f"training-set error {100 * errors[name][-1]:6.2f}% (eval mode)   "
                 f"test error {100 * r.test_error:6.2f}%")
fig = plot_training_curves(runs, L.path("training_curves.png"),
                           title=f"{shallow} vs {deep} on the digits, seed {L.seeds[0]}: thin = training, bold = test")
L.result("figure", fig.path)
L.conclude(compare_depths(errors[shallow], errors[deep], shallow, deep))

# %% Beside the plain nets
L.title("2. Beside lesson 04's plain nets", "2. 강의 04의 일반 신경망과 나란히")
plain = None
if os.path.exists(a.plain):
    with open(a.plain) as f:
        plain = json.load(f)
same = (plain is not None and plain["epochs"] == epochs and plain.get("recipe") == RECIPE and plain["seeds"] == L.seeds
        and plain["quick"] == a.quick)
if same:
    for depth_name, plain_name in ((shallow, "plain" + shallow[6:]), (deep, "plain" + deep[6:])):
        L.conclude(compare_families(plain["errors"][plain_name], errors[depth_name], plain_name, depth_name))
else:
    L.say(f"No results of lesson 04 with the same recipe, epochs ({epochs}) and seeds ({L.seeds}) at {a.plain}; run "
          f"`python lessons/04_degradation.py{' --quick' if a.quick else ''} --epochs {epochs}` first to set the "
          "plain nets beside these.",
          f"{a.plain}에 같은 학습 방법, 에폭({epochs}), 시드({L.seeds})의 강의 04 결과가 없습니다. 일반 신경망과 비교하려면 "
          f"먼저 `python lessons/04_degradation.py{' --quick' if a.quick else ''} --epochs {epochs}`를 실행하세요.")
L.say("In the paper (CIFAR-10, 64k iterations) ResNet-56 ends BELOW ResNet-20 in training and test error. A run of "
      "a few epochs on 1438 digits is far shorter: whatever the lines above say about the two residual nets is "
      "what this short run measured.",
      "논문(CIFAR-10, 64k 반복)에서는 ResNet-56의 학습·테스트 오차가 ResNet-20보다 낮습니다. 1438장의 숫자로 몇 "
      "에폭 돌린 이번 실행은 훨씬 짧습니다. 위에서 두 잔차 신경망에 대해 나온 것은 이 짧은 실행이 잰 값입니다.")

# %% Your turn
L.your_turn("sgd",
            "Every run here is SGD with momentum 0.9 and weight decay (lesson 11 explains both). Write the "
            "update with PyTorch's semantics: decay added to the gradient BEFORE the momentum buffer.",
            "여기의 모든 실행은 모멘텀 0.9와 가중치 감쇠를 쓴 SGD입니다(강의 11에서 설명). PyTorch와 같은 의미로 "
            "갱신을 작성하세요: 감쇠는 모멘텀 버퍼 전에 그래디언트에 더합니다.")
