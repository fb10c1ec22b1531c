"""Lesson 07 - architectures: basic vs bottleneck blocks, shortcut options A/B/C, and the
paper's Table 1 (parameters, multiply-adds) for ResNet-18..152 and VGG-19 recomputed and set
beside the paper's and torchvision's figures.

    python lessons/07_architectures.py        # ~30 s (builds every network once)
"""
# %%
from tinyres import models
from tinyres.inspect.summary import format_count, summary
from tinyres.lesson import Lesson

L = Lesson(__file__, __doc__, [
    ("basic block", "기본 블록", "two 3x3 convs (ResNet-18/34, CIFAR nets)"),
    ("bottleneck block", "병목 블록", "1x1 reduce, 3x3, 1x1 expand x4 (ResNet-50/101/152)"),
    ("projection shortcut", "사영 지름길", "a 1x1 conv (+BN) on the shortcut to change its shape"),
    ("option A / B / C", "옵션 A / B / C", "zero-pad / project where shape changes / project everywhere"),
    ("FLOPs (multiply-adds)", "연산량 (곱셈-누산)", "the paper counts one multiply-add as one FLOP"),
])

# %% Table 1
L.title("1. The paper's Table 1, recomputed", "1. 논문의 표 1 다시 계산하기")
# (paper's FLOPs for 224x224, torchvision's parameter count)
PAPER = {"resnet18": ("1.8G", 11_689_512), "resnet34": ("3.6G", 21_797_672), "resnet50": ("3.8G", 25_557_032),
         "resnet101": ("7.6G", 44_549_160), "resnet152": ("11.3G", 60_192_808), "vgg19": ("19.6G", 143_667_240)}
names = ["resnet18", "resnet50"] if L.args.quick else list(PAPER)
print(f"  {'model':<10} {'params':>13} {'torchvision':>13} {'mult-adds':>10} {'(v1.5)':>8} {'paper':>7}")
for name in names:
    kw = {"stride_in_1x1": True} if name in ("resnet50", "resnet101", "resnet152") else {}
    paper_stride = summary(models.get_model(name, **kw), (3, 224, 224)).total_madds
    v15 = summary(models.get_model(name), (3, 224, 224)).total_madds if kw else paper_stride
    params = sum(p.size for p in models.get_model(name).parameters())
    print(f"  {name:<10} {params:>13,} {PAPER[name][1]:>13,} {format_count(paper_stride):>10} "
          f"{format_count(v15) if kw else '':>8} {PAPER[name][0]:>7}")
L.say("Parameters match torchvision exactly. The paper places a bottleneck's stride on its first 1x1 conv "
      "(first column); torchvision's 'v1.5' moves it to the 3x3, which costs more (second column). The "
      "paper's 3.6G/7.6G/11.3G are slightly lower than the traced counts: the paper rounds and does not say "
      "exactly what it left out; the fully connected layer alone is 0.5M multiply-adds.",
      "파라미터 수는 torchvision과 정확히 같습니다. 논문은 병목 블록의 보폭을 첫 1x1 합성곱에 두고(첫 열), "
      "torchvision 'v1.5'는 3x3에 둬서 연산이 더 많습니다(둘째 열). 논문의 3.6G/7.6G/11.3G가 추적한 값보다 조금 "
      "작은 것은 반올림과 논문이 밝히지 않은 생략 때문입니다.")

# %% Basic vs bottleneck, the paper's Figure 5
L.title("2. Basic vs bottleneck (the paper's Figure 5)", "2. 기본 블록과 병목 블록 (논문 그림 5)")
basic = models.BasicBlock(64, 64)          # ResNet-34: 3x3, 64 -> 3x3, 64
bottle = models.Bottleneck(256, 64)        # ResNet-50: 1x1, 64 -> 3x3, 64 -> 1x1, 256
costs = {}
for label, block, c in (("basic, 64-d", basic, 64), ("bottleneck, 256-d", bottle, 256)):
    s = summary(block, (c, 56, 56))
    costs[label] = s.total_madds
    L.result(f"{label:<18}", f"{s.total_params:>7,} params, {format_count(s.total_madds):>8} mult-adds at 56x56")
ratio = costs["bottleneck, 256-d"] / costs["basic, 64-d"]
L.say(f"The bottleneck block carries 4x wider features (256 channels) for {ratio:.2f}x the cost of the basic "
      "block: its 1x1 convs shrink to 64 channels for the 3x3 and expand back. That is how ResNet-50 is "
      "deeper than ResNet-34 at a similar cost.",
      f"병목 블록은 4배 넓은 특징(256채널)을 기본 블록의 {ratio:.2f}배 비용으로 다룹니다. 1x1 합성곱이 3x3 앞에서 "
      "64채널로 줄였다가 다시 늘리기 때문입니다. 그래서 ResNet-50은 ResNet-34보다 깊으면서도 비용이 비슷합니다.")

# %% Shortcut options
L.title("3. Shortcut options A, B, C (CIFAR ResNet-20 and ImageNet ResNet-34)", "3. 지름길 옵션 A, B, C")
for opt in "ABC":
    n20 = sum(p.size for p in models.cifar_resnet(20, shortcut=opt).parameters())
    line = f"ResNet-20 {n20:>10,} params"
    if not L.args.quick:
        n34 = sum(p.size for p in models.resnet34(shortcut=opt).parameters())
        line += f"   ResNet-34 {n34:>12,} params"
    L.result(f"option {opt}", line)
L.say("Option A adds no parameters (zero-padded channels); B adds a projection only where the shape changes "
      "(torchvision's choice); C projects in every block. The paper found B slightly better than A and C "
      "marginally better than B, and kept A/B because C costs memory and time.",
      "옵션 A는 파라미터를 추가하지 않습니다(0 채널 채우기). B는 모양이 바뀌는 곳에만 사영을 추가하고(torchvision의 "
      "선택), C는 모든 블록에서 사영합니다. 논문에서는 B가 A보다 약간 낫고 C가 B보다 아주 조금 나았지만, C는 "
      "메모리와 시간이 들어 A/B를 사용했습니다.")
