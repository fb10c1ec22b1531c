"""The paper's networks: exact parameter counts, multiply-adds, blocks, gradient checks."""
import numpy as np
import pytest

import tinyres as tr
import tinyres.functional as F
from tinyres import models, nn
from tinyres.inspect import summary
from tinyres.models.blocks import BasicBlock, Bottleneck, PlainBlock, PreActBlock, PreActBottleneck

PARAMS = {"resnet18": 11_689_512, "resnet34": 21_797_672, "resnet50": 25_557_032, "resnet101": 44_549_160,
          "resnet152": 60_192_808, "resnet20": 269_722, "resnet32": 464_154, "resnet44": 658_586,
          "resnet56": 853_018, "resnet110": 1_727_962, "resnet1202": 19_421_274}

# (model, kwargs, input side, multiply-adds rounded as the paper/torchvision quote them)
MADDS = [("resnet18", {}, 224, "1.81G"), ("resnet34", {}, 224, "3.66G"), ("resnet50", {}, 224, "4.09G"),
         ("resnet50", {"stride_in_1x1": True}, 224, "3.86G"), ("resnet101", {}, 224, "7.80G"),
         ("resnet152", {}, 224, "11.51G"), ("vgg19", {}, 224, "19.63G"), ("resnet20", {}, 32, "40.55M"),
         ("resnet56", {}, 32, "125.49M")]


@pytest.mark.parametrize("name", sorted(PARAMS))
def test_parameter_counts_match_the_paper_and_torchvision(name):
    model = models.get_model(name)
    assert sum(p.size for p in model.parameters()) == PARAMS[name]


@pytest.mark.parametrize("name, kw, side, expected", MADDS)
def test_multiply_adds(name, kw, side, expected):
    s = summary(models.get_model(name, **kw), (3, side, side))
    from tinyres.inspect.summary import format_count
    assert format_count(s.total_madds) == expected
    assert s.rows[-1].output_shape == (1000 if side == 224 else 10,)


def test_plain_twins_have_the_same_layers_without_shortcuts():
    r, p = models.resnet20(), models.plain20()
    assert sum(q.size for q in r.parameters()) == sum(q.size for q in p.parameters())   # option A adds none
    assert list(r.state_dict()) == list(p.state_dict())
    assert sum(q.size for q in models.plain34().parameters()) == 21_797_672 - sum(
        q.size for n, q in models.resnet34().named_parameters() if "downsample" in n)


def test_torchvision_state_dict_names():
    keys = list(models.resnet50().state_dict())
    assert keys[:6] == ["conv1.weight", "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var",
                        "bn1.num_batches_tracked"]
    assert "layer1.0.downsample.0.weight" in keys and "layer1.0.downsample.1.running_var" in keys
    assert "layer4.2.conv3.weight" in keys and keys[-2:] == ["fc.weight", "fc.bias"]
    assert len(keys) == 320     # torchvision's resnet50 state_dict has 320 entries
    assert "classifier.6.weight" in models.vgg19(num_classes=10).state_dict()


def test_shortcut_options():
    def projections(opt):
        return sum(1 for n, _ in models.cifar_resnet(20, shortcut=opt).named_parameters() if "downsample" in n)
    assert projections("A") == 0
    assert projections("B") == 2 * 3      # two stage transitions: conv weight + BN weight + bias
    assert projections("C") == 9 * 3      # every block
    with pytest.raises(ValueError, match="'A', 'B' or 'C'"):
        models.cifar_resnet(20, shortcut="D")


def test_bad_depth_is_explained():
    with pytest.raises(ValueError, match="6n\\+2"):
        models.cifar_resnet(21)
    with pytest.raises(ValueError, match="unknown model"):
        models.get_model("resnet7x")


def test_custom_depth_names_and_small_inputs():
    m = models.get_model("resnet8", in_channels=1, num_classes=10)
    y = m(tr.tensor(np.zeros((2, 1, 8, 8), dtype="float32")))
    assert y.shape == (2, 10)
    assert models.get_model("plain14").plain
    assert models.get_model("preact20").preact


def test_zero_init_residual_makes_each_block_the_identity():
    tr.manual_seed(0)
    m = models.resnet20(zero_init_residual=True)
    block = m.layer1[1]
    assert np.all(block.bn2.weight.numpy() == 0)
    x = tr.tensor(np.abs(np.random.default_rng(0).standard_normal((2, 16, 8, 8))).astype("float32"))
    block.eval()
    np.testing.assert_allclose(block(x).numpy(), x.numpy(), rtol=1e-6)   # relu(0 + x) = x for x >= 0


def _randomize_batch_norm(model, seed):
    """Random gamma/beta and running statistics. With the defaults (beta = 0, stats 0/1) a
    zero-padded region gives a pre-activation of exactly 0, a ReLU kink finite differences
    cannot cross."""
    rng = np.random.default_rng(seed)
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            c, dev = m.num_features, m.weight.device
            for t, values in ((m.weight, rng.uniform(0.5, 1.5, c)), (m.bias, rng.uniform(-0.5, 0.5, c)),
                              (m.running_mean, rng.uniform(-0.5, 0.5, c)), (m.running_var, rng.uniform(0.5, 2, c))):
                t.data = tr.tensor(values, device=dev).data


def _block_case(cls, cin, cout, stride, **kw):
    return lambda: cls(cin, cout, stride, **kw)


BLOCKS = {
    "basic_A_stride2": _block_case(BasicBlock, 2, 4, 2, shortcut="A"),
    "basic_B_stride2": _block_case(BasicBlock, 2, 4, 2, shortcut="B"),
    "basic_identity": _block_case(BasicBlock, 3, 3, 1),
    "bottleneck_B": _block_case(Bottleneck, 4, 2, 2),
    "bottleneck_paper_stride": _block_case(Bottleneck, 4, 2, 2, stride_in_1x1=True),
    "plain": _block_case(PlainBlock, 2, 4, 2),
    "preact_C": _block_case(PreActBlock, 2, 2, 1, shortcut="C"),
    "preact_bottleneck": _block_case(PreActBottleneck, 4, 1, 2),
}


@pytest.mark.parametrize("training", [True, False], ids=["train", "eval"])
@pytest.mark.parametrize("name", sorted(BLOCKS))
def test_block_gradcheck(name, training, device):
    tr.manual_seed(1)
    block = BLOCKS[name]().to(device, dtype="float64")
    _randomize_batch_norm(block, 2)
    block.train(training)
    params = list(block.parameters())
    for p in params:
        p.requires_grad = True
    x = tr.tensor(np.random.default_rng(3).standard_normal((2, block.conv1.in_channels, 4, 4)),
                  requires_grad=True, device=device)
    assert tr.gradcheck(lambda x, *ps: block(x), [x] + params).ok


@pytest.mark.parametrize("preact", [False, True])
@pytest.mark.parametrize("training", [True, False], ids=["train", "eval"])
def test_small_network_gradcheck(training, preact):
    tr.manual_seed(4)
    net = models.cifar_resnet(8, preact=preact, width=1, in_channels=1, num_classes=3).to(dtype="float64")
    _randomize_batch_norm(net, 6)
    net.train(training)
    x = tr.tensor(np.random.default_rng(5).standard_normal((3, 1, 4, 4)), requires_grad=True)
    target = tr.tensor([0, 2, 1])
    params = list(net.parameters())
    report = tr.gradcheck(lambda x, *ps: F.cross_entropy(net(x), target), [x] + params)
    assert report.ok and report.checked_elements == x.size + sum(p.size for p in params)


def _conv(m, x):
    return F.conv2d(x, m.weight, None, stride=m.stride, padding=m.padding)


def _bn(m, x):
    """Eval-mode batch norm written out: (x - running_mean) / sqrt(running_var + eps) * gamma + beta."""
    shape = (1, -1, 1, 1)
    scale = F.reshape(m.weight, shape) / F.reshape(m.running_var + m.eps, shape) ** 0.5
    return (x - F.reshape(m.running_mean, shape)) * scale + F.reshape(m.bias, shape)


def _projection(b, x):
    return _bn(b.downsample[1], _conv(b.downsample[0], x))


