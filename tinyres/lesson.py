"""Shared plumbing of the lesson scripts: their command-line options, bilingual text, glossary.

Every lesson takes --quick (seconds, used by the tests), --out (figures; default
tinyres-out/NN_topic/), --device, --seed and --lang en|ko.
"""
from __future__ import annotations

import argparse
import os
import textwrap

from . import backend
from .io import output_dir_or_exit

__all__ = ["Lesson"]


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
        output_dir_or_exit(self.args.out, self.name)
        backend.manual_seed(self.args.seed)
        self.glossary = glossary
        self._print_glossary()

    def say(self, en, ko=None):
        """Print an explanation in the chosen language (English when no Korean is given)."""
        text = ko if (self.args.lang == "ko" and ko) else en
        print(textwrap.fill(" ".join(text.split()), 96))
        print()

    def title(self, en, ko):
        text = ko if self.args.lang == "ko" else en
        print("=" * len(text) * (2 if self.args.lang == "ko" else 1))
        print(text)
        print()

    def result(self, label, value):
        print(f"  {label}: {value}")

    def path(self, filename):
        return os.path.join(self.args.out, filename)

    def train_on_digits(self, name, epochs):
        """Train model ``name`` with the digits recipe (256 images in --quick mode); return it in eval mode."""
        from .train import RECIPES, TrainConfig, train

        a = self.args
        cfg = TrainConfig(**{**RECIPES["digits"], "model": name, "epochs": epochs, "milestones": (epochs // 2 + 1,),
                             "device": a.device, "seed": a.seed, "out": os.path.join(a.out, name),
                             "progress": not a.quick, "limit_train": 256 if a.quick else None})
        model = train(cfg, log=lambda *x: None).model
        return model.eval()

    def _print_glossary(self):
        print(f"[{self.name}] glossary / 용어")
        width = max(len(en) for en, _, _ in self.glossary)
        for en, ko, meaning in self.glossary:
            print(f"  {en:<{width}}  {ko}  - {meaning}")
        print()
