"""Shared plumbing of the lesson scripts: their command-line options, the text they print (in
the chosen language, through tinyres.i18n), glossary, random streams, and the small pure
functions that turn a lesson's measured numbers into the sentence it prints (tested on every
branch in tests/test_lessons.py).

Every lesson takes --quick (seconds, used by the tests), --out (figures; default
tinyres-out/NN_topic/), --device, --seed and --lang (default $TINYRES_LANG, else en).
"""
from __future__ import annotations

import argparse
import atexit
import math
import os
import statistics
from typing import NamedTuple

from . import backend
from .i18n import LANGS, M, _, figure_lang, fill, get_lang, pad, set_lang, term, width
from .io import output_dir_or_exit

__all__ = ["Lesson", "Conclusion", "build_model", "mean_sd", "compare_depths", "conclude_growth",
           "conclude_first_layer_ratio", "conclude_after_steps", "conclude_deletion", "compare_deletion", "compare_families", "compare_identity_fit", "conclude_sharpness", "conclude_init_scale",
           "compare_replica_bn", "MIN_SEEDS"]

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
    message: M          # the sentence, rendered in whichever language prints it

    def text(self, lang=None):
        return self.message.render(lang)

    @property
    def en(self):
        return self.text("en")

    @property
    def ko(self):
        return self.text("ko")


def mean_sd(values):
    """(mean, sample standard deviation; 0 for a single value)."""
    values = list(values)
    return statistics.fmean(values), (statistics.stdev(values) if len(values) > 1 else 0.0)


def _pts(values):
    """Errors (fractions) as 'mean ± sd (range min to max)', in points."""
    m, s = mean_sd(values)
    return M("{m:.1f} ± {s:.1f} (range {lo:.1f} to {hi:.1f})", m=100 * m, s=100 * s, lo=100 * min(values),
             hi=100 * max(values))


_TOO_FEW = "{measured}; too few runs for a claim."


def compare_depths(shallow, deep, shallow_name, deep_name):
    """Training errors (fractions, one per seed, same seeds) of a shallower and a deeper net of
    one family. Claims a direction only when every seed agrees and there are MIN_SEEDS of them."""
    if len(shallow) != len(deep) or not shallow:
        raise ValueError("compare_depths: need the same non-zero number of runs for both nets")
    diffs = [d - s for s, d in zip(shallow, deep)]
    n = len(diffs)
    m, _sd = mean_sd(diffs)
    names = dict(shallow_name=shallow_name, deep_name=deep_name)
    measured = M("Measured: training error {shallow_name} {s}%, {deep_name} {d}%; {deep_name} minus "
                 "{shallow_name}: {diff} points over {n} seed(s).", s=_pts(shallow), d=_pts(deep), diff=_pts(diffs),
                 n=n, **names)
    if n < MIN_SEEDS:
        return Conclusion("too_few", M("{measured} {n} run(s) are too few to claim a direction (full mode uses "
                                       "{min_seeds} seeds).", measured=measured, n=n, min_seeds=MIN_SEEDS))
    if all(d > 0 for d in diffs):
        return Conclusion("deeper_worse", M(
            "{measured} On every seed the deeper {deep_name} ends with HIGHER training error, by {gap:.1f} points "
            "on average. This is error on the training set, so it is not overfitting: the deeper net is worse at "
            "the optimisation itself.", measured=measured, gap=100 * m, **names))
    if all(d <= 0 for d in diffs):
        return Conclusion("deeper_not_worse", M(
            "{measured} On every seed the deeper {deep_name} trains at least as well as {shallow_name}: no "
            "degradation in this run.", measured=measured, **names))
    return Conclusion("mixed", M("{measured} The sign of the difference changes from seed to seed, so this run "
                                 "supports no claim either way.", measured=measured))


def compare_families(plain, resid, plain_name, resid_name):
    """Training errors (one per seed, same seeds) of a plain and a residual net of the same depth."""
    n = len(plain)
    diffs = [p - r for p, r in zip(plain, resid)]
    m, _sd = mean_sd(diffs)
    measured = M("{plain_name} minus {resid_name}: {diff} points of training error over {n} seed(s)",
                 plain_name=plain_name, resid_name=resid_name, diff=_pts(diffs), n=n)
    if n < MIN_SEEDS:
        return Conclusion("too_few", M(_TOO_FEW, measured=measured))
    if all(d > 0 for d in diffs):
        return Conclusion("residual_better", M("{measured}: on every seed the residual net trains better at the "
                                               "same depth, by {gap:.1f} points on average.",
                                               measured=measured, gap=100 * m))
    if all(d <= 0 for d in diffs):
        return Conclusion("plain_better", M("{measured}: on every seed the plain net trains at least as well.",
                                            measured=measured))
    return Conclusion("mixed", M("{measured}: the sign changes from seed to seed.", measured=measured))


