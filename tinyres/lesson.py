"""Shared plumbing of the lesson scripts: their command-line options, bilingual text, glossary,
random streams, and the small pure functions that turn a lesson's measured numbers into the
sentence it prints (tested on every branch in tests/test_lessons.py).

Every lesson takes --quick (seconds, used by the tests), --out (figures; default
tinyres-out/NN_topic/), --device, --seed and --lang en|ko.
"""
from __future__ import annotations

import argparse
import atexit
import math
import os
import statistics
import textwrap
from typing import NamedTuple

from . import backend
from .io import output_dir_or_exit

__all__ = ["Lesson", "Conclusion", "build_model", "mean_sd", "compare_depths", "conclude_growth",
           "conclude_first_layer_ratio", "conclude_after_steps", "conclude_deletion", "compare_deletion", "compare_families", "compare_identity_fit", "conclude_sharpness", "conclude_init_scale",
           "MIN_SEEDS"]

MIN_SEEDS = 3       # a lesson states a general claim only when it held on at least this many seeds

def build_model(name, batch_norm=True, **kw):
    """The one place the lessons build a network (so a change of the model API is one line)."""
    from .models import get_model

    if not batch_norm:
        from .nn import Identity
        kw["norm_layer"] = Identity
    return get_model(name, **kw)


def _remove_if_empty(folder):
    if os.path.isdir(folder) and not os.listdir(folder):
        os.rmdir(folder)


class Conclusion(NamedTuple):
    verdict: str        # a short machine-readable label of the branch taken
    en: str
    ko: str


def mean_sd(values):
    """(mean, sample standard deviation; 0 for a single value)."""
    values = list(values)
    return statistics.fmean(values), (statistics.stdev(values) if len(values) > 1 else 0.0)


def _pts(values):
    """Errors (fractions) as 'mean ± sd points (min..max)'."""
    m, s = mean_sd(values)
    return f"{100 * m:.1f} ± {100 * s:.1f} (range {100 * min(values):.1f} to {100 * max(values):.1f})"


def compare_depths(shallow, deep, shallow_name, deep_name):
    """Training errors (fractions, one per seed, same seeds) of a shallower and a deeper net of
    one family. Claims a direction only when every seed agrees and there are MIN_SEEDS of them."""
    if len(shallow) != len(deep) or not shallow:
        raise ValueError("compare_depths: need the same non-zero number of runs for both nets")
    diffs = [d - s for s, d in zip(shallow, deep)]
    n = len(diffs)
    m, _ = mean_sd(diffs)
    measured = (f"training error {shallow_name} {_pts(shallow)}%, {deep_name} {_pts(deep)}%; "
                f"{deep_name} minus {shallow_name}: {_pts(diffs)} points over {n} seed(s).")
    measured_ko = (f"학습 오차 {shallow_name} {_pts(shallow)}%, {deep_name} {_pts(deep)}%; "
                   f"{deep_name} - {shallow_name}: {n}개 시드에서 {_pts(diffs)}%p.")
    if n < MIN_SEEDS:
        return Conclusion("too_few", f"Measured: {measured} {n} run(s) are too few to claim a direction "
                          f"(full mode uses {MIN_SEEDS} seeds).",
                          f"측정: {measured_ko} 실행 {n}번으로는 방향을 주장하기에 부족합니다"
                          f"(전체 모드는 시드 {MIN_SEEDS}개를 씁니다).")
    if all(d > 0 for d in diffs):
        return Conclusion("deeper_worse",
                          f"Measured: {measured} On every seed the deeper {deep_name} ends with HIGHER training "
                          f"error, by {100 * m:.1f} points on average. This is error on the training set, so it "
                          "is not overfitting: the deeper net is worse at the optimisation itself.",
                          f"측정: {measured_ko} 모든 시드에서 더 깊은 {deep_name}의 학습 오차가 더 높습니다"
                          f"(평균 {100 * m:.1f}%p). 학습 데이터에서의 오차이므로 과적합이 아니라 최적화 자체가 "
                          "더 나쁜 것입니다.")
    if all(d <= 0 for d in diffs):
        return Conclusion("deeper_not_worse",
                          f"Measured: {measured} On every seed the deeper {deep_name} trains at least as well as "
                          f"{shallow_name}: no degradation in this run.",
                          f"측정: {measured_ko} 모든 시드에서 더 깊은 {deep_name}이 {shallow_name}만큼 또는 더 잘 "
                          "학습됩니다. 이번 실행에서는 성능 저하가 없습니다.")
    return Conclusion("mixed", f"Measured: {measured} The sign of the difference changes from seed to seed, so this "
                      "run supports no claim either way.",
                      f"측정: {measured_ko} 시드마다 차이의 부호가 바뀌므로 이번 실행으로는 어느 쪽도 주장할 수 "
                      "없습니다.")


