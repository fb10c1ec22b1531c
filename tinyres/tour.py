"""``tinyres tour``: the main job. In a few minutes on a laptop CPU, on the built-in digits:

1. gradient flow at initialisation (and after a few steps) of plain-56 vs ResNet-56, with
   the identity/branch split at every residual block;
2. a short degradation run: plain-20, plain-56, ResNet-20, ResNet-56 trained the same way;
3. the parameter / multiply-add table of the paper's networks, recomputed.

It writes the figures, the metrics and ``report.html`` + ``report.md`` that show every
figure with a caption and the numbers measured, and prints where the report is.
"""
from __future__ import annotations

import html
import json
import os
import time

from . import backend
from .experiments import degradation, gradient_flow
from .i18n import _, get_lang
from .inspect.plots import conv_weight_norms
from .inspect.summary import format_count, summary
from .io import check_output_dir
from .models import get_model, input_size, model_info

__all__ = ["run_tour"]

PAPER_TABLE = {  # He et al. 2015: Table 1 (FLOPs = multiply-adds, ImageNet) and Table 6 (CIFAR-10 parameters);
    # the paper gives no parameter counts for the ImageNet nets nor FLOPs for the CIFAR ones: "not given"
    "resnet18": ("1.8G", None), "resnet34": ("3.6G", None), "resnet50": ("3.8G", None),
    "resnet101": ("7.6G", None), "resnet152": ("11.3G", None), "vgg19": ("19.6G", None),
    "resnet20": (None, "0.27M"), "resnet32": (None, "0.46M"), "resnet44": (None, "0.66M"),
    "resnet56": (None, "0.85M"), "resnet110": (None, "1.7M"),
}
NOT_GIVEN = "not given"      # kept in English in results.json; the report and the log translate it


def _paper(value):
    return _(NOT_GIVEN) if value == NOT_GIVEN else value


def _table_rows(quick):
    names = ["resnet20", "resnet56"] if quick else ["resnet20", "resnet56", "resnet110", "resnet18", "resnet34",
                                                     "resnet50", "resnet101", "resnet152"]
    rows = []
    for name in names:
        kw = {"stride_in_1x1": True} if "stride_in_1x1" in model_info(name).options else {}
        s = summary(get_model(name, **kw), (3, input_size(name), input_size(name)), device="cpu")
        paper_flops, paper_params = PAPER_TABLE.get(name, (None, None))
        paper_flops, paper_params = paper_flops or NOT_GIVEN, paper_params or NOT_GIVEN
        rows.append({"model": name, "input": f"{input_size(name)}x{input_size(name)}", "params": s.total_params,
                     "madds": s.total_madds, "paper_madds": paper_flops, "paper_params": paper_params})
    return rows


