"""Which way round a convolution's matrix product is fast with which OpenBLAS kernels, and what a
channels-last engine would buy: the measurements behind README Performance's "tried this round".

    python benchmarks/blas_layouts.py                      # as this environment sets OpenBLAS, and as it detects the CPU
    python benchmarks/blas_layouts.py --kernels auto       # only OpenBLAS's own pick for this CPU
    python benchmarks/blas_layouts.py --kernels auto,Haswell,SkylakeX
    python benchmarks/blas_layouts.py --batch 8 --reps 2   # a quick look

tinyres computes a convolution as W (Cout, K) @ columns (K, pixels): the output comes out channel
by channel (channels-first), as every tinyres activation is laid out. The same product the other
way round, rows (pixels, K) @ W^T (K, Cout), gives the output pixel by pixel (channels-last, NHWC).
BLAS libraries pick their kernels per CPU, and which orientation runs faster depends on them.

For each kernel set, one thread, in a child process of its own (OpenBLAS reads OPENBLAS_CORETYPE
and OPENBLAS_L2_SIZE once, when NumPy loads it): "env", this process's environment as it is (some
machines set OPENBLAS_CORETYPE for every process); "auto", both variables removed, so that OpenBLAS
picks the kernels for the CPU it detects; any other name, OPENBLAS_CORETYPE=name and no
OPENBLAS_L2_SIZE:
1. GEMM rates (GFLOP/s, median of --reps) for ResNet-20's three 3x3 convolution shapes at batch
   --batch, in batch chunks as tinyres builds them, both orientations; and a 2048 x 2048 product.
2. ResNet-20 at --batch: tinyres's training step and eval forward with conv2d channels-first and
   channels-last (``tinyres.ops.conv.LAYOUT``); and the eval forward of the prototype the
   channels-last route grew from, in plain NumPy (no autograd; im2col as one np.take gather from
   a zero-bordered buffer, GEMMs in batch chunks, batch norm and ReLU in place) with the same
   weights, its output checked equal to tinyres's (to float32 rounding): the floor for this layout.
"""
from __future__ import annotations

import argparse
import functools
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))

#: (Cout, Cin, map size) of ResNet-20's 3x3 convolutions, stage by stage
SHAPES = ((16, 16, 32), (32, 32, 16), (64, 64, 8))
#: pixels per GEMM chunk, as tinyres's column buffers (CHUNK_ELEMENTS / K) give at 16 channels
CHUNK_PIXELS = 16384


def _median_time(fn, reps):
    """Median CPU seconds of fn (one thread: the process's CPU time is the op's)."""
    from _common import median_seconds
    return median_seconds(fn, reps, time.process_time)