def conclude_growth(ratios, name, size):
    """First-layer / last-layer weight-gradient norm ratios at initialisation (one per seed)."""
    m, s = mean_sd([math.log10(r) for r in ratios])
    spread = M("{name}: first/last |dL/dW| = 10^({m:.2f} ± {s:.2f}) over {n} seed(s) at {size}",
               name=name, m=m, s=s, n=len(ratios), size=size)
    if len(ratios) < MIN_SEEDS:
        return Conclusion("too_few", M(_TOO_FEW, measured=spread))
    if all(r > 1 for r in ratios):
        return Conclusion("grows", M("{spread}: on every seed the gradient is LARGER at the input end than at the "
                                     "output end - it grows toward the input; nothing vanishes.", spread=spread))
    if all(r < 1 for r in ratios):
        return Conclusion("shrinks", M("{spread}: on every seed the gradient is SMALLER at the input end - it "
                                       "shrinks toward the input.", spread=spread))
    return Conclusion("mixed", M("{spread}: the direction changes from seed to seed.", spread=spread))


def conclude_after_steps(ratios, name, steps):
    """First-layer |dL/dW| at initialisation / after ``steps`` SGD steps (one per seed)."""
    m, s = mean_sd([math.log10(r) for r in ratios])
    spread = M("{name}: first-layer |dL/dW| at initialisation / after {steps} steps = 10^({m:.2f} ± {s:.2f}) over "
               "{n} seed(s)", name=name, steps=steps, m=m, s=s, n=len(ratios))
    if len(ratios) < MIN_SEEDS:
        return Conclusion("too_few", M(_TOO_FEW, measured=spread))
    if all(r > 10 for r in ratios):
        return Conclusion("collapses", M("{spread}: on every seed the large initial gradient has collapsed by more "
                                         "than 10 times after {steps} steps.", spread=spread, steps=steps))
    return Conclusion("no_collapse", M("{spread}: on some seed the first-layer gradient did not shrink 10-fold in "
                                       "{steps} steps.", spread=spread, steps=steps))


def conclude_first_layer_ratio(ratios, shallow, deep, size):
    """first-layer |dL/dW| of the shallower net / of the deeper one (one per seed), no batch norm."""
    m, s = mean_sd(ratios)
    spread = M("first-layer |dL/dW| of {shallow} / {deep} without batch norm at {size}: {m:.3g} ± {s:.2g} "
               "(range {lo:.3g} to {hi:.3g}, {n} seed(s))", shallow=shallow, deep=deep, size=size, m=m, s=s,
               lo=min(ratios), hi=max(ratios), n=len(ratios))
    if len(ratios) < MIN_SEEDS:
        return Conclusion("too_few", M(_TOO_FEW, measured=spread))
    if all(r > 10 for r in ratios):
        return Conclusion("vanishes", M("{spread}: on every seed the deeper plain net's first-layer gradient is "
                                        "more than 10 times smaller - it vanishes with depth.", spread=spread))
    return Conclusion("no_vanishing", M("{spread}: the deeper plain net's first-layer gradient is within a factor of "
                                        "10 of the shallower one's on some seed - at this input size depth alone "
                                        "does not make it vanish.", spread=spread))


def conclude_deletion(drops, name):
    """drops: {seed: mean test-accuracy drop (fraction) after deleting one block} for one net."""
    values = list(drops)
    m, s = mean_sd(values)
    return Conclusion("measured", M("{name}: deleting one block costs {m:.1f} ± {s:.1f} points of test accuracy on "
                                    "average ({n} seed(s)).", name=name, m=100 * m, s=100 * s, n=len(values)))


def _every_seed_lower(first, second):
    """"lower" if first < second on every seed, "not_lower" if on none, else "mixed"."""
    pairs = list(zip(first, second))
    if all(a < b for a, b in pairs):
        return "lower"
    return "not_lower" if all(a >= b for a, b in pairs) else "mixed"     # a NaN makes it "mixed"