def compare_families(plain, resid, plain_name, resid_name):
    """Training errors (one per seed, same seeds) of a plain and a residual net of the same depth."""
    n = len(plain)
    diffs = [p - r for p, r in zip(plain, resid)]
    m, _ = mean_sd(diffs)
    measured = f"{plain_name} minus {resid_name}: {_pts(diffs)} points of training error over {n} seed(s)"
    measured_ko = f"{plain_name} - {resid_name}: 시드 {n}개에서 학습 오차 {_pts(diffs)}%p"
    if n < MIN_SEEDS:
        return Conclusion("too_few", f"{measured}; too few runs for a claim.", f"{measured_ko}. 주장하기에는 실행이 "
                          "적습니다.")
    if all(d > 0 for d in diffs):
        return Conclusion("residual_better", f"{measured}: on every seed the residual net trains better at the same "
                          f"depth, by {100 * m:.1f} points on average.",
                          f"{measured_ko}: 모든 시드에서 같은 깊이의 잔차 신경망이 더 잘 학습됩니다(평균 "
                          f"{100 * m:.1f}%p).")
    if all(d <= 0 for d in diffs):
        return Conclusion("plain_better", f"{measured}: on every seed the plain net trains at least as well.",
                          f"{measured_ko}: 모든 시드에서 일반 신경망이 그만큼 이상 잘 학습됩니다.")
    return Conclusion("mixed", f"{measured}: the sign changes from seed to seed.",
                      f"{measured_ko}: 시드마다 부호가 바뀝니다.")


def conclude_growth(ratios, name, size):
    """First-layer / last-layer weight-gradient norm ratios at initialisation (one per seed)."""
    m, s = mean_sd([math.log10(r) for r in ratios])
    spread = f"{name}: first/last |dL/dW| = 10^({m:.2f} ± {s:.2f}) over {len(ratios)} seed(s) at {size}"
    spread_ko = f"{name}: 첫 층/마지막 층 |dL/dW| = 10^({m:.2f} ± {s:.2f}), 시드 {len(ratios)}개, 입력 {size}"
    if len(ratios) < MIN_SEEDS:
        return Conclusion("too_few", f"{spread}; too few runs for a claim.", f"{spread_ko}. 주장하기에는 실행이 적습니다.")
    if all(r > 1 for r in ratios):
        return Conclusion("grows", f"{spread}: on every seed the gradient is LARGER at the input end than at the "
                          "output end - it grows toward the input; nothing vanishes.",
                          f"{spread_ko}: 모든 시드에서 입력 쪽 그래디언트가 출력 쪽보다 큽니다. 입력 쪽으로 갈수록 "
                          "커지며, 소실되지 않습니다.")
    if all(r < 1 for r in ratios):
        return Conclusion("shrinks", f"{spread}: on every seed the gradient is SMALLER at the input end - it "
                          "shrinks toward the input.",
                          f"{spread_ko}: 모든 시드에서 입력 쪽 그래디언트가 더 작습니다. 입력 쪽으로 갈수록 줄어듭니다.")
    return Conclusion("mixed", f"{spread}: the direction changes from seed to seed.",
                      f"{spread_ko}: 시드마다 방향이 바뀝니다.")


