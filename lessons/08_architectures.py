"""Lesson 08 - evidence 3, architectures: basic vs bottleneck blocks, shortcut options A/B/C,
and the paper's Table 1 (parameters, multiply-adds) for ResNet-18..152 and VGG-19 recomputed
and set beside the paper's and torchvision's figures.

    python lessons/08_architectures.py        # ~30 s (builds every network once)
"""
# %%
from tinyres import models
from tinyres.i18n import M, _, pad
from tinyres.inspect.summary import format_count, summary
from tinyres.lesson import Lesson, build_model

L = Lesson(__file__, __doc__, [
    ("basic block", "two 3x3 convs (ResNet-18/34, CIFAR nets)"),
    ("bottleneck block", "1x1 reduce, 3x3, 1x1 expand x4 (ResNet-50/101/152)"),
    ("projection shortcut", "a 1x1 conv (+BN) on the shortcut to change its shape"),
    ("option A / B / C", "zero-pad / project where shape changes / project everywhere"),
    ("FLOPs (multiply-adds)", "the paper counts one multiply-add as one FLOP"),
])


# %% Table 1
L.title("1. The paper's Table 1, recomputed")
# (paper's FLOPs for 224x224, in multiply-adds x 1e9; torchvision's parameter count)
PAPER = {"resnet18": (1.8, 11_689_512), "resnet34": (3.6, 21_797_672), "resnet50": (3.8, 25_557_032),
         "resnet101": (7.6, 44_549_160), "resnet152": (11.3, 60_192_808), "vgg19": (19.6, 143_667_240)}
names = ["resnet18", "resnet50"] if L.args.quick else list(PAPER)
print(f"  {pad(_('model'), 10)} {pad(_('params'), 13, '>')} {'torchvision':>13} {pad(_('mult-adds'), 10, '>')} {'(v1.5)':>8} "
      f"{pad(_('paper'), 7, '>')} {'fc':>7}")
differs, fc = [], {}
for name in names:
    kw = {"stride_in_1x1": True} if "stride_in_1x1" in models.model_info(name).options else {}
    s = summary(build_model(name, **kw), (3, 224, 224))
    paper_stride = s.total_madds
    v15 = summary(build_model(name), (3, 224, 224)).total_madds if kw else paper_stride
    params = sum(p.size for p in build_model(name).parameters())
    fc[name] = sum(r.madds for r in s.rows if r.type == "Linear")
    if round(paper_stride / 1e9, 1) != PAPER[name][0]:
        differs.append(M("{name} ({ours:.2f}G vs {paper}G)", name=name, ours=paper_stride / 1e9, paper=PAPER[name][0]))
    print(f"  {name:<10} {params:>13,} {PAPER[name][1]:>13,} {format_count(paper_stride):>10} "
          f"{format_count(v15) if kw else '':>8} {PAPER[name][0]:>6}G {format_count(fc[name]):>7}")
L.say("Parameters match torchvision exactly. The paper places a bottleneck's stride on its first 1x1 conv "
      "(first column); torchvision's 'v1.5' moves it to the 3x3, which costs more (second column).")
same = ", ".join(n for n in names if not any(d.kw["name"] == n for d in differs))
fc_alone = ", ".join(f"{n} {format_count(v)}" for n, v in fc.items())
if differs:
    L.say("Rounded to one decimal as the paper prints them, the traced counts equal the paper's for {same}; they "
          "differ for {differs}, and the paper does not say what it counted differently. The last column is the "
          "fully connected layer alone: {fc}.", same=same, differs=", ".join(map(str, differs)), fc=fc_alone)
else:
    L.say("Rounded to one decimal as the paper prints them, the traced counts equal the paper's for {same}. The "
          "last column is the fully connected layer alone: {fc}.", same=same, fc=fc_alone)

# %% Basic vs bottleneck, the paper's Figure 5
L.title("2. Basic vs bottleneck (the paper's Figure 5)")
basic = models.BasicBlock(64, 64)          # ResNet-34: 3x3, 64 -> 3x3, 64
bottle = models.Bottleneck(256, 64)        # ResNet-50: 1x1, 64 -> 3x3, 64 -> 1x1, 256
costs = {}
for kind, label, block, c in (("basic", M("basic, 64-d"), basic, 64),
                              ("bottleneck", M("bottleneck, 256-d"), bottle, 256)):
    s = summary(block, (c, 56, 56))
    costs[kind] = s.total_madds
    print(f"  {pad(str(label), 18)}: " + _("{params:>7,} params, {madds:>8} mult-adds at 56x56", params=s.total_params,
                                           madds=format_count(s.total_madds)))
ratio = costs["bottleneck"] / costs["basic"]
L.say("The bottleneck block carries 4x wider features (256 channels) for {ratio:.2f}x the cost of the basic block: "
      "its 1x1 convs shrink to 64 channels for the 3x3 and expand back. That is how ResNet-50 is deeper than "
      "ResNet-34 at a similar cost.", ratio=ratio)

# %% Shortcut options
L.title("3. Shortcut options A, B, C (CIFAR ResNet-20 and ImageNet ResNet-34)")
for opt in "ABC":
    n20 = sum(p.size for p in build_model("resnet20", shortcut=opt).parameters())
    line = _("{model} {n} params", model="ResNet-20", n=f"{n20:>10,}")
    if not L.args.quick:
        n34 = sum(p.size for p in build_model("resnet34", shortcut=opt).parameters())
        line += "   " + _("{model} {n} params", model="ResNet-34", n=f"{n34:>12,}")
    L.result("option {opt}", line, opt=opt)
L.say("Option A adds no parameters (zero-padded channels); B adds a projection only where the shape changes "
      "(torchvision's choice); C projects in every block. On ImageNet the paper's ResNet-34 reached 25.03%, "
      "24.52% and 24.19% top-1 error (10-crop, Table 3) with A, B and C: B slightly better than A, C marginally "
      "better than B; it kept A/B because C costs memory and time.")

# %% Your turn
L.your_turn("basic_block",
            "Build your BasicBlock with option A where the shape changes; the checker compares it with the "
            "library's block on stride 2 and checks the zero channels sit at both ends (front and back).")
