"""Module surface: registration order, modes, devices, state_dict, reprs, init, errors."""
import numpy as np
import pytest

import tinyres as tr
import tinyres.functional as F
from tinyres import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(2, 3, 3, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(3)
        self.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(3, 4))

    def forward(self, x):
        return self.head(F.relu(self.bn(self.conv(x))))


def test_parameters_and_buffers_in_registration_order():
    net = Net()
    assert [n for n, _ in net.named_parameters()] == ["conv.weight", "bn.weight", "bn.bias", "head.2.weight", "head.2.bias"]
    assert [n for n, _ in net.named_buffers()] == ["bn.running_mean", "bn.running_var", "bn.num_batches_tracked"]
    assert list(net.state_dict()) == ["conv.weight", "bn.weight", "bn.bias", "bn.running_mean", "bn.running_var",
                                      "bn.num_batches_tracked", "head.2.weight", "head.2.bias"]


def test_train_eval_is_per_module_and_changes_batch_norm():
    net = Net()
    x = tr.tensor(np.random.default_rng(0).standard_normal((4, 2, 5, 5)).astype("float32"))
    net(x)                                     # training: running stats move
    assert float(net.bn.num_batches_tracked.item()) == 1
    assert np.abs(net.bn.running_mean.numpy()).sum() > 0
    net.eval()
    assert not any(m.training for m in net.modules())
    before = net.bn.running_mean.numpy().copy()
    net(x)
    np.testing.assert_array_equal(net.bn.running_mean.numpy(), before)
    net.head.train()
    assert net.head.training and not net.bn.training


def test_to_device_and_dtype_moves_everything(device):
    net = Net().to(device, dtype="float64")
    assert {p.device for p in net.parameters()} | {b.device for b in net.buffers()} == {device}
    assert all("float64" in str(p.dtype) for p in net.parameters())
    assert "int64" in str(net.bn.num_batches_tracked.dtype)
    x = tr.tensor(np.random.default_rng(0).standard_normal((2, 2, 4, 4)), device=device)
    seen = []
    net.head[1].register_forward_hook(lambda m, i, o: seen.append(tr.backend.to_numpy(o.data)))
    F.sum(net(x)).backward()
    assert all(p.grad is not None and p.grad.shape == p.data.shape for p in net.parameters())
    # d sum(y) / d bias_j = N and d sum(y) / d W_jc = sum_n features_nc, for every output j
    np.testing.assert_allclose(tr.backend.to_numpy(net.head[2].bias.grad), [2.0] * 4, rtol=1e-12)
    np.testing.assert_allclose(tr.backend.to_numpy(net.head[2].weight.grad), np.tile(seen[0].sum(0), (4, 1)),
                               rtol=1e-12)
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_state_dict_round_trip_between_devices(device, tmp_path):
    tr.manual_seed(0)
    a = Net().to(device, dtype="float64")
    x = np.random.default_rng(1).standard_normal((2, 2, 4, 4))
    a(tr.tensor(x, device=device))            # move the running stats off their initial values
    path = tr.save(a, tmp_path / "net")
    tr.manual_seed(99)
    b = Net().to(dtype="float64")
    b.load_state_dict(tr.load(path))                # saved from `device`, loaded on the CPU
    for (ka, va), (kb, vb) in zip(a.state_dict().items(), b.state_dict().items()):
        assert ka == kb
        np.testing.assert_array_equal(tr.backend.to_numpy(va), tr.backend.to_numpy(vb))
    b.to(device)                                    # and back: the same network, bit for bit
    a.eval()
    b.eval()
    np.testing.assert_array_equal(a(tr.tensor(x, device=device)).numpy(), b(tr.tensor(x, device=device)).numpy())


def test_load_state_dict_errors_list_every_problem():
    net = Net()
    state = dict(net.state_dict())
    del state["conv.weight"]
    state["extra.weight"] = np.zeros(3)
    state["bn.bias"] = np.zeros(5)
    with pytest.raises(nn.StateDictError) as err:
        net.load_state_dict(state)
    msg = str(err.value)
    assert "missing keys (1): conv.weight" in msg
    assert "unexpected keys (1): extra.weight" in msg
    assert "bn.bias: checkpoint (5,), model (3,)" in msg
    missing, unexpected = net.load_state_dict(state, strict=False)
    assert missing == ["conv.weight"] and unexpected == ["extra.weight"]


