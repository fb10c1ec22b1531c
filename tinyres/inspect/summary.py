"""Per-layer summary of a network: output shapes, parameters and multiply-adds.

Computed by tracing one forward pass (batch 1, eval mode, no graph) with forward hooks
on every leaf module. Multiply-adds are counted as the paper and torchvision count
them: convolutions and fully connected layers only (BN, ReLU, pooling and the residual
adds are a rounding error next to them).
    conv:   C_out * H_out * W_out * (C_in / groups) * kh * kw
    linear: in_features * out_features
"""
from __future__ import annotations

from dataclasses import dataclass

from .. import backend, nn
from ..i18n import _, pad, width
from ..tensor import no_grad

__all__ = ["summary", "Summary", "LayerRow", "multiply_adds"]


@dataclass
class LayerRow:
    name: str
    type: str
    output_shape: tuple
    params: int
    madds: int


@dataclass
class Summary:
    model_name: str
    input_shape: tuple
    rows: list
    total_params: int
    trainable_params: int
    total_madds: int

    def table(self, max_rows: int | None = None) -> str:
        head = " ".join([pad(_("layer"), 34), pad(_("type"), 18), pad(_("output shape"), 20),
                         pad(_("params"), 12, ">"), pad(_("mult-adds"), 15, ">")])
        rule = "-" * width(head)
        lines = [_("{model}  input {shape}", model=self.model_name, shape=self.input_shape), head, rule]
        rows = self.rows if max_rows is None or len(self.rows) <= max_rows else self.rows[:max_rows]
        for r in rows:
            lines.append(f"{r.name:<34} {r.type:<18} {str(r.output_shape):<20} {r.params:>12,} {r.madds:>15,}")
        if rows is not self.rows:
            lines.append(_("... {n} more layers", n=len(self.rows) - len(rows)))
        lines.append(rule)
        lines.append(_("total parameters: {total:,} ({trainable:,} trainable)", total=self.total_params,
                       trainable=self.trainable_params))
        lines.append(_("total multiply-adds: {total:,} ({short})", total=self.total_madds,
                       short=format_count(self.total_madds)))
        return "\n".join(lines)

    __str__ = table


def format_count(n: float) -> str:
    for unit, scale in (("G", 1e9), ("M", 1e6), ("K", 1e3)):
        if n >= scale:
            return f"{n / scale:.2f}{unit}"
    return str(int(n))


def multiply_adds(module, output_shape) -> int:
    """Multiply-adds of one sample through a leaf module, given its output shape (N, ...)."""
    if isinstance(module, nn.Conv2d):
        _batch, cout, ho, wo = output_shape
        kh, kw = module.kernel_size
        return cout * ho * wo * (module.in_channels // module.groups) * kh * kw
    if isinstance(module, nn.Linear):
        return module.in_features * module.out_features
    return 0


def summary(model, input_size=(3, 32, 32), device=None, model_name=None) -> Summary:
    """Trace one forward pass of a (1, *input_size) input; return the per-layer Summary."""
    device = backend.parse_device(device) if device is not None else model.device
    rows, handles = [], []
    for name, module in model.named_modules():
        if (next(module.children(), None) is not None or module is model
                or isinstance(module, (nn.ResidualFork, nn.ResidualJoin))):   # wiring, not layers
            continue

        def hook(m, inputs, out, name=name):
            own = sum(p.size for p in m.parameters(recurse=False))
            rows.append(LayerRow(name, type(m).__name__, out.shape[1:], own, multiply_adds(m, out.shape)))
        handles.append(module.register_forward_hook(hook))
    was_training = model.training
    dtype = next((backend.dtype_name(p.dtype) for p in model.parameters()), None)
    x = backend.host_random((1,) + tuple(input_size), dtype=dtype, device=device, generator=backend.generator(0))
    from ..tensor import Tensor
    try:
        model.eval()
        with no_grad():
            model(Tensor(x))
    finally:
        model.train(was_training)
        for h in handles:
            h.remove()
    total = sum(p.size for p in model.parameters())
    trainable = sum(p.size for p in model.parameters() if p.requires_grad)
    return Summary(model_name or type(model).__name__, (1,) + tuple(input_size), rows, total, trainable,
                   sum(r.madds for r in rows))