def run_tour(out="tinyres-out/tour", quick=False, device=None, seed=0, progress=True, log=print):
    t0 = time.perf_counter()
    device = backend.parse_device(device)
    check_output_dir(out)
    deep, shallow = ((("plain14", "resnet14"), ("plain8", "resnet8")) if quick
                     else (("plain56", "resnet56"), ("plain20", "resnet20")))
    if quick:
        log(_("tinyres tour on {device} (quick): output in {out}", device=device, out=out) + "\n")
    else:
        log(_("tinyres tour on {device}: output in {out}", device=device, out=out) + "\n")

    log(_("1/3 gradient flow at initialisation and after a few SGD steps"))
    steps = (0, 2) if quick else (0, 50)
    gf = gradient_flow([deep[0], deep[1]], steps, device=device, seed=seed, out=os.path.join(out, "gradflow"),
                       progress=progress, log=log, limit_train=128 if quick else None)
    flow = {}
    for name, trace in gf["traces"].items():
        rows = conv_weight_norms(trace["params"], 0)
        split = [r for r in trace["residual"] if r["step"] == 0]
        flow[name] = {"first": rows[0][2], "last": rows[-1][2], "ratio": rows[0][2] / rows[-1][2],
                      "identity_share": (sum(r["identity_norm"] for r in split) /
                                         sum(r["identity_norm"] + r["branch_norm"] for r in split)) if split else None}
        log("  " + _("{name}: |dL/dW| first conv {first:.3g}, last conv {last:.3g} (first/last {ratio:.3g})",
                     name=name, first=rows[0][2], last=rows[-1][2], ratio=flow[name]["ratio"]))

    log("\n" + _("2/3 degradation: the same recipe for plain and residual nets of two depths"))
    epochs = 1 if quick else 8
    deg = degradation([shallow[0], deep[0], shallow[1], deep[1]], epochs=epochs, device=device, seed=seed,
                      out=os.path.join(out, "degradation"), progress=progress, log=log,
                      limit_train=128 if quick else None, limit_test=128 if quick else None,
                      log_every=2 if quick else 5)

    log("\n" + _("3/3 parameters and multiply-adds, recomputed by tracing a forward pass"))
    table = _table_rows(quick)
    for r in table:
        log(f"  {r['model']:<10} {r['input']:>7}  " + _(
            "params {params:>12,} (paper {paper_params})  mult-adds {madds:>8} (paper {paper_madds})",
            params=r["params"], paper_params=_paper(r["paper_params"]), madds=format_count(r["madds"]),
            paper_madds=_paper(r["paper_madds"])))

    results = {"device": device, "quick": quick, "seed": seed, "gradient_flow": flow, "degradation": deg["final"],
               "table": table, "seconds": round(time.perf_counter() - t0, 1),
               "figures": {"gradflow": gf["figures"], "training_curves": deg["figure"]}}
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump(results, f, indent=1)
    md, page = _report(results, out, deep, shallow, steps, epochs)
    for path, text in (("report.md", md), ("report.html", page)):
        with open(os.path.join(out, path), "w", encoding="utf-8") as f:
            f.write(text)
    log("\n" + _("done in {seconds:.0f}s. Report: {path}", seconds=results["seconds"],
                 path=os.path.abspath(os.path.join(out, "report.html"))))
    return results


def _rel(path, out):
    return os.path.relpath(path, out)