def compare_deletion(resnet_drops, plain_drops, resnet_name, plain_name):
    """Mean accuracy drops (one per seed) after deleting one block; a claim needs every seed to agree."""
    n = len(resnet_drops)
    names = dict(resnet_name=resnet_name, plain_name=plain_name)
    if n < MIN_SEEDS:
        return Conclusion("too_few", M("{n} run(s): too few to compare {resnet_name} with {plain_name}.", n=n,
                                       **names))
    order = _every_seed_lower(resnet_drops, plain_drops)
    if order == "lower":
        return Conclusion("resnet_robust", M("On every seed {resnet_name} loses less than {plain_name} when one "
                                             "block is deleted: its blocks are not a single chain that breaks, as "
                                             "Veit et al. argue.", **names))
    if order == "not_lower":
        return Conclusion("plain_robust", M("On every seed {plain_name} loses no more than {resnet_name}: this run "
                                            "does NOT show the ensemble-like robustness.", **names))
    return Conclusion("mixed", M("Which net loses more changes from seed to seed: no claim."))


def compare_replica_bn(per_replica, synchronized, small):
    """Test errors (one per seed) of the same K-replica training with per-replica and with synchronized
    batch norm, ``small`` images per replica; a claim needs every seed to agree."""
    n = len(per_replica)
    if n < MIN_SEEDS:
        return Conclusion("too_few", M("{n} run(s): too few to say whether per-replica batch norm is worse.", n=n))
    order = _every_seed_lower(synchronized, per_replica)
    if order == "lower":
        return Conclusion("per_replica_worse", M("with per-replica batches of {small} it was the worse of the two "
                                                 "on every seed.", small=small))
    if order == "not_lower":
        return Conclusion("per_replica_not_worse", M(
            "on every seed it was not worse with per-replica batches of {small}; the noise of small-batch "
            "statistics can act as a regulariser (ghost batch norm, Hoffer et al. 2017 uses it on purpose). Try "
            "--ks 1,16,32 to see per-replica batches of 2.", small=small))
    return Conclusion("mixed", M("with per-replica batches of {small} it was worse on some seeds and not on others: "
                                 "no claim from {n} seeds.", small=small, n=n))


def conclude_sharpness(resnet_rise, plain_rise, resnet_name, plain_name):
    """Rise of the loss from the minimum to |alpha| = 1 (mean of both sides), one value per seed for each net."""
    n = len(resnet_rise)
    names = dict(resnet_name=resnet_name, plain_name=plain_name)
    if n < MIN_SEEDS:
        return Conclusion("too_few", M("{n} run(s): too few to say which minimum is flatter.", n=n))
    order = _every_seed_lower(resnet_rise, plain_rise)
    if order == "lower":
        return Conclusion("resnet_flatter", M("On every seed the loss rises less around {resnet_name}'s minimum "
                                              "than around {plain_name}'s.", **names))
    if order == "not_lower":
        return Conclusion("plain_flatter", M("On every seed the loss rises at least as much around {resnet_name}'s "
                                             "minimum as around {plain_name}'s: no flatter residual minimum at this "
                                             "depth.", **names))
    return Conclusion("mixed", M("Which minimum is flatter changes from seed to seed: no claim."))


def compare_identity_fit(plain_losses, resid_losses, steps):
    """Final mean squared error of fitting y = x with a plain block and a residual block (one per seed)."""
    n = len(plain_losses)
    mp, sp = mean_sd(plain_losses)
    mr, sr = mean_sd(resid_losses)
    measured = M("after {steps} SGD steps the mean squared error of y - x is {mp:.3g} ± {sp:.2g} for the plain "
                 "block and {mr:.3g} ± {sr:.2g} for the residual block ({n} seed(s))",
                 steps=steps, mp=mp, sp=sp, mr=mr, sr=sr, n=n)
    if n < MIN_SEEDS:
        return Conclusion("too_few", M(_TOO_FEW, measured=measured))
    order = _every_seed_lower(resid_losses, plain_losses)
    if order == "lower":
        return Conclusion("residual_easier", M("{measured}: on every seed the residual block gets closer to the "
                                               "identity - it only has to push F toward 0.", measured=measured))
    if order == "not_lower":
        return Conclusion("plain_easier", M("{measured}: on every seed the plain block fits the identity at least "
                                            "as well - this run does not show the residual form helping.",
                                            measured=measured))
    return Conclusion("mixed", M("{measured}: which block fits better changes from seed to seed.", measured=measured))


