"""Korean (한국어): every sentence tinyres prints, the glossary, and the term rules.

Style: 합니다체. Numbers, code names (ResNet-20, BasicBlock, `tinyres train`), formulas and
``{fields}`` stay as in English. Terms follow the Korean ResNet tutorials and literature
(TERMS below); a test checks every translation against REQUIRED and FORBIDDEN.
"""

# The glossary: English term -> the Korean term every sentence uses. The lessons print their
# glossary from here, so a term is changed in one place.
TERMS = {
    # the residual idea
    "residual learning": "잔차 학습",
    "residual function F(x)": "잔차 함수 F(x)",
    "residual add": "잔차 덧셈",
    "identity mapping": "항등 매핑",
    "identity path": "항등 경로",
    "branch path": "가지 경로",
    "shortcut connection": "숏컷(지름길) 연결",
    "shortcut / identity path": "숏컷 / 항등 경로",
    "option A shortcut": "옵션 A 숏컷",
    "projection shortcut": "사영 숏컷",
    "option A / B / C": "옵션 A / B / C",
    "pre-activation block": "사전 활성화 블록",
    "zero-init residual": "잔차 0 초기화",
    "basic block": "기본 블록",
    "bottleneck block": "병목 블록",
    "plain network": "일반 신경망(plain)",
    "degradation problem": "성능 저하 문제",
    "overfitting": "과적합",
    "training error": "학습 오차",
    # autograd
    "tensor": "텐서",
    "computational graph": "계산 그래프",
    "chain rule": "연쇄 법칙",
    "upstream gradient": "상류 기울기",
    "cotangent": "랜덤 상류 기울기",
    "finite differences": "유한 차분",
    "gradient check": "기울기 검사",
    "gradient norm": "기울기 노름",
    "vanishing / exploding gradients": "기울기 소실 / 기울기 폭발",
    # layers
    "convolution": "합성곱",
    "im2col": "im2col",
    "col2im": "col2im",
    "stride / padding": "스트라이드 / 패딩",
    "multiply-add (MAC)": "곱셈-누산 (MAC)",
    "FLOPs (multiply-adds)": "연산량 (곱셈-누산)",
    "feature map size": "특징 맵 크기",
    "batch normalisation": "배치 정규화",
    "running statistics": "이동 통계",
    "train / eval mode": "학습 / 평가 모드",
    "ReLU": "ReLU",
    "max pooling": "최대 풀링",
    # what residual nets are (lessons 09, 10)
    "unraveled view": "풀어 본 관점",
    "lesion study": "손상 실험",
    "ensemble": "앙상블",
    "loss landscape": "손실 지형",
    "filter normalisation": "필터 정규화",
    "1-D / 2-D slice": "1차원 / 2차원 단면",
    "sharp / flat minimum": "뾰족한 / 평평한 최솟값",
    # training
    "He initialisation": "He 초기화",
    "momentum": "모멘텀",
    "weight decay": "가중치 감쇠",
    "learning-rate schedule": "학습률 스케줄",
    "data augmentation": "데이터 증강",
    # devices and many processes
    "device": "장치",
    "host / device transfer": "호스트 / 장치 전송",
    "array API standard": "배열 API 표준",
    "synchronisation": "동기화",
    "data parallelism": "데이터 병렬화",
    "replica / rank": "복제본 / 랭크",
    "allreduce": "올리듀스(allreduce)",
    "per-replica batch": "복제본당 배치",
    "synchronized batch norm": "동기화 배치 정규화",
}

# A sentence whose English matches the pattern (a regular expression, case-insensitive) must
# use the Korean term in its translation: one word for one idea across every lesson.
REQUIRED = {
    r"\bresidual learning\b": "잔차 학습",
    r"\bresidual function": "잔차 함수",
    r"\bidentity mapping": "항등 매핑",
    r"\bidentity path": "항등 경로",
    r"\bshortcut": "숏컷",
    r"\bvanishing\b": "소실",
    r"\bexploding\b": "폭발",
    r"\bbatch norm(alisation|alization)?\b": "배치 정규화",
    r"\bbottleneck": "병목",
    r"\bdegradation\b": "성능 저하",
    r"\bstride\b": "스트라이드",
    r"\bplain (net|network)s?\b": "일반 신경망",
    r"\bcotangent": "랜덤 상류 기울기",
    r"\bchaotic\b": "혼돈스러운",
    r"\bgradients?\b": "기울기",
    r"\bconvolution": "합성곱",
}

# Words a Korean reader trips on: 보폭 (stride), 평범한 신경망 (plain), 코탄젠트 (trigonometry),
# and the loanword 그래디언트 where the tutorials say 기울기.
FORBIDDEN = ("보폭", "평범한", "코탄젠트", "그래디언트", "사상")