def conclude_after_steps(ratios, name, steps):
    """First-layer |dL/dW| at initialisation / after ``steps`` SGD steps (one per seed)."""
    m, s = mean_sd([math.log10(r) for r in ratios])
    spread = (f"{name}: first-layer |dL/dW| at initialisation / after {steps} steps = 10^({m:.2f} ± {s:.2f}) over "
              f"{len(ratios)} seed(s)")
    spread_ko = f"{name}: 초기화 시점 / {steps}단계 뒤 첫 층 |dL/dW| = 10^({m:.2f} ± {s:.2f}), 시드 {len(ratios)}개"
    if len(ratios) < MIN_SEEDS:
        return Conclusion("too_few", f"{spread}; too few runs for a claim.", f"{spread_ko}. 주장하기에는 실행이 적습니다.")
    if all(r > 10 for r in ratios):
        return Conclusion("collapses", f"{spread}: on every seed the large initial gradient has collapsed by more "
                          f"than 10 times after {steps} steps.",
                          f"{spread_ko}: 모든 시드에서 큰 초기 그래디언트가 {steps}단계 뒤 10배 넘게 줄었습니다.")
    return Conclusion("no_collapse", f"{spread}: on some seed the first-layer gradient did not shrink 10-fold in "
                      f"{steps} steps.",
                      f"{spread_ko}: 어떤 시드에서는 {steps}단계 동안 첫 층 그래디언트가 10배 줄지 않았습니다.")


def conclude_first_layer_ratio(ratios, shallow, deep, size):
    """first-layer |dL/dW| of the shallower net / of the deeper one (one per seed), no batch norm."""
    m, s = mean_sd(ratios)
    spread = (f"first-layer |dL/dW| of {shallow} / {deep} without batch norm at {size}: {m:.3g} ± {s:.2g} "
              f"(range {min(ratios):.3g} to {max(ratios):.3g}, {len(ratios)} seed(s))")
    spread_ko = (f"배치 정규화 없이 입력 {size}에서 {shallow} / {deep}의 첫 층 |dL/dW|: {m:.3g} ± {s:.2g} "
                 f"(범위 {min(ratios):.3g} ~ {max(ratios):.3g}, 시드 {len(ratios)}개)")
    if len(ratios) < MIN_SEEDS:
        return Conclusion("too_few", f"{spread}; too few runs for a claim.", f"{spread_ko}. 주장하기에는 실행이 적습니다.")
    if all(r > 10 for r in ratios):
        return Conclusion("vanishes", f"{spread}: on every seed the deeper plain net's first-layer gradient is more "
                          "than 10 times smaller - it vanishes with depth.",
                          f"{spread_ko}: 모든 시드에서 더 깊은 일반 신경망의 첫 층 그래디언트가 10배 넘게 작습니다. "
                          "깊이에 따라 소실됩니다.")
    return Conclusion("no_vanishing", f"{spread}: the deeper plain net's first-layer gradient is within a factor of "
                      "10 of the shallower one's on some seed - at this input size depth alone does not make it "
                      "vanish.",
                      f"{spread_ko}: 어떤 시드에서는 더 깊은 일반 신경망의 첫 층 그래디언트가 얕은 것의 10배 "
                      "이내입니다. 이 입력 크기에서는 깊이만으로 소실되지 않습니다.")


def conclude_deletion(drops, name):
    """drops: {seed: mean test-accuracy drop (fraction) after deleting one block} for one net."""
    values = list(drops)
    m, s = mean_sd(values)
    text = f"{name}: deleting one block costs {100 * m:.1f} ± {100 * s:.1f} points of test accuracy on average"
    text_ko = f"{name}: 블록 하나를 지우면 테스트 정확도가 평균 {100 * m:.1f} ± {100 * s:.1f}%p 떨어집니다"
    return Conclusion("measured", f"{text} ({len(values)} seed(s)).", f"{text_ko} (시드 {len(values)}개).")


