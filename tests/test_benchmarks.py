"""The benchmark scripts run (tiny settings: these check they work, not how fast)."""
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_train_step_benchmark_runs():
    run = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "train_step.py"), "--models", "resnet8",
                          "--batch", "4", "--steps", "1", "--warmup", "0", "--no-memory"],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "resnet8 train tinyres" in run.stdout and "resnet8 eval  tinyres" in run.stdout
    assert "GFLOP/s" in run.stdout


def test_gpu_benchmark_skips_cleanly_without_a_gpu():
    try:
        import cupy  # noqa: F401
        return
    except ImportError:
        pass
    run = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "train_step.py"), "--device", "cuda"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and run.stdout.startswith("skipped:") and 'pip install -e ".[gpu]"' in run.stdout