# Each block as the papers write it, from the block's own (torchvision-named) parameters.
BY_HAND = {
    "basic_A_stride2": lambda b, x: F.relu(_bn(b.bn2, _conv(b.conv2, F.relu(_bn(b.bn1, _conv(b.conv1, x)))))
                                           + F.shortcut_a(x, 4, 2)),
    "basic_B_stride2": lambda b, x: F.relu(_bn(b.bn2, _conv(b.conv2, F.relu(_bn(b.bn1, _conv(b.conv1, x)))))
                                           + _projection(b, x)),
    "basic_identity": lambda b, x: F.relu(_bn(b.bn2, _conv(b.conv2, F.relu(_bn(b.bn1, _conv(b.conv1, x))))) + x),
    "bottleneck_B": lambda b, x: F.relu(_bn(b.bn3, _conv(b.conv3, F.relu(_bn(b.bn2, _conv(b.conv2, F.relu(
        _bn(b.bn1, _conv(b.conv1, x)))))))) + _projection(b, x)),
    "bottleneck_paper_stride": lambda b, x: F.relu(_bn(b.bn3, _conv(b.conv3, F.relu(_bn(b.bn2, _conv(b.conv2, F.relu(
        _bn(b.bn1, _conv(b.conv1, x)))))))) + _projection(b, x)),
    "plain": lambda b, x: F.relu(_bn(b.bn2, _conv(b.conv2, F.relu(_bn(b.bn1, _conv(b.conv1, x)))))),
    "preact_C": lambda b, x: (lambda a: _conv(b.conv2, F.relu(_bn(b.bn2, _conv(b.conv1, a))))
                              + _conv(b.downsample[0], a))(F.relu(_bn(b.bn1, x))),
    "preact_bottleneck": lambda b, x: (lambda a: _conv(b.conv3, F.relu(_bn(b.bn3, _conv(b.conv2, F.relu(
        _bn(b.bn2, _conv(b.conv1, a))))))) + _conv(b.downsample[0], a))(F.relu(_bn(b.bn1, x))),
}
STRIDES = {"bottleneck_B": ((1, 1), (2, 2)), "bottleneck_paper_stride": ((2, 2), (1, 1))}   # (1x1, 3x3)


@pytest.mark.parametrize("name", sorted(BLOCKS))
def test_block_forward_equals_the_papers_formula(name, device):
    """Wiring the gradient checks cannot see: a ReLU missing after the add, a projection fed
    the raw x in a pre-activation block, the stride on the wrong bottleneck conv."""
    assert set(BY_HAND) == set(BLOCKS)
    tr.manual_seed(1)
    block = BLOCKS[name]().to(device, dtype="float64")
    _randomize_batch_norm(block, 2)
    block.eval()
    x = tr.tensor(np.random.default_rng(3).standard_normal((2, block.conv1.in_channels, 4, 4)), device=device)
    with tr.no_grad():
        np.testing.assert_allclose(block(x).numpy(), BY_HAND[name](block, x).numpy(), rtol=1e-12, atol=1e-12)
    if name in STRIDES:
        assert (tuple(block.conv1.stride), tuple(block.conv2.stride)) == STRIDES[name]


def test_networks_run_on_the_strict_backend():
    """The strict backend gives the NumPy backend's loss and gradients, not just arrays of the right shape."""
    x0 = np.random.default_rng(0).standard_normal((2, 1, 8, 8)).astype("float32")
    runs = {}
    for dev in ("cpu", "strict"):
        tr.manual_seed(0)
        net = models.resnet20(in_channels=1).to(dev)
        loss = F.cross_entropy(net(tr.tensor(x0, device=dev)), tr.tensor([1, 2], device=dev))
        loss.backward()
        assert all(p.grad is not None and p.device == dev for p in net.parameters())
        runs[dev] = (loss.item(), [tr.backend.to_numpy(p.grad) for p in net.parameters()])
    assert runs["strict"][0] == pytest.approx(runs["cpu"][0], rel=1e-5)
    for a, b in zip(runs["strict"][1], runs["cpu"][1]):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