def gemm_rates(batch, reps):
    """{shape: (channels-first GFLOP/s, channels-last GFLOP/s)} and the square-product rate."""
    import numpy as np
    rng = np.random.default_rng(0)
    out = {}
    for cout, cin, size in SHAPES:
        k, pixels = 9 * cin, min(batch * size * size, CHUNK_PIXELS)
        w = rng.standard_normal((cout, k), dtype=np.float32)
        cols = rng.standard_normal((k, pixels), dtype=np.float32)          # tinyres's layout
        rows = np.ascontiguousarray(cols.T)                                # im2col pixel by pixel
        wt = np.ascontiguousarray(w.T)
        flops = 2 * cout * k * pixels / 1e9
        out[f"{cout}x{k}x{pixels}"] = (flops / _median_time(lambda: w @ cols, reps),
                                       flops / _median_time(lambda: rows @ wt, reps))
    a = rng.standard_normal((2048, 2048), dtype=np.float32)
    return out, 2 * 2048 ** 3 / 1e9 / _median_time(lambda: a @ a, max(2, reps // 3))


class ChannelsLastResNet:
    """A CIFAR ResNet's eval forward (option-A shortcuts) on (N, H, W, C) arrays in plain NumPy,
    from a tinyres model's weights: the prototype the README's figures come from."""

    def __init__(self, model):
        import numpy as np
        t = lambda p: np.asarray(p.data)                                  # noqa: E731
        self.np = np

        def conv_bn(conv, bn):
            w = t(conv.weight)                                            # (Cout, Cin, 3, 3)
            scale = t(bn.weight) / np.sqrt(t(bn.running_var) + bn.eps)
            # rows are laid out (ky, kx, Cin), so the weights go the same way round
            w_rows = np.ascontiguousarray(w.transpose(2, 3, 1, 0).reshape(-1, w.shape[0]))
            return w_rows, scale.astype(np.float32), (t(bn.bias) - t(bn.running_mean) * scale).astype(np.float32), \
                conv.stride[0]
        self.stem = conv_bn(model.conv1, model.bn1)
        self.blocks = []
        for stage in (model.layer1, model.layer2, model.layer3):
            for block in stage:
                short = block.downsample.out_channels if block.downsample is not None else None
                self.blocks.append((conv_bn(block.conv1, block.bn1), conv_bn(block.conv2, block.bn2), short))
        self.fc_w, self.fc_b = t(model.fc.weight), t(model.fc.bias)
        self.buffers = {}

    @functools.lru_cache(maxsize=None)
    def _gather_index(self, h, w, stride):
        """For every output pixel and 3x3 offset, the input's index in the zero-bordered (H+2)(W+2) map."""
        np = self.np
        ho, wo = (h - 1) // stride + 1, (w - 1) // stride + 1
        oy, ox, i, j = np.meshgrid(np.arange(ho), np.arange(wo), np.arange(3), np.arange(3), indexing="ij")
        return ((oy * stride + i) * (w + 2) + (ox * stride + j)).reshape(-1), ho, wo

    def _conv_bn(self, x, params, relu=True):
        np = self.np
        w_rows, scale, shift, stride = params
        n, h, w, c = x.shape
        idx, ho, wo = self._gather_index(h, w, stride)
        padded = self.buffers.get(("pad", h, w, c))
        if padded is None:                                                # zero border, made once
            padded = self.buffers[("pad", h, w, c)] = np.zeros((n, h + 2, w + 2, c), np.float32)
        padded[:, 1:h + 1, 1:w + 1, :] = x
        flat = padded.reshape(n, (h + 2) * (w + 2), c)
        per = max(1, CHUNK_PIXELS // (ho * wo))
        rows = self.buffers.get(("rows", ho, wo, c, per))
        if rows is None:
            rows = self.buffers[("rows", ho, wo, c, per)] = np.empty((per, ho * wo * 9, c), np.float32)
        y = np.empty((n, ho, wo, w_rows.shape[1]), np.float32)
        y3 = y.reshape(n, ho * wo, -1)
        for n0 in range(0, n, per):
            n1 = min(n, n0 + per)
            r = rows[:n1 - n0]
            np.take(flat[n0:n1], idx, axis=1, out=r, mode="clip")
            np.matmul(r.reshape(-1, 9 * c), w_rows, out=y3[n0:n1].reshape(-1, w_rows.shape[1]))
        y *= scale
        y += shift
        if relu:
            np.maximum(y, 0, out=y)
        return y

    def __call__(self, x_nchw):
        np = self.np
        h = self._conv_bn(np.ascontiguousarray(x_nchw.transpose(0, 2, 3, 1)), self.stem)
        for first, second, short in self.blocks:
            out = self._conv_bn(self._conv_bn(h, first), second, relu=False)
            if short is None:
                out += h
            else:                                                         # option A: subsample, pad channels
                front = (short - h.shape[3]) // 2
                out[..., front:front + h.shape[3]] += h[:, ::2, ::2, :]
            np.maximum(out, 0, out=out)
            h = out
        return h.mean(axis=(1, 2)) @ self.fc_w.T + self.fc_b


def layouts(batch, reps):
    """ResNet-20 at ``batch``: {"train"/"eval": {layout: ms}} for tinyres's two conv2d layouts, the
    prototype's eval (ms) and the largest relative difference of its logits from tinyres's."""
    import numpy as np
    import tinyres as tr
    import tinyres.functional as F
    from tinyres import models
    from tinyres.ops import conv
    rng = np.random.default_rng(0)
    x_host = rng.standard_normal((batch, 3, 32, 32)).astype(np.float32)
    x, y = tr.tensor(x_host), tr.tensor(rng.integers(0, 10, batch))
    out = {"train": {}, "eval": {}}
    saved = conv.LAYOUT
    try:
        for layout in ("channels_first", "channels_last"):
            conv.LAYOUT = layout
            tr.manual_seed(0)
            model = models.get_model("resnet20")
            opt = tr.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=1e-4)

            def step():
                loss = F.cross_entropy(model(x), y)
                opt.zero_grad()
                loss.backward()
                opt.step()
            out["train"][layout] = 1000 * _median_time(step, reps)
            model.eval()
            with tr.no_grad():
                out["eval"][layout] = 1000 * _median_time(lambda: model(x), reps)
                ours = np.asarray(model(x).data)
    finally:
        conv.LAYOUT = saved
    proto = ChannelsLastResNet(model)        # the trained model: non-trivial running statistics
    diff = float(np.abs(proto(x_host) - ours).max() / max(1e-30, float(np.abs(ours).max())))
    if diff > 1e-4:
        raise SystemExit(f"the channels-last prototype disagrees with tinyres (relative {diff:.2g})")
    return out, 1000 * _median_time(lambda: proto(x_host), reps), diff


def child(args):
    sys.path.insert(0, HERE)
    from _common import blas_kernels
    rates, square = gemm_rates(args.batch, args.reps)
    steps, proto, diff = layouts(args.batch, args.reps)
    print(json.dumps({"kernels": blas_kernels(), "rates": rates, "square": square, "steps": steps,
                      "proto_ms": proto, "rel_diff": diff}))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--kernels", default="env,auto",
                   help="kernel sets to compare: env (the environment as it is), auto (OpenBLAS detects the "
                        "CPU), or an OPENBLAS_CORETYPE name such as Haswell or SkylakeX (default: env,auto)")
    p.add_argument("--batch", type=int, default=128, help="images per batch (default: 128)")
    p.add_argument("--reps", type=int, default=7, help="timed repetitions per figure (default: 7)")
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        return child(args)
    try:
        with open("/proc/cpuinfo") as f:
            avx512 = " avx512f" in f.read()
    except OSError:
        avx512 = False
    print(f"one thread, batch {args.batch}, medians of {args.reps}, CPU time; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for kernel in args.kernels.split(","):
        env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
        if kernel != "env":
            env.pop("OPENBLAS_CORETYPE", None)
            env.pop("OPENBLAS_L2_SIZE", None)
        if kernel not in ("env", "auto"):
            if not avx512 and kernel.lower() in ("skylakex", "cooperlake", "sapphirerapids"):
                print(f"\n{kernel}: skipped, this CPU has no AVX-512")
                continue
            env["OPENBLAS_CORETYPE"] = kernel
        run = subprocess.run([sys.executable, __file__, "--child", "--batch", str(args.batch), "--reps",
                              str(args.reps)], env=env, capture_output=True, text=True)
        if run.returncode:
            print(f"\n{kernel}: failed\n{run.stderr[-2000:]}")
            continue
        r = json.loads(run.stdout.strip().splitlines()[-1])
        print(f"\n{kernel}: {r['kernels']}")
        print(f"  2048 x 2048 product: {r['square']:.0f} GFLOP/s")
        for shape, (first, last) in r["rates"].items():
            print(f"  conv GEMM {shape:>14} (Cout x K x pixels): W @ columns (channels-first) {first:5.0f} GFLOP/s, "
                  f"rows @ W^T (channels-last) {last:5.0f} GFLOP/s")
        for which in ("train", "eval"):
            t = r["steps"][which]
            print(f"  ResNet-20 {which:<5} tinyres channels-first {t['channels_first']:6.1f} ms, channels-last "
                  f"{t['channels_last']:6.1f} ms")
        print(f"  ResNet-20 eval  channels-last plain-NumPy prototype (no autograd) {r['proto_ms']:.1f} ms "
              f"(same logits to {r['rel_diff']:.1e} relative)")


if __name__ == "__main__":
    main()
