"""The lesson 05 explorers: pure functions over every slider setting, and the widgets' observers."""

from __future__ import annotations

import itertools
import re

import pytest
import torch

pytestmark = pytest.mark.filterwarnings("ignore:TF32 acceleration:UserWarning")

from course_utils import widgets as W
from course_utils.widgets import LAYERS, SLIDER_RANGES, explain_layer


def _all_settings():
    ranges = [range(lo, hi + 1) for lo, hi in SLIDER_RANGES.values()]
    return itertools.product(*ranges)


def test_every_slider_combination_agrees_with_pytorch_or_explains_why_not():
    """Every combination the sliders allow: the arithmetic's size equals a real layer's, or
    the explorer shows a plain "Not possible:" message and PyTorch refuses too (or returns
    an empty tensor). PyTorch runs on narrow 1×1×i×w inputs (same height, less work)."""
    counts = {"possible": 0, "not possible": 0}
    # oneDNN compiles a kernel for every new input shape (milliseconds each); PyTorch's
    # own kernels run these tiny inputs at once, after the same shape checks
    with torch.backends.mkldnn.flags(enabled=False):
        _check_all(counts)
    total = len(LAYERS) * 64 * 7 * 4 * 4 * 4 * 3
    assert counts["possible"] + counts["not possible"] == total == 430_080
    assert counts["possible"] > counts["not possible"] > 1000  # both kinds are exercised


def _check_all(counts: dict[str, int]) -> None:
    for layer in LAYERS:
        for size, kernel, stride, padding, output_padding, dilation in _all_settings():
            e = explain_layer(layer, size, kernel, stride, padding, output_padding, dilation,
                              narrow=True)
            assert e.agrees, str(e)
            if e.possible:
                counts["possible"] += 1
                assert e.result_line == f"output size: {e.output_size}"
                assert e.output_size >= 1
            else:
                counts["not possible"] += 1
                assert e.result_line.startswith("Not possible: ")
                assert "Traceback" not in e.result_line and len(e.problem) > 20
                assert e.pytorch_line.startswith(("PyTorch refuses: ", "PyTorch: returns an empty"))


def test_narrow_inputs_give_the_same_answer_as_square_ones():
    """The shortcut of the exhaustive test, checked on every 61st setting with square inputs."""
    with torch.backends.mkldnn.flags(enabled=False):
        _compare_narrow_and_square()


def _compare_narrow_and_square() -> None:
    for layer in LAYERS:
        for n, setting in enumerate(_all_settings()):
            if n % 61 == 0:
                square = W.pytorch_output_size(layer, *setting)
                narrow = W.pytorch_output_size(layer, *setting, narrow=True)
                assert isinstance(square, str) == isinstance(narrow, str), (layer, setting)
                if isinstance(square, int):
                    assert square == narrow, (layer, setting)


def test_the_worked_formula_evaluates_to_the_output_size_when_there_is_one():
    for layer in LAYERS:
        for size, kernel, stride, padding, a, dilation in [(14, 3, 2, 1, 1, 1), (7, 2, 2, 0, 0, 1),
                                                           (28, 5, 3, 2, 0, 2), (3, 3, 3, 0, 0, 1)]:
            e = explain_layer(layer, size, kernel, stride, padding, a, dilation)
            if e.possible:
                assert e.worked.endswith(f"= {e.output_size}"), e.worked


def test_known_examples_from_the_lesson():
    assert explain_layer("ConvTranspose2d", 14, 3, 2, 1, 1, 1).result_line == "output size: 28"
    assert explain_layer("ConvTranspose2d", 3, 3, 2, 0, 0, 1).output_size == 7
    assert explain_layer("Conv2d", 28, 3, 2, 1, 0, 1).output_size == 14
    assert explain_layer("MaxPool2d", 7, 2, 2, 0, 0, 1).output_size == 3
    assert explain_layer("Upsample + Conv2d", 3, 3, 3, 0, 0, 1).output_size == 7
    bad = explain_layer("ConvTranspose2d", 14, 3, 2, 1, 2, 1)
    assert not bad.possible and "output_padding" in bad.problem
    assert explain_layer("Conv2d", 3, 7, 1, 0, 0, 1).pytorch_size is None
    assert "ignored" in " ".join(explain_layer("Conv2d", 14, 3, 2, 1, 1, 1).notes)
    with pytest.raises(ValueError):
        explain_layer("Conv3d", 14, 3, 2, 1, 1, 1)


def test_pytorch_errors_become_one_short_line():
    message = W.pytorch_output_size("Conv2d", 2, 7, 1, 0, 0, 1)
    assert isinstance(message, str) and "\n" not in message and len(message) <= 200


