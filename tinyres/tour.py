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


def _table_rows(quick):
    names = ["resnet20", "resnet56"] if quick else ["resnet20", "resnet56", "resnet110", "resnet18", "resnet34",
                                                     "resnet50", "resnet101", "resnet152"]
    rows = []
    for name in names:
        kw = {"stride_in_1x1": True} if "stride_in_1x1" in model_info(name).options else {}
        s = summary(get_model(name, **kw), (3, input_size(name), input_size(name)), device="cpu")
        paper_flops, paper_params = PAPER_TABLE.get(name, (None, None))
        paper_flops, paper_params = paper_flops or "not given", paper_params or "not given"
        rows.append({"model": name, "input": f"{input_size(name)}x{input_size(name)}", "params": s.total_params,
                     "madds": s.total_madds, "paper_madds": paper_flops, "paper_params": paper_params})
    return rows


def run_tour(out="tinyres-out/tour", quick=False, device=None, seed=0, progress=True, log=print):
    t0 = time.perf_counter()
    device = backend.parse_device(device)
    check_output_dir(out)
    deep, shallow = ((("plain14", "resnet14"), ("plain8", "resnet8")) if quick
                     else (("plain56", "resnet56"), ("plain20", "resnet20")))
    log(f"tinyres tour on {device}{' (quick)' if quick else ''}: output in {out}\n")

    log("1/3 gradient flow at initialisation and after a few SGD steps")
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
        log(f"  {name}: |dL/dW| first conv {rows[0][2]:.3g}, last conv {rows[-1][2]:.3g} "
            f"(first/last {flow[name]['ratio']:.3g})")

    log("\n2/3 degradation: the same recipe for plain and residual nets of two depths")
    epochs = 1 if quick else 6
    deg = degradation([shallow[0], deep[0], shallow[1], deep[1]], epochs=epochs, device=device, seed=seed,
                      out=os.path.join(out, "degradation"), progress=progress, log=log,
                      limit_train=128 if quick else None, limit_test=128 if quick else None,
                      log_every=2 if quick else 5)

    log("\n3/3 parameters and multiply-adds, recomputed by tracing a forward pass")
    table = _table_rows(quick)
    for r in table:
        log(f"  {r['model']:<10} {r['input']:>7}  params {r['params']:>12,} (paper {r['paper_params']})  "
            f"mult-adds {format_count(r['madds']):>8} (paper {r['paper_madds']})")

    results = {"device": device, "quick": quick, "seed": seed, "gradient_flow": flow, "degradation": deg["final"],
               "table": table, "seconds": round(time.perf_counter() - t0, 1),
               "figures": {"gradflow": gf["figures"], "training_curves": deg["figure"]}}
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump(results, f, indent=1)
    md, page = _report(results, out, deep, shallow, steps, epochs)
    for path, text in (("report.md", md), ("report.html", page)):
        with open(os.path.join(out, path), "w") as f:
            f.write(text)
    log(f"\ndone in {results['seconds']:.0f}s. Report: {os.path.abspath(os.path.join(out, 'report.html'))}")
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
    sections.append(("Gradient flow per layer", layer_fig,
                     f"Gradient norm of every convolution's weights, input side on the left, for {plain} (red) and "
                     f"{resid} (blue), at initialisation and after {steps[-1]} SGD steps on batches of the 8x8 "
                     f"digits (lesson 06 repeats this at 32x32). "
                     f"Measured at initialisation: first/last layer ratio {f[plain]['ratio']:.3g} for {plain}, "
                     f"{f[resid]['ratio']:.3g} for {resid}."))
    sections.append(("Where each block's input gradient comes from", split_fig,
                     f"For every residual block of {resid}: the gradient that reaches the block input through the "
                     f"shortcut (blue; for an identity shortcut this is dL/dz itself, z = F(x) + x being the add, the "
                     f"'+1' of dL/dx = dL/dz (dF/dx + 1)) and through the residual branch (orange); bottom: their "
                     f"cosine. "
                     f"At initialisation the shortcut carries {100 * share:.0f}% of the summed norms."))
    sections.append(("Gradient norm during training", hist_fig,
                     "First (solid) and last (dashed) conv layer's weight-gradient norm at every step."))
    deg = res["degradation"]
    lines = "; ".join(f"{m}: train {100 * v['train_error']:.2f}%, test {100 * v['test_error']:.2f}%"
                      for m, v in deg.items())
    gaps = ", ".join(f"{d} minus {s_}: {100 * (deg[d]['train_error'] - deg[s_]['train_error']):+.1f} points"
                     for s_, d in zip(shallow, deep) if s_ in deg and d in deg)
    quick_note = (" Quick mode: one epoch on 128 images, a few points per curve and no effect to see; run without "
                  "--quick for the real comparison." if res["quick"] else "")
    sections.append(("Degradation on the digits (one seed)", res["figures"]["training_curves"],
                     f"Training (thin) and test (bold) error of {', '.join(deg)} trained {epochs} epoch(s) on the "
                     f"8x8 digits with the same recipe (lr 0.02, /10 at half and three quarters). Final errors "
                     f"measured: {lines}. Training error, deeper minus shallower: {gaps}. One seed and a short "
                     f"run: lessons 04 and 07 repeat this over three seeds.{quick_note}"))
    table_md = ["| model | input | parameters (tinyres) | parameters (paper) | multiply-adds (tinyres) | "
                "multiply-adds (paper) |", "|---|---|---:|---:|---:|---:|"]
    table_md += [f"| {r['model']} | {r['input']} | {r['params']:,} | {r['paper_params']} | {format_count(r['madds'])} | "
                 f"{r['paper_madds']} |" for r in res["table"]]
    head = (f"tinyres tour: ran on {res['device']} in {res['seconds']:.0f} s"
            f"{' (quick mode)' if res['quick'] else ''}, seed {res['seed']}.")
    md = [f"# tinyres tour\n\n{head}\n"]
    for title, fig, caption in sections:
        md.append(f"## {title}\n\n![{title}]({_rel(fig, out)})\n\n{caption}\n")
    md.append("## Parameters and multiply-adds\n\nBottleneck models use the paper's stride placement "
              "(stride in the first 1x1). Paper: Table 1 (ImageNet multiply-adds) and Table 6 (CIFAR-10 "
              "parameters).\n\n" + "\n".join(table_md) + "\n")
    body = [f"<h1>tinyres tour</h1><p>{html.escape(head)}</p>"]
    for title, fig, caption in sections:
        body.append(f"<h2>{html.escape(title)}</h2><figure><img src='{html.escape(_rel(fig, out))}' "
                    f"style='max-width:100%'><figcaption>{html.escape(caption)}</figcaption></figure>")
    rows = "".join(f"<tr><td>{r['model']}</td><td>{r['input']}</td><td style='text-align:right'>{r['params']:,}</td>"
                   f"<td style='text-align:right'>{r['paper_params']}</td>"
                   f"<td style='text-align:right'>{format_count(r['madds'])}</td><td style='text-align:right'>"
                   f"{r['paper_madds']}</td></tr>" for r in res["table"])
    body.append("<h2>Parameters and multiply-adds</h2><table border='1' cellpadding='4' style='border-collapse:collapse'>"
                "<tr><th>model</th><th>input</th><th>parameters (tinyres)</th><th>parameters (paper)</th>"
                "<th>multiply-adds (tinyres)</th><th>multiply-adds (paper)</th></tr>"
                f"{rows}</table>")
    page = ("<!doctype html><html><head><meta charset='utf-8'><title>tinyres tour</title><style>body{font-family:"
            "sans-serif;max-width:980px;margin:2em auto;line-height:1.45}figcaption{color:#444;font-size:.92em}"
            "</style></head><body>" + "\n".join(body) + "</body></html>\n")
    return "\n".join(md), page
