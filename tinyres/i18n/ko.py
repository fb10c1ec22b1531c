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
    "feature-map size": "특징 맵 크기",
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
    "sync batch norm": "동기화 배치 정규화",
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
# the loanword 그래디언트 where the tutorials say 기울기, 사상 for mapping; and 매개변수, which
# would make two words for one idea next to the 파라미터 of the tables and README.ko.md (and
# 에포크 next to 에폭, likewise).
FORBIDDEN = ("보폭", "평범한", "코탄젠트", "그래디언트", "사상", "매개변수", "에포크")

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
        "{measured} 모든 시드에서 더 깊은 {deep_name}도 {shallow_name}만큼 또는 더 잘 학습됩니다. 이번 실행에서는 "
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
        "실행 {n}번: {resnet_name}, {plain_name} 두 신경망을 비교하기에 부족합니다.",
    "On every seed {resnet_name} loses less than {plain_name} when one block is deleted: its blocks are not a "
    "single chain that breaks, as Veit et al. argue.":
        "모든 시드에서 블록 하나를 지웠을 때 {resnet_name} 쪽이 {plain_name}보다 덜 잃습니다. Veit 등의 주장처럼 "
        "블록들이 끊어지면 끝나는 하나의 사슬이 아닙니다.",
    "On every seed {plain_name} loses no more than {resnet_name}: this run does NOT show the ensemble-like "
    "robustness.":
        "모든 시드에서 {plain_name} 쪽이 {resnet_name}보다 더 잃지 않습니다. 이번 실행은 앙상블 같은 견고함을 보여 "
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
    # lessons 01-02
    # lesson 01
    "an array plus its gradient and the op that made it": "배열과 그 기울기, 그리고 그 배열을 만든 연산을 함께 담은 것",
    "ops linked by the tensors they pass": "주고받는 텐서로 서로 이어진 연산들",
    "dL/dx = dL/dy * dy/dx, applied op by op from the loss back": "dL/dx = dL/dy * dy/dx, 손실에서부터 연산 하나씩 거꾸로 적용",
    "dL/d(output) handed to an op's backward": "연산의 역전파에 넘겨지는 dL/d(출력)",
    "(f(x+eps) - f(x-eps)) / 2eps, the numeric check": "(f(x+eps) - f(x-eps)) / 2eps, 수치 검사",
    "1. A graph, forward and backward": "1. 그래프: 순전파와 역전파",
    "graph (from the loss back)": "그래프 (손실에서 거꾸로)",
    "Each op saved what its backward needs. backward() visits the ops from the loss back to the leaves in "
    "topological order and hands each op the gradient of its output.":
        "각 연산은 역전파에 필요한 값을 저장해 둡니다. backward()는 손실에서 잎(leaf) 텐서까지 위상 정렬 순서로 "
        "연산을 방문하며, 각 연산에 그 출력의 기울기를 넘겨 줍니다.",
    "dL/dx by autograd": "자동 미분으로 구한 dL/dx",
    "dL/dx by hand": "손으로 구한 dL/dx",
    "2. Gradient check": "2. 기울기 검사",
    "gradcheck compares backward with central differences for EVERY element of every input, using a random "
    "upstream gradient v (so it checks v^T J, not just the sum of the outputs).":
        "gradcheck는 모든 입력의 모든 원소에 대해 역전파 결과를 중앙 차분과 비교합니다. 랜덤 상류 기울기 v를 "
        "쓰므로 출력의 합만이 아니라 v^T J 전체를 검사합니다.",
    "3. Learning from data: softmax regression on digits": "3. 데이터로 학습: 숫자 데이터의 소프트맥스 회귀",
    "step {step:3d} loss": "{step:3d}단계 손실",
    "test accuracy of a linear classifier": "선형 분류기의 테스트 정확도",
    "A linear model reaches {acc:.1f}% on the {n} test digits. The next lessons build the convolutions, "
    "normalisation and residual connections that go further.":
        "선형 모델만으로도 테스트 숫자 {n}개에서 정확도 {acc:.1f}%에 이릅니다. 다음 강의들에서는 이보다 더 나아가기 "
        "위해 합성곱, 정규화, 잔차 연결을 만듭니다.",
    "Write the backward of add and mul and the topological sort that orders the graph; then relu, linear and "
    "cross_entropy, each checked with a random upstream gradient like section 2's.":
        "add와 mul의 역전파, 그리고 그래프의 순서를 정하는 위상 정렬을 작성하세요. 그다음 relu, linear, "
        "cross_entropy를 작성하면 2절처럼 랜덤 상류 기울기로 하나씩 검사됩니다.",
    # lesson 02
    "the same small filter applied at every position": "같은 작은 필터를 모든 위치에 적용하는 것",
    "copy every window into a column so convolution becomes one matrix product":
        "모든 창을 열 하나로 복사해서 합성곱을 행렬 곱 하나로 만드는 것",
    "the adjoint: add each column back where its window came from": "수반 연산: 각 열을 그 창이 있던 자리에 다시 더하는 것",
    "step between windows / zeros added around the border": "창과 창 사이의 간격 / 가장자리에 덧붙이는 0",
    "one w*x + acc; the paper's FLOPs count these": "w*x + acc 한 번. 논문의 FLOPs가 세는 것",
    "1. Convolution as a loop over windows": "1. 창(window)을 도는 반복문으로 본 합성곱",
    "max |loop - conv2d|": "max |반복문 - conv2d|",
    "2. im2col: every window becomes a column": "2. im2col: 모든 창을 열로 바꾸기",
    "columns matrix shape (C*kh*kw, N*Ho*Wo)": "열 행렬의 모양 (C*kh*kw, N*Ho*Wo)",
    "max |GEMM - loop|": "max |GEMM - 반복문|",
    "Nine shifted copies of the image, stacked, turn the convolution into a single matrix product: W (C_out x "
    "C*kh*kw) @ cols. Backward is two more products (dW = G cols^T, dcols = W^T G) and col2im, which adds each "
    "window's gradient back to the pixels it covered.":
        "이미지를 조금씩 이동한 사본 9장을 쌓으면 합성곱이 행렬 곱 하나가 됩니다: W (C_out x C*kh*kw) @ cols. "
        "역전파는 행렬 곱 두 번(dW = G cols^T, dcols = W^T G)과, 각 창의 기울기를 그 창이 덮었던 픽셀에 다시 더하는 "
        "col2im입니다.",
    "digit (8x8)": "숫자 (8x8)",
    "conv with a Sobel filter": "Sobel 필터로 합성곱한 결과",
    "im2col columns (9 x 64)": "im2col의 열 (9 x 64)",
    "Convolution = im2col + matrix product": "합성곱 = im2col + 행렬 곱",
    "3. Backward: by hand, and checked": "3. 역전파: 손으로 계산하고, 검사로 확인하기",
    "max |dL/dW autograd - loop|": "max |dL/dW 자동 미분 - 반복문|",
    "4. Counting multiply-adds": "4. 곱셈-누산 세기",
    "one 3x3 conv, 16->16 channels, 32x32 output": "3x3 합성곱 하나, 채널 16->16, 출력 32x32",
    "{n:,} multiply-adds": "곱셈-누산 {n:,}번",
    "ResNet-20, traced": "ResNet-20, 순전파를 추적해 센 값",
    "{n:,} multiply-adds, {convs} convolutions": "곱셈-누산 {n:,}번, 합성곱 {convs}개",
    "{count:2d} conv(s) of": "  합성곱 {count:2d}개",
    "{n:,} multiply-adds each": "각각 곱셈-누산 {n:,}번",
    "the fully connected layer": "  완전 연결 층",
    "ResNet-20 costs {total:.1f}M multiply-adds per 32x32 image. {same} of its {convs} convolutions cost exactly "
    "{per_layer:,} each, like the one above: the channels double whenever the map halves, so the cost per conv "
    "stays. The cheaper ones are the first conv (3 input channels) and the stride-2 convs that open stages 2 and 3 "
    "(half: they still read the narrower input).":
        "ResNet-20은 32x32 이미지 한 장에 곱셈-누산을 {total:.1f}M번 합니다. 합성곱 {convs}개 중 {same}개가 위의 "
        "합성곱과 똑같이 {per_layer:,}번씩입니다. 맵이 절반으로 줄 때마다 채널이 두 배가 되므로 합성곱 하나의 비용은 "
        "그대로입니다. 더 싼 것은 첫 합성곱(입력 채널 3개)과, 단계 2와 3을 여는 스트라이드 2 합성곱(아직 좁은 입력을 "
        "읽으므로 절반)입니다.",
    "Write im2col and its adjoint col2im (they must satisfy <im2col(x), c> = <x, col2im(c)>), then conv2d: dW = G "
    "cols^T and dX = col2im(W^T G), with stride 2 and padding.":
        "im2col과 그 수반 연산 col2im(<im2col(x), c> = <x, col2im(c)>를 만족해야 합니다)을 작성하고, 그다음 "
        "conv2d(dW = G cols^T, dX = col2im(W^T G))를 스트라이드 2와 패딩까지 포함해 작성하세요.",


    # lessons 03-04
    # lesson 03
    "normalise each channel by the batch's mean and variance": "각 채널을 배치의 평균과 분산으로 정규화",
    "averages of mean/var kept for evaluation": "평가 때 쓰려고 모아 두는 평균/분산의 이동 평균",
    "batch statistics vs running statistics": "배치 통계 대 이동 통계",
    "max(x, 0); its gradient is 1 where x > 0, else 0": "max(x, 0). 기울기는 x > 0인 곳에서 1, 나머지에서 0",
    "keep the largest value of each window; only it gets gradient": "창마다 가장 큰 값만 남김. 그 값만 기울기를 받음",
    "the upstream gradient v in the check v^T J": "검사 v^T J에 쓰는 상류 기울기 v",
    "1. Batch norm, train vs eval": "1. 배치 정규화: 학습 모드 대 평가 모드",
    "per-channel mean after BN (train)": "BN 뒤 채널별 평균 (학습 모드)",
    "per-channel std after BN (train)": "BN 뒤 채널별 표준편차 (학습 모드)",
    "running_mean after one batch (momentum 0.1)": "배치 하나 뒤의 running_mean (모멘텀 0.1)",
    "per-channel std in eval mode (running stats)": "평가 모드의 채널별 표준편차 (이동 통계 사용)",
    "In training mode every channel is normalised with THIS batch's mean and variance, and the running averages "
    "move 10% toward them. In eval mode the running averages are used, so the output no longer depends on the rest "
    "of the batch - and differs from the training-mode output while the running averages are still catching up "
    "(above: the eval-mode std is not 1). This is one reason a network's error measured in training mode on "
    "augmented batches can be HIGHER than its error on the test set in eval mode.":
        "학습 모드에서는 각 채널을 바로 이 배치의 평균과 분산으로 정규화하고, 이동 평균을 그쪽으로 10%씩 옮깁니다. "
        "평가 모드에서는 이동 평균을 쓰므로 출력이 배치의 나머지 샘플에 더는 의존하지 않습니다. 그 대신 이동 평균이 "
        "아직 따라잡는 동안에는 학습 모드의 출력과 다릅니다(위: 평가 모드의 표준편차가 1이 아님). 증강된 배치에서 "
        "학습 모드로 잰 신경망의 오차가 평가 모드로 잰 테스트 오차보다 높을 수 있는 이유 중 하나입니다.",
    "2. The batch-norm backward, derived": "2. 배치 정규화의 역전파 유도하기",
    "Per channel, over its m = N*H*W values: mu = mean(x), var = mean((x - mu)^2), sigma = sqrt(var + eps), "
    "xhat = (x - mu)/sigma, y = gamma*xhat + beta. x reaches the loss three ways: directly through xhat, through mu "
    "and through var. With v = dL/dy:":
        "채널마다 그 채널의 값 m = N*H*W개에 대해: mu = mean(x), var = mean((x - mu)^2), sigma = sqrt(var + eps), "
        "xhat = (x - mu)/sigma, y = gamma*xhat + beta. x는 세 경로로 손실에 닿습니다: xhat을 거쳐 직접, mu를 거쳐, "
        "var를 거쳐. v = dL/dy라 하면:",
    "step {n}": "{n}단계",
    "(the second term is 0: mean(x - mu) = 0)": "(두 번째 항은 0: mean(x - mu) = 0)",
    "simplify": "정리하면",
    "the three paths: d (direct), - mean(d) (through mu), - xhat * mean(d * xhat) (through var)":
        "세 경로: d (직접), - mean(d) (mu를 거쳐), - xhat * mean(d * xhat) (var를 거쳐)",
    "PASSED": "통과",
    "FAILED": "실패",
    "max |step-by-step dL/dx - autograd|": "max |단계별로 구한 dL/dx - 자동 미분|",
    "max |simplified dL/dx - autograd|": "max |정리한 식의 dL/dx - 자동 미분|",
    "max |cotangent v - input x| (they must differ)": "max |랜덤 상류 기울기 v - 입력 x| (서로 달라야 함)",
    "gradient check with the random cotangent v": "랜덤 상류 기울기 v로 한 기울기 검사",
    "3. A wrong backward that a sum-check cannot see": "3. 합(sum) 검사로는 보이지 않는 잘못된 역전파",
    "without the path through {name} ({dropped})": "{name}를 거치는 경로가 빠진 역전파 ({dropped})",
    "sum() check {blind}, random-cotangent check {sharp}": "sum() 검사 {blind}, 랜덤 상류 기울기 검사 {sharp}",
    "worst element, variance path missing": "분산 경로가 빠졌을 때 가장 크게 틀린 원소",
    "input {input} at {index}: analytic {analytic:.4f} vs numeric {numeric:.4f}":
        "입력 {input}의 {index} 위치에서 해석적 값 {analytic:.4f}, 수치 미분 값 {numeric:.4f}",
    "sum(BN(x)) does not depend on x (each channel sums to m*beta), so its true gradient is zero. With v = 1 the "
    "missing variance term, - xhat * mean(d * xhat) / sigma, is zero anyway: mean(gamma * xhat) = 0. So a backward "
    "without it passes a sum() check. Dropping the mean term, - mean(d) / sigma, leaves d / sigma, which is not "
    "zero: the sum() check catches that one. Only a random cotangent exercises every path.":
        "sum(BN(x))는 x에 의존하지 않으므로(각 채널의 합은 m*beta) 참 기울기가 0입니다. v = 1이면 빠뜨린 분산 항 "
        "- xhat * mean(d * xhat) / sigma 는 어차피 0입니다: mean(gamma * xhat) = 0. 그래서 이 항이 없는 역전파도 "
        "sum() 검사를 통과합니다. 평균 항 - mean(d) / sigma 를 빠뜨리면 d / sigma가 남는데, 이것은 0이 아니므로 "
        "sum() 검사에 걸립니다. 랜덤 상류 기울기만이 모든 경로를 검사합니다.",
    "4. ReLU and max pooling route the gradient": "4. 기울기의 길을 정하는 ReLU와 최대 풀링",
    "gradient": "기울기",
    "Only the window's maximum (3.0) receives the gradient; ReLU passes it where its input was positive. With a "
    "tie, tinyres gives the whole gradient to ONE of the tied maxima (the first in the window), not to each.":
        "창의 최댓값(3.0)만 기울기를 받습니다. ReLU는 입력이 양수였던 곳으로만 기울기를 통과시킵니다. 최댓값이 "
        "여럿이면 tinyres는 기울기 전체를 그중 하나(창에서 첫 번째)에만 주고, 각각에 나눠 주지 않습니다.",
    "Write the batch-norm backward with both paths; the checker's random cotangent fails it if the variance path "
    "is missing. Then max_pool2d (ties: one winner) the same way.":
        "두 경로를 모두 넣어 배치 정규화 역전파를 작성하세요. 분산 경로가 빠지면 검사기의 랜덤 상류 기울기가 "
        "실패로 잡아냅니다. 그다음 max_pool2d도 같은 방식으로 작성하세요(동점이면 하나만 기울기를 받음).",
    # lesson 04
    "low training error, high test error: NOT what degradation is": "학습 오차는 낮고 테스트 오차는 높음: 성능 저하와는 다름",
    "a layer whose output equals its input": "출력이 입력과 같은 층",
    "the same layers as a ResNet, without shortcuts": "ResNet과 같은 층, 숏컷만 없음",
    "1. {shallow} vs {deep}, the same recipe, {n} seed(s)": "1. 같은 학습 방법으로 {shallow} 대 {deep}, 시드 {n}개",
    "Both nets: the digits (8x8 images, {images} training images), {epochs} epoch(s), SGD with momentum 0.9, lr "
    "0.02 divided by 10 for the last quarter of the run, weight decay 5e-4, batch norm after every convolution, He "
    "initialisation. Only the depth differs.":
        "두 신경망 모두: 숫자 데이터(8x8 이미지, 학습 이미지 {images}장), {epochs} 에폭, 모멘텀 0.9의 SGD, 학습률 "
        "0.02(마지막 1/4 구간에서는 10으로 나눔), 가중치 감쇠 5e-4, 모든 합성곱 뒤에 배치 정규화, He 초기화. "
        "깊이만 다릅니다.",
    "training-set error {train:6.2f}% (eval mode)   running training error {running:6.2f}%   test error "
    "{test:6.2f}%":
        "학습 데이터 오차 {train:6.2f}% (평가 모드)   진행 중 학습 오차 {running:6.2f}%   테스트 오차 {test:6.2f}%",
    "Two training errors are printed: the running error during the last epoch (augmented images, batch "
    "statistics, weights still moving) and the error of the finished net on the un-augmented training set in "
    "eval mode. The first can exceed the test error for those reasons; the conclusion below uses the second.":
        "학습 오차를 두 가지 출력합니다: 마지막 에폭 동안 잰 진행 중 학습 오차(증강된 이미지, 배치 통계, 아직 "
        "움직이는 가중치)와, 학습이 끝난 신경망을 평가 모드로 증강 없는 학습 데이터에서 잰 오차입니다. 앞의 것은 "
        "그런 이유로 테스트 오차보다 클 수 있습니다. 아래 결론은 뒤의 것을 씁니다.",
    "2. A {deep} that computes exactly what {shallow} computes": "2. {shallow}의 계산을 그대로 하는 {deep}",
    "extra identity blocks per stage": "단계(stage)마다 추가한 항등 블록",
    "{n} (two convs each: {layers} extra layers in the 3 stages)":
        "{n}개 (블록마다 합성곱 2개: 단계 3개를 합쳐 추가 층 {layers}개)",
    "max |logits of {shallow} - logits of the constructed {deep}| on 16 inputs":
        "입력 16개에서 max |{shallow}의 로짓 - 직접 만든 {deep}의 로짓|",
    "training-set error of the trained {shallow}": "학습시킨 {shallow}의 학습 데이터 오차",
    "training-set error of the constructed {deep}": "직접 만든 {deep}의 학습 데이터 오차",
    "training-set error of {deep} trained from scratch": "처음부터 학습시킨 {deep}의 학습 데이터 오차",
    "Each extra block is conv (a 1 at the centre tap, channel to itself) -> batch norm with mean 0 and variance 1 "
    "-> ReLU, twice. Its input comes out of a ReLU and is never negative, so the block passes it through unchanged. "
    "A solution at least as good as the shallow net therefore EXISTS for the deep one; when SGD finds a worse one, "
    "the trouble is optimisation. He et al. (2015) conjecture that solvers find it hard to fit an identity with a "
    "stack of nonlinear layers; the next lesson changes what the layers have to learn.":
        "추가한 블록은 합성곱(가운데 탭에 1, 각 채널은 자기 자신으로) -> 평균 0, 분산 1의 배치 정규화 -> ReLU를 두 "
        "번 거칩니다. 입력은 ReLU에서 나와 음수가 없으므로 블록은 입력을 바꾸지 않고 그대로 내보냅니다. 따라서 깊은 "
        "신경망에도 얕은 신경망만큼 좋은 해가 분명히 존재합니다. SGD가 더 나쁜 해를 찾는다면 문제는 최적화입니다. "
        "He 등(2015)은 비선형 층을 쌓아 항등 함수를 맞추기가 최적화 알고리즘에게 어렵다고 추측합니다. 다음 강의는 "
        "층이 배워야 할 것을 바꿉니다.",
    "The repair of lesson 05 is one op: y = F + x, whose backward hands dL/dy unchanged to both inputs, and the "
    "option-A shortcut for blocks that change shape. Write both; the checker fails a backward that drops the "
    "identity path.":
        "강의 05의 처방은 연산 하나입니다: y = F + x. 그 역전파는 dL/dy를 두 입력 모두에 그대로 넘깁니다. 모양이 "
        "바뀌는 블록을 위한 옵션 A 숏컷도 함께 작성하세요. 항등 경로를 빠뜨린 역전파는 검사기가 실패로 잡습니다.",

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
    # shared by lessons 06, 07, 09
    "figure": "그림",
    "seed {seed} {name:>8}": "시드 {seed} {name:>8}",
    # lesson 06
    "the length of dL/dW for one layer": "한 층의 dL/dW 길이",
    "norms shrinking or growing geometrically with depth": "깊이에 따라 노름이 기하급수적으로 줄거나 커짐",
    "the shortcut: it returns dL/dz itself to the block input": "숏컷: dL/dz를 그대로 블록 입력에 돌려줌",
    "the residual layers: they return dL/dz dF/dx": "잔차 층들: dL/dz dF/dx를 돌려줌",
    "height x width of a stage's activations (32, 16, 8 for CIFAR)": "한 단계 활성값의 높이 x 너비 (CIFAR에서 32, 16, 8)",
    "Gradient norm per conv layer at initialisation, {size}x{size} input, with batch norm, seed {seed}":
        "초기화 시점 합성곱 층별 기울기 노름, 입력 {size}x{size}, 배치 정규화 있음, 시드 {seed}",
    "Gradient norm per conv layer at initialisation, {size}x{size} input, without batch norm, seed {seed}":
        "초기화 시점 합성곱 층별 기울기 노름, 입력 {size}x{size}, 배치 정규화 없음, 시드 {seed}",
    "1. With batch norm, {size}x{size} input": "1. 배치 정규화가 있을 때, 입력 {size}x{size}",
    "{name:>9} first / last conv |dL/dW| per seed": "{name:>9} 첫 / 마지막 합성곱 층의 |dL/dW| (시드별)",
    "{name}: share of the summed block-input gradient norms carried by the shortcuts":
        "{name}: 블록 입력 기울기 노름의 합 가운데 숏컷이 나르는 몫",
    "A first/last ratio above 1 means the gradient is LARGER near the input: that is growth, not vanishing, "
    "however large the number.":
        "첫 층/마지막 층 비율이 1보다 크면 입력 가까이의 기울기가 더 크다는 뜻입니다. 숫자가 아무리 커도 소실이 "
        "아니라 증가입니다.",
    "That is what {name} showed on every seed here: at initialisation, batch norm makes the gradient of a deep "
    "plain stack grow geometrically toward the input (Yang et al. 2019, 'A Mean Field Theory of Batch "
    "Normalization', prove this for batch-normalised feed-forward nets). It agrees with He et al. 2015, who "
    "checked that the gradients of their BN plain nets have healthy norms and concluded that degradation is "
    "unlikely to be caused by vanishing gradients.":
        "여기서는 모든 시드의 {name}에서 바로 그 현상이 나타났습니다. 초기화 시점에 배치 정규화는 깊은 일반 층 "
        "더미의 기울기를 입력 쪽으로 갈수록 기하급수적으로 키웁니다(Yang 등 2019, 'A Mean Field Theory of Batch "
        "Normalization'이 배치 정규화된 순방향 신경망에 대해 이를 증명했습니다). 이는 He 등 2015와도 맞습니다. "
        "그들은 배치 정규화를 쓴 일반 신경망의 기울기 노름이 건강함을 확인하고, 성능 저하가 기울기 소실 때문일 "
        "가능성은 낮다고 결론지었습니다.",
    "2. Without batch norm, {size}x{size} input": "2. 배치 정규화가 없을 때, 입력 {size}x{size}",
    "{name} without batch norm": "배치 정규화 없는 {name}",
    "Compare the two input sizes: the vanishing appears at 8x8 only. On 8x8 digits the CIFAR networks' last stage "
    "runs on 2x2 maps, where every 3x3 window sees 4 real values and 5 zeros of padding; at 32x32 the same depth "
    "does not shrink the first-layer gradient this way, so the 8x8 number is an artefact of the small input, not "
    "of depth. Depth claims belong at the map sizes the networks were designed for (32, 16, 8).":
        "두 입력 크기를 비교하세요. 소실은 8x8에서만 나타납니다. 8x8 숫자 이미지에서는 CIFAR 신경망의 마지막 "
        "단계가 2x2 맵에서 돌아가므로, 3x3 창마다 실제 값 4개와 0 패딩 5개를 봅니다. 32x32에서는 같은 깊이라도 "
        "첫 층의 기울기가 이렇게 줄지 않으므로, 8x8의 숫자는 깊이가 아니라 작은 입력이 만든 부산물입니다. 깊이에 "
        "관한 주장은 신경망이 설계된 맵 크기(32, 16, 8)에서 해야 합니다.",
    "3. What a few SGD steps do (8x8 digits)": "3. SGD 몇 단계가 하는 일 (8x8 숫자)",
    "{name} first-layer |dL/dW| at step 0 / at step {steps}, per seed":
        "{name} 첫 층 |dL/dW|, 0단계 / {steps}단계 (시드별)",
    "figures of each run": "실행별 그림",
    "With your residual add passing, `tinyres gradflow --ops DIR` draws these figures with YOUR backward: the blue "
    "identity bars are the dL/dz your add hands to the shortcut.":
        "여러분의 잔차 덧셈이 통과하면 `tinyres gradflow --ops DIR`이 여러분의 역전파로 이 그림들을 그립니다. "
        "파란 항등 막대는 여러분의 덧셈이 숏컷에 넘기는 dL/dz입니다.",
    # lesson 07
    "the identity path around every two convolutions": "합성곱 두 개마다 그 둘레를 돌아가는 항등 경로",
    "a deeper plain net has HIGHER training error than a shallower one":
        "더 깊은 일반 신경망의 학습 오차가 더 얕은 것보다 높음",
    "errors on the images the net trains on": "신경망이 학습하는 이미지에서의 오차",
    "1. {shallow} vs {deep}: lesson 04's recipe with shortcuts": "1. {shallow} 대 {deep}: 강의 04의 학습 방법에 숏컷을 더해서",
    "training-set error {train:6.2f}% (eval mode)   test error {test:6.2f}%":
        "학습 데이터 오차 {train:6.2f}% (평가 모드)   테스트 오차 {test:6.2f}%",
    "{shallow} vs {deep} on the digits, seed {seed}: thin = training, bold = test":
        "숫자 데이터에서 {shallow} 대 {deep}, 시드 {seed}: 가는 선 = 학습, 굵은 선 = 테스트",
    "2. Beside lesson 04's plain nets": "2. 강의 04의 일반 신경망과 나란히",
    "No results of lesson 04 with the same recipe, epochs ({epochs}) and seeds ({seeds}) at {path}; run "
    "`python lessons/04_degradation.py{quick} --epochs {epochs}` first to set the plain nets beside these.":
        "{path}에 같은 학습 방법, 에폭({epochs}), 시드({seeds})로 얻은 강의 04의 결과가 없습니다. 일반 신경망과 "
        "나란히 놓으려면 먼저 다음 명령을 실행하세요: `python lessons/04_degradation.py{quick} --epochs {epochs}`",
    "In the paper (CIFAR-10, 64k iterations) ResNet-56 ends BELOW ResNet-20 in training and test error. A run of a "
    "few epochs on 1438 digits is far shorter: whatever the lines above say about the two residual nets is what "
    "this short run measured.":
        "논문(CIFAR-10, 64k 반복)에서는 ResNet-56이 학습 오차와 테스트 오차 모두 ResNet-20보다 낮게 끝납니다. "
        "1438장의 숫자 이미지로 몇 에폭 돌리는 이번 실행은 그보다 훨씬 짧습니다. 위의 줄들이 두 잔차 신경망에 "
        "대해 무엇을 말하든, 그것은 이 짧은 실행이 측정한 결과입니다.",
    "Every run here is SGD with momentum 0.9 and weight decay (lesson 11 explains both). Write the update with "
    "PyTorch's semantics: decay added to the gradient BEFORE the momentum buffer.":
        "여기의 모든 실행은 모멘텀 0.9와 가중치 감쇠를 쓴 SGD입니다(강의 11에서 둘 다 설명합니다). PyTorch와 같은 "
        "의미로 갱신을 작성하세요: 감쇠는 모멘텀 버퍼보다 먼저 기울기에 더합니다.",
    # lesson 08
    "two 3x3 convs (ResNet-18/34, CIFAR nets)": "3x3 합성곱 두 개 (ResNet-18/34, CIFAR 신경망)",
    "1x1 reduce, 3x3, 1x1 expand x4 (ResNet-50/101/152)": "1x1로 축소, 3x3, 1x1로 4배 확장 (ResNet-50/101/152)",
    "a 1x1 conv (+BN) on the shortcut to change its shape": "숏컷의 모양을 바꾸는 1x1 합성곱 (+BN)",
    "zero-pad / project where shape changes / project everywhere":
        "0 채우기 / 모양이 바뀌는 곳에서만 사영 / 모든 곳에서 사영",
    "the paper counts one multiply-add as one FLOP": "논문은 곱셈-누산 한 번을 FLOP 하나로 셈",
    "1. The paper's Table 1, recomputed": "1. 논문의 표 1 다시 계산하기",
    "model": "모델",
    "params": "파라미터",
    "mult-adds": "곱셈-누산",
    "paper": "논문",
    "{name} ({ours:.2f}G vs {paper}G)": "{name} (계산 {ours:.2f}G, 논문 {paper}G)",
    "Parameters match torchvision exactly. The paper places a bottleneck's stride on its first 1x1 conv (first "
    "column); torchvision's 'v1.5' moves it to the 3x3, which costs more (second column).":
        "파라미터 수는 torchvision과 정확히 같습니다. 논문은 병목 블록의 스트라이드를 첫 1x1 합성곱에 두고(첫째 "
        "열), torchvision의 'v1.5'는 이를 3x3으로 옮겨 연산이 더 많습니다(둘째 열).",
    "Rounded to one decimal as the paper prints them, the traced counts equal the paper's for {same}; they differ "
    "for {differs}, and the paper does not say what it counted differently. The last column is the fully "
    "connected layer alone: {fc}.":
        "논문처럼 소수 첫째 자리로 반올림하면, 추적해 센 값은 {same}에서 논문과 같고 {differs}에서는 다릅니다. "
        "논문은 무엇을 다르게 셌는지 밝히지 않습니다. 마지막 열은 완전연결층 하나의 연산량입니다: {fc}.",
    "Rounded to one decimal as the paper prints them, the traced counts equal the paper's for {same}. The last "
    "column is the fully connected layer alone: {fc}.":
        "논문처럼 소수 첫째 자리로 반올림하면, 추적해 센 값은 {same}에서 논문과 같습니다. 마지막 열은 완전연결층 "
        "하나의 연산량입니다: {fc}.",
    "2. Basic vs bottleneck (the paper's Figure 5)": "2. 기본 블록 대 병목 블록 (논문 그림 5)",
    "basic, 64-d": "기본, 64-d",
    "bottleneck, 256-d": "병목, 256-d",
    "{params:>7,} params, {madds:>8} mult-adds at 56x56": "파라미터 {params:>7,}개, 56x56에서 곱셈-누산 {madds:>8}",
    "The bottleneck block carries 4x wider features (256 channels) for {ratio:.2f}x the cost of the basic block: "
    "its 1x1 convs shrink to 64 channels for the 3x3 and expand back. That is how ResNet-50 is deeper than "
    "ResNet-34 at a similar cost.":
        "병목 블록은 4배 넓은 특징(256채널)을 기본 블록의 {ratio:.2f}배 비용으로 다룹니다. 1x1 합성곱이 3x3 앞에서 "
        "64채널로 줄였다가 뒤에서 다시 늘리기 때문입니다. 그래서 ResNet-50은 ResNet-34보다 깊으면서도 비용이 "
        "비슷합니다.",
    "3. Shortcut options A, B, C (CIFAR ResNet-20 and ImageNet ResNet-34)":
        "3. 숏컷 옵션 A, B, C (CIFAR ResNet-20과 ImageNet ResNet-34)",
    "{model} {n} params": "{model} 파라미터 {n}개",
    "option {opt}": "옵션 {opt}",
    "Option A adds no parameters (zero-padded channels); B adds a projection only where the shape changes "
    "(torchvision's choice); C projects in every block. On ImageNet the paper's ResNet-34 reached 25.03%, 24.52% "
    "and 24.19% top-1 error (10-crop, Table 3) with A, B and C: B slightly better than A, C marginally better "
    "than B; it kept A/B because C costs memory and time.":
        "옵션 A는 파라미터를 추가하지 않습니다(채널을 0으로 채움). B는 모양이 바뀌는 곳에만 사영을 추가하고"
        "(torchvision의 선택), C는 모든 블록에서 사영합니다. ImageNet에서 논문의 ResNet-34는 A, B, C로 각각 "
        "top-1 오차 25.03%, 24.52%, 24.19%(10-crop, 표 3)를 얻었습니다. B가 A보다 약간, C가 B보다 아주 조금 "
        "나았지만, C는 메모리와 시간이 많이 들어 논문은 A/B를 썼습니다.",
    "Build your BasicBlock with option A where the shape changes; the checker compares it with the library's "
    "block on stride 2 and checks the zero channels sit at both ends (front and back).":
        "모양이 바뀌는 곳에 옵션 A를 써서 여러분의 BasicBlock을 만드세요. 검사기는 스트라이드 2에서 라이브러리의 "
        "블록과 비교하고, 0 채널이 양쪽 끝(앞과 뒤)에 있는지 확인합니다.",
    # lesson 09
    "n residual blocks = 2^n paths of different lengths from input to output":
        "잔차 블록 n개 = 입력에서 출력까지 길이가 다른 경로 2^n개",
    "remove one part of a trained net and measure the damage": "학습된 신경망의 한 부분을 없애고 피해를 측정",
    "many models voting; losing one barely matters": "여러 모델의 투표; 하나를 잃어도 거의 영향이 없음",
    "1. Train {plain} and {resnet}, then delete one block at a time": "1. {plain}, {resnet} 학습 후 블록을 하나씩 지우기",
    "intact {intact:.1f}%, after deleting one block: mean {mean:.1f}%, worst {worst:.1f}%":
        "온전할 때 {intact:.1f}%, 블록 하나를 지운 뒤: 평균 {mean:.1f}%, 최악 {worst:.1f}%",
    "{name}, seed {seed}:": "{name}, 시드 {seed}:",
    "'-' marks a plain block that changes the shape (stride 2, more channels): without a shortcut there is nothing "
    "of the right shape to put in its place, so it cannot be deleted. A residual block of that kind keeps its "
    "option-A shortcut when its branch is deleted.":
        "'-'는 모양을 바꾸는 일반 블록(스트라이드 2, 채널 증가)을 뜻합니다. 숏컷이 없으니 그 자리에 넣을 같은 "
        "모양의 것이 없어 지울 수 없습니다. 그런 잔차 블록은 가지를 지워도 옵션 A 숏컷이 남습니다.",
    "{name}: test accuracy lost by deleting one block (mean over blocks)":
        "{name}: 블록 하나를 지워 잃은 테스트 정확도 (블록 평균)",
    "{m:.1f} ± {s:.1f} points over {n} seed(s)": "시드 {n}개에서 {m:.1f} ± {s:.1f}%p",
    "Veit et al.'s reading: {name}'s {n} blocks, each either taken or skipped, give 2^{n} = {paths} paths of "
    "different lengths from input to output; deleting one block removes only the paths through it, and half of "
    "them never used it. A plain net has one path.":
        "Veit 등의 해석: {name}의 블록 {n}개를 각각 지나거나 건너뛰면 입력에서 출력까지 길이가 서로 다른 경로가 "
        "2^{n} = {paths}개 생깁니다. 블록 하나를 지우면 그 블록을 지나는 경로만 사라지며, 경로의 절반은 애초에 그 "
        "블록을 쓰지 않았습니다. 일반 신경망의 경로는 하나뿐입니다.",
    "{name}, one block deleted": "{name}, 블록 하나 삭제",
    "{name}, intact": "{name}, 온전함",
    "deleted block (input side = 1)": "지운 블록 (입력 쪽 = 1)",
    "test accuracy (%)": "테스트 정확도 (%)",
    "Deleting single blocks: residual vs plain (Veit et al. 2016), seed {seed}":
        "블록 하나씩 지우기: 잔차 대 일반 (Veit 등 2016), 시드 {seed}",
    "Deleting a block keeps only its shortcut. In your residual add, make sure the shortcut's gradient is dL/dz "
    "itself, and that option A's backward returns the subsampled middle channels to the input.":
        "블록을 지우면 숏컷만 남습니다. 여러분의 잔차 덧셈에서 숏컷의 기울기가 dL/dz 그 자체인지, 그리고 옵션 A의 "
        "역전파가 다운샘플링된 가운데 채널의 기울기를 입력으로 돌려주는지 확인하세요.",

    # --- lessons 10-13 ----------------------------------------------------------------------
    # lesson 10
    "the loss as a function of the weights": "가중치의 함수로 본 손실",
    "scale each random direction's filter to the norm of the weight's filter":
        "무작위 방향의 각 필터를 가중치의 같은 필터 노름에 맞춰 크기 조정",
    "loss along theta + a d1 (+ b d2)": "theta + a d1 (+ b d2)를 따라 잰 손실",
    "loss rising fast / slowly around the trained weights": "학습된 가중치 주변에서 손실이 빠르게 / 천천히 커짐",
    "Li et al. compared ResNet-20/56/110 with the same nets without shortcuts on CIFAR-10. At 20 layers the "
    "landscape without shortcuts still looked nearly convex; it turned chaotic at 56 and 110 layers, while the "
    "residual nets' stayed smooth. This lesson uses {plain} and {resnet} on the digits (deeper nets cost more than "
    "a lesson's minutes), so do not expect the chaos they saw; what follows is what these nets measure.":
        "Li 등은 CIFAR-10에서 ResNet-20/56/110을 숏컷을 뺀 같은 신경망과 비교했습니다. 20층에서는 숏컷이 없는 "
        "신경망의 지형도 거의 볼록해 보였지만 56층과 110층에서는 혼돈스러운 모양이 되었고, 잔차 신경망의 지형은 "
        "매끄럽게 남았습니다. 이 강의는 숫자 데이터에서 {plain}, {resnet} 두 신경망을 씁니다(더 깊은 신경망은 강의 몇 분 "
        "안에 학습할 수 없습니다). 그러니 그들이 본 혼돈스러운 지형은 기대하지 마세요. 아래는 이 신경망들에서 잰 "
        "값입니다.",
    "training loss at the minimum {centre:.4f}, at alpha = -1 and +1 {left:.3f}, {right:.3f}":
        "최솟값에서의 학습 손실 {centre:.4f}, alpha = -1과 +1에서 {left:.3f}, {right:.3f}",
    "alpha (filter-normalised random direction)": "alpha (필터 정규화된 무작위 방향)",
    "training loss (log)": "학습 손실 (로그)",
    "1-D loss slice around the trained weights, seed {seed}": "학습된 가중치 주변 손실의 1차원 단면, 시드 {seed}",
    "2-D loss contours around the trained weights (red star), seed {seed}, 8x8 digits":
        "학습된 가중치(빨간 별) 주변 손실의 2차원 등고선, 시드 {seed}, 8x8 숫자",
    "figures": "그림",
    "{name}: mean loss at |alpha| = 1 minus loss at the minimum": "{name}: |alpha| = 1에서의 평균 손실 - 최솟값의 손실",
    "{m:.3g} ± {sd:.2g} over {n} seed(s)": "{m:.3g} ± {sd:.2g} (시드 {n}개)",
    "The rise is measured in loss units, as the contour plots show it, not as a ratio: a ratio would divide by the "
    "loss at the minimum, which differs between the two nets and would make the better-trained one look sharper.":
        "상승폭은 비율이 아니라 등고선 그림과 같은 손실 단위로 잽니다. 비율로 재면 두 신경망에서 서로 다른 최솟값의 "
        "손실로 나누게 되어, 더 잘 학습된 쪽이 더 뾰족해 보입니다.",
    "The minima above are where SGD with momentum stopped. With your sgd passing, train with `tinyres train --ops "
    "DIR` and compare your run's final loss with the loss at the minimum printed here.":
        "위의 최솟값은 모멘텀 SGD가 멈춘 곳입니다. 여러분의 sgd가 통과하면 `tinyres train --ops DIR`로 학습하고, "
        "마지막 손실을 여기 출력된 최솟값의 손실과 비교해 보세요.",
    # lesson 11
    "weights ~ N(0, 2 / fan): keeps the activation scale through ReLU layers":
        "가중치 ~ N(0, 2 / fan): ReLU 층을 지나도 활성값의 크기를 유지",
    "a running sum of past gradients: v <- m v + g, w <- w - lr v": "지난 기울기의 누적합: v <- m v + g, w <- w - lr v",
    "adds wd * w to the gradient: pulls every weight toward 0": "기울기에 wd * w를 더함: 모든 가중치를 0 쪽으로 당김",
    "lr divided by 10 at fixed iterations": "정해진 반복에서 학습률을 10으로 나눔",
    "random crops and flips: a new variant of each image every epoch":
        "무작위 자르기와 뒤집기: 에폭마다 각 이미지의 새 변형",
    "1. He initialisation: the activation scale per layer": "1. He 초기화: 층별 활성값 크기",
    "He: std sqrt(2 / fan)": "He: 표준편차 sqrt(2 / fan)",
    "naive: std 0.01": "단순: 표준편차 0.01",
    "Xavier-like: std sqrt(1 / fan)": "Xavier 방식: 표준편차 sqrt(1 / fan)",
    "init": "초기화",
    "layer {i}": "{i}층",
    "activation std after layer {depth}, mean over {n} seed(s)": "{depth}층 뒤 활성값 표준편차, 시드 {n}개 평균",
    "He {he:.3g}, naive {naive:.3g}": "He {he:.3g}, 단순 {naive:.3g}",
    "Why 2: a ReLU zeroes half of a symmetric input, halving the second moment, so each layer needs weights with "
    "variance 2 / fan to give it back (He et al. 2015b, 'Delving Deep into Rectifiers'). tinyres initialises every "
    "conv this way (fan_out, like torchvision). Batch norm would hide a bad scale in the forward pass, but the "
    "paper's recipe uses He init with it all the same.":
        "왜 2일까요? ReLU는 대칭인 입력의 절반을 0으로 만들어 2차 모멘트를 반으로 줄입니다. 그래서 각 층은 분산이 "
        "2 / fan인 가중치로 그만큼을 되돌려야 합니다(He 등 2015b, PReLU와 He 초기화를 제안한 논문). tinyres는 모든 "
        "합성곱을 이렇게 초기화합니다(torchvision처럼 fan_out 기준). 배치 정규화가 순전파에서 잘못된 크기를 가려 "
        "주기는 하지만, 논문의 학습 방법은 그래도 He 초기화를 함께 씁니다.",
    "2. Momentum 0.9 on a narrow valley": "2. 좁은 골짜기에서 모멘텀 0.9",
    "loss 0.5 * (w1^2 + 0.01 w2^2) below 1e-6, lr 1.0": "손실 0.5 * (w1^2 + 0.01 w2^2)가 1e-6 아래로, lr 1.0",
    "plain SGD {plain} steps, momentum 0.9 {mom} steps": "일반 SGD {plain}단계, 모멘텀 0.9 {mom}단계",
    "Along the flat direction plain SGD creeps: {plain} steps here. Momentum keeps a running sum v <- 0.9 v + g and "
    "steps w <- w - lr v; on a steady slope the step grows to lr / (1 - 0.9) = 10 lr, while in the steep direction "
    "the alternating signs cancel ({mom} steps). tinyres's SGD follows PyTorch: weight decay is added to g BEFORE "
    "the momentum buffer.":
        "평평한 방향으로 일반 SGD는 느리게 기어갑니다. 여기서는 {plain}단계가 걸렸습니다. 모멘텀은 누적합 "
        "v <- 0.9 v + g를 유지하며 w <- w - lr v로 움직입니다. 일정한 경사에서는 한 번에 움직이는 거리가 "
        "lr / (1 - 0.9) = 10 lr까지 커지고, 가파른 방향에서는 번갈아 바뀌는 부호가 서로 상쇄됩니다({mom}단계). "
        "tinyres의 SGD는 PyTorch를 따릅니다. 가중치 감쇠는 모멘텀 버퍼에 들어가기 전에 g에 더해집니다.",
    "3. Weight decay 1e-4": "3. 가중치 감쇠 1e-4",
    "a weight with zero loss gradient after {n} steps (lr 0.1, momentum 0.9, wd 1e-4)":
        "손실 기울기가 0인 가중치, {n}단계 뒤 (lr 0.1, 모멘텀 0.9, wd 1e-4)",
    "the same from the formula (1 - lr * wd / (1 - momentum))^steps":
        "같은 값을 공식 (1 - lr * wd / (1 - momentum))^steps로 계산",
    "Weight decay adds wd * w to every gradient, so a weight the loss does not need shrinks geometrically; with "
    "momentum 0.9 the effective factor per step is about 1 - lr * wd / (1 - 0.9). With batch norm after a conv the "
    "loss does not care about the conv's scale; decay keeps that scale, and so the effective learning rate, from "
    "drifting (van Laarhoven 2017). The paper uses 1e-4 on CIFAR-10; tinyres's digits recipe uses 5e-4.":
        "가중치 감쇠는 모든 기울기에 wd * w를 더하므로, 손실에 필요 없는 가중치는 기하급수적으로 줄어듭니다. "
        "모멘텀 0.9에서는 단계마다 실제로 곱해지는 값이 약 1 - lr * wd / (1 - 0.9)입니다. 합성곱 뒤에 배치 정규화가 "
        "있으면 손실은 합성곱 가중치의 크기에 무관합니다. 감쇠는 그 크기가, 그래서 실질 학습률이 떠내려가지 않게 "
        "잡아 줍니다(van Laarhoven 2017). 논문은 CIFAR-10에서 1e-4를, tinyres의 숫자 데이터 방법은 5e-4를 씁니다.",
    "4. lr 0.1, divided by 10 at 32k and 48k, stop at 64k": "4. 학습률 0.1, 32k와 48k에서 10으로 나누고 64k에서 멈춤",
    "lr at iterations 0, 31999, 32000, 47999, 48000, 63999": "반복 0, 31999, 32000, 47999, 48000, 63999에서의 학습률",
    "iterations per epoch (50,000 images, batch {batch})": "에폭당 반복 수 (이미지 50,000장, 배치 {batch})",
    "64k iterations in epochs": "64k 반복을 에폭으로 환산",
    "A large lr explores; each division lets the weights settle into the basin found so far, which is where the "
    "paper's error curves drop in steps. The paper chose 32k/48k/64k on a 45k/5k train/validation split.":
        "큰 학습률은 탐색하고, 나눌 때마다 가중치는 지금까지 찾은 골짜기 안으로 자리 잡습니다. 논문의 오차 곡선이 "
        "계단처럼 떨어지는 곳이 바로 여기입니다. 논문은 45k/5k 학습/검증 분할에서 32k/48k/64k를 골랐습니다.",
    "5. 4-pixel padding + random 32x32 crop + horizontal flip": "5. 4픽셀 패딩 + 무작위 32x32 자르기 + 좌우 뒤집기",
    "distinct views of one image per epoch": "에폭마다 한 이미지에서 나올 수 있는 서로 다른 변형",
    "{offsets} crop offsets x 2 flips = {views}": "자르기 위치 {offsets}가지 x 뒤집기 2가지 = {views}",
    "distinct among the 8 views drawn here": "여기서 뽑은 변형 8개 중 서로 다른 것",
    "original": "원본",
    "view {i}": "변형 {i}",
    "Every epoch the net sees a shifted (and on CIFAR-10 possibly mirrored) copy of each image. The training error "
    "the loop reports is measured on these harder views while the weights move, which is one reason it can exceed "
    "the test error. (A digit drawn at 32x32 stands in for a CIFAR-10 image here; the digits recipe itself uses a "
    "1-pixel shift and no flip, since a mirrored 2 is no 2.)":
        "신경망은 에폭마다 각 이미지의 이동된(CIFAR-10에서는 좌우가 뒤집혔을 수도 있는) 복사본을 봅니다. 학습 "
        "루프가 알려 주는 학습 오차는 가중치가 움직이는 동안 이 더 어려운 변형들에서 잰 것이라, 테스트 오차보다 "
        "클 수 있는 이유 중 하나가 됩니다. (여기서는 32x32로 그린 숫자가 CIFAR-10 이미지를 대신합니다. 숫자 데이터 "
        "방법 자체는 1픽셀 이동만 쓰고 뒤집지 않습니다. 뒤집힌 2는 2가 아니니까요.)",
    "Write SGD with momentum and weight decay. The checker catches decay applied after the momentum buffer; when it "
    "passes, `tinyres train --ops DIR` runs this recipe on your own ops end to end.":
        "모멘텀과 가중치 감쇠가 있는 SGD를 작성하세요. 검사기는 감쇠를 모멘텀 버퍼 뒤에 적용하는 실수를 잡아냅니다. "
        "통과하면 `tinyres train --ops DIR`이 이 학습 방법 전체를 처음부터 끝까지 여러분의 연산으로 실행합니다.",
    # lesson 12
    "where an array lives: 'cpu' (NumPy) or 'cuda:N' (CuPy)": "배열이 있는 곳: 'cpu' (NumPy) 또는 'cuda:N' (CuPy)",
    "copying between main memory and GPU memory": "주 메모리와 GPU 메모리 사이의 복사",
    "one set of functions NumPy and CuPy both provide": "NumPy와 CuPy가 함께 제공하는 하나의 함수 집합",
    "waiting for the GPU to finish before reading a clock or a value":
        "시간이나 값을 읽기 전에 GPU가 일을 마칠 때까지 기다리기",
    "1. Same code, any device - and the mistakes it refuses": "1. 같은 코드, 어느 장치에서나 - 그리고 거부되는 실수",
    "adding tensors on two devices": "서로 다른 장치에 있는 두 텐서 더하기",
    "{op}: inputs are on different devices {devices}; move them to one device first, e.g. t.to('cpu')":
        "{op}: 입력이 서로 다른 장치 {devices}에 있습니다. 먼저 한 장치로 옮기세요. 예: t.to('cpu')",
    "moving explicitly": "명시적으로 옮기기",
    "the 'strict' checking device": "검사용 'strict' 장치",
    "not installed here ({error})": "여기에는 설치되어 있지 않음 ({error})",
    "device 'strict' (the checking backend the tests use) needs array-api-strict: pip install -e \".[dev]\" in your "
    "tinyres clone":
        "'strict' 장치(테스트가 쓰는 검사용 백엔드)에는 array-api-strict가 필요합니다. tinyres 클론에서 "
        "pip install -e \".[dev]\"",
    "asking for 'cuda' here": "여기서 'cuda' 장치 요청하기",
    "device 'cuda' needs CuPy and an NVIDIA GPU, and this machine has none usable ({cause}). Install with: {hint}; "
    "or use device='cpu'.":
        "'cuda' 장치에는 CuPy와 NVIDIA GPU가 필요한데 이 컴퓨터에는 쓸 수 있는 것이 없습니다({cause}). 설치: {hint}. "
        "아니면 device='cpu'를 쓰세요.",
    "ModuleNotFoundError: No module named 'cupy'": "ModuleNotFoundError: 'cupy' 모듈 없음",
    "pip install -e \".[gpu]\" in your tinyres clone (CuPy for CUDA 12), on a machine with an NVIDIA GPU":
        "NVIDIA GPU가 있는 컴퓨터의 tinyres 클론에서 pip install -e \".[gpu]\" (CUDA 12용 CuPy)",
    "Ops never copy data between devices behind your back: a tensor on the GPU stays there, and mixing devices is "
    "an error that names the op. 'strict' is array-api-strict on a second device: the test suite runs every op on "
    "it, because it fails on exactly the mistakes that break on a GPU.":
        "연산은 여러분 모르게 장치 사이에서 데이터를 복사하지 않습니다. GPU에 있는 텐서는 GPU에 그대로 있고, 장치를 "
        "섞으면 연산 이름을 담은 오류가 납니다. 'strict'는 두 번째 장치 위의 array-api-strict입니다. GPU에서 깨질 "
        "바로 그 실수에서 실패하므로, 테스트는 모든 연산을 이 장치에서도 실행합니다.",
    "No GPU here. With one (and `pip install -e \".[gpu]\"`) this lesson builds ResNet-20 on 'cpu' and 'cuda', runs "
    "the same training step on both, and prints the median time of each and the speed-up.":
        "여기에는 GPU가 없습니다. GPU가 있으면(그리고 `pip install -e \".[gpu]\"` 후) 이 강의는 ResNet-20을 'cpu'와 "
        "'cuda'에 만들고 같은 학습 단계를 양쪽에서 실행해, 각각의 중앙값 시간과 속도 향상을 출력합니다.",
    "2. One ResNet-20 training step, NumPy vs CuPy": "2. ResNet-20 학습 한 단계: NumPy 대 CuPy",
    "{dev:>6} median step (batch {batch})": "{dev:>6} 한 단계 중앙값 시간 (배치 {batch})",
    "speed-up": "속도 향상",
    "Your ops run wherever their array namespace lives: written with `xp = array_namespace(x)` they run on CuPy "
    "unchanged. Check everything at once with `tinyres exercises check DIR`, then train on your own ops: `tinyres "
    "train --ops DIR` (add `--device cuda` on a GPU).":
        "여러분의 연산은 배열 네임스페이스가 있는 곳 어디서든 돕니다. `xp = array_namespace(x)`로 작성했다면 CuPy에서도 "
        "그대로 돕니다. `tinyres exercises check DIR`로 한꺼번에 검사한 뒤 여러분의 연산으로 학습하세요: "
        "`tinyres train --ops DIR` (GPU에서는 `--device cuda`를 덧붙입니다).",
    # lesson 13
    "K replicas of one model, each on 1/K of every batch": "한 모델의 복제본 K개가 각 배치의 1/K씩을 맡음",
    "one copy of the model, in its own process (or here, thread)": "자기 프로세스(여기서는 스레드)에서 도는 모델 사본 하나",
    "every replica ends with the sum of all replicas' arrays": "모든 복제본이 전체 복제본 배열의 합을 받음",
    "global batch / K: what one replica's batch norm sees": "전역 배치 / K: 복제본 하나의 배치 정규화가 보는 배치",
    "batch statistics summed over all replicas: the global batch's":
        "모든 복제본에 걸쳐 합한 배치 통계: 전역 배치의 통계",
    "--ks: every K must divide the global batch {batch}, got {ks}":
        "--ks: 모든 K는 전역 배치 {batch}의 약수여야 합니다. 받은 값: {ks}",
    "1. K replicas averaging gradients = one process on the global batch":
        "1. K개 복제본의 기울기 평균 = 전역 배치로 학습하는 프로세스 하나",
    "max |gradient difference| after 2 steps, {k} replicas of {per} vs 1 process of {batch}":
        "2단계 뒤 max |기울기 차이|, 복제본 {k}개 x {per} 대 프로세스 1개 x {batch}",
    "synchronized BN {sync:.1e}, per-replica BN {own:.1e}": "동기화 BN {sync:.1e}, 복제본별 BN {own:.1e}",
    "Averaging the replicas' gradients (one allreduce after backward) gives the gradient of the mean loss over the "
    "global batch, so with synchronized batch norm {k} replicas reproduce one process to {sync:.0e} (float64 "
    "rounding). With per-replica batch norm they differ by {own:.1e}: each replica normalised its {per} images with "
    "their own mean and variance, a different function.":
        "복제본들의 기울기를 평균하면(역전파 뒤 올리듀스 한 번) 전역 배치 평균 손실의 기울기가 됩니다. 그래서 동기화 "
        "배치 정규화를 쓰면 복제본 {k}개가 프로세스 하나를 {sync:.0e}까지(float64 반올림 오차) 재현합니다. 복제본별 "
        "배치 정규화로는 {own:.1e}만큼 다릅니다. 각 복제본이 자기 이미지 {per}장을 그 이미지들의 평균과 분산으로 "
        "정규화했으므로, 다른 함수입니다.",
    "2. How noisy is a batch's mean?": "2. 배치 평균은 얼마나 흔들릴까?",
    "per-replica batch {b:>3}: spread of the batch mean / the feature's std":
        "복제본당 배치 {b:>3}: 배치 평균의 흔들림 / 특징의 표준편차",
    "Batch norm subtracts the batch's mean, an estimate. Measured on the first layer's features: with {large} "
    "images the batch mean wanders by {wide:.3f} feature standard deviations, with {small} by {narrow:.3f} "
    "({times:.1f}x). A replica's batch norm sees only its own batch, so splitting a fixed global batch over more "
    "replicas makes every normalisation noisier, and the running statistics used at test time drift further from "
    "what training normalised with.":
        "배치 정규화는 추정값인 배치 평균을 뺍니다. 첫 층의 특징에서 재 보면, 이미지 {large}장의 배치 평균은 특징 "
        "표준편차의 {wide:.3f}배만큼, {small}장이면 {narrow:.3f}배만큼 흔들립니다({times:.1f}배). 복제본의 배치 "
        "정규화는 자기 배치만 보므로, 고정된 전역 배치를 더 많은 복제본에 나누면 모든 정규화가 더 흔들리고, 테스트 "
        "때 쓰는 이동 통계도 학습 중에 정규화에 쓴 값에서 더 멀어집니다.",
    "3. Training: global batch {batch}, K replicas, {n} seed(s)": "3. 학습: 전역 배치 {batch}, 복제본 K개, 시드 {n}개",
    "synchronized": "동기화",
    "per-replica": "복제본별",
    "K={k:>2} (per-replica batch {per:>2}), {kind} BN": "K={k:>2} (복제본당 배치 {per:>2}), {kind} BN",
    "test error {err:.2f}%{spread}  (seeds: {each})": "테스트 오차 {err:.2f}%{spread}  (시드별: {each})",
    "per-replica BN": "복제본별 BN",
    "synchronized BN": "동기화 BN",
    "per-replica batch (global batch {batch} = K x per-replica)": "복제본당 배치 (전역 배치 {batch} = K x 복제본당 배치)",
    "test error (%)": "테스트 오차 (%)",
    "{model} on digits, {epochs} epoch(s), mean over {n} seed(s)": "숫자 데이터의 {model}, {epochs}에폭, 시드 {n}개 평균",
    "Measured: at K = 1 (per-replica batch {batch}) the test error is {base:.2f}%. At K = {k} (per-replica batch "
    "{small}) per-replica BN gives {own:.2f}% ({own_gap:+.2f} points) and synchronized BN {sync:.2f}% "
    "({sync_gap:+.2f} points). Synchronized BN computes the same function whatever K is (section 1); its difference "
    "from K = 1 is float32 rounding that training amplifies, and it is {where}. Per-replica BN changes the "
    "normalisation itself with K: {verdict}":
        "측정 결과: K = 1(복제본당 배치 {batch})의 테스트 오차는 {base:.2f}%입니다. K = {k}(복제본당 배치 {small})"
        "에서 복제본별 BN은 {own:.2f}%({own_gap:+.2f}%p), 동기화 BN은 {sync:.2f}%({sync_gap:+.2f}%p)입니다. 동기화 "
        "BN은 K와 상관없이 같은 함수를 계산합니다(1절). K = 1과의 차이는 학습이 키운 float32 반올림 오차이며, {where}. "
        "복제본별 BN은 K에 따라 정규화 자체가 바뀝니다. {verdict}",
    "within twice the largest seed-to-seed spread measured here ({spread:.2f} points)":
        "여기서 잰 시드 간 최대 편차({spread:.2f}%p)의 두 배 안에 있습니다",
    "OUTSIDE twice the largest seed-to-seed spread measured here ({spread:.2f} points)":
        "여기서 잰 시드 간 최대 편차({spread:.2f}%p)의 두 배를 벗어납니다",
    "{n} run(s): too few to say whether per-replica batch norm is worse.":
        "실행 {n}번: 복제본별 배치 정규화가 더 나쁜지 말하기에는 너무 적습니다.",
    "with per-replica batches of {small} it was the worse of the two on every seed.":
        "복제본당 배치 {small}일 때 모든 시드에서 두 방법 중 더 나빴습니다.",
    "on every seed it was not worse with per-replica batches of {small}; the noise of small-batch statistics can "
    "act as a regulariser (ghost batch norm, Hoffer et al. 2017 uses it on purpose). Try --ks 1,16,32 to see "
    "per-replica batches of 2.":
        "모든 시드에서 복제본당 배치 {small}에서도 더 나쁘지 않았습니다. 작은 배치 통계의 잡음은 규제 효과를 낼 수 "
        "있습니다(Hoffer 등 2017의 고스트 배치 정규화(ghost batch norm)는 이를 일부러 씁니다). --ks 1,16,32로 "
        "복제본당 배치 2를 확인해 보세요.",
    "with per-replica batches of {small} it was worse on some seeds and not on others: no claim from {n} seeds.":
        "복제본당 배치 {small}일 때 어떤 시드에서는 더 나빴고 어떤 시드에서는 그렇지 않았습니다. 시드 {n}개로는 "
        "주장하지 않습니다.",
    "Data parallelism changes nothing in the update itself: every rank applies the same SGD step to the same "
    "averaged gradient. With your sgd passing: 1) Run `mpiexec -n 2 python -m tinyres train --distributed --quick "
    "--out runs/dp` (pip install -e \".[mpi]\"), then the same with --sync-bn, and compare metrics.csv with a "
    "one-process run. 2) Here the global batch stayed 64. Keep the per-replica batch at 16 instead and grow K: the "
    "global batch grows, and the paper's learning rate no longer fits - try the linear scaling rule (lr x K/4) with "
    "a warm-up (Goyal et al. 2017).":
        "데이터 병렬화는 갱신 자체를 바꾸지 않습니다. 모든 랭크가 같은 평균 기울기에 같은 SGD 단계를 적용합니다. "
        "여러분의 sgd가 통과하면: 1) `mpiexec -n 2 python -m tinyres train --distributed --quick --out runs/dp`를 "
        "실행하고(pip install -e \".[mpi]\"), --sync-bn을 붙여서도 실행한 뒤 metrics.csv를 한 프로세스 실행과 비교해 "
        "보세요. 2) 여기서는 전역 배치를 64로 고정했습니다. 대신 복제본당 배치를 16으로 두고 K를 늘려 보세요. 전역 "
        "배치가 커지고 논문의 학습률은 더 이상 맞지 않습니다. 워밍업과 함께 선형 스케일링 규칙(lr x K/4)을 시도해 "
        "보세요(Goyal 등 2017).",

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
        "3/3 순전파를 추적해 다시 계산한 파라미터 수와 곱셈-누산",
    "params {params:>12,} (paper {paper_params})  mult-adds {madds:>8} (paper {paper_madds})":
        "파라미터 {params:>12,} (논문 {paper_params})  곱셈-누산 {madds:>8} (논문 {paper_madds})",
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
        "빠른 모드: 이미지 128장으로 한 에폭만 학습해서 곡선마다 점이 몇 개뿐이고 볼 만한 효과도 없습니다. 제대로 "
        "비교하려면 --quick 없이 실행하세요.",
    "Degradation on the digits (one seed)": "숫자 데이터에서의 성능 저하 (시드 하나)",
    "Training (thin) and test (bold) error of {models} trained {epochs} epoch(s) on the 8x8 digits with the same "
    "recipe (lr 0.02, /10 at half and three quarters). Final errors measured: {lines}. Training error, deeper "
    "minus shallower: {gaps}. One seed and a short run: lessons 04 and 07 repeat this over three seeds.":
        "{models} 모델을 8x8 숫자 이미지에서 같은 방법(lr 0.02, 절반과 4분의 3 지점에서 /10)으로 {epochs} 에폭 "
        "학습했을 때의 학습 오차(가는 선)와 테스트 오차(굵은 선)입니다. 측정한 최종 오차: {lines}. 학습 오차, 깊은 "
        "신경망 - 얕은 신경망: {gaps}. 시드 하나로 짧게 돌린 결과입니다. 강의 04와 07에서 시드 세 개로 다시 "
        "해 봅니다.",
    "input": "입력",
    "parameters (tinyres)": "파라미터 (tinyres)",
    "parameters (paper)": "파라미터 (논문)",
    "multiply-adds (tinyres)": "곱셈-누산 (tinyres)",
    "multiply-adds (paper)": "곱셈-누산 (논문)",
    "Parameters and multiply-adds": "파라미터와 곱셈-누산",
    "Bottleneck models use the paper's stride placement (stride in the first 1x1). Paper: Table 1 (ImageNet "
    "multiply-adds) and Table 6 (CIFAR-10 parameters).":
        "병목 모델은 논문의 스트라이드 위치를 따릅니다(첫 1x1에 스트라이드). 논문: 표 1 (ImageNet 곱셈-누산)과 "
        "표 6 (CIFAR-10 파라미터).",
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
        "{path}에서 이어 갑니다: 에폭 {epoch}, 반복 {iteration}",
    "epoch {epoch}/{epochs}": "에폭 {epoch}/{epochs}",
    "epoch {epoch}/{epochs}  iter {iteration}  lr {lr:.4g}  train loss {train_loss:.4f} err {train_error:.2f}%  "
    "test loss {test_loss:.4f} err {test_error:.2f}%  ({seconds:.0f}s)":
        "에폭 {epoch}/{epochs}  반복 {iteration}  lr {lr:.4g}  학습 손실 {train_loss:.4f} 오차 {train_error:.2f}%  "
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
        "반복 {iteration}(에폭 {epoch})까지 {bad}이(가) 유한하지 않은 값이 되어 저장하지 않고 멈췄습니다. "
        "{last_good}. 더 낮은 --lr이나 워밍업(--warmup-lr)을 써 보세요",
    "loss became {value} at iteration {iteration} (epoch {epoch}, batch {batch}); stopped. {last_good}; try a "
    "lower --lr or a warm-up (--warmup-lr)":
        "반복 {iteration}(에폭 {epoch}, 배치 {batch})에서 손실이 {value}이(가) 되어 멈췄습니다. {last_good}. 더 "
        "낮은 --lr이나 워밍업(--warmup-lr)을 써 보세요",
    "gradient flow {name}": "기울기 흐름 {name}",
    "{name}: loss is {value} at step {step}; stopped tracing it there":
        "{name}: 단계 {step}에서 손실이 {value}입니다. 거기서 추적을 멈췄습니다",
    "training {name} for {epochs} epochs on {data} ...": "{name}: {data}에서 {epochs} 에폭 학습 중 ...",
    "training {names} for {epochs} epochs on {data}, {workers} at a time ...":
        "{names}: {data}에서 {epochs} 에폭 학습 중, 한 번에 {workers}개씩 ...",
    "runs finished": "끝난 실행",
    "{name}: train error {train:.2f}%, test error {test:.2f}% ({seconds:.0f}s)":
        "{name}: 학습 오차 {train:.2f}%, 테스트 오차 {test:.2f}% ({seconds:.0f}초)",
    # tinyres/inspect/summary.py (tinyres summary)
    "{model}  input {shape}": "{model}  입력 {shape}",
    "layer": "층",
    "type": "종류",
    "output shape": "출력 모양",
    "... {n} more layers": "... 층 {n}개 더",
    "total parameters: {total:,} ({trainable:,} trainable)": "전체 파라미터: {total:,} (학습 가능 {trainable:,})",
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
    # exercise list (tinyres/exercises/__init__.py)
    "backward of add and mul, with broadcasting": "add와 mul의 역전파, 브로드캐스팅 포함",
    "the order of the backward pass": "역전파의 순서",
    "ReLU forward and backward": "ReLU 순전파와 역전파",
    "fully connected layer y = x W^T + b": "완전 연결 층 y = x W^T + b",
    "softmax cross-entropy, stable, mean over the batch": "소프트맥스 교차 엔트로피: 수치적으로 안정하게, 배치 평균으로",
    "im2col and its adjoint col2im (overlaps add up)": "im2col과 그 수반 연산 col2im (겹치는 부분은 더해짐)",
    "conv2d forward and backward (dW, dX, db), stride and padding":
        "conv2d 순전파와 역전파 (dW, dX, db), 스트라이드와 패딩",
    "max pooling backward: ties to the first maximum, padding": "최대 풀링 역전파: 동점이면 첫 번째 최댓값으로, 패딩",
    "batch norm backward in training mode: the mean and variance paths":
        "학습 모드의 배치 정규화 역전파: 평균 경로와 분산 경로",
    'residual add and option-A shortcut backward: the "+1"': '잔차 덧셈과 옵션 A 숏컷의 역전파: "+1"',
    "SGD with momentum and weight decay (PyTorch's update)": "모멘텀과 가중치 감쇠가 있는 SGD (PyTorch의 갱신 규칙)",
    "a BasicBlock assembled from your ops, forward and backward": "여러분의 연산으로 조립한 BasicBlock, 순전파와 역전파",
    # the checker's lines
    "PASS  {name}": "통과  {name}",
    "FAIL  {name}: {message}": "실패  {name}: {message}",
    "{passed}/{total} passed; next: {name}": "{passed}/{total} 통과. 다음: {name}",
    "{passed}/{total} passed; now train with your ops: tinyres train --ops {directory}":
        "{passed}/{total} 통과. 이제 여러분의 연산으로 학습해 보세요: tinyres train --ops {directory}",
    "{passed}/{total} passed": "{passed}/{total} 통과",
    "({file} line {line})": "({file} {line}번째 줄)",
    "no exercise named {name!r}; the exercises are {names}": "{name!r}라는 연습 문제는 없습니다. 연습 문제: {names}",
    "cannot import {file}: {error}: {message}{where}": "{file} 파일을 불러오지 못했습니다: {error}: {message}{where}",
    "not implemented yet ({function} raises NotImplementedError){where}":
        "아직 구현하지 않았습니다 ({function}에서 NotImplementedError 발생){where}",
    "RecursionError: your code recursed deeper than Python allows (infinite recursion, or recursion on a deep graph: "
    "use a loop){where}":
        "RecursionError: 코드의 재귀가 Python이 허용하는 깊이를 넘었습니다 (무한 재귀이거나, 깊은 그래프를 재귀로 "
        "훑었습니다: 반복문을 쓰세요){where}",
    "your code raised {error}: {message}{where}": "여러분의 코드에서 {error} 발생: {message}{where}",
    # what the learner's functions returned (tinyres/exercises/bridge.py)
    "{kind} of shape {shape}": "모양이 {shape}인 {kind}",
    "{what} is None (did you forget a return?)": "{what}: None입니다 (return을 빠뜨렸나요?)",
    "{what} is a {kind}, not an array of numbers ({error})": "{what}: 숫자 배열이 아니라 {kind}입니다 ({error})",
    "the y returned by {name}": "{name}의 반환값 y",
    "{name} must return (y, cache), got a {kind}": "{name}의 반환값은 (y, cache)여야 합니다. 받은 것: {kind}",
    "{name} returned NaN or inf (overflow? e.g. exp() of large numbers)":
        "{name}의 결과에 NaN 또는 inf가 있습니다 (오버플로? 예: 큰 수의 exp())",
    "{name} must return {n} gradients ({grads}), got a {kind}":
        "{name}의 반환값은 기울기 {n}개({grads})여야 합니다. 받은 것: {kind}",
    "dL/d{input} returned by {name}": "{name}의 반환값 dL/d{input}",
    "wrong shape: {name} returned dL/d{input} of shape {got}, expected {shape} (the shape of {input})":
        "모양이 틀렸습니다: {name}의 반환값 dL/d{input}의 모양이 {got}입니다. {shape}이어야 합니다({input}의 모양)",
    "{name} returned NaN or inf in dL/d{input}": "{name}의 반환값 dL/d{input}에 NaN 또는 inf가 있습니다",
    # the graders (tinyres/exercises/grading.py)
    "{module}.py has no function {name}() (was it renamed or deleted?)":
        "{module}.py에 {name}() 함수가 없습니다 (이름을 바꾸었거나 지웠나요?)",
    "wrong shape: {what} has shape {got}, expected {want} ({case})":
        "모양이 틀렸습니다: {what}의 모양이 {got}입니다. {want}이어야 합니다 ({case})",
    "{what} differs from the library's: max difference {diff:.3g} at index {index} (got {got:.6g}, expected "
    "{want:.6g}) ({case})":
        "{what}: 라이브러리의 결과와 다릅니다. 인덱스 {index}에서 최대 차이 {diff:.3g} (받은 값 {got:.6g}, 기대한 값 "
        "{want:.6g}) ({case})",
    "dL/d{name} wrong at index {index}: analytic {analytic:.6g}, numeric {numeric:.6g}, tolerance {tol:.2g} (atol "
    "{atol:g} + rtol {rtol:g}*|numeric|) ({case}); {diagnosis}":
        "dL/d{name}: 인덱스 {index}에서 틀렸습니다. 해석적 값 {analytic:.6g}, 수치 미분 값 {numeric:.6g}, 허용 오차 "
        "{tol:.2g} (atol {atol:g} + rtol {rtol:g}*|수치 미분 값|) ({case}). {diagnosis}",
    "{function}'s {value}": "{function}의 {value}",
    "x {x}, kernel {kernel}, stride {stride}, padding {padding}":
        "x {x}, 커널 {kernel}, 스트라이드 {stride}, 패딩 {padding}",
    "x {x}, w {w}, stride {stride}, padding {padding}": "x {x}, w {w}, 스트라이드 {stride}, 패딩 {padding}",
    "x {shape}, training mode": "x {shape}, 학습 모드",
    "x {x} to {channels} channels, stride {stride}": "x {x}에서 {channels}채널로, 스트라이드 {stride}",
    "x {x} to {channels} channels, stride {stride}, option A, training mode":
        "x {x}에서 {channels}채널로, 스트라이드 {stride}, 옵션 A, 학습 모드",
    "logits {shape}, scale {scale:g}": "로짓 {shape}, 스케일 {scale:g}",
    "x with exact zeros": "정확히 0인 원소가 있는 x",
    "relu_backward's dL/dx at x == 0 (must be 0, as the library and PyTorch)":
        "x == 0에서 relu_backward의 dL/dx (라이브러리와 PyTorch처럼 0이어야 합니다)",
    "col2im's result": "col2im의 결과",
    "x (im2col's backward is col2im)": "x (im2col의 역전파는 col2im)",
    "max_pool_forward's y (all inputs negative: padding must act as -inf)":
        "max_pool_forward의 y (입력이 모두 음수: 패딩은 -inf처럼 동작해야 합니다)",
    "max_pool_forward's y (tied maxima)": "max_pool_forward의 y (동점인 최댓값)",
    "max_pool_backward's dL/dx with tied maxima (the gradient goes to the FIRST maximum in row-major window order, "
    "as the library)":
        "최댓값이 동점일 때 max_pool_backward의 dL/dx (라이브러리처럼, 기울기는 창의 행 우선 순서에서 첫 번째 "
        "최댓값으로 갑니다)",
    "F (the branch)": "F (가지)",
    "s (the shortcut: the identity path)": "s (숏컷: 항등 경로)",
    "s (the shortcut)": "s (숏컷)",
    "a diamond: u = x*w used by exp(u) and u*exp(u)": "다이아몬드: u = x*w를 exp(u)와 u*exp(u)가 함께 씀",
    "4 residual steps h = h + h*w": "잔차 단계 4번 h = h + h*w",
    "a chain of 3000 muls": "mul 3000개가 이어진 사슬",
    "topological_order must return a list of Functions, got {kind} (graph: {label})":
        "topological_order의 반환값은 Function의 리스트여야 합니다. 받은 것: {kind} (그래프: {label})",
    "topological_order returned {function}, which is not a Function reachable from the root (graph: {label})":
        "topological_order가 루트에서 닿을 수 없는 것을 반환했습니다: {function} (그래프: {label})",
    "topological_order lists the Function '{op}' twice: a node used by two consumers must appear once, or its "
    "backward runs twice (graph: {label})":
        "topological_order에 Function '{op}'이(가) 두 번 있습니다. 두 곳에서 쓰이는 노드도 한 번만 나와야 합니다. "
        "그렇지 않으면 그 역전파가 두 번 실행됩니다 (그래프: {label})",
    "topological_order misses {missing} of the {total} Functions (e.g. '{op}') (graph: {label})":
        "topological_order에 Function {total}개 중 {missing}개가 빠졌습니다 (예: '{op}') (그래프: {label})",
    "'{producer}' is listed before '{consumer}', which consumes its output: its backward would run before its "
    "gradient is complete (graph: {label})":
        "'{producer}'이(가) 그 출력을 쓰는 '{consumer}'보다 먼저 나옵니다. 이러면 '{producer}'의 기울기가 다 모이기 "
        "전에 역전파가 실행됩니다 (그래프: {label})",
    "sgd_step must return (new p, new buf), got {kind}": "sgd_step의 반환값은 (새 p, 새 buf)여야 합니다. 받은 것: {kind}",
    "sgd_step modified its argument {name} in place; return new arrays instead":
        "sgd_step이 인자 {name}의 값을 그 자리에서 바꾸었습니다. 대신 새 배열을 반환하세요",
    "parameter {j} after step {step}": "{step}단계 뒤의 파라미터 {j}",
    "lr {lr}, momentum {momentum}, weight decay {wd}; the library's SGD is PyTorch's":
        "lr {lr}, 모멘텀 {momentum}, 가중치 감쇠 {wd}. 라이브러리의 SGD는 PyTorch와 같습니다",
    "basic_block_backward must return (dL/dx, grads) with grads a dict":
        "basic_block_backward의 반환값은 (dL/dx, grads)여야 하고, grads는 dict여야 합니다",
    "basic_block_backward's grads has no {keys}": "basic_block_backward의 grads에 없는 키: {keys}",
    # the shape of a wrong gradient, in words (tinyres/inspect/gradcheck.py; the checker prints it too)
    "{wrong} of {size} elements wrong: your gradient is zero where it should not be (is this input's gradient "
    "returned?)":
        "원소 {size}개 중 {wrong}개가 틀렸습니다: 0이 아니어야 할 곳에서 기울기가 0입니다 (이 입력의 기울기를 "
        "반환했나요?)",
    "{wrong} of {size} elements wrong: your gradient is the true one with its sign flipped":
        "원소 {size}개 중 {wrong}개가 틀렸습니다: 여러분의 기울기는 참 기울기와 부호가 반대입니다",
    "{wrong} of {size} elements wrong: yours is {scale:.4g} x the true gradient everywhere - a constant factor is "
    "off (a 1/N of a mean, a 2 of a square, a learning rate?)":
        "원소 {size}개 중 {wrong}개가 틀렸습니다: 모든 곳에서 참 기울기의 {scale:.4g}배입니다. 상수 배수가 "
        "어긋났습니다 (평균의 1/N, 제곱의 2, 학습률?)",
    "{wrong} of {size} elements wrong: the rest agree, so look at what is special about those (a border, a tie, "
    "padding, stride)":
        "원소 {size}개 중 {wrong}개가 틀렸습니다: 나머지는 맞으므로 틀린 원소들만의 특별한 점을 살펴보세요 (경계, "
        "동점, 패딩, 스트라이드)",
    "{wrong} of {size} elements wrong: not a constant factor either, so a term is missing or extra (read the "
    "docstring's formula)":
        "원소 {size}개 중 {wrong}개가 틀렸습니다: 상수 배수도 아니므로 항이 빠졌거나 더 들어갔습니다 (docstring의 "
        "식을 읽어 보세요)",
    "gradcheck PASSED: {n} elements checked, tolerance atol={atol:g} rtol={rtol:g} eps={eps:g}":
        "gradcheck 통과: 원소 {n}개 검사, 허용 오차 atol={atol:g} rtol={rtol:g} eps={eps:g}",
    "gradcheck FAILED: {n} elements checked, tolerance atol={atol:g} rtol={rtol:g} eps={eps:g}":
        "gradcheck 실패: 원소 {n}개 검사, 허용 오차 atol={atol:g} rtol={rtol:g} eps={eps:g}",
    "input {input} {name} worst at {index}: analytic={analytic:.10g} numeric={numeric:.10g} (error {error:.3g} of "
    "tolerance)":
        "입력 {input} {name} 가장 나쁜 위치 {index}: 해석적={analytic:.10g} 수치 미분={numeric:.10g} (오차: 허용 "
        "오차의 {error:.3g}배)",
    # the command (tinyres/exercises/cli.py), the workspace and --ops (workspace.py, ops.py)
    "build the engine yourself: exercises graded by gradient checks": "엔진을 직접 만들기: 기울기 검사로 채점하는 연습 문제",
    "Write the backward passes of the engine yourself, graded by gradient checks against finite differences and by "
    "comparing with the library's ops.":
        "엔진의 역전파를 직접 작성합니다. 유한 차분과 비교하는 기울기 검사, 그리고 라이브러리 연산과의 비교로 "
        "채점합니다.",
    "the exercises, in order": "연습 문제 목록 (푸는 순서대로)",
    "write a workspace of exercise files into DIR": "DIR에 연습 문제 파일로 된 작업 공간을 만듭니다",
    "write the reference solutions instead": "연습 문제 대신 참고 답안을 씁니다",
    "overwrite files already in DIR (your work!)": "DIR에 이미 있는 파일을 덮어씁니다 (여러분의 작업이 사라집니다!)",
    "grade the workspace DIR: one PASS/FAIL line per exercise": "작업 공간 DIR을 채점합니다: 연습 문제마다 통과/실패 한 줄",
    "grade one exercise (default: all of them)": "연습 문제 하나만 채점합니다 (기본값: 전부)",
    "wrote {n} reference solutions and README.txt to {dir}; grade them with `tinyres exercises check {dir}`":
        "{dir}에 참고 답안 {n}개와 README.txt를 썼습니다. `tinyres exercises check {dir}`로 채점하세요",
    "wrote {n} exercise templates and README.txt to {dir}; grade them with `tinyres exercises check {dir}`":
        "{dir}에 연습 문제 템플릿 {n}개와 README.txt를 썼습니다. `tinyres exercises check {dir}`로 채점하세요",
    "cannot write {dir}: {error}": "{dir}에 쓸 수 없습니다: {error}",
    "no folder {dir}; create it with `tinyres exercises init {dir}`":
        "{dir} 폴더가 없습니다. `tinyres exercises init {dir}`로 만드세요",
    "{dir} already holds {files}; not overwriting your work (pass --force to replace them)":
        "{dir}에 이미 있는 파일: {files}. 여러분의 작업을 덮어쓰지 않습니다 (바꾸려면 --force를 주세요)",
    "{file} is missing from {dir}; write it with `tinyres exercises init {dir}` (existing files are kept only "
    "without --force)":
        "{dir}에 {file} 파일이 없습니다. `tinyres exercises init {dir}`로 쓰세요 (--force 없이 실행해야 이미 있는 "
        "파일이 보존됩니다)",
    "tinyres exercises: build the engine yourself ============================================ Each exNN_*.py file "
    "holds functions to write. Every function says, in its docstring, the maths to implement, the shapes, and a "
    "hint; replace its `raise NotImplementedError` line. You work on NumPy arrays. Do them in order: later files "
    "import earlier ones. tinyres exercises check {dir} grade everything tinyres exercises check {dir} --only relu "
    "grade one exercise tinyres train --ops {dir} train ResNet-20 with YOUR ops":
        "tinyres 연습 문제: 엔진을 직접 만들기\n"
        "=====================================\n"
        "\n"
        "exNN_*.py 파일마다 작성할 함수들이 있습니다. 각 함수의 docstring에 구현할 수식, 모양, 힌트가\n"
        "있습니다. 함수의 `raise NotImplementedError` 줄을 여러분의 구현으로 바꾸세요. NumPy 배열로\n"
        "작업합니다. 순서대로 푸세요: 뒤의 파일이 앞의 파일을 import합니다.\n"
        "\n"
        "    tinyres exercises check {dir}                   전부 채점\n"
        "    tinyres exercises check {dir} --only relu       연습 문제 하나만 채점\n"
        "    tinyres train --ops {dir}                       여러분의 연산으로 ResNet-20 학습\n",
    "--ops runs your NumPy code: use --device cpu": "--ops는 여러분의 NumPy 코드를 실행합니다: --device cpu를 쓰세요",
    "using your ops from {dir}": "{dir}에 있는 여러분의 연산을 사용합니다",
    "your ops ran: {ran}": "실행된 여러분의 연산: {ran}",
    "{op} backward {n}": "{op} 역전파 {n}번",
    "{op} {n}": "{op} {n}번",
    "fix these exercises first: {names} (see `tinyres exercises check {dir}`; add_mul and basic_block are graded but "
    "not needed to train: + and * stay the library's, and the models build their own blocks)":
        "먼저 이 연습 문제들을 고치세요: {names} (`tinyres exercises check {dir}` 참고. add_mul과 basic_block은 "
        "채점되지만 학습에는 필요 없습니다: +와 *는 라이브러리의 것을 쓰고, 모델은 블록을 직접 만듭니다)",
    "{op} from your exercises: your ops work on NumPy arrays, so run on the cpu device (got a tensor on {device})":
        "연습 문제의 {op}: 여러분의 연산은 NumPy 배열에서 동작하므로 cpu 장치에서 실행하세요 (받은 텐서의 장치: "
        "{device})",
    "{op} from your exercises takes the same {what} along height and width, got {value!r}":
        "연습 문제의 {op}는 높이와 너비에 같은 {what} 값만 받습니다. 받은 값: {value!r}",
    "conv2d from your exercises has no dilation or groups (got dilation={dilation}, groups={groups})":
        "연습 문제의 conv2d에는 dilation과 groups가 없습니다 (받은 값: dilation={dilation}, groups={groups})",
    "branch shape {branch} != shortcut shape {shortcut}": "가지의 모양 {branch} != 숏컷의 모양 {shortcut}",

    # --- the website (docs/_ext/tinyres_docs.py) ---------------------------------------------
    "the lesson ends here on this machine (SystemExit(0)); the cells below did not run when this page was built":
        "이 머신에서는 강의가 여기서 끝납니다(SystemExit(0)). 이 페이지를 만들 때 아래 셀들은 실행되지 않았습니다",

    # --- end ----------------------------------------------------------------------------------
}