def _every_seed_lower(first, second):
    """"lower" if first < second on every seed, "not_lower" if on none, else "mixed"."""
    pairs = list(zip(first, second))
    if all(a < b for a, b in pairs):
        return "lower"
    return "not_lower" if all(a >= b for a, b in pairs) else "mixed"     # a NaN makes it "mixed"


def compare_deletion(resnet_drops, plain_drops, resnet_name, plain_name):
    """Mean accuracy drops (one per seed) after deleting one block; a claim needs every seed to agree."""
    n = len(resnet_drops)
    if n < MIN_SEEDS:
        return Conclusion("too_few", f"{n} run(s): too few to compare {resnet_name} with {plain_name}.",
                          f"실행 {n}번: {resnet_name}와 {plain_name}를 비교하기에 부족합니다.")
    order = _every_seed_lower(resnet_drops, plain_drops)
    if order == "lower":
        return Conclusion("resnet_robust", f"On every seed {resnet_name} loses less than {plain_name} when one block "
                          "is deleted: its blocks are not a single chain that breaks, as Veit et al. argue.",
                          f"모든 시드에서 블록 하나를 지웠을 때 {resnet_name}이 {plain_name}보다 덜 잃습니다. Veit 등의 "
                          "주장처럼 블록들이 끊어지면 끝나는 하나의 사슬이 아닙니다.")
    if order == "not_lower":
        return Conclusion("plain_robust", f"On every seed {plain_name} loses no more than {resnet_name}: this run does "
                          "NOT show the ensemble-like robustness.",
                          f"모든 시드에서 {plain_name}이 {resnet_name}보다 더 잃지 않습니다. 이번 실행은 앙상블 같은 "
                          "견고함을 보여 주지 않습니다.")
    return Conclusion("mixed", "Which net loses more changes from seed to seed: no claim.",
                      "어느 신경망이 더 잃는지가 시드마다 바뀝니다. 주장할 수 없습니다.")


def conclude_sharpness(resnet_rise, plain_rise, resnet_name, plain_name):
    """Rise of the loss from the minimum to |alpha| = 1 (mean of both sides), one value per seed for each net."""
    n = len(resnet_rise)
    if n < MIN_SEEDS:
        return Conclusion("too_few", f"{n} run(s): too few to say which minimum is flatter.",
                          f"실행 {n}번: 어느 최솟값이 더 평평한지 말하기에 부족합니다.")
    order = _every_seed_lower(resnet_rise, plain_rise)
    if order == "lower":
        return Conclusion("resnet_flatter", f"On every seed the loss rises less around {resnet_name}'s minimum than "
                          f"around {plain_name}'s.",
                          f"모든 시드에서 {resnet_name}의 최솟값 주변 손실이 {plain_name}보다 덜 커집니다.")
    if order == "not_lower":
        return Conclusion("plain_flatter", f"On every seed the loss rises at least as much around {resnet_name}'s "
                          f"minimum as around {plain_name}'s: no flatter residual minimum at this depth.",
                          f"모든 시드에서 {resnet_name}의 최솟값 주변 손실이 {plain_name}만큼 이상 커집니다. 이 "
                          "깊이에서는 잔차 신경망의 최솟값이 더 평평하지 않습니다.")
    return Conclusion("mixed", "Which minimum is flatter changes from seed to seed: no claim.",
                      "어느 최솟값이 더 평평한지가 시드마다 바뀝니다. 주장할 수 없습니다.")