@pytest.mark.parametrize("layer", LAYERS)
def test_diagram_canvas_has_the_size_the_kernel_slides_over(layer):
    """The drawn grid is exactly what a stride-``step`` kernel turns into the output size."""
    for size, kernel, stride, padding, a, dilation in itertools.product(
            range(1, 9), range(1, 8), range(1, 5), range(4), range(4), range(1, 4)):
        e = explain_layer(layer, size, kernel, stride, padding, a, dilation, narrow=True)
        if not e.possible:
            continue
        canvas = W.diagram_canvas(layer, size, kernel, stride, padding, a, dilation)
        span = canvas.taps[-1] + 1
        assert (len(canvas.cells) - span) // canvas.step + 1 == e.output_size, str(e)


def test_transposed_canvas_spreads_the_input_by_the_stride():
    canvas = W.diagram_canvas("ConvTranspose2d", 3, 3, 2, 0, 0, 1)
    # 2 padding cells, input, zero, input, zero, input, 2 padding cells
    assert canvas.cells == ("pad", "pad", "input", "zero", "input", "zero", "input", "pad", "pad")


def test_diagram_svg_is_small_and_skips_huge_grids():
    svg = W.diagram_svg("ConvTranspose2d", 14, 3, 2, 1, 1, 1)
    assert svg.startswith("<svg") and svg.endswith("</svg>") and len(svg) < 60_000
    assert "output (28×28)" in svg
    assert "no output" in W.diagram_svg("Conv2d", 2, 7, 1, 0, 0, 1)
    assert "<svg" not in W.diagram_svg("ConvTranspose2d", 64, 7, 4, 0, 3, 3)


