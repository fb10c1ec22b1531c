"""Lesson 08 - evidence 3, architectures: basic vs bottleneck blocks, shortcut options A/B/C,
and the paper's Table 1 (parameters, multiply-adds) for ResNet-18..152 and VGG-19 recomputed
and set beside the paper's and torchvision's figures.

    python lessons/08_architectures.py        # ~30 s (builds every network once)
"""
# %%
from tinyres import models
from tinyres.inspect.summary import format_count, summary
from tinyres.lesson import Lesson, build_model

L = Lesson(__file__, __doc__, [
    ("basic block", "기본 블록", "two 3x3 convs (ResNet-18/34, CIFAR nets)"),
    ("bottleneck block", "병목 블록", "1x1 reduce, 3x3, 1x1 expand x4 (ResNet-50/101/152)"),
    ("projection shortcut", "사영 지름길", "a 1x1 conv (+BN) on the shortcut to change its shape"),
    ("option A / B / C", "옵션 A / B / C", "zero-pad / project where shape changes / project everywhere"),
    ("FLOPs (multiply-adds)", "연산량 (곱셈-누산)", "the paper counts one multiply-add as one FLOP"),
])

# %% Table 1
L.title("1. The paper's Table 1, recomputed", "1. 논문의 표 1 다시 계산하기")
# (paper's FLOPs for 224x224, in multiply-adds x 1e9; torchvision's parameter count)
PAPER = {"resnet18": (1.8, 11_689_512), "resnet34": (3.6, 21_797_672), "resnet50": (3.8, 25_557_032),
         "resnet101": (7.6, 44_549_160), "resnet152": (11.3, 60_192_808), "vgg19": (19.6, 143_667_240)}
names = ["resnet18", "resnet50"] if L.args.quick else list(PAPER)
print(f"  {'model':<10} {'params':>13} {'torchvision':>13} {'mult-adds':>10} {'(v1.5)':>8} {'paper':>7} {'fc':>7}")
differs, fc = [], {}
for name in names:
    kw = {"stride_in_1x1": True} if "stride_in_1x1" in models.model_info(name).options else {}
    s = summary(build_model(name, **kw), (3, 224, 224))
    paper_stride = s.total_madds
    v15 = summary(build_model(name), (3, 224, 224)).total_madds if kw else paper_stride
    params = sum(p.size for p in build_model(name).parameters())
    fc[name] = sum(r.madds for r in s.rows if r.type == "Linear")
    if round(paper_stride / 1e9, 1) != PAPER[name][0]:
        differs.append(f"{name} ({paper_stride / 1e9:.2f}G vs {PAPER[name][0]}G)")
    print(f"  {name:<10} {params:>13,} {PAPER[name][1]:>13,} {format_count(paper_stride):>10} "
          f"{format_count(v15) if kw else '':>8} {PAPER[name][0]:>6}G {format_count(fc[name]):>7}")
L.say("Parameters match torchvision exactly. The paper places a bottleneck's stride on its first 1x1 conv "
      "(first column); torchvision's 'v1.5' moves it to the 3x3, which costs more (second column).",
      "파라미터 수는 torchvision과 정확히 같습니다. 논문은 병목 블록의 스트라이드을 첫 1x1 합성곱에 두고(첫 열), "
      "torchvision 'v1.5'는 3x3에 둬서 연산이 더 많습니다(둘째 열).")
same = [n for n in names if not any(d.startswith(n + " ") for d in differs)]
L.say(f"Rounded to one decimal as the paper prints them, the traced counts equal the paper's for {', '.join(same)}"
      + (f"; they differ for {', '.join(differs)}, and the paper does not say what it counted differently."
         if differs else ".")
      + " The last column is the fully connected layer alone: " + ", ".join(f"{n} {format_count(v)}"
                                                                              for n, v in fc.items()) + ".",
      f"논문처럼 소수 첫째 자리로 반올림하면 추적한 값은 {', '.join(same)}에서 논문과 같습니다"
      + (f". {', '.join(differs)}에서는 다르고, 논문은 무엇을 다르게 셌는지 밝히지 않습니다." if differs else ".")
      + " 마지막 열은 완전연결층 하나의 연산량입니다: " + ", ".join(f"{n} {format_count(v)}" for n, v in fc.items())
      + ".")

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
    n20 = sum(p.size for p in build_model("resnet20", shortcut=opt).parameters())
    line = f"ResNet-20 {n20:>10,} params"
    if not L.args.quick:
        n34 = sum(p.size for p in build_model("resnet34", shortcut=opt).parameters())
        line += f"   ResNet-34 {n34:>12,} params"
    L.result(f"option {opt}", line)
L.say("Option A adds no parameters (zero-padded channels); B adds a projection only where the shape changes "
      "(torchvision's choice); C projects in every block. On ImageNet the paper's ResNet-34 reached 25.03%, "
      "24.52% and 24.19% top-1 error (10-crop, Table 3) with A, B and C: B slightly better than A, C marginally "
      "better than B; it kept A/B because C costs memory and time.",
      "옵션 A는 파라미터를 추가하지 않습니다(0 채널 채우기). B는 모양이 바뀌는 곳에만 사영을 추가하고(torchvision의 "
      "선택), C는 모든 블록에서 사영합니다. ImageNet에서 논문의 ResNet-34는 A, B, C로 top-1 오차 25.03%, "
      "24.52%, 24.19%(10-crop, 표 3)를 얻었습니다. B가 A보다 약간, C가 B보다 아주 조금 나았지만, C는 메모리와 "
      "시간이 들어 A/B를 사용했습니다.")

# %% Your turn
L.your_turn("basic_block",
            "Build your BasicBlock with option A where the shape changes; the checker compares it with the "
            "library's block on stride 2 and checks the zero channels sit at both ends (front and back).",
            "모양이 바뀌는 곳에 옵션 A를 넣어 BasicBlock을 만드세요. 검사기는 스트라이드 2에서 라이브러리의 블록과 비교하고, "
            "0 채널이 앞뒤 양쪽에 있는지 확인합니다.")
