"""Lesson 12 - GPU: the same code on CuPy, timed against NumPy; moving between devices and the
common mistakes. Without a GPU it shows the mistakes on the 'strict' checking backend,
explains what it would do, and exits cleanly.

    python lessons/12_gpu.py                  # ~1 minute with a GPU, seconds without
"""
# %%
import statistics
import time

import numpy as np

import tinyres as tr
import tinyres.functional as F
from tinyres import backend
from tinyres.lesson import Lesson, build_model



def your_turn():
    L.your_turn("basic_block",
                "Your ops run wherever their array namespace lives: written with `xp = array_namespace(x)` they "
                "run on CuPy unchanged. Check everything at once with `tinyres exercises check DIR`, then train on "
                "your own ops: `tinyres train --ops DIR` (add `--device cuda` on a GPU).",
                "여러분의 연산은 배열 네임스페이스가 있는 곳에서 돕니다. `xp = array_namespace(x)`로 작성했다면 "
                "CuPy에서도 그대로 돕니다. `tinyres exercises check DIR`로 모두 검사한 뒤 여러분의 연산으로 "
                "학습하세요: `tinyres train --ops DIR` (GPU에서는 `--device cuda`).")


L = Lesson(__file__, __doc__, [
    ("device", "장치", "where an array lives: 'cpu' (NumPy) or 'cuda:N' (CuPy)"),
    ("host / device transfer", "호스트 / 장치 전송", "copying between main memory and GPU memory"),
    ("array API standard", "배열 API 표준", "one set of functions NumPy and CuPy both provide"),
    ("synchronisation", "동기화", "waiting for the GPU to finish before reading a clock or a value"),
])

# %% The rules, shown on the checking backend
L.title("1. Same code, any device - and the mistakes it refuses", "1. 같은 코드, 어느 장치에서나 - 그리고 거부되는 실수")
a = tr.tensor(np.ones((2, 3), dtype="float32"))               # cpu
try:
    b = tr.tensor(np.ones((2, 3), dtype="float32"), device="strict")
    try:
        a + b
    except tr.OpError as exc:
        L.result("adding tensors on two devices", f"OpError: {exc}")
    L.result("moving explicitly", f"(a.to('strict') + b).device = {(a.to('strict') + b).device!r}")
except backend.DeviceError as exc:      # array-api-strict comes with the dev extra
    L.result("the 'strict' checking device", f"not installed here ({exc})")
try:
    backend.parse_device("cuda")
    has_gpu = True
except backend.DeviceError as exc:
    has_gpu = False
    L.result("asking for 'cuda' here", f"DeviceError: {exc}")
L.say("Ops never copy data between devices behind your back: a tensor on the GPU stays there, and mixing "
      "devices is an error that names the op. 'strict' is array-api-strict on a second device: the test "
      "suite runs every op on it, because it fails on exactly the mistakes that break on a GPU.",
      "연산은 몰래 장치 사이에서 데이터를 복사하지 않습니다. GPU에 있는 텐서는 그대로 GPU에 있고, 장치를 섞으면 "
      "연산 이름이 담긴 오류가 납니다. 'strict'는 두 번째 장치 위의 array-api-strict입니다. GPU에서 깨질 실수에서 "
      "정확히 실패하기 때문에 테스트는 모든 연산을 여기서도 실행합니다.")

if not has_gpu:
    L.say("No GPU here. With one (and `pip install -e \".[gpu]\"`) this lesson builds ResNet-20 on 'cpu' and "
          "'cuda', runs the same training step on both, and prints the median time of each and the speed-up.",
          "여기에는 GPU가 없습니다. GPU가 있으면(그리고 `pip install -e \".[gpu]\"`) 이 강의는 ResNet-20을 "
          "'cpu'와 'cuda'에 만들고 같은 학습 단계를 실행해 각각의 중앙값 시간과 속도 향상을 보여 줍니다.")
    your_turn()
    raise SystemExit(0)

# %% Timing one training step on each device
L.title("2. One ResNet-20 training step, NumPy vs CuPy", "2. ResNet-20 학습 한 단계: NumPy 대 CuPy")
batch = 16 if L.args.quick else 128
x0 = np.random.default_rng(0).standard_normal((batch, 3, 32, 32)).astype("float32")
y0 = np.random.default_rng(1).integers(0, 10, batch)
times = {}
for dev in ("cpu", L.args.device if L.args.device.startswith("cuda") else "cuda"):
    tr.manual_seed(0)
    model = build_model("resnet20").to(dev)
    opt = tr.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    x, y = tr.tensor(x0, device=dev), tr.tensor(y0, device=dev)
    samples = []
    for i in range(3 if L.args.quick else 12):
        t = time.perf_counter()
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        loss.item()                       # reading the loss waits for the GPU: an honest clock
        if i >= 2:
            samples.append(time.perf_counter() - t)
    times[dev] = statistics.median(samples)
    L.result(f"{dev:>6} median step (batch {batch})", f"{1000 * times[dev]:.1f} ms")
cpu, gpu = times["cpu"], [v for k, v in times.items() if k != "cpu"][0]
L.result("speed-up", f"{cpu / gpu:.1f}x")

# %% Your turn
your_turn()
