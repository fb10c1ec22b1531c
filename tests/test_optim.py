"""SGD against hand-computed updates and torch.optim.SGD; schedules; optimizer state."""
import math

import numpy as np
import pytest

import tinyres as tr
from tinyres import nn
from tinyres.optim import SGD, lr_scheduler


def _param(values, device="cpu"):
    return nn.Parameter(tr.tensor(np.asarray(values, dtype="float64"), device=device))


def test_sgd_momentum_weight_decay_by_hand(device):
    p = _param([1.0, -2.0], device)
    opt = SGD([p], lr=0.1, momentum=0.9, weight_decay=0.01)
    grads = [np.array([0.5, 0.25]), np.array([-1.0, 2.0])]
    w, buf = np.array([1.0, -2.0]), None
    for g in grads:
        p.grad = tr.tensor(g, device=device).data
        opt.step()
        d = g + 0.01 * w
        buf = d if buf is None else 0.9 * buf + d
        w = w - 0.1 * buf
        np.testing.assert_allclose(tr.backend.to_numpy(p.data), w, rtol=1e-15)


def test_sgd_nesterov_and_dampening_by_hand():
    p = _param([1.0])
    opt = SGD([p], lr=0.5, momentum=0.5, nesterov=True)
    p.grad = np.array([2.0])
    opt.step()       # buf = 2, g = 2 + 0.5*2 = 3, w = 1 - 1.5
    np.testing.assert_allclose(p.data, [-0.5])
    q = _param([0.0])
    opt = SGD([q], lr=1.0, momentum=0.5, dampening=0.5)
    for _ in range(2):
        q.grad = np.array([1.0])
        opt.step()   # buf: 1, then 0.5 + 0.5 = 1.0 -> w = -2
    np.testing.assert_allclose(q.data, [-2.0])


def test_sgd_skips_params_without_grad_and_validates():
    p = _param([1.0])
    SGD([p], lr=0.1).step()
    np.testing.assert_array_equal(p.data, [1.0])
    with pytest.raises(ValueError, match="Nesterov"):
        SGD([p], lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match="empty"):
        SGD([], lr=0.1)


def test_sgd_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    w0 = rng.standard_normal((3, 4))
    ours = _param(w0)
    theirs = torch.tensor(w0, requires_grad=True)
    kw = dict(lr=0.05, momentum=0.9, weight_decay=1e-3, nesterov=True)
    a, b = SGD([ours], **kw), torch.optim.SGD([theirs], **kw)
    for _ in range(5):
        g = rng.standard_normal((3, 4))
        ours.grad = g
        theirs.grad = torch.tensor(g)
        a.step()
        b.step()
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-13)


def test_optimizer_state_dict_round_trip():
    p = _param([1.0, 2.0])
    opt = SGD([p], lr=0.1, momentum=0.9)
    p.grad = np.array([1.0, 1.0])
    opt.step()
    sd = opt.state_dict()
    q = _param(p.data.copy())
    opt2 = SGD([q], lr=0.5, momentum=0.9)
    opt2.load_state_dict(sd)
    assert opt2.param_groups[0]["lr"] == 0.1
    for o, t in ((opt, p), (opt2, q)):
        t.grad = np.array([0.5, -0.5])
        o.step()
    np.testing.assert_array_equal(p.data, q.data)


def _opt(lr=0.1):
    return SGD([_param([0.0])], lr=lr)


def test_multistep_like_the_paper():
    opt = _opt()
    s = lr_scheduler.MultiStepLR(opt, [32000, 48000])
    lrs = {}
    for it in (31999, 32000, 47999, 48000, 64000):
        s.last_epoch = it - 1
        s.step()
        lrs[it] = opt.param_groups[0]["lr"]
    assert lrs == pytest.approx({31999: 0.1, 32000: 0.01, 47999: 0.01, 48000: 0.001, 64000: 0.001})


def test_cosine():
    opt = _opt(1.0)
    s = lr_scheduler.CosineAnnealingLR(opt, 10)
    for _ in range(5):
        s.step()
    assert opt.param_groups[0]["lr"] == pytest.approx(0.5)
    for _ in range(10):
        s.step()
    assert opt.param_groups[0]["lr"] == pytest.approx(0.0)


