"""Figure details a reader trips on: counted axes get integer ticks, and series too short for a
line get markers."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from tinyres.inspect import plots  # noqa: E402


import pytest  # noqa: E402


@pytest.mark.parametrize("xs", [[1, 2, 3], [2], [0, 50]])
def test_counted_axes_get_integer_ticks(xs):
    fig, ax = plt.subplots()
    ax.plot(xs, [1.0] * len(xs), "o")
    plots._integer_ticks(ax)
    fig.canvas.draw()
    ticks = [t for t in ax.get_xticks() if ax.get_xlim()[0] <= t <= ax.get_xlim()[1]]
    plt.close(fig)
    assert ticks and all(float(t).is_integer() for t in ticks)


def test_short_series_get_markers():
    assert plots._style(1, "-") == "-o" and plots._style(3, "--") == "--o"
    assert plots._style(4, "-") == "-"


def test_training_curves_with_one_point_per_curve_draw_markers(tmp_path, monkeypatch):
    drawn = []
    real = plt.Axes.plot

    def spy(self, *args, **kw):
        lines = real(self, *args, **kw)
        drawn.extend(lines)
        return lines

    monkeypatch.setattr(plt.Axes, "plot", spy)
    rows = {"plain8": [{"iteration": 4, "train_error": 0.9, "test_error": 0.88}],
            "resnet8": [{"iteration": 4, "train_error": 0.8, "test_error": 0.79}]}
    res = plots.plot_training_curves(rows, str(tmp_path / "c.png"))
    assert res.series == 4 and len(drawn) == 4
    assert all(line.get_marker() == "o" for line in drawn)