def _text(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


def test_conv_explorer_default_state_and_slider_updates():
    box = W.conv_explorer()
    assert box.layer.value == "ConvTranspose2d"
    assert (box.size.value, box.kernel.value, box.stride.value, box.padding.value,
            box.output_padding.value, box.dilation.value) == (14, 3, 2, 1, 1, 1)
    assert box.size.description == "input size"
    assert "course-explorer-input-size" in box.size._dom_classes
    assert "course-explorer-result" in box.result._dom_classes
    assert "output size: 28" in _text(box.result.value)
    box.size.value = 15  # what the Right arrow key does in the browser
    assert "output size: 30" in _text(box.result.value)
    assert "(15 − 1)·2" in _text(box.formula.value)
    box.output_padding.value = 2
    assert _text(box.result.value).startswith("Not possible:")
    box.output_padding.value = 1
    box.layer.value = "Conv2d"
    assert "output size: 8" in _text(box.result.value)
    assert box.explanation().layer == "Conv2d"
    assert box.diagram.value.startswith("<svg")


def test_conv_explorer_starting_values_can_be_chosen():
    box = W.conv_explorer(layer="Conv2d", size=28, output_padding=0)
    assert "output size: 14" in _text(box.result.value)
    assert box.message.value == ""


def test_conv_explorer_has_controls_and_displays_dicts():
    box = W.conv_explorer()
    assert list(box.controls) == ["layer", "input size", "kernel", "stride", "padding",
                                  "output_padding", "dilation"]
    assert box.controls["input size"] is box.size and box.controls["layer"] is box.layer
    assert set(box.displays) == {"formula", "result", "diagram", "message"}
    assert box.displays["result"] is box.result


# --------------------------------------------------------------------------- bad inputs


@pytest.mark.parametrize("function", [W.explain_layer, W.diagram_svg, W.diagram_canvas])
@pytest.mark.parametrize("settings, name", [
    ((14, 3, 0, 1, 0, 1), "stride"),
    ((14, 3.7, 2, 1, 0, 1), "kernel"),
    ((None, 3, 2, 1, 0, 1), "size"),
    ((14, 3, 2, -1, 0, 1), "padding"),
    ((14, 3, 2, 1, 0, 0), "dilation"),
    ((14, 3, 2, 1, -1, 1), "output_padding"),
    ((0, 3, 2, 1, 0, 1), "size"),
    ((True, 3, 2, 1, 0, 1), "size"),
    ((14, "3", 2, 1, 0, 1), "kernel"),
    ((10**9, 3, 2, 1, 0, 1), "size"),
])
def test_pure_functions_refuse_bad_settings_with_a_message_that_names_them(function, settings,
                                                                            name):
    with pytest.raises(ValueError) as caught:
        function("ConvTranspose2d", *settings)
    message = str(caught.value)
    assert message.startswith(f"{name} must be a whole number"), message
    assert "got" in message and len(message) < 300


def test_pure_functions_take_numpy_and_torch_integers():
    import numpy as np

    plain = W.explain_layer("ConvTranspose2d", 14, 3, 2, 1, 1, 1)
    for convert in (np.int64, np.int32, torch.tensor):
        e = W.explain_layer("ConvTranspose2d", *(convert(v) for v in (14, 3, 2, 1, 1, 1)))
        assert e.output_size == plain.output_size == 28 and e.agrees
        assert type(e.size) is int and type(e.stride) is int
        assert W.diagram_svg("ConvTranspose2d", convert(14), 3, convert(2), 1, 1, 1) == \
            W.diagram_svg("ConvTranspose2d", 14, 3, 2, 1, 1, 1)


def test_a_float_setting_gets_a_hint_to_round_it():
    with pytest.raises(ValueError, match="3 or 4"):
        W.explain_layer("Conv2d", 14, 3.7, 2, 1, 0, 1)


def test_large_inputs_are_explained_without_building_huge_tensors():
    e = W.explain_layer("Upsample + Conv2d", 4000, 3, 8, 1, 0, 1)
    assert e.output_size == 32_000 and e.agrees


@pytest.mark.parametrize("initial, name", [({"size": None}, "size"), ({"kernel": 3.7}, "kernel"),
                                           ({"stride": 0}, "stride"), ({"size": 100}, "size"),
                                           ({"layer": "Conv3d"}, "layer"),
                                           ({"colour": "red"}, "colour")])
def test_conv_explorer_shows_a_message_for_bad_starting_values_never_a_traceback(initial, name):
    box = W.conv_explorer(**initial)
    message = _text(box.message.value)
    assert name in message and "instead" in message
    assert "output size: 28" in _text(box.result.value)  # it starts from the defaults
    box.size.value = 15
    assert "output size: 30" in _text(box.result.value)


def test_conv_explorer_takes_numpy_integers():
    import numpy as np

    box = W.conv_explorer(size=np.int64(20), stride=torch.tensor(2))
    assert box.size.value == 20 and box.message.value == ""
    assert "output size: 40" in _text(box.result.value)


def test_checkerboard_explorer_frames_equal_the_pure_function_at_every_end_and_the_middle():
    from course_utils.widgets.checkerboard import checkerboard_frame, shown_frame

    box = W.checkerboard_explorer()
    assert set(box.controls) == {"kernel", "stride", "input pixels"}
    assert "uneven" in shown_frame(box) and "course-kernel-note" in box.children[0].value
    seen = set()
    for stride in (1, 2, 4):
        box.stride.value = stride
        for kernel in (1, 4, 7):
            box.kernel.value = kernel
            shown = shown_frame(box)
            assert shown == checkerboard_frame(kernel, stride, 5) == box.frame(kernel, stride)
            assert f"k={kernel}, s={stride}" in shown and 'role="img"' in shown
            seen.add(shown)
    assert len(seen) == 9
    box.stride.value, box.kernel.value = 2, 4
    assert "even overlap" in shown_frame(box)
    box.kernel.value = 1
    assert "gaps" in shown_frame(box)
    for size in (1, 8):  # needs a kernel: frames are redrawn as they come into view
        box.size.value = size
        assert shown_frame(box) == checkerboard_frame(1, 2, size)
        box.stride.value, box.kernel.value = 4, 7
        assert shown_frame(box) == checkerboard_frame(7, 4, size)
        box.stride.value, box.kernel.value = 2, 1
    assert "course-needs-kernel" in box.size._dom_classes


def test_checkerboard_explorer_saved_state_stays_small():
    box = W.checkerboard_explorer()
    total = sum(len(frame.value) for stack in box.displays["frames"].children
                for frame in stack.children)
    assert total < 400_000, total


@pytest.mark.parametrize("arguments, name", [((3.7, 2), "kernel"), ((3, 0), "stride"),
                                              ((None, 2), "kernel"), ((3, True), "stride")])
def test_checkerboard_functions_refuse_bad_settings(arguments, name):
    with pytest.raises(ValueError, match=f"^{name} must be a whole number"):
        W.overlap_summary(*arguments)
    with pytest.raises(ValueError, match=f"^{name} must be a whole number"):
        W.overlap_svg(*arguments)
    box = W.checkerboard_explorer(*arguments)  # a message, never a traceback
    message = re.sub(r"<[^>]+>", "", box.displays["message"].value)
    assert message.startswith(f"{name} must be a whole number") and "instead" in message
    assert "k=3, s=2" in box.frame(box.kernel.value, box.stride.value)


def test_checkerboard_functions_take_numpy_and_torch_integers():
    import numpy as np

    assert W.overlap_svg(np.int64(3), torch.tensor(2), np.int32(5)) == W.overlap_svg(3, 2, 5)