"""Families added on the one block base and the registry: GroupNorm (op, layer, as a
norm_layer), Wide ResNets (CIFAR and torchvision's ImageNet variant) and ResNeXt, with exact
parameter counts, torchvision key names, and the registry metadata callers rely on."""
import numpy as np
import pytest
from conftest import make

import tinyres as tr
import tinyres.functional as F
from tinyres import backend, models, nn
from tinyres.cli import main
from tinyres.function import OpError
from tinyres.models import Bottleneck, PreActBlock


def _group_norm_by_hand(x, groups, w=None, b=None, eps=1e-5):
    n, c = x.shape[:2]
    xg = x.reshape(n, groups, -1)
    y = ((xg - xg.mean(2, keepdims=True)) / np.sqrt(xg.var(2, keepdims=True) + eps)).reshape(x.shape)
    if w is not None:
        shape = (1, c) + (1,) * (x.ndim - 2)
        y = y * w.reshape(shape) + b.reshape(shape)
    return y


CASES = [((2, 6, 3, 3), 3), ((3, 4, 5), 2), ((2, 4), 4), ((2, 4, 2, 2), 1)]


@pytest.mark.parametrize("affine", [True, False], ids=["affine", "plain"])
@pytest.mark.parametrize("shape, groups", CASES)
def test_group_norm_forward_by_hand_and_gradcheck(shape, groups, affine, device, rng):
    x = make(rng, shape, device)
    params = [make(rng, (shape[1],), device), make(rng, (shape[1],), device)] if affine else []
    y = F.group_norm(x, groups, *params)
    np.testing.assert_allclose(y.numpy(), _group_norm_by_hand(x.numpy(), groups, *(p.numpy() for p in params)),
                               rtol=1e-12, atol=1e-12)
    # tr.gradcheck feeds a random upstream gradient: sum(y) alone would hide a missing mean term
    assert tr.gradcheck(lambda x, *ps: F.group_norm(x, groups, *ps), [x, *params]).ok


def test_group_norm_matches_torch(rng):
    torch = pytest.importorskip("torch")
    x0, w0, b0 = rng.standard_normal((3, 8, 4, 5)), rng.standard_normal(8), rng.standard_normal(8)
    v = rng.standard_normal((3, 8, 4, 5))
    ours = [tr.tensor(a, requires_grad=True) for a in (x0, w0, b0)]
    theirs = [torch.tensor(a, requires_grad=True) for a in (x0, w0, b0)]
    y = F.group_norm(ours[0], 4, ours[1], ours[2], 1e-3)
    yt = torch.nn.functional.group_norm(theirs[0], 4, theirs[1], theirs[2], 1e-3)
    y.backward(v)
    yt.backward(torch.tensor(v))
    np.testing.assert_allclose(y.numpy(), yt.detach().numpy(), rtol=1e-12, atol=1e-12)
    for a, t in zip(ours, theirs):
        np.testing.assert_allclose(backend.to_numpy(a.grad), t.grad.numpy(), rtol=1e-10, atol=1e-12)
    layer, ref = nn.GroupNorm(4, 8), torch.nn.GroupNorm(4, 8)
    assert list(layer.state_dict()) == list(ref.state_dict())


def test_group_norm_errors_are_one_clear_line():
    x = tr.tensor(np.zeros((2, 6, 2, 2)))
    with pytest.raises(OpError, match=r"group_norm: num_groups must be a positive int dividing the 6 channels"):
        F.group_norm(x, 4)
    with pytest.raises(OpError, match=r"group_norm: weight must be a Tensor of shape \(6,\)"):
        F.group_norm(x, 3, tr.tensor(np.ones(3)), tr.tensor(np.ones(3)))
    with pytest.raises(ValueError, match="GroupNorm: num_channels"):
        nn.GroupNorm(4, 6)


def _modules_of(model, cls):
    return [m for m in model.modules() if isinstance(m, cls)]


def test_norm_layer_factory_group_norm_and_none():
    gn = models.resnet18(norm_layer=lambda c: nn.GroupNorm(32, c), zero_init_residual=True)
    assert not _modules_of(gn, nn.BatchNorm2d)
    assert len(_modules_of(gn, nn.GroupNorm)) == 1 + 8 * 2 + 3       # stem, two per block, 3 projections
    assert all(float(b.bn2.weight.numpy().max()) == 0 for b in _modules_of(gn, models.BasicBlock))
    assert sum(p.size for p in gn.parameters()) == 11_689_512       # same gamma/beta as BN
    out = gn(tr.tensor(np.random.default_rng(0).standard_normal((1, 3, 32, 32)).astype("float32")))
    assert out.shape == (1, 1000)
    bare = models.cifar_resnet(20, norm_layer=nn.Identity)
    assert not _modules_of(bare, nn.BatchNorm2d) and not _modules_of(bare, nn.GroupNorm)
    assert sum(p.size for p in bare.parameters()) == 269_722 - 2 * (16 + 3 * 2 * (16 + 32 + 64))


@pytest.mark.parametrize("name, count", [("wrn28_10", 36_479_194), ("wrn16_8", 10_961_370),
                                         ("wrn40_4", 8_949_210), ("resnext50_32x4d", 25_028_904),
                                         ("resnext101_32x8d", 88_791_336), ("wide_resnet50_2", 68_883_240)])
def test_parameter_counts(name, count):
    assert sum(p.size for p in models.get_model(name).parameters()) == count


@pytest.mark.parametrize("name, madds", [("wrn16_8", 1_548_145_664), ("resnext50_32x4d", 4_230_479_872)])
def test_multiply_adds(name, madds):
    """Grouped 3x3 convs count (C_in / groups) per output: 4.23G is torchvision's figure for ResNeXt-50."""
    from tinyres.inspect.summary import summary
    side = models.input_size(name)
    assert summary(models.get_model(name), (3, side, side)).total_madds == madds


def test_wide_resnet_is_the_papers_network():
    net = models.wrn16_8()
    stages = [net.layer1, net.layer2, net.layer3]
    assert [len(s) for s in stages] == [2, 2, 2] and all(isinstance(b, PreActBlock) for s in stages for b in s)
    assert [s[0].conv1.out_channels for s in stages] == [128, 256, 512]
    for s in stages:                # a 1x1 projection (no norm after it) only where the shape changes
        assert len(s[0].downsample) == 1 and s[0].downsample[0].kernel_size == (1, 1)
        assert all(b.downsample is None for b in list(s)[1:])
    with pytest.raises(ValueError, match="6n\\+4"):
        models.wide_resnet(20, 2)
    y = models.wide_resnet(10, 1, in_channels=1, num_classes=3)(tr.tensor(np.ones((2, 1, 8, 8), "float32")))
    assert y.shape == (2, 3)


def test_grouped_bottleneck_gradcheck(device):
    """Training mode (BN's batch statistics, the harder backward); eval BN is checked in test_models."""
    tr.manual_seed(0)
    block = Bottleneck(4, 1, 2, groups=2, base_width=128).to(device, dtype="float64")   # inner width 4
    assert block.conv2.groups == 2 and block.conv2.in_channels == 4
    params = list(block.parameters())
    x = tr.tensor(np.random.default_rng(3).standard_normal((2, 4, 3, 3)), requires_grad=True, device=device)
    assert tr.gradcheck(lambda x, *ps: block(x), [x] + params).ok


def test_grouped_bottleneck_matches_torch():
    torch = pytest.importorskip("torch")
    import torch_nets
    torch.manual_seed(0)
    ref = torch_nets.TorchBottleneck(16, 8, 2, "B", groups=4, base_width=8).double()
    ours = Bottleneck(16, 8, 2, groups=4, base_width=8).to(dtype="float64")
    ours.load_state_dict({k: v.detach().numpy() for k, v in ref.state_dict().items()})
    x0 = np.random.default_rng(1).standard_normal((2, 16, 6, 6))
    v = np.random.default_rng(2).standard_normal((2, 32, 3, 3))
    x, xt = tr.tensor(x0, requires_grad=True), torch.tensor(x0, requires_grad=True)
    y, yt = ours(x), ref(xt)
    y.backward(v)
    yt.backward(torch.tensor(v))
    np.testing.assert_allclose(y.numpy(), yt.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(backend.to_numpy(x.grad), xt.grad.numpy(), rtol=1e-10, atol=1e-12)
    grads = dict(ours.named_parameters())
    for k, p in ref.named_parameters():
        np.testing.assert_allclose(backend.to_numpy(grads[k].grad), p.grad.numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name", ["resnext50_32x4d", "wide_resnet50_2"])
def test_torchvision_key_names_and_shapes(name):
    torch = pytest.importorskip("torch")
    import torch_nets
    ref = {k: tuple(v.shape) for k, v in torch_nets.build(name).state_dict().items()}
    ours = models.get_model(name)
    assert {k: tuple(v.shape) for k, v in ours.state_dict().items()} == ref
    ours.load_state_dict({k: np.zeros(s, dtype="float32") for k, s in ref.items()})   # strict: loads


def test_registry_metadata():
    names = models.list_models()
    assert {"wrn16_8", "wrn28_10", "wrn40_4", "wide_resnet50_2", "resnext50_32x4d", "resnext101_32x8d"} <= set(names)
    assert models.list_models("resnext") == ["resnext50_32x4d", "resnext101_32x8d"]
    assert all({"num_classes", "in_channels"} <= models.model_info(n).options for n in names)
    stride = {n for n in names if "stride_in_1x1" in models.model_info(n).options}
    assert stride == {"resnet50", "resnet101", "resnet152", "resnext50_32x4d", "resnext101_32x8d", "wide_resnet50_2"}
    info = models.model_info("wrn28_10")
    assert (info.family, info.input_size) == ("wide-resnet", 32) and "Zagoruyko" in info.paper
    assert models.model_info("resnext50_32x4d").input_size == 224 and "Xie" in models.model_info("resnext50_32x4d").paper
    assert models.model_info("preact20").family == "cifar-preact"
    assert models.model_info("plain14").family == "cifar-plain"
    assert models.get_model("preact8", in_channels=1).preact


def test_unaccepted_option_is_one_clear_line(capsys):
    with pytest.raises(ValueError, match="'vgg19' takes no option norm_layer"):
        models.get_model("vgg19", norm_layer=nn.Identity)
    assert main(["summary", "resnet18", "--paper-stride"]) == 2
    err = capsys.readouterr().err.strip()
    assert "takes no option stride_in_1x1" in err and "\n" not in err