def compare_identity_fit(plain_losses, resid_losses, steps):
    """Final mean squared error of fitting y = x with a plain block and a residual block (one per seed)."""
    n = len(plain_losses)
    mp, sp = mean_sd(plain_losses)
    mr, sr = mean_sd(resid_losses)
    measured = (f"after {steps} SGD steps the mean squared error of y - x is {mp:.3g} ± {sp:.2g} for the plain block "
                f"and {mr:.3g} ± {sr:.2g} for the residual block ({n} seed(s))")
    measured_ko = (f"SGD {steps}단계 뒤 y - x의 평균 제곱 오차: 일반 블록 {mp:.3g} ± {sp:.2g}, 잔차 블록 "
                   f"{mr:.3g} ± {sr:.2g} (시드 {n}개)")
    if n < MIN_SEEDS:
        return Conclusion("too_few", f"{measured}; too few runs for a claim.", f"{measured_ko}. 주장하기에는 실행이 "
                          "적습니다.")
    order = _every_seed_lower(resid_losses, plain_losses)
    if order == "lower":
        return Conclusion("residual_easier", f"{measured}: on every seed the residual block gets closer to the "
                          "identity - it only has to push F toward 0.",
                          f"{measured_ko}: 모든 시드에서 잔차 블록이 항등 함수에 더 가까워집니다. F를 0 쪽으로 "
                          "밀기만 하면 되기 때문입니다.")
    if order == "not_lower":
        return Conclusion("plain_easier", f"{measured}: on every seed the plain block fits the identity at least as "
                          "well - this run does not show the residual form helping.",
                          f"{measured_ko}: 모든 시드에서 일반 블록이 항등 함수를 그만큼 이상 잘 맞춥니다. 이번 "
                          "실행은 잔차 형태의 도움을 보여 주지 않습니다.")
    return Conclusion("mixed", f"{measured}: which block fits better changes from seed to seed.",
                      f"{measured_ko}: 어느 블록이 더 잘 맞추는지가 시드마다 바뀝니다.")


def conclude_init_scale(he_last, naive_last):
    """Activation std after the last layer of a deep ReLU stack, He init vs a naive N(0, 0.01) init."""
    if 0.1 < he_last < 10 and naive_last < 1e-3:
        return Conclusion("he_keeps_scale", f"He init keeps the scale (last-layer std {he_last:.3g}); the naive init "
                          f"shrinks it to {naive_last:.2g}: the signal, and with it the gradient, dies on the way.",
                          f"He 초기화는 크기를 유지합니다(마지막 층 표준편차 {he_last:.3g}). 단순 초기화는 "
                          f"{naive_last:.2g}로 줄어듭니다. 신호가, 그리고 그래디언트도, 가는 길에 사라집니다.")
    return Conclusion("unexpected", f"Last-layer std: He {he_last:.3g}, naive {naive_last:.3g} - not the usual "
                      "picture; look at the per-layer numbers above.",
                      f"마지막 층 표준편차: He {he_last:.3g}, 단순 {naive_last:.3g} - 흔한 모습이 아닙니다. 위의 "
                      "층별 숫자를 보세요.")


