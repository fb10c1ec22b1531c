"""Convert PyTorch/torchvision ResNet weights to a tinyres .npz and check the result.

    # a state_dict saved with torch.save(model.state_dict(), "resnet18.pth"):
    python examples/torchvision_weights.py --pth resnet18.pth --model resnet18 --out resnet18.npz
    # or straight from torchvision (downloads the ImageNet weights; needs network access):
    python examples/torchvision_weights.py --torchvision resnet50 --out resnet50.npz

Needs torch (`pip install -e ".[torch]"`). tinyres uses torchvision's state_dict names,
so conversion is only "tensor -> NumPy array"; the .npz then loads with
``model.load_state_dict(tinyres.load(path))`` and no torch at all. The script checks
that both frameworks give the same logits for one random image.
"""
from __future__ import annotations

import argparse

import numpy as np

import tinyres as tr
from tinyres import models


def convert(state_dict) -> dict:
    """torch state_dict -> {name: NumPy array} (num_batches_tracked kept; tinyres ignores it if absent)."""
    return {k: v.detach().cpu().numpy() for k, v in state_dict.items()}


def main(argv=None):
    import torch

    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--pth", help="a state_dict saved with torch.save")
    src.add_argument("--torchvision", metavar="NAME", help="torchvision model name, e.g. resnet50 (downloads)")
    p.add_argument("--model", help="tinyres model name (default: the torchvision name)")
    p.add_argument("--num-classes", type=int, default=1000)
    p.add_argument("--out", required=True)
    args = p.parse_args(argv)

    if args.pth:
        state = torch.load(args.pth, map_location="cpu", weights_only=True)
        reference = None
    else:
        import torchvision
        reference = getattr(torchvision.models, args.torchvision)(weights="DEFAULT").eval()
        state = reference.state_dict()
    name = args.model or args.torchvision
    arrays = convert(state)
    path = tr.save(arrays, args.out)
    model = models.get_model(name, num_classes=args.num_classes)
    model.load_state_dict(tr.load(path))
    model.eval()
    print(f"wrote {path}: {len(arrays)} arrays, {sum(a.size for a in arrays.values()):,} numbers; "
          f"loaded into tinyres {name}")
    if reference is not None:
        x = np.random.default_rng(0).standard_normal((1, 3, 224, 224)).astype("float32")
        with torch.no_grad():
            want = reference(torch.tensor(x)).numpy()
        with tr.no_grad():
            got = model(tr.tensor(x)).numpy()
        print(f"max |logit difference| vs torchvision: {np.abs(got - want).max():.2e}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
