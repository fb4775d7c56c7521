"""Every figure has a title and labelled axes."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import torch  # noqa: E402

from course_utils import viz  # noqa: E402
from course_utils.training import History  # noqa: E402


def teardown_function() -> None:
    plt.close("all")


def test_show_images_titles_and_captions() -> None:
    fig = viz.show_images(torch.rand(12, 1, 8, 8), title="digits", labels=list(range(12)),
                          columns=5)
    assert fig._suptitle.get_text() == "digits"
    assert len(fig.axes) == 15 and fig.axes[0].get_title() == "0"


def test_show_reconstructions_labels_rows_with_their_error() -> None:
    x = torch.rand(4, 3, 8, 8)
    fig = viz.show_reconstructions(x, {"copy": x.clone(), "zeros": torch.zeros_like(x)}, count=4)
    labels = [ax.get_ylabel() for ax in fig.axes if ax.get_ylabel()]
    assert labels[0] == "original" and "copy\nMSE 0.0000" in labels
    assert any(label.startswith("zeros\nMSE") for label in labels)


def test_plot_history_axes() -> None:
    h = History(train_loss=[0.3, 0.2], test_loss=[0.31, 0.25])
    fig = viz.plot_history({"a": h, "b": h}, title="curves", log_scale=True)
    ax = fig.axes[0]
    assert ax.get_title() == "curves" and ax.get_xlabel() == "epoch" and ax.get_ylabel()
    assert len(ax.get_lines()) == 4 and ax.get_yscale() == "log"


def test_plot_series_axes() -> None:
    fig = viz.plot_series({"x": [1, 2, 3]}, title="t", xlabel="code size", ylabel="MSE",
                          x=[10, 20, 30])
    ax = fig.axes[0]
    assert (ax.get_title(), ax.get_xlabel(), ax.get_ylabel()) == ("t", "code size", "MSE")


def test_outline_boxes_draws_one_rectangle_per_chosen_image_on_pixel_borders() -> None:
    from matplotlib.patches import Rectangle

    fig = viz.show_image_rows({"a": torch.rand(3, 1, 8, 8), "b": torch.rand(3, 1, 8, 8)},
                              title="holes")
    viz.outline_boxes(fig, [(1, 2, 3, 4), (0, 0, 8, 8), (5, 5, 2, 2)], rows=[1])
    patches = [[p for p in ax.patches if isinstance(p, Rectangle)] for ax in fig.axes]
    assert [len(p) for p in patches] == [0, 0, 0, 1, 1, 1]
    first = patches[3][0]
    assert first.get_xy() == (1.5, 0.5) and (first.get_width(), first.get_height()) == (4, 3)
    assert not first.get_fill()