def _report(res, out, deep, shallow, steps, epochs):
    """The same report as Markdown and as a standalone HTML page (figures by relative path)."""
    f = res["gradient_flow"]
    plain, resid = deep
    sections = []
    figs = res["figures"]["gradflow"]
    layer_fig = next(p for p in figs if "layer_norms" in p)
    split_fig = next(p for p in figs if "residual_split" in p and f"step{steps[0]}" in p)
    hist_fig = next(p for p in figs if "norm_history" in p)
    share = f[resid]["identity_share"]
    sections.append((_("Gradient flow per layer"), layer_fig,
                     _("Gradient norm of every convolution's weights, input side on the left, for {plain} (red) and "
                       "{resid} (blue), at initialisation and after {steps} SGD steps on batches of the 8x8 digits "
                       "(lesson 06 repeats this at 32x32). Measured at initialisation: first/last layer ratio "
                       "{plain_ratio:.3g} for {plain}, {resid_ratio:.3g} for {resid}.", plain=plain, resid=resid,
                       steps=steps[-1], plain_ratio=f[plain]["ratio"], resid_ratio=f[resid]["ratio"])))
    sections.append((_("Where each block's input gradient comes from"), split_fig,
                     _("For every residual block of {resid}: the gradient that reaches the block input through the "
                       "shortcut (blue; for an identity shortcut this is dL/dz itself, z = F(x) + x being the add, "
                       "the '+1' of dL/dx = dL/dz (dF/dx + 1)) and through the residual branch (orange); bottom: "
                       "their cosine. At initialisation the shortcut carries {share:.0f}% of the summed norms.",
                       resid=resid, share=100 * share)))
    sections.append((_("Gradient norm during training"), hist_fig,
                     _("First (solid) and last (dashed) conv layer's weight-gradient norm at every step.")))
    deg = res["degradation"]
    lines = "; ".join(_("{model}: train {train:.2f}%, test {test:.2f}%", model=m, train=100 * v["train_error"],
                        test=100 * v["test_error"]) for m, v in deg.items())
    gaps = ", ".join(_("{deep} minus {shallow}: {diff:+.1f} points", deep=d, shallow=s_,
                       diff=100 * (deg[d]["train_error"] - deg[s_]["train_error"]))
                     for s_, d in zip(shallow, deep) if s_ in deg and d in deg)
    quick_note = (" " + _("Quick mode: one epoch on 128 images, a few points per curve and no effect to see; run "
                          "without --quick for the real comparison.") if res["quick"] else "")
    sections.append((_("Degradation on the digits (one seed)"), res["figures"]["training_curves"],
                     _("Training (thin) and test (bold) error of {models} trained {epochs} epoch(s) on the 8x8 digits "
                       "with the same recipe (lr 0.02, /10 at half and three quarters). Final errors measured: "
                       "{lines}. Training error, deeper minus shallower: {gaps}. One seed and a short run: lessons "
                       "04 and 07 repeat this over three seeds.", models=", ".join(deg), epochs=epochs, lines=lines,
                       gaps=gaps) + quick_note))
    columns = [_("model"), _("input"), _("parameters (tinyres)"), _("parameters (paper)"),
               _("multiply-adds (tinyres)"), _("multiply-adds (paper)")]
    cells = [[r["model"], r["input"], f"{r['params']:,}", _paper(r["paper_params"]), format_count(r["madds"]),
              _paper(r["paper_madds"])] for r in res["table"]]
    table_md = ["| " + " | ".join(columns) + " |", "|---|---|---:|---:|---:|---:|"]
    table_md += ["| " + " | ".join(row) + " |" for row in cells]
    if res["quick"]:
        head = _("tinyres tour: ran on {device} in {seconds:.0f} s (quick mode), seed {seed}.",
                 device=res["device"], seconds=res["seconds"], seed=res["seed"])
    else:
        head = _("tinyres tour: ran on {device} in {seconds:.0f} s, seed {seed}.",
                 device=res["device"], seconds=res["seconds"], seed=res["seed"])
    table_title = _("Parameters and multiply-adds")
    table_note = _("Bottleneck models use the paper's stride placement (stride in the first 1x1). Paper: Table 1 "
                   "(ImageNet multiply-adds) and Table 6 (CIFAR-10 parameters).")
    md = [f"# tinyres tour\n\n{head}\n"]
    for title, fig, caption in sections:
        md.append(f"## {title}\n\n![{title}]({_rel(fig, out)})\n\n{caption}\n")
    md.append(f"## {table_title}\n\n{table_note}\n\n" + "\n".join(table_md) + "\n")
    body = [f"<h1>tinyres tour</h1><p>{html.escape(head)}</p>"]
    for title, fig, caption in sections:
        body.append(f"<h2>{html.escape(title)}</h2><figure><img src='{html.escape(_rel(fig, out))}' "
                    f"style='max-width:100%'><figcaption>{html.escape(caption)}</figcaption></figure>")
    right = "<td style='text-align:right'>"
    rows = "".join("<tr>" + "".join((right if i >= 2 else "<td>") + html.escape(c) + "</td>" for i, c in enumerate(row))
                   + "</tr>" for row in cells)
    body.append(f"<h2>{html.escape(table_title)}</h2><p>{html.escape(table_note)}</p>"
                "<table border='1' cellpadding='4' style='border-collapse:collapse'><tr>"
                + "".join(f"<th>{html.escape(c)}</th>" for c in columns) + f"</tr>{rows}</table>")
    page = (f"<!doctype html><html lang='{get_lang()}'><head><meta charset='utf-8'><title>tinyres tour</title><style>"
            "body{font-family:sans-serif;max-width:980px;margin:2em auto;line-height:1.45}figcaption{color:#444;"
            "font-size:.92em}</style></head><body>" + "\n".join(body) + "</body></html>\n")
    return "\n".join(md), page