class Lesson:
    def __init__(self, file, description, glossary, argv=None, extra=None):
        """file: the lesson's __file__; glossary: [(english, korean, one-line meaning)]."""
        self.name = os.path.splitext(os.path.basename(file))[0]
        p = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
        p.add_argument("--quick", action="store_true", help="run in seconds on a small slice (used by the tests)")
        p.add_argument("--out", default=os.path.join("tinyres-out", self.name), help="where figures go")
        p.add_argument("--device", default=None, help="cpu, cuda, cuda:N (default: $TINYRES_DEVICE or cpu)")
        p.add_argument("--seed", type=int, default=0)
        p.add_argument("--lang", choices=["en", "ko"], default="en", help="language of the explanations")
        if extra:
            extra(p)
        self.args = p.parse_args(argv)
        self.args.device = backend.parse_device(self.args.device)
        created = not os.path.isdir(self.args.out)
        output_dir_or_exit(self.args.out, self.name)
        if created:     # checked up front, but a lesson with nothing to save leaves no empty folder
            atexit.register(_remove_if_empty, self.args.out)
        backend.manual_seed(self.args.seed)
        # Data and upstream gradients come from streams of their own: a cotangent drawn from a
        # generator seeded like the data can equal the data (lesson 03 once checked <x, BN(x)>).
        self.rng = backend.generator((self.args.seed, 1))
        self.cotangent_seed = (self.args.seed, 2)
        self.glossary = glossary
        self._print_glossary()

    @property
    def seeds(self):
        """The seeds a full-mode claim is measured on (one in --quick mode)."""
        s = self.args.seed
        return [s] if self.args.quick else [s + i for i in range(MIN_SEEDS)]

    def cotangent(self, shape):
        """The upstream gradient ``tinyres.gradcheck(..., seed=self.cotangent_seed)`` draws."""
        return backend.host_random(shape, dtype="float64", generator=backend.generator(self.cotangent_seed))

    def say(self, en, ko=None):
        """Print an explanation in the chosen language (English when no Korean is given)."""
        text = ko if (self.args.lang == "ko" and ko) else en
        print(textwrap.fill(" ".join(text.split()), 96))
        print()

    def conclude(self, conclusion):
        self.say(conclusion.en, conclusion.ko)

    def title(self, en, ko):
        text = ko if self.args.lang == "ko" else en
        print("=" * len(text) * (2 if self.args.lang == "ko" else 1))
        print(text)
        print()

    def result(self, label, value):
        print(f"  {label}: {value}")

    def your_turn(self, exercise, en, ko):
        """The closing cell: the exercise to do next and what to look for when it passes."""
        from .exercises import EXERCISES
        if exercise not in [e.name for e in EXERCISES]:
            raise ValueError(f"your_turn: unknown exercise {exercise!r}")
        self.title("Your turn", "직접 해 보기")
        print(f"  tinyres exercises init DIR   (once)\n  tinyres exercises check DIR --only {exercise}\n")
        self.say(en, ko)

    def path(self, filename):
        return os.path.join(self.args.out, filename)

    def train_on_digits(self, name, epochs, seed=None, lr=None, milestones=None, log_every=20):
        """Train model ``name`` on the digits (256 images in --quick mode) with the digits recipe,
        lr divided by 10 at ``milestones`` (default: half and three quarters of the epochs);
        returns the TrainResult (``.model`` in eval mode, ``.rows`` the metrics rows)."""
        from .train import RECIPES, TrainConfig, train

        a = self.args
        seed = a.seed if seed is None else seed
        if milestones is None:
            milestones = (max(1, epochs // 2), max(2, 3 * epochs // 4))
        recipe = {**RECIPES["digits"], "epochs": epochs, "milestones": tuple(milestones), "log_every": log_every}
        if lr is not None:
            recipe["lr"] = lr
        cfg = TrainConfig(**{**recipe, "model": name, "device": a.device, "seed": seed,
                             "out": os.path.join(a.out, "runs", f"{name}-seed{seed}"), "progress": not a.quick,
                             "limit_train": 256 if a.quick else None})
        result = train(cfg, log=lambda *x: None)
        result.model.eval()
        return result

    def digits_error(self, model, split):
        """Error of ``model`` (eval mode, no augmentation) on the digits ``split`` (256 images in --quick)."""
        from .data import DataLoader, digits, paper_transforms
        from .tensor import no_grad

        data = digits(split)
        if self.args.quick:
            data = data.subset(min(256, len(data)))
        _, tf = paper_transforms(digits("train").images, 16.0, augment=False)
        wrong = 0
        model.eval()
        with no_grad():
            for x, y in DataLoader(data, 500, device=self.args.device, transform=tf):
                pred = backend.to_numpy(model(x).data).argmax(1)
                wrong += int((pred != backend.to_numpy(y.data)).sum())
        return wrong / len(data)

    def _print_glossary(self):
        print(f"[{self.name}] glossary / 용어")
        width = max(len(en) for en, _, _ in self.glossary)
        for en, ko, meaning in self.glossary:
            print(f"  {en:<{width}}  {ko}  - {meaning}")
        print("  " + "-" * 40)
        print()
