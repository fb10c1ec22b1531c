"""Lesson 06 - degradation: the paper's Figures 1 and 6 reproduced on the digits (and on
CIFAR-10 with --data cifar10 --root DIR): training and test error curves of plain-20/56
vs ResNet-20/56 trained with the same recipe. It prints what was measured, whatever it shows.

    python lessons/06_degradation.py                 # ~4-5 minutes on a 2-core CPU (12 epochs)
    python lessons/06_degradation.py --data cifar10 --root ~/data/cifar10 --epochs 160 --device cuda
"""
# %%
from tinyres.experiments import degradation
from tinyres.lesson import Lesson


def options(p):
    p.add_argument("--data", default="digits", choices=["digits", "cifar10"])
    p.add_argument("--root", help="CIFAR-10 folder (cifar-10-binary.tar.gz)")
    p.add_argument("--epochs", type=int, default=12)
    p.add_argument("--models", default="plain20,plain56,resnet20,resnet56")
    p.add_argument("--lr", type=float, default=None, help="default 0.02 on digits, the paper's 0.1 on CIFAR-10")


L = Lesson(__file__, __doc__, [
    ("degradation problem", "성능 저하 문제", "a deeper plain net has HIGHER training error than a shallower one"),
    ("overfitting", "과적합", "low training error, high test error: NOT what degradation is"),
    ("training error", "학습 오차", "errors on the images the net trains on"),
    ("test error", "테스트 오차", "errors on held-out images"),
    ("learning-rate schedule", "학습률 스케줄", "lr divided by 10 at fixed points"),
], extra=options)
a = L.args
names = ["plain8", "plain14", "resnet8", "resnet14"] if a.quick else a.models.split(",")
result = degradation(names, epochs=1 if a.quick else a.epochs, data=a.data, root=a.root, device=a.device,
                     seed=a.seed, out=a.out, progress=not a.quick, log=print,
                     limit_train=128 if a.quick else None, limit_test=128 if a.quick else None, lr=a.lr)

# %% What was measured
L.title("Final errors (same recipe for every model)", "최종 오차 (모든 모델에 같은 학습 방법)")
final = result["final"]
for name, v in final.items():
    L.result(f"{name:>9}", f"training error {100 * v['train_error']:6.2f}%   test error {100 * v['test_error']:6.2f}%")
L.result("figure", result["figure"])
plain = sorted((n for n in final if n.startswith("plain")), key=lambda n: int(n[5:]))
resid = sorted((n for n in final if n.startswith("resnet")), key=lambda n: int(n[6:]))
if len(plain) >= 2 and len(resid) >= 2:
    p_gap = final[plain[-1]]["train_error"] - final[plain[0]]["train_error"]
    r_gap = final[resid[-1]]["train_error"] - final[resid[0]]["train_error"]
    L.result(f"training error, {plain[-1]} minus {plain[0]}", f"{100 * p_gap:+.2f} points")
    L.result(f"training error, {resid[-1]} minus {resid[0]}", f"{100 * r_gap:+.2f} points")
    if p_gap > 0 and r_gap <= p_gap:
        L.say(f"Measured here: the deeper plain net trains WORSE than the shallower one by {100 * p_gap:.1f} "
              f"points of training error (the degradation problem), while for the residual nets the difference is "
              f"{100 * r_gap:+.1f} points. This is training error, so it is not overfitting: the deeper plain net "
              f"simply fails to optimise as well.",
              f"여기서 측정한 결과: 더 깊은 평범한 신경망의 학습 오차가 얕은 것보다 {100 * p_gap:.1f}%p 더 나쁩니다"
              f"(성능 저하 문제). 잔차 신경망들의 차이는 {100 * r_gap:+.1f}%p입니다. 학습 오차이므로 과적합이 아니라, "
              f"깊은 평범한 신경망이 최적화를 잘 못하는 것입니다.")
    else:
        L.say("Measured here, the deeper plain net did not train worse than the shallower one. With this little "
              "data or this few epochs the gap can be hidden by noise; train longer (--epochs) or on CIFAR-10 "
              "(--data cifar10) to see the paper's Figure 6 gap.",
              "이번 측정에서는 더 깊은 평범한 신경망의 학습이 더 나쁘지 않았습니다. 데이터가 적거나 에폭이 짧으면 "
              "차이가 잡음에 가려질 수 있습니다. 논문 그림 6의 차이를 보려면 더 오래(--epochs) 또는 CIFAR-10"
              "(--data cifar10)으로 학습하세요.")
