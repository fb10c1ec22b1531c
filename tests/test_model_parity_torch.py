"""Whole networks against the same networks built in PyTorch with copied weights (float64).

Forward output, input gradient, every parameter gradient and the updated running
statistics agree to 1e-8 relative, in training and evaluation mode. Weights travel as
NumPy arrays under torchvision's names, exactly as a converted torchvision checkpoint
would. Skipped without torch.
"""
import numpy as np
import pytest

import tinyres as tr
import tinyres.functional as F
from tinyres import models

torch = pytest.importorskip("torch")
import torch_nets  # noqa: E402  (needs torch)

RTOL = 1e-8


@pytest.mark.parametrize("training", [True, False], ids=["train", "eval"])
@pytest.mark.parametrize("name, side", [("resnet18", 64), ("resnet50", 64), ("resnet20", 32)])
def test_network_matches_pytorch(name, side, training):
    torch.manual_seed(0)
    ref = torch_nets.build(name)
    ref.train(training)
    if not training:    # give eval mode non-trivial running statistics first
        with torch.no_grad():
            ref.train()
            ref(torch.randn(4, 3, side, side, dtype=torch.float64))
            ref.train(False)
    state = {k: v.detach().numpy().copy() for k, v in ref.state_dict().items()}
    ours = models.get_model(name).to(dtype="float64")
    ours.load_state_dict(state)
    ours.train(training)

    x0 = np.random.default_rng(0).standard_normal((2, 3, side, side))
    target = np.array([3, 7])
    xt = torch.tensor(x0, requires_grad=True)
    loss_t = TF_cross_entropy(ref(xt), torch.tensor(target))
    loss_t.backward()
    x = tr.tensor(x0, requires_grad=True)
    logits = ours(x)
    loss = F.cross_entropy(logits, tr.tensor(target))
    loss.backward()

    np.testing.assert_allclose(loss.item(), loss_t.item(), rtol=RTOL)
    np.testing.assert_allclose(x.grad, xt.grad.numpy(), rtol=RTOL, atol=1e-12 * np.abs(xt.grad.numpy()).max())
    grads_t = {n: p.grad.numpy() for n, p in ref.named_parameters()}
    for n, p in ours.named_parameters():
        scale = np.abs(grads_t[n]).max()
        np.testing.assert_allclose(p.grad, grads_t[n], rtol=RTOL, atol=1e-10 * scale, err_msg=n)
    ref_state = ref.state_dict()
    for n, b in ours.named_buffers():
        np.testing.assert_allclose(b.numpy(), ref_state[n].numpy(), rtol=RTOL, err_msg=n)


def TF_cross_entropy(logits, target):
    return torch.nn.functional.cross_entropy(logits, target)


def test_weight_conversion_example(tmp_path):
    """examples/torchvision_weights.py converts a torch state_dict file; tinyres then matches torch."""
    import importlib.util
    import pathlib
    spec = importlib.util.spec_from_file_location(
        "torchvision_weights", pathlib.Path(__file__).parents[1] / "examples" / "torchvision_weights.py")
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    torch.manual_seed(1)
    ref = torch_nets.build("resnet18").float().eval()
    torch.save(ref.state_dict(), tmp_path / "r18.pth")
    assert example.main(["--pth", str(tmp_path / "r18.pth"), "--model", "resnet18", "--out", str(tmp_path / "r18")]) == 0
    model = models.resnet18()
    model.load_state_dict(tr.load(tmp_path / "r18.npz"))
    model.eval()
    x = np.random.default_rng(0).standard_normal((1, 3, 64, 64)).astype("float32")
    with torch.no_grad():
        want = ref(torch.tensor(x)).numpy()
    np.testing.assert_allclose(model(tr.tensor(x)).numpy(), want, rtol=1e-4, atol=1e-4 * np.abs(want).max())