def conclude_init_scale(he_last, naive_last):
    """Activation std after the last layer of a deep ReLU stack, He init vs a naive N(0, 0.01) init."""
    if 0.1 < he_last < 10 and naive_last < 1e-3:
        return Conclusion("he_keeps_scale", M("He init keeps the scale (last-layer std {he:.3g}); the naive init "
                                              "shrinks it to {naive:.2g}: the signal, and with it the gradient, dies "
                                              "on the way.", he=he_last, naive=naive_last))
    return Conclusion("unexpected", M("Last-layer std: He {he:.3g}, naive {naive:.3g} - not the usual picture; look "
                                      "at the per-layer numbers above.", he=he_last, naive=naive_last))


class Lesson:
    def __init__(self, file, description, glossary, argv=None, extra=None):
        """file: the lesson's __file__; glossary: [(english term, one-line meaning)] - the term in
        the chosen language comes from the glossary of tinyres/i18n/<lang>.py (TERMS)."""
        self.name = os.path.splitext(os.path.basename(file))[0]
        p = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
        p.add_argument("--quick", action="store_true", help="run in seconds on a small slice (used by the tests)")
        p.add_argument("--out", default=os.path.join("tinyres-out", self.name), help="where figures go")
        p.add_argument("--device", default=None, help="cpu, cuda, cuda:N (default: $TINYRES_DEVICE or cpu)")
        p.add_argument("--seed", type=int, default=0)
        p.add_argument("--lang", choices=LANGS, default=None,
                       help="language of everything printed and drawn (default: $TINYRES_LANG, else en)")
        if extra:
            extra(p)
        self.args = p.parse_args(argv)
        set_lang(self.args.lang)        # None: $TINYRES_LANG (a gallery runs many lessons in one process)
        self.args.lang = get_lang()
        if self.args.lang != "en":
            figure_lang()       # fonts must be chosen before any figure exists (its texts copy them)
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

    def say(self, template, /, **kw):
        """Print an explanation (an English template, in the chosen language), wrapped to 96 columns."""
        print(fill(_(template, **kw), 96))
        print()

    def conclude(self, conclusion):
        print(fill(conclusion.text(), 96))
        print()

    def title(self, template, /, **kw):
        text = _(template, **kw)
        print("=" * width(text))
        print(text)
        print()

    def result(self, template, value, /, **kw):
        """One measured line: ``label`` is a template (formatted with ``kw``) in the chosen language;
        ``value`` is printed as given (wrap words in it with ``_()``)."""
        print(f"  {_(template, **kw)}: {value}")

    def your_turn(self, exercise, template, /, **kw):
        """The closing cell: the exercise to do next and what to look for when it passes."""
        from .exercises import EXERCISES
        if exercise not in [e.name for e in EXERCISES]:
            raise ValueError(f"your_turn: unknown exercise {exercise!r}")
        self.title("Your turn")
        print(f"  tinyres exercises init DIR   ({_('once')})\n  tinyres exercises check DIR --only {exercise}\n")
        self.say(template, **kw)

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
        _mean, tf = paper_transforms(digits("train").images, 16.0, augment=False)
        wrong = 0
        model.eval()
        with no_grad():
            for x, y in DataLoader(data, 500, device=self.args.device, transform=tf):
                pred = backend.to_numpy(model(x).data).argmax(1)
                wrong += int((pred != backend.to_numpy(y.data)).sum())
        return wrong / len(data)

    def _print_glossary(self):
        print(f"[{self.name}] {_('glossary')}")
        terms = [(en, term(en), _(meaning)) for en, meaning in self.glossary]
        cols = max(width(en) for en, _t, _m in terms)
        kcols = max(width(t) for _e, t, _m in terms)
        for en, t, meaning in terms:
            if self.args.lang == "en":
                print(f"  {pad(en, cols)}  - {meaning}")
            else:
                print(f"  {pad(en, cols)}  {pad(t, kcols)}  - {meaning}")
        print("  " + "-" * 40)
        print()