def test_num_batches_tracked_is_optional_on_load():
    net = Net()
    state = {k: v for k, v in net.state_dict().items() if "num_batches" not in k}
    assert net.load_state_dict(state) == ([], [])


def test_reprs_follow_pytorch():
    assert repr(nn.Conv2d(3, 64, 7, stride=2, padding=3, bias=False)) == \
        "Conv2d(3, 64, kernel_size=(7, 7), stride=(2, 2), padding=(3, 3), bias=False)"
    assert repr(nn.BatchNorm2d(64)) == "BatchNorm2d(64, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)"
    assert repr(nn.Linear(512, 1000)) == "Linear(in_features=512, out_features=1000, bias=True)"
    assert repr(nn.MaxPool2d(3, 2, 1)) == "MaxPool2d(kernel_size=3, stride=2, padding=1)"
    assert repr(nn.ReLU()) == "ReLU()"
    assert repr(nn.Sequential(nn.ReLU())) == "Sequential(\n  (0): ReLU()\n)"


@pytest.mark.parametrize("fn, mode, expected_std", [
    (nn.init.kaiming_normal_, "fan_out", np.sqrt(2 / (64 * 9))),
    (nn.init.kaiming_normal_, "fan_in", np.sqrt(2 / (32 * 9))),
])
def test_kaiming_normal_std(fn, mode, expected_std):
    tr.manual_seed(0)
    w = nn.Parameter(tr.tensor(np.zeros((64, 32, 3, 3), dtype="float32")))
    fn(w, mode=mode, nonlinearity="relu")
    assert abs(w.numpy().std() / expected_std - 1) < 0.02
    assert abs(w.numpy().mean()) < 0.01 * expected_std * 10


def test_xavier_uniform_bound():
    tr.manual_seed(0)
    w = nn.Parameter(tr.tensor(np.zeros((100, 50), dtype="float32")))
    nn.init.xavier_uniform_(w)
    bound = np.sqrt(6 / 150)
    assert w.numpy().max() <= bound and w.numpy().min() >= -bound and w.numpy().max() > 0.95 * bound


def test_same_seed_same_weights_on_every_device():
    tr.manual_seed(3)
    a = nn.Conv2d(2, 3, 3, device="cpu")
    tr.manual_seed(3)
    b = nn.Conv2d(2, 3, 3, device="strict")
    np.testing.assert_array_equal(a.weight.numpy(), b.weight.numpy())


def test_module_errors_are_clear():
    with pytest.raises(tr.OpError, match="BatchNorm2d: expected a 4-D input"):
        nn.BatchNorm2d(3)(tr.tensor(np.ones((2, 3), dtype="float32")))
    with pytest.raises(ValueError, match="divisible by groups"):
        nn.Conv2d(3, 4, 3, groups=2)

    class Forgot(nn.Module):
        def __init__(self):
            self.x = 1
    with pytest.raises(AttributeError, match="super"):
        Forgot()


def test_forward_hooks_fire_and_can_be_removed():
    net = Net()
    seen = []
    handle = net.conv.register_forward_hook(lambda m, i, o: seen.append(o.shape))
    x = tr.tensor(np.ones((2, 2, 4, 4), dtype="float32"))
    net(x)
    handle.remove()
    net(x)
    assert seen == [(2, 3, 4, 4)]


def test_dropout_train_and_eval():
    tr.manual_seed(0)
    x = tr.tensor(np.ones((1000,), dtype="float32"), requires_grad=True)
    d = nn.Dropout(0.25)
    y = d(x)
    kept = y.numpy() != 0
    assert 0.7 < kept.mean() < 0.8
    np.testing.assert_allclose(y.numpy()[kept], 1 / 0.75)
    F.sum(y).backward()
    np.testing.assert_allclose(x.grad, np.where(kept, 1 / 0.75, 0.0), rtol=1e-6)    # the same mask, scaled
    d.eval()
    assert d(x) is x


def test_dropout_gradcheck():
    x = tr.tensor(np.random.default_rng(0).standard_normal((4, 5)), requires_grad=True)

    def fn(x):
        tr.manual_seed(5)          # the same mask on every evaluation
        return F.dropout(x, 0.5)
    assert tr.gradcheck(fn, [x]).ok