MESSAGES = {
    # --- tinyres/lesson.py ------------------------------------------------------------------
    "glossary": "용어",
    "Your turn": "직접 해 보기",
    "{m:.1f} ± {s:.1f} (range {lo:.1f} to {hi:.1f})": "{m:.1f} ± {s:.1f} (범위 {lo:.1f} ~ {hi:.1f})",
    "{measured}; too few runs for a claim.": "{measured}. 주장하기에는 실행이 적습니다.",
    "Measured: training error {shallow_name} {s}%, {deep_name} {d}%; {deep_name} minus {shallow_name}: {diff} "
    "points over {n} seed(s).":
        "측정: 학습 오차 {shallow_name} {s}%, {deep_name} {d}%; {deep_name} - {shallow_name}: 시드 {n}개에서 "
        "{diff}%p.",
    "{measured} {n} run(s) are too few to claim a direction (full mode uses {min_seeds} seeds).":
        "{measured} 실행 {n}번으로는 방향을 주장하기에 부족합니다(전체 모드는 시드 {min_seeds}개를 씁니다).",
    "{measured} On every seed the deeper {deep_name} ends with HIGHER training error, by {gap:.1f} points on "
    "average. This is error on the training set, so it is not overfitting: the deeper net is worse at the "
    "optimisation itself.":
        "{measured} 모든 시드에서 더 깊은 {deep_name}의 학습 오차가 더 높습니다(평균 {gap:.1f}%p). 학습 데이터에서의 "
        "오차이므로 과적합이 아니라 최적화 자체가 더 나쁜 것입니다.",
    "{measured} On every seed the deeper {deep_name} trains at least as well as {shallow_name}: no degradation in "
    "this run.":
        "{measured} 모든 시드에서 더 깊은 {deep_name}이 {shallow_name}만큼 또는 더 잘 학습됩니다. 이번 실행에서는 "
        "성능 저하가 없습니다.",
    "{measured} The sign of the difference changes from seed to seed, so this run supports no claim either way.":
        "{measured} 시드마다 차이의 부호가 바뀌므로 이번 실행으로는 어느 쪽도 주장할 수 없습니다.",
    "{plain_name} minus {resid_name}: {diff} points of training error over {n} seed(s)":
        "{plain_name} - {resid_name}: 시드 {n}개에서 학습 오차 {diff}%p",
    "{measured}: on every seed the residual net trains better at the same depth, by {gap:.1f} points on average.":
        "{measured}: 모든 시드에서 같은 깊이의 잔차 신경망이 더 잘 학습됩니다(평균 {gap:.1f}%p).",
    "{measured}: on every seed the plain net trains at least as well.":
        "{measured}: 모든 시드에서 일반 신경망이 그만큼 이상 잘 학습됩니다.",
    "{measured}: the sign changes from seed to seed.": "{measured}: 시드마다 부호가 바뀝니다.",
    "{name}: first/last |dL/dW| = 10^({m:.2f} ± {s:.2f}) over {n} seed(s) at {size}":
        "{name}: 첫 층/마지막 층 |dL/dW| = 10^({m:.2f} ± {s:.2f}), 시드 {n}개, 입력 {size}",
    "{spread}: on every seed the gradient is LARGER at the input end than at the output end - it grows toward "
    "the input; nothing vanishes.":
        "{spread}: 모든 시드에서 입력 쪽 기울기가 출력 쪽보다 큽니다. 입력 쪽으로 갈수록 커지며, 소실되는 것은 "
        "없습니다.",
    "{spread}: on every seed the gradient is SMALLER at the input end - it shrinks toward the input.":
        "{spread}: 모든 시드에서 입력 쪽 기울기가 더 작습니다. 입력 쪽으로 갈수록 줄어듭니다.",
    "{spread}: the direction changes from seed to seed.": "{spread}: 시드마다 방향이 바뀝니다.",
    "{name}: first-layer |dL/dW| at initialisation / after {steps} steps = 10^({m:.2f} ± {s:.2f}) over {n} "
    "seed(s)":
        "{name}: 초기화 시점 / {steps}단계 뒤 첫 층 |dL/dW| = 10^({m:.2f} ± {s:.2f}), 시드 {n}개",
    "{spread}: on every seed the large initial gradient has collapsed by more than 10 times after {steps} steps.":
        "{spread}: 모든 시드에서 큰 초기 기울기가 {steps}단계 뒤 10배 넘게 줄었습니다.",
    "{spread}: on some seed the first-layer gradient did not shrink 10-fold in {steps} steps.":
        "{spread}: 어떤 시드에서는 {steps}단계 동안 첫 층 기울기가 10배 줄지 않았습니다.",
    "first-layer |dL/dW| of {shallow} / {deep} without batch norm at {size}: {m:.3g} ± {s:.2g} (range {lo:.3g} "
    "to {hi:.3g}, {n} seed(s))":
        "배치 정규화 없이 입력 {size}에서 {shallow} / {deep}의 첫 층 |dL/dW|: {m:.3g} ± {s:.2g} (범위 {lo:.3g} ~ "
        "{hi:.3g}, 시드 {n}개)",
    "{spread}: on every seed the deeper plain net's first-layer gradient is more than 10 times smaller - it "
    "vanishes with depth.":
        "{spread}: 모든 시드에서 더 깊은 일반 신경망의 첫 층 기울기가 10배 넘게 작습니다. 깊이에 따라 소실됩니다.",
    "{spread}: the deeper plain net's first-layer gradient is within a factor of 10 of the shallower one's on "
    "some seed - at this input size depth alone does not make it vanish.":
        "{spread}: 어떤 시드에서는 더 깊은 일반 신경망의 첫 층 기울기가 얕은 것의 10배 이내입니다. 이 입력 "
        "크기에서는 깊이만으로 기울기가 소실되지 않습니다.",
    "{name}: deleting one block costs {m:.1f} ± {s:.1f} points of test accuracy on average ({n} seed(s)).":
        "{name}: 블록 하나를 지우면 테스트 정확도가 평균 {m:.1f} ± {s:.1f}%p 떨어집니다 (시드 {n}개).",
    "{n} run(s): too few to compare {resnet_name} with {plain_name}.":
        "실행 {n}번: {resnet_name}와 {plain_name}를 비교하기에 부족합니다.",
    "On every seed {resnet_name} loses less than {plain_name} when one block is deleted: its blocks are not a "
    "single chain that breaks, as Veit et al. argue.":
        "모든 시드에서 블록 하나를 지웠을 때 {resnet_name}이 {plain_name}보다 덜 잃습니다. Veit 등의 주장처럼 "
        "블록들이 끊어지면 끝나는 하나의 사슬이 아닙니다.",
    "On every seed {plain_name} loses no more than {resnet_name}: this run does NOT show the ensemble-like "
    "robustness.":
        "모든 시드에서 {plain_name}이 {resnet_name}보다 더 잃지 않습니다. 이번 실행은 앙상블 같은 견고함을 보여 "
        "주지 않습니다.",
    "Which net loses more changes from seed to seed: no claim.":
        "어느 신경망이 더 잃는지가 시드마다 바뀝니다. 주장할 수 없습니다.",
    "{n} run(s): too few to say which minimum is flatter.": "실행 {n}번: 어느 최솟값이 더 평평한지 말하기에 부족합니다.",
    "On every seed the loss rises less around {resnet_name}'s minimum than around {plain_name}'s.":
        "모든 시드에서 {resnet_name}의 최솟값 주변 손실이 {plain_name}보다 덜 커집니다.",
    "On every seed the loss rises at least as much around {resnet_name}'s minimum as around {plain_name}'s: no "
    "flatter residual minimum at this depth.":
        "모든 시드에서 {resnet_name}의 최솟값 주변 손실이 {plain_name}만큼 이상 커집니다. 이 깊이에서는 잔차 "
        "신경망의 최솟값이 더 평평하지 않습니다.",
    "Which minimum is flatter changes from seed to seed: no claim.":
        "어느 최솟값이 더 평평한지가 시드마다 바뀝니다. 주장할 수 없습니다.",
    "after {steps} SGD steps the mean squared error of y - x is {mp:.3g} ± {sp:.2g} for the plain block and "
    "{mr:.3g} ± {sr:.2g} for the residual block ({n} seed(s))":
        "SGD {steps}단계 뒤 y - x의 평균 제곱 오차: 일반 블록 {mp:.3g} ± {sp:.2g}, 잔차 블록 {mr:.3g} ± {sr:.2g} "
        "(시드 {n}개)",
    "{measured}: on every seed the residual block gets closer to the identity - it only has to push F toward 0.":
        "{measured}: 모든 시드에서 잔차 블록이 항등 함수에 더 가까워집니다. F를 0 쪽으로 밀기만 하면 되기 "
        "때문입니다.",
    "{measured}: on every seed the plain block fits the identity at least as well - this run does not show the "
    "residual form helping.":
        "{measured}: 모든 시드에서 일반 블록이 항등 함수를 그만큼 이상 잘 맞춥니다. 이번 실행은 잔차 형태의 "
        "도움을 보여 주지 않습니다.",
    "{measured}: which block fits better changes from seed to seed.":
        "{measured}: 어느 블록이 더 잘 맞추는지가 시드마다 바뀝니다.",
    "He init keeps the scale (last-layer std {he:.3g}); the naive init shrinks it to {naive:.2g}: the signal, and "
    "with it the gradient, dies on the way.":
        "He 초기화는 크기를 유지합니다(마지막 층 표준편차 {he:.3g}). 단순 초기화는 {naive:.2g}로 줄입니다. 신호가, "
        "그리고 그와 함께 기울기도, 가는 길에 사라집니다.",
    "Last-layer std: He {he:.3g}, naive {naive:.3g} - not the usual picture; look at the per-layer numbers above.":
        "마지막 층 표준편차: He {he:.3g}, 단순 {naive:.3g} - 흔한 모습이 아닙니다. 위의 층별 숫자를 보세요.",

    # --- lessons 01-04 ----------------------------------------------------------------------

    # --- lesson 05 --------------------------------------------------------------------------
    "once": "한 번만",
    "what the block's layers learn: H(x) - x": "블록의 층들이 배우는 것: H(x) - x",
    "x carried around the layers and added back": "층들을 돌아서 전달된 뒤 다시 더해지는 x",
    "z = F(x) + x, its own op in tinyres": "z = F(x) + x, tinyres에서는 독립된 연산",
    "BN and ReLU before each conv; nothing after the add": "각 합성곱 앞에 BN과 ReLU; 덧셈 뒤에는 아무것도 없음",
    "subsample + zero channels when the shape changes": "모양이 바뀔 때 다운샘플링 + 0 채널 채우기",
    "last BN gamma = 0: the block starts as the identity": "마지막 BN의 gamma = 0: 블록이 항등 함수로 시작",
    "Notation for the whole lesson (the original block of He et al. 2015): the branch F(x) = "
    "bn2(conv2(relu(bn1(conv1(x))))), the add z = F(x) + x, and the block output y = relu(z). The ReLU sits "
    "AFTER the add.":
        "이 강의 전체의 표기(He 등 2015의 원래 블록): 가지 F(x) = bn2(conv2(relu(bn1(conv1(x))))), 덧셈 "
        "z = F(x) + x, 블록 출력 y = relu(z). ReLU는 덧셈 뒤에 있습니다.",
    "1. Fitting the identity: plain block vs residual block": "1. 항등 함수 맞추기: 일반 블록 대 잔차 블록",
    "seed {seed} mean squared error of y - x after {steps} steps": "시드 {seed}, {steps}단계 뒤 y - x의 평균 제곱 오차",
    "plain {plain:.4g}   residual {residual:.4g}": "일반 {plain:.4g}   잔차 {residual:.4g}",
    "This is the paper's reformulation: if the best H is close to the identity, the layers of a residual block "
    "only have to push F toward 0 (e.g. bn2's gamma to 0), while a plain block must rebuild x through two "
    "convolutions, two batch norms and two ReLUs.":
        "이것이 논문의 재구성입니다. 가장 좋은 H가 항등 함수에 가깝다면, 잔차 블록의 층들은 F를 0 쪽으로(예: "
        "bn2의 gamma를 0으로) 밀기만 하면 되지만, 일반 블록은 합성곱 두 개, 배치 정규화 두 개, ReLU 두 개로 x를 "
        "다시 만들어야 합니다.",
    "2. One block's backward, assembled by hand": "2. 블록 하나의 역전파를 손으로 조립하기",
    "max |y by hand - y|": "max |손으로 계산한 y - y|",
    "(the ReLU after the add)": "(덧셈 뒤의 ReLU)",
    "branch: dL/dz -> bn2 backward -> conv2 backward -> * 1[bn1 out > 0] -> bn1 backward -> conv1 backward":
        "가지: dL/dz -> bn2 역전파 -> conv2 역전파 -> * 1[bn1 출력 > 0] -> bn1 역전파 -> conv1 역전파",
    "dL/dx = (branch term: dL/dz dF/dx) + (identity term: dL/dz)": "dL/dx = (가지 항: dL/dz dF/dx) + (항등 항: dL/dz)",
    "max |by hand - autograd|": "max |손 계산 - 자동 미분|",
    "|dL/dy|": "|dL/dy|",
    "|dL/dz| (identity term)": "|dL/dz| (항등 항)",
    "|dL/dz dF/dx| (branch term)": "|dL/dz dF/dx| (가지 항)",
    "share of z <= 0 (gradient blocked)": "z <= 0 인 비율 (기울기가 막힘)",
    "For the add z = F + x the backward hands dL/dz, unchanged, to BOTH inputs, so dL/dx = dL/dz (dF/dx + 1): the "
    "'+1' reaches x however small dF/dx is. But what reaches the add is dL/dz = dL/dy * 1[z > 0], not dL/dy: "
    "wherever z <= 0 the ReLU after the add blocks the identity path as well as the branch (the share above).":
        "덧셈 z = F + x의 역전파는 dL/dz를 그대로 두 입력 모두에 넘기므로 dL/dx = dL/dz (dF/dx + 1)입니다. '+1'은 "
        "dF/dx가 아무리 작아도 x에 닿습니다. 하지만 덧셈에 도착하는 것은 dL/dy가 아니라 dL/dz = dL/dy * 1[z > 0]"
        "입니다. z <= 0인 곳에서는 덧셈 뒤의 ReLU가 가지뿐 아니라 항등 경로도 막습니다(위의 비율).",
    "3. Many blocks: x_L = x_l + sum of F": "3. 여러 블록: x_L = x_l + F들의 합",
    "{label} blocks": "{label} 블록",
    "original (ReLU after the add)": "원래(덧셈 뒤 ReLU)",
    "pre-activation (nothing after the add)": "사전 활성화(덧셈 뒤 없음)",
    "|identity term| / |dL/dx_L| = {identity:.3f},  |sum of branch terms| / |dL/dx_L| = {branch:.3f}":
        "|항등 항| / |dL/dx_L| = {identity:.3f},  |가지 항들의 합| / |dL/dx_L| = {branch:.3f}",
    "With pre-activation blocks x_(l+1) = x_l + F(x_l), so x_L = x_l + sum of the F's and dL/dx_l = dL/dx_L "
    "(1 + d/dx_l sum F): the upstream gradient reaches block l through {depth} adds untouched (ratio {pre:.3f} "
    "above). With the ReLU after each add, the identity term is dL/dx_L times the product of {depth} masks, so "
    "only {post:.0f}% of its norm survives here. He et al. (2016, 'Identity Mappings in Deep Residual Networks') "
    "moved BN and ReLU before the convolutions for exactly this reason.":
        "사전 활성화 블록에서는 x_(l+1) = x_l + F(x_l) 이므로 x_L = x_l + F들의 합, dL/dx_l = dL/dx_L (1 + d/dx_l "
        "sum F)입니다. 상류 기울기는 덧셈 {depth}개를 그대로 지나 블록 l에 닿습니다(위 비율 {pre:.3f}). 덧셈마다 "
        "ReLU가 있으면 항등 항은 dL/dx_L에 마스크 {depth}개를 곱한 것이라, 여기서는 노름의 {post:.0f}%만 "
        "남습니다. He 등(2016, 'Identity Mappings in Deep Residual Networks')이 BN과 ReLU를 합성곱 앞으로 옮긴 "
        "이유가 바로 이것입니다.",
    "Attribution matters here. The '+1' argument is He et al. 2016's. The 2015 paper itself argues that "
    "degradation is unlikely to be caused by vanishing gradients, because batch norm keeps forward and backward "
    "signals healthy in its plain nets; lesson 06 measures both claims at initialisation.":
        "출처를 구분합시다. '+1' 논증은 He 등 2016의 것입니다. 2015년 논문은 일반 신경망에서도 배치 정규화가 "
        "순전파와 역전파 신호를 건강하게 유지하므로 성능 저하가 기울기 소실 때문일 가능성은 낮다고 말합니다. "
        "강의 06에서 초기화 시점의 두 주장을 측정합니다.",
    "4. When the shape changes: option A": "4. 모양이 바뀔 때: 옵션 A",
    "shortcut_a(x, 16, stride 2)": "shortcut_a(x, 16, 스트라이드 2)",
    "{before} -> {after}: x[:, :, ::2, ::2] in channels 4..11, zeros in channels 0..3 and 12..15 (max there "
    "{zeros})":
        "{before} -> {after}: 채널 4..11에는 x[:, :, ::2, ::2], 채널 0..3과 12..15에는 0 (그곳의 최댓값 {zeros})",
    "block output": "블록 출력",
    "5. zero_init_residual: every block starts as the identity": "5. zero_init_residual: 항등 함수로 시작하는 블록",
    "max |block(x) - x| with gamma_last = 0 (x >= 0 here)": "gamma_last = 0일 때 max |block(x) - x| (여기서 x >= 0)",
    "With the last BN scale at 0 the branch outputs 0, so y = relu(0 + x) = x for x >= 0: a deep network of such "
    "blocks starts as the shallow network lesson 04 built by hand.":
        "마지막 BN의 스케일이 0이면 가지의 출력이 0이므로 x >= 0 에서 y = relu(0 + x) = x 입니다. 이런 블록으로 "
        "만든 깊은 신경망은 강의 04에서 손으로 만든 얕은 신경망처럼 시작합니다.",
    "Assemble a BasicBlock from your own ops (conv, batch norm, ReLU, the residual add, option A). When it passes, "
    "`tinyres train --ops DIR` trains ResNet-20 with your backward passes.":
        "여러분의 연산(합성곱, 배치 정규화, ReLU, 잔차 덧셈, 옵션 A)으로 BasicBlock을 조립하세요. 통과하면 "
        "`tinyres train --ops DIR`이 여러분의 역전파로 ResNet-20을 학습합니다.",

    # --- lessons 06-09 ----------------------------------------------------------------------

    # --- lessons 10-13 ----------------------------------------------------------------------

    # --- tour, train, gradflow, CLI -----------------------------------------------------------
    # tinyres/cli.py: demo
    "tinyres demo on {device}: the same {depth} random 3x3 convolutions (8 channels, He init scaled by 0.5, no "
    "batch norm) stacked two ways, on 8 images of 8x8, loss L = mean({last}^2):":
        "tinyres demo ({device}): 똑같은 무작위 3x3 합성곱 {depth}개(채널 8개, He 초기화에 0.5를 곱함, 배치 정규화 "
        "없음)를\n두 가지 방식으로 쌓고, 8x8 이미지 8장에서 손실 L = mean({last}^2)을 계산합니다:",
    "plain": "일반",
    "residual": "잔차",
    "Gradient gain |dL/dx_0| / |dL/d{last}|: the gradient that reaches the input, relative to the one that leaves "
    "the output (1: unchanged; near 0: vanished). Per layer: gain ** (1/{depth}).":
        "기울기 이득 |dL/dx_0| / |dL/d{last}|: 출력에서 출발한 기울기에 비해 입력까지 도달한 기울기의 크기입니다\n"
        "(1: 그대로; 0에 가까움: 소실됨). 층당 이득: 이득 ** (1/{depth}).\n",
    "gradient gain": "기울기 이득",
    "per layer": "층당",
    "activation gain |{last}| / |x_0|": "활성값 이득 |{last}| / |x_0|",
    "plain stack": "일반 스택",
    "residual stack": "잔차 스택",
    "Plain: the backward pass multiplies the gradient by one layer's Jacobian after another; each scaled it by "
    "{per:.3f} on average, and {depth} of them leave {gain:.1e} of it: it vanished on the way to the input.":
        "일반: 역전파는 기울기에 층의 야코비안을 하나씩 차례로 곱합니다. 층마다 기울기가 평균 {per:.3f}배가 되었고, "
        "{depth}개를 지나자 {gain:.1e}만 남았습니다. 입력에 닿기 전에 기울기가 소실되었습니다.",
    "Plain: the backward pass multiplies the gradient by one layer's Jacobian after another; each scaled it by "
    "{per:.3f} on average, and {depth} of them leave {gain:.1e} of it.":
        "일반: 역전파는 기울기에 층의 야코비안을 하나씩 차례로 곱합니다. 층마다 기울기가 평균 {per:.3f}배가 되었고, "
        "{depth}개를 지나자 {gain:.1e}배가 남았습니다.",
    "Residual: each block's Jacobian is dF/dx + 1 (dL/dx = dL/dy (dF/dx + 1)); the +1 hands dL/dy to x unchanged, "
    "and the gradient did not fade (x{per:.3f} per block).":
        "잔차: 블록마다 야코비안이 dF/dx + 1 입니다(dL/dx = dL/dy (dF/dx + 1)). +1이 dL/dy를 그대로 x에 넘겨 주므로 "
        "기울기가 약해지지 않았습니다(블록당 x{per:.3f}).",
    "Residual: each block's Jacobian is dF/dx + 1, yet the gradient shrank in this run (x{per:.3f} per block): its "
    "branches worked against the identity.":
        "잔차: 블록마다 야코비안이 dF/dx + 1 인데도 이번 실행에서는 기울기가 줄었습니다(블록당 x{per:.3f}). 가지들이 "
        "항등 성분을 상쇄하는 쪽으로 작용했습니다.",
    "It grew ({gain:.1e}) because the activations grew ({signal:.1e}): without batch norm nothing rescales x as "
    "each block adds F(x) to it. This net (ReLU, no biases) computes x_{depth} = J x_0 with the very Jacobian J "
    "whose transpose carries the gradient back, so the gradient follows the signal (gradient gain / activation "
    "gain = {ratio:.2g}) rather than exploding on its own. The paper's ResNets put batch norm in every branch: "
    "`tinyres gradflow` measures those.":
        "기울기가 커진 것({gain:.1e})은 활성값이 커졌기 때문입니다({signal:.1e}). 배치 정규화가 없으므로 블록마다 "
        "x에 F(x)를 더해도 x의 크기를 다시 맞춰 주는 것이 없습니다. 이 신경망(ReLU, 편향 없음)은 x_{depth} = J x_0 "
        "을 계산하는데, 바로 이 야코비안 J의 전치가 기울기를 거꾸로 전달합니다. 그래서 기울기는 스스로 폭발하는 "
        "것이 아니라 신호를 따라갑니다(기울기 이득 / 활성값 이득 = {ratio:.2g}). 논문의 ResNet은 모든 가지에 배치 "
        "정규화를 넣습니다. 그런 신경망은 `tinyres gradflow`로 측정합니다.",
    "It grew ({gain:.1e}), faster than the activations ({signal:.1e}).":
        "기울기가 활성값({signal:.1e})보다 더 빠르게 커졌습니다({gain:.1e}).",
    "Gradient check of relu(conv(x) + shortcut_A(x)) against central differences (float64):":
        "숏컷이 있는 블록 relu(conv(x) + shortcut_A(x))의 기울기 검사, 중앙 차분과 비교 (float64):",
    # tinyres/cli.py: train, gradflow
    "{prog}: {flag} {given} contradicts the run in {out}, which was saved with {flag} {saved}; leave the flag out "
    "to resume as saved, or start a new run in another --out":
        "{prog}: {flag} {given}은(는) {out}에 저장된 실행과 맞지 않습니다. 그 실행은 {flag} {saved}(으)로 "
        "저장되었습니다. 저장된 대로 이어 가려면 이 옵션을 빼고, 아니면 다른 --out에서 새로 시작하세요",
    "{prog}: {out}/checkpoint.npz does not fit the model: {error}":
        "{prog}: {out}/checkpoint.npz가 모델과 맞지 않습니다: {error}",
    "done: {iterations} iterations in {seconds:.0f}s, test error {error:.2f}% (accuracy {accuracy:.2f}%); metrics "
    "and checkpoint in {out}":
        "완료: {seconds:.0f}초 동안 {iterations}번 반복, 테스트 오차 {error:.2f}% (정확도 {accuracy:.2f}%). 지표와 "
        "체크포인트는 {out}에 있습니다",
    "(not set)": "(설정 안 됨)",
    "{name:>10}: |dL/dW| at init, first conv {first:.3e}, last conv {last:.3e}, ratio first/last {ratio:.3g}":
        "{name:>10}: 초기화 시점 |dL/dW|, 첫 합성곱 {first:.3e}, 마지막 합성곱 {last:.3e}, 첫/마지막 비율 {ratio:.3g}",
    "identity path carries {share:.0f}% of the summed per-block gradient norms at init":
        "초기화 시점에 블록별 기울기 노름 합의 {share:.0f}%가 항등 경로로 흐릅니다",
    "wrote {files}": "저장한 파일: {files}",
    # tinyres/tour.py
    "tinyres tour on {device} (quick): output in {out}": "tinyres tour ({device}, 빠른 모드): 출력 폴더 {out}",
    "tinyres tour on {device}: output in {out}": "tinyres tour ({device}): 출력 폴더 {out}",
    "1/3 gradient flow at initialisation and after a few SGD steps": "1/3 초기화 시점과 SGD 몇 단계 뒤의 기울기 흐름",
    "{name}: |dL/dW| first conv {first:.3g}, last conv {last:.3g} (first/last {ratio:.3g})":
        "{name}: |dL/dW| 첫 합성곱 {first:.3g}, 마지막 합성곱 {last:.3g} (첫/마지막 {ratio:.3g})",
    "2/3 degradation: the same recipe for plain and residual nets of two depths":
        "2/3 성능 저하: 두 가지 깊이의 일반 신경망(plain)과 잔차 신경망을 같은 방법으로 학습",
    "3/3 parameters and multiply-adds, recomputed by tracing a forward pass":
        "3/3 순전파를 추적해 다시 계산한 매개변수 수와 곱셈-누산",
    "params {params:>12,} (paper {paper_params})  mult-adds {madds:>8} (paper {paper_madds})":
        "매개변수 {params:>12,} (논문 {paper_params})  곱셈-누산 {madds:>8} (논문 {paper_madds})",
    "not given": "제시 안 됨",
    "done in {seconds:.0f}s. Report: {path}": "{seconds:.0f}초 만에 끝났습니다. 보고서: {path}",
    "tinyres tour: ran on {device} in {seconds:.0f} s (quick mode), seed {seed}.":
        "tinyres tour: {device}에서 {seconds:.0f}초 동안 실행했습니다(빠른 모드), 시드 {seed}.",
    "tinyres tour: ran on {device} in {seconds:.0f} s, seed {seed}.":
        "tinyres tour: {device}에서 {seconds:.0f}초 동안 실행했습니다, 시드 {seed}.",
    "Gradient flow per layer": "층별 기울기 흐름",
    "Gradient norm of every convolution's weights, input side on the left, for {plain} (red) and {resid} (blue), "
    "at initialisation and after {steps} SGD steps on batches of the 8x8 digits (lesson 06 repeats this at 32x32). "
    "Measured at initialisation: first/last layer ratio {plain_ratio:.3g} for {plain}, {resid_ratio:.3g} for "
    "{resid}.":
        "모든 합성곱 가중치의 기울기 노름입니다(왼쪽이 입력 쪽). 빨강은 {plain}, 파랑은 {resid}이며, 초기화 "
        "시점과 8x8 숫자 이미지 배치로 SGD {steps}단계를 진행한 뒤에 측정했습니다(강의 06에서 32x32로 다시 "
        "해 봅니다). 초기화 시점에 측정한 첫 층/마지막 층 비율: {plain} {plain_ratio:.3g}, {resid} "
        "{resid_ratio:.3g}.",
    "Where each block's input gradient comes from": "각 블록의 입력 기울기는 어디서 오는가",
    "For every residual block of {resid}: the gradient that reaches the block input through the shortcut (blue; "
    "for an identity shortcut this is dL/dz itself, z = F(x) + x being the add, the '+1' of dL/dx = dL/dz (dF/dx + "
    "1)) and through the residual branch (orange); bottom: their cosine. At initialisation the shortcut carries "
    "{share:.0f}% of the summed norms.":
        "{resid}의 모든 잔차 블록에서 블록 입력에 도달하는 기울기를 숏컷을 거친 것(파랑. 항등 숏컷이면 이것은 "
        "덧셈 z = F(x) + x 의 dL/dz 그 자체로, dL/dx = dL/dz (dF/dx + 1)의 '+1'에 해당합니다)과 잔차 가지를 거친 "
        "것(주황)으로 나누어 보여 줍니다. 아래: 둘 사이의 코사인. 초기화 시점에 숏컷이 노름 합의 {share:.0f}%를 "
        "나릅니다.",
    "Gradient norm during training": "학습 중 기울기 노름",
    "First (solid) and last (dashed) conv layer's weight-gradient norm at every step.":
        "단계마다 측정한 첫 합성곱 층(실선)과 마지막 합성곱 층(점선)의 가중치 기울기 노름입니다.",
    "{model}: train {train:.2f}%, test {test:.2f}%": "{model}: 학습 {train:.2f}%, 테스트 {test:.2f}%",
    "{deep} minus {shallow}: {diff:+.1f} points": "{deep} - {shallow}: {diff:+.1f}%p",
    "Quick mode: one epoch on 128 images, a few points per curve and no effect to see; run without --quick for "
    "the real comparison.":
        "빠른 모드: 이미지 128장으로 한 에포크만 학습해서 곡선마다 점이 몇 개뿐이고 볼 만한 효과도 없습니다. 제대로 "
        "비교하려면 --quick 없이 실행하세요.",
    "Degradation on the digits (one seed)": "숫자 데이터에서의 성능 저하 (시드 하나)",
    "Training (thin) and test (bold) error of {models} trained {epochs} epoch(s) on the 8x8 digits with the same "
    "recipe (lr 0.02, /10 at half and three quarters). Final errors measured: {lines}. Training error, deeper "
    "minus shallower: {gaps}. One seed and a short run: lessons 04 and 07 repeat this over three seeds.":
        "{models} 모델을 8x8 숫자 이미지에서 같은 방법(lr 0.02, 절반과 4분의 3 지점에서 /10)으로 {epochs} 에포크 "
        "학습했을 때의 학습 오차(가는 선)와 테스트 오차(굵은 선)입니다. 측정한 최종 오차: {lines}. 학습 오차, 깊은 "
        "신경망 - 얕은 신경망: {gaps}. 시드 하나로 짧게 돌린 결과입니다. 강의 04와 07에서 시드 세 개로 다시 "
        "해 봅니다.",
    "model": "모델",
    "input": "입력",
    "parameters (tinyres)": "매개변수 (tinyres)",
    "parameters (paper)": "매개변수 (논문)",
    "multiply-adds (tinyres)": "곱셈-누산 (tinyres)",
    "multiply-adds (paper)": "곱셈-누산 (논문)",
    "Parameters and multiply-adds": "매개변수와 곱셈-누산",
    "Bottleneck models use the paper's stride placement (stride in the first 1x1). Paper: Table 1 (ImageNet "
    "multiply-adds) and Table 6 (CIFAR-10 parameters).":
        "병목 모델은 논문의 스트라이드 위치를 따릅니다(첫 1x1에 스트라이드). 논문: 표 1 (ImageNet 곱셈-누산)과 "
        "표 6 (CIFAR-10 매개변수).",
    # tinyres/train.py, tinyres/experiments.py
    "distributed: {ranks} ranks over {name}, {images} images per rank and step, batch norm synchronized":
        "분산 학습: {name} 위의 랭크 {ranks}개, 랭크와 단계마다 이미지 {images}장, 배치 정규화는 전체 배치로 동기화",
    "distributed: {ranks} ranks over {name}, {images} images per rank and step, batch norm per rank":
        "분산 학습: {name} 위의 랭크 {ranks}개, 랭크와 단계마다 이미지 {images}장, 배치 정규화는 랭크별",
    "the run in {out} is already complete ({done} of {total} iterations); nothing to resume. To train longer, "
    "resume with more --epochs (or --iterations)":
        "{out}의 실행은 이미 끝났습니다(반복 {total}번 중 {done}번). 이어 갈 것이 없습니다. 더 학습하려면 "
        "--epochs(또는 --iterations)를 늘려서 이어 가세요",
    "resumed from {path} at epoch {epoch}, iteration {iteration}":
        "{path}에서 이어 갑니다: 에포크 {epoch}, 반복 {iteration}",
    "epoch {epoch}/{epochs}": "에포크 {epoch}/{epochs}",
    "epoch {epoch}/{epochs}  iter {iteration}  lr {lr:.4g}  train loss {train_loss:.4f} err {train_error:.2f}%  "
    "test loss {test_loss:.4f} err {test_error:.2f}%  ({seconds:.0f}s)":
        "에포크 {epoch}/{epochs}  반복 {iteration}  lr {lr:.4g}  학습 손실 {train_loss:.4f} 오차 {train_error:.2f}%  "
        "테스트 손실 {test_loss:.4f} 오차 {test_error:.2f}%  ({seconds:.0f}초)",
    "interrupted after iteration {iteration}: saved {path}; continue with: {command}":
        "반복 {iteration} 뒤에 중단하고 {path}에 저장했습니다. 이어서 하려면: {command}",
    "aborted. {last_good}; continue from it with: {command}":
        "중단했습니다. {last_good}. 거기서 이어서 하려면: {command}",
    "No checkpoint was written": "저장된 체크포인트가 없습니다",
    "The last good checkpoint is {path} (iteration {iteration})":
        "마지막 정상 체크포인트는 {path} (반복 {iteration})입니다",
    "the evaluation loss ({loss})": "평가 손실({loss})",
    "{bad} became non-finite by iteration {iteration} (epoch {epoch}); stopped without saving it. {last_good}; "
    "try a lower --lr or a warm-up (--warmup-lr)":
        "반복 {iteration}(에포크 {epoch})까지 {bad}이(가) 유한하지 않은 값이 되어 저장하지 않고 멈췄습니다. "
        "{last_good}. 더 낮은 --lr이나 워밍업(--warmup-lr)을 써 보세요",
    "loss became {value} at iteration {iteration} (epoch {epoch}, batch {batch}); stopped. {last_good}; try a "
    "lower --lr or a warm-up (--warmup-lr)":
        "반복 {iteration}(에포크 {epoch}, 배치 {batch})에서 손실이 {value}이(가) 되어 멈췄습니다. {last_good}. 더 "
        "낮은 --lr이나 워밍업(--warmup-lr)을 써 보세요",
    "gradient flow {name}": "기울기 흐름 {name}",
    "{name}: loss is {value} at step {step}; stopped tracing it there":
        "{name}: 단계 {step}에서 손실이 {value}입니다. 거기서 추적을 멈췄습니다",
    "training {name} for {epochs} epochs on {data} ...": "{name}: {data}에서 {epochs} 에포크 학습 중 ...",
    "{name}: train error {train:.2f}%, test error {test:.2f}% ({seconds:.0f}s)":
        "{name}: 학습 오차 {train:.2f}%, 테스트 오차 {test:.2f}% ({seconds:.0f}초)",
    # tinyres/inspect/summary.py (tinyres summary)
    "{model}  input {shape}": "{model}  입력 {shape}",
    "layer": "층",
    "type": "종류",
    "output shape": "출력 모양",
    "params": "매개변수",
    "mult-adds": "곱셈-누산",
    "... {n} more layers": "... 층 {n}개 더",
    "total parameters: {total:,} ({trainable:,} trainable)": "전체 매개변수: {total:,} (학습 가능 {trainable:,})",
    "total multiply-adds: {total:,} ({short})": "전체 곱셈-누산: {total:,} ({short})",

    # --- figures (tinyres/inspect/plots.py) ---------------------------------------------------
    "conv layer (input side = 1)": "합성곱 층 (입력 쪽 = 1)",
    "at initialisation": "초기화 시점",
    "after {step} steps": "{step}단계 뒤",
    "|dL/dW| of the layer (log)": "층의 |dL/dW| (로그 눈금)",
    "Gradient norm per layer: plain vs residual": "층별 기울기 노름: 일반 대 잔차",
    "Gradient norm per layer, no batch norm": "층별 기울기 노름, 배치 정규화 없음",
    "through the shortcut (identity path: dL/dz at the add, itself)": "숏컷을 거친 기울기 (항등 경로: 덧셈의 dL/dz 그대로)",
    "through the residual branch F (dL/dz dF/dx)": "잔차 가지 F를 거친 기울기 (dL/dz dF/dx)",
    "total at the block input": "블록 입력에서의 합",
    "option A": "옵션 A",
    "projection": "사영",
    "gradient norm": "기울기 노름",
    "cosine": "코사인",
    "residual block (input side = 1)": "잔차 블록 (입력 쪽 = 1)",
    "{model}: where the gradient at each block input comes from (step {step})":
        "{model}: 각 블록 입력의 기울기는 어디서 오는가 (단계 {step})",
    "{label}: first conv": "{label}: 첫 합성곱",
    "{label}: last conv": "{label}: 마지막 합성곱",
    "training step": "학습 단계",
    "|dL/dW| (log)": "|dL/dW| (로그 눈금)",
    "Gradient norm at the first and last conv layer during training": "학습 중 첫 합성곱 층과 마지막 합성곱 층의 기울기 노름",
    "iteration": "반복",
    "error (%)": "오차 (%)",
    "thin: training, bold: test": "가는 선: 학습, 굵은 선: 테스트",
    "Training and test error: plain vs residual": "학습 오차와 테스트 오차: 일반 대 잔차",
    "Degradation on {data}: thin = training error, bold = test error":
        "{data}에서의 성능 저하: 가는 선 = 학습 오차, 굵은 선 = 테스트 오차",

    # --- exercises and their checker, gradient-check reports -----------------------------------

    # --- end ----------------------------------------------------------------------------------
}
