"""Lesson 13 - data-parallel SGD, and why batch-norm statistics depend on the per-replica batch.

He et al. (2015) trained their CIFAR-10 ResNets "with a mini-batch size of 128 on two GPUs":
each GPU (a replica) computed the gradient of its 64 images, the two gradients were averaged,
and both replicas took the same SGD step. Batch norm, though, normalised each replica's 64
images with THEIR mean and variance. This lesson simulates K replicas as K threads of one
process (tinyres.distributed.ThreadGroup: the same gradient allreduce and the same
synchronized batch norm that `mpiexec -n K tinyres train --distributed` uses over MPI) and
measures what the per-replica batch does to batch norm, and to training.

    python lessons/13_data_parallel.py            # ~3-4 minutes on a 2-core CPU
"""
# %%
import statistics

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import tinyres as tr  # noqa: E402
import tinyres.functional as F  # noqa: E402
from tinyres import distributed, nn  # noqa: E402
from tinyres.data import DataLoader, digits, paper_transforms  # noqa: E402
from tinyres.lesson import Lesson  # noqa: E402
from tinyres.train import evaluate  # noqa: E402

L = Lesson(__file__, __doc__, [
    ("data parallelism", "데이터 병렬화", "K replicas of one model, each on 1/K of every batch"),
    ("replica / rank", "복제본 / 랭크", "one copy of the model, in its own process (or here, thread)"),
    ("allreduce", "올리듀스", "every replica ends with the sum of all replicas' arrays"),
    ("per-replica batch", "복제본당 배치", "global batch / K: what one replica's batch norm sees"),
    ("synchronized batch norm", "동기화 배치 정규화", "batch statistics summed over all replicas: the global batch's"),
], extra=lambda p: (p.add_argument("--epochs", type=int, default=6),
                    p.add_argument("--ks", default="1,4,16", help="replica counts K (each must divide 64)")))
a = L.args
quick = a.quick
GLOBAL = 64
KS = (1, 4) if quick else tuple(sorted({1} | {int(k) for k in a.ks.split(",")}))
if any(GLOBAL % k for k in KS):
    raise SystemExit(f"--ks: every K must divide the global batch {GLOBAL}, got {a.ks}")
SEEDS = [a.seed] if quick else [a.seed, a.seed + 1, a.seed + 2]
EPOCHS = 1 if quick else a.epochs
MODEL = "resnet8"

train_set, test_set = digits("train"), digits("test")
if quick:
    train_set, test_set = train_set.subset(256), test_set.subset(128)
train_tf, test_tf = paper_transforms(train_set.images, train_set.pixel_max, True, 1, False)


def initial_state(seed):
    tr.manual_seed(seed)
    return tr.models.get_model(MODEL, num_classes=10, in_channels=1).state_dict()


def replica_run(comm, state, seed, sync_bn, epochs, steps=None):
    """One replica's training; every replica runs this in its own thread. Returns
    (test error, last gradient) - the same on every replica."""
    model = tr.models.get_model(MODEL, num_classes=10, in_channels=1).to(a.device)
    model.load_state_dict(state)
    if sync_bn:
        model = nn.convert_sync_batchnorm(model, comm)
    distributed.broadcast_module(model, comm)
    opt = distributed.DistributedOptimizer(tr.optim.SGD(model.parameters(), lr=0.1, momentum=0.9,
                                                        weight_decay=5e-4), comm)
    sched = tr.optim.lr_scheduler.MultiStepLR(opt.optimizer, [max(1, epochs * 2 // 3)], 0.1)
    loader = distributed.ShardedLoader(DataLoader(train_set, GLOBAL, shuffle=True, seed=seed, device=a.device,
                                                  transform=train_tf), comm)
    done = 0
    for epoch in range(epochs):
        loader.set_epoch(epoch)
        for x, y in loader:
            loss = F.cross_entropy(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            done += 1
            if steps is not None and done == steps:
                return None, {n: p.grad for n, p in model.named_parameters()}
        sched.step()
    distributed.average_buffers(model, comm)        # per-replica running statistics: one model to evaluate
    test = distributed.ShardedLoader(DataLoader(test_set, 500, device=a.device, transform=test_tf), comm)
    return evaluate(model, test, comm)[1], None


def group_run(k, fn):
    return distributed.ThreadGroup(k, timeout=600).run(fn)


# %% 1. Data-parallel SGD is large-batch SGD (when batch norm is synchronized)
L.title("1. K replicas averaging gradients = one process on the global batch",
        "1. K개 복제본의 기울기 평균 = 전역 배치 하나로 학습한 것")
tr.set_default_dtype("float64")       # compare in float64: what differs is the maths, not the rounding
state = initial_state(a.seed)
k_demo = 4
one = replica_run(distributed.SingleProcess(), state, a.seed, False, 1, steps=2)[1]
diff = {}
for sync in (True, False):
    grads = group_run(k_demo, lambda comm: replica_run(comm, state, a.seed, sync, 1, steps=2)[1])
    diff[sync] = max(float(abs(g[n] - one[n]).max()) for g in grads for n in one)
tr.set_default_dtype("float32")
L.result(f"max |gradient difference| after 2 steps, {k_demo} replicas of {GLOBAL // k_demo} vs 1 process of {GLOBAL}",
         f"synchronized BN {diff[True]:.1e}, per-replica BN {diff[False]:.1e}")
L.say(f"Averaging the replicas' gradients (one allreduce after backward) gives the gradient of the mean loss over "
      f"the global batch, so with synchronized batch norm {k_demo} replicas reproduce one process to "
      f"{diff[True]:.0e} (float64 rounding). With per-replica batch norm they differ by {diff[False]:.1e}: each "
      f"replica normalised its {GLOBAL // k_demo} images with their own mean and variance, a different function.",
      f"복제본들의 기울기를 평균하면(역전파 뒤 올리듀스 한 번) 전역 배치 평균 손실의 기울기가 됩니다. 그래서 동기화 "
      f"배치 정규화를 쓰면 {k_demo}개 복제본이 한 프로세스를 {diff[True]:.0e}까지(float64 반올림) 재현합니다. 복제본별 "
      f"배치 정규화로는 {diff[False]:.1e}만큼 다릅니다. 각 복제본이 자기 {GLOBAL // k_demo}개 이미지의 평균과 분산으로 "
      f"정규화하므로 다른 함수입니다.")

# %% 2. Batch statistics of a small batch are noisy
L.title("2. How noisy is a batch's mean?", "2. 배치 평균은 얼마나 흔들리나?")
tr.manual_seed(a.seed)
probe = tr.models.get_model(MODEL, num_classes=10, in_channels=1).to(a.device)
x_all, _ = DataLoader(train_set, len(train_set), device=a.device, transform=test_tf).batch(0)
with tr.no_grad():
    feats = probe.conv1(x_all).data            # what the first batch norm normalises
xp = tr.backend.namespace(feats)
c_std = xp.std(feats, axis=(0, 2, 3))
noise = {}
for b in sorted({GLOBAL // k for k in KS} | {2}):
    n = (feats.shape[0] // b) * b
    means = xp.mean(xp.reshape(feats[:n, ...], (n // b, b, feats.shape[1], -1)), axis=(1, 3))
    noise[b] = float(xp.mean(xp.std(means, axis=0) / c_std))
for b, v in noise.items():
    L.result(f"per-replica batch {b:>3}: spread of the batch mean / the feature's std", f"{v:.3f}")
small, large = min(noise), max(noise)
L.say(f"Batch norm subtracts the batch's mean, an estimate. Measured on the first layer's features: with "
      f"{large} images the batch mean wanders by {noise[large]:.3f} feature standard deviations, with {small} by "
      f"{noise[small]:.3f} ({noise[small] / noise[large]:.1f}x). A replica's batch norm sees only its own batch, so "
      f"splitting a fixed global batch over more replicas makes every normalisation noisier, and the running "
      f"statistics used at test time drift further from what training normalised with.",
      f"배치 정규화는 배치 평균(추정값)을 뺍니다. 첫 층 특징에서 측정하면: {large}개 이미지의 배치 평균은 특징 표준편차의 "
      f"{noise[large]:.3f}배만큼, {small}개면 {noise[small]:.3f}배만큼 흔들립니다({noise[small] / noise[large]:.1f}배). "
      f"복제본의 배치 정규화는 자기 배치만 보므로, 같은 전역 배치를 더 많은 복제본으로 나누면 정규화가 더 흔들리고, "
      f"테스트 때 쓰는 이동 통계도 학습 때의 정규화와 더 멀어집니다.")

# %% 3. Training with per-replica vs synchronized batch norm
L.title(f"3. Training: global batch {GLOBAL}, K replicas, {len(SEEDS)} seed(s)",
        f"3. 학습: 전역 배치 {GLOBAL}, 복제본 K개, 시드 {len(SEEDS)}개")
errors = {}
for k in KS:
    for sync in ((False,) if k == 1 else (False, True)):       # K = 1: the two are the same op
        runs = []
        for seed in SEEDS:
            st = initial_state(seed)
            runs.append(group_run(k, lambda comm: replica_run(comm, st, seed, sync, EPOCHS))[0][0])
        errors[(k, sync)] = runs
        spread = f" +- {statistics.stdev(runs) * 100:.2f}" if len(runs) > 1 else ""
        L.result(f"K={k:>2} (per-replica batch {GLOBAL // k:>2}), {'synchronized' if sync else 'per-replica '} BN",
                 f"test error {100 * statistics.mean(runs):.2f}%{spread}  (seeds: "
                 + ", ".join(f"{100 * e:.1f}%" for e in runs) + ")")

fig, ax = plt.subplots(figsize=(6, 4))
for sync, colour, label in ((False, "tab:red", "per-replica BN"), (True, "tab:blue", "synchronized BN")):
    ks = [k for k in KS if (k, sync) in errors or (k == 1)]
    ys = [errors.get((k, sync), errors[(1, False)]) for k in ks]
    ax.errorbar([GLOBAL // k for k in ks], [100 * statistics.mean(v) for v in ys],
                yerr=[100 * statistics.stdev(v) if len(v) > 1 else 0 for v in ys], fmt="o-", color=colour,
                label=label, capsize=3)
ax.set_xscale("log", base=2)
ax.set_xlabel(f"per-replica batch (global batch {GLOBAL} = K x per-replica)")
ax.set_ylabel("test error (%)")
ax.set_title(f"{MODEL} on digits, {EPOCHS} epoch(s), mean over {len(SEEDS)} seed(s)")
ax.legend()
ax.grid(alpha=0.3)
fig.savefig(L.path("per_replica_batch.png"), dpi=110, bbox_inches="tight")
L.result("figure", L.path("per_replica_batch.png"))

k_max = max(KS)
base = statistics.mean(errors[(1, False)])
per = statistics.mean(errors[(k_max, False)])
syn = statistics.mean(errors[(k_max, True)])
spread = max(statistics.stdev(v) if len(v) > 1 else 0.0 for v in errors.values())
within = abs(syn - base) <= 2 * spread
L.say(f"Measured: at K = 1 (per-replica batch {GLOBAL}) the test error is {100 * base:.2f}%. At K = {k_max} "
      f"(per-replica batch {GLOBAL // k_max}) per-replica BN gives {100 * per:.2f}% ({100 * (per - base):+.2f} points) "
      f"and synchronized BN {100 * syn:.2f}% ({100 * (syn - base):+.2f} points). Synchronized BN computes the same "
      f"function whatever K is (section 1); its difference from K = 1 is float32 rounding that training amplifies, "
      f"and it is {'within' if within else 'OUTSIDE'} twice the largest seed-to-seed spread measured here "
      f"({100 * spread:.2f} points). Per-replica BN changes the normalisation itself with K: "
      + (f"with per-replica batches of {GLOBAL // k_max} it was the worse of the two over these seeds."
         if per > syn else f"over these seeds it was not worse with per-replica batches of {GLOBAL // k_max}; "
         f"the noise of small-batch statistics can act as a regulariser (ghost batch norm, Hoffer et al. 2017 uses "
         f"it on purpose). Try --ks 1,16,32 to see per-replica batches of 2."),
      f"측정 결과: K = 1(복제본당 배치 {GLOBAL})의 테스트 오차는 {100 * base:.2f}%입니다. K = {k_max}(복제본당 배치 "
      f"{GLOBAL // k_max})에서 복제본별 BN은 {100 * per:.2f}%({100 * (per - base):+.2f}%p), 동기화 BN은 {100 * syn:.2f}%"
      f"({100 * (syn - base):+.2f}%p)입니다. 동기화 BN은 K와 상관없이 같은 함수를 계산합니다(1절). K = 1과의 차이는 "
      f"학습이 키운 float32 반올림 차이이며, 여기서 잰 시드 간 최대 편차({100 * spread:.2f}%p)의 두 배 "
      f"{'안' if within else '밖'}에 있습니다. 복제본별 BN은 K에 따라 정규화 자체가 바뀝니다: "
      + (f"복제본당 배치 {GLOBAL // k_max}에서 이 시드들로는 두 방법 중 더 나빴습니다." if per > syn else
         f"복제본당 배치 {GLOBAL // k_max}에서 이 시드들로는 더 나쁘지 않았습니다. 작은 배치 통계의 잡음이 정규화 효과를 "
         f"낼 수 있습니다(ghost batch norm, Hoffer 등 2017은 이를 일부러 씁니다). --ks 1,16,32로 복제본당 배치 2를 "
         f"확인해 보세요."))

# %% Your turn
L.your_turn("sgd",
      "Data parallelism changes nothing in the update itself: every rank applies the same SGD step to the "
      "same averaged gradient. With your sgd passing: 1) Run `mpiexec -n 2 python -m tinyres train --distributed --quick --out runs/dp` (pip install -e "
      "\".[mpi]\"), then the same with --sync-bn, and compare metrics.csv with a one-process run. "
      "2) Here the global batch stayed 64. Keep the per-replica batch at 16 instead and grow K: the global batch "
      "grows, and the paper's learning rate no longer fits - try the linear scaling rule (lr x K/4) with a warm-up "
      "(Goyal et al. 2017).",
      "데이터 병렬은 갱신 자체를 바꾸지 않습니다. 모든 랭크가 같은 평균 기울기에 같은 SGD 단계를 적용합니다. "
      "여러분의 sgd가 통과하면: 1) `mpiexec -n 2 python -m tinyres train --distributed --quick --out runs/dp`를 실행하고(pip install -e "
      "\".[mpi]\"), --sync-bn으로도 실행한 뒤 metrics.csv를 한 프로세스 실행과 비교해 보세요. 2) 여기서는 전역 "
      "배치를 64로 고정했습니다. 대신 복제본당 배치를 16으로 두고 K를 늘려 보세요. 전역 배치가 커지면 논문의 학습률이 "
      "맞지 않습니다. 선형 스케일링 규칙(lr x K/4)과 워밍업(Goyal 등 2017)을 시도해 보세요.")