def test_warmup_then_schedule_and_early_finish():
    opt = _opt()
    s = lr_scheduler.WarmupLR(lr_scheduler.MultiStepLR(opt, [5]), 0.01, until=3)
    seen = [opt.param_groups[0]["lr"]]
    for _ in range(6):
        s.step()
        seen.append(opt.param_groups[0]["lr"])
    assert seen == pytest.approx([0.01, 0.01, 0.01, 0.1, 0.1, 0.01, 0.01])
    opt = _opt()
    s = lr_scheduler.WarmupLR(lr_scheduler.MultiStepLR(opt, [100]), 0.01, until=400)
    s.finish()       # training error fell below 80%
    assert opt.param_groups[0]["lr"] == 0.1


def test_reduce_on_plateau():
    opt = _opt()
    s = lr_scheduler.ReduceLROnPlateau(opt, patience=2)
    for err in [0.5, 0.4, 0.4, 0.4, 0.4]:
        s.step(err)
    assert opt.param_groups[0]["lr"] == pytest.approx(0.01)
    sd = s.state_dict()
    opt2 = _opt()
    s2 = lr_scheduler.ReduceLROnPlateau(opt2, patience=2)
    s2.load_state_dict(sd)
    assert opt2.param_groups[0]["lr"] == pytest.approx(0.01) and s2.best == 0.4


def test_scheduler_state_round_trip():
    opt = _opt()
    s = lr_scheduler.MultiStepLR(opt, [2, 4])
    for _ in range(3):
        s.step()
    opt2 = _opt()
    s2 = lr_scheduler.MultiStepLR(opt2, [2, 4])
    s2.load_state_dict(s.state_dict())
    s.step()
    s2.step()
    assert opt.param_groups[0]["lr"] == opt2.param_groups[0]["lr"] == pytest.approx(0.001)
    assert math.isclose(s2.get_last_lr()[0], 0.001)


def _trained_sgd():
    p, q = _param([1.0, 2.0]), _param([[3.0]])
    opt = SGD([p, q], lr=0.1, momentum=0.9)
    p.grad, q.grad = np.array([1.0, 1.0]), np.array([[1.0]])
    opt.step()
    return opt


@pytest.mark.parametrize("damage, message", [
    (lambda sd: sd["state"][0].update(momentum_buffer=np.zeros(3)), r"momentum_buffer of parameter 0 has shape \(3,\)"),
    (lambda sd: sd["state"][1].update(momentum_buffer=np.zeros((1, 1), "float32")), "is float32, the parameter float64"),
    (lambda sd: sd["state"][0].pop("momentum_buffer"), r"parameter 0 has \[\], expected \['momentum_buffer'\]"),
    (lambda sd: sd["state"][0].update(velocity=np.zeros(2)), "parameter 0 has .*velocity"),
    (lambda sd: sd["state"].update({7: {"momentum_buffer": np.zeros(2)}}), "names parameter 7, but there are 2"),
    (lambda sd: sd["param_groups"][0].pop("momentum"), r"missing hyper-parameters \['momentum'\]"),
    (lambda sd: sd["param_groups"][0].update(betas=(0.9, 0.99)), r"unexpected \['betas'\]"),
])
def test_optimizer_state_is_validated_before_anything_changes(damage, message):
    # the old load took every one of these: a wrong-shaped or missing buffer changed the results,
    # a float32 one failed later inside conv2d
    sd = _trained_sgd().state_dict()
    damage(sd)
    fresh = SGD([_param([0.0, 0.0]), _param([[0.0]])], lr=0.5, momentum=0.9)
    with pytest.raises(ValueError, match=message):
        fresh.load_state_dict(sd)
    assert fresh.state == {} and fresh.param_groups[0]["lr"] == 0.5


def test_scheduler_refuses_another_schedules_state():
    cosine = lr_scheduler.CosineAnnealingLR(_opt(), 10)
    step = lr_scheduler.MultiStepLR(_opt(), [5])
    with pytest.raises(ValueError, match="does not belong to this schedule"):
        step.load_state_dict(cosine.state_dict())
    warm = lr_scheduler.WarmupLR(lr_scheduler.MultiStepLR(_opt(), [5]), 0.01)
    with pytest.raises(ValueError, match="WarmupLR.load_state_dict"):
        warm.load_state_dict(step.state_dict())
