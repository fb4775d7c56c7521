"""The architecture builder of lesson 06: PyTorch's counts, every control, the site's frames."""

from __future__ import annotations

import pytest
import torch

pytestmark = pytest.mark.filterwarnings("ignore:TF32 acceleration:UserWarning")

from course_utils.arithmetic import trace_shapes
from course_utils.models import DeepConvAutoencoder, FCAutoencoder, FlatConvAutoencoder
from course_utils.summary import count_parameters, latent_size, macs_per_image
from course_utils.widgets import builder as B


@pytest.mark.parametrize("family, first, second, code, real", [
    (B.FC, 256, 128, 64, lambda: FCAutoencoder()),
    (B.FC, 300, 7, 32, lambda: FCAutoencoder(hidden_sizes=(300, 7, 32))),
    (B.GRID, 1, 1, 36, lambda: DeepConvAutoencoder(4)),
    (B.GRID, 1, 1, 576, lambda: DeepConvAutoencoder(64)),
    (B.FLAT, 16, 32, 36, lambda: FlatConvAutoencoder(36)),
    (B.FLAT, 8, 3, 5, lambda: FlatConvAutoencoder(5, channels=(8, 3))),
])
def test_counts_on_the_meta_device_equal_those_of_a_real_model(family, first, second, code,
                                                                real) -> None:
    arch = B.describe(family, first, second, code)
    model = real()
    assert arch.parameters == count_parameters(model)
    assert arch.macs == macs_per_image(model)
    assert arch.code_size == latent_size(model)
    trace = {row.name: row for row in trace_shapes(model, (1, 28, 28))}
    for layer in arch.layers:  # every row: the layer's own shape and parameters
        assert trace[layer.name].output_shape == layer.output_shape
        assert trace[layer.name].parameters == layer.parameters
    assert sum(layer.parameters for layer in arch.layers) == arch.parameters


def test_the_layers_next_to_the_code_skip_batchnorm() -> None:
    arch = B.describe(B.GRID, 1, 1, 576)
    # encoder.8 Conv2d(32, 64) and decoder.0 ConvTranspose2d(64, 64), not encoder.10 BatchNorm
    assert arch.code_layers == 18_496 + 36_928
    flat = B.describe(B.FLAT, 16, 32, 36)
    assert flat.code_layers == (1568 * 36 + 36) + (36 * 1568 + 1568)


@pytest.mark.parametrize("family, first, second, code, words", [
    (B.GRID, 16, 32, 10, "multiple of 9: 10 is not. Try 9 or 18."),
    (B.GRID, 16, 32, 4, "Try 9."),
    (B.FLAT, 300, 32, 36, "at most 256 channels"),
    ("transformer", 1, 1, 1, "Unknown family"),
    (B.FC, 0, 4, 4, "cannot be built"),
])
def test_settings_that_cannot_be_built_give_a_message(family, first, second, code,
                                                      words) -> None:
    message = B.describe(family, first, second, code)
    assert isinstance(message, str) and words in message
    shown = B.architecture_html(message)
    assert words.split(":")[0] in shown and "Traceback" not in shown


def test_every_control_at_its_ends_and_middle_shows_what_describe_computes() -> None:
    box = B.builder_explorer()
    assert set(box.controls) == {"compare at code", "family", "layer 1", "layer 2", "code size"}
    table = box.displays["table"]
    for family in B.FAMILIES:
        box.controls["family"].value = family
        assert (box.controls["layer 1"].value,
                box.controls["layer 2"].value) == B.DEFAULT_WIDTHS[family]
        for name in ("layer 1", "layer 2", "code size"):
            control = box.controls[name]
            low, high = control.min, control.max
            seen = set()
            for value in (low, (low + high) // 2, high, 36):
                control.value = value
                expected = B.architecture_html(B.describe(
                    family, box.controls["layer 1"].value, box.controls["layer 2"].value,
                    box.controls["code size"].value))
                assert table.value == expected and "Traceback" not in table.value
                seen.add(table.value)
            if family != B.GRID or name == "code size":  # the grid model's widths are fixed
                assert len(seen) >= 3, (family, name)
    # the grid model's widths are fixed: the sliders say so and are disabled
    box.controls["family"].value = B.GRID
    assert box.controls["layer 1"].disabled and "fixed at 16 and 32" in box.displays["hint"].value
    box.controls["family"].value = B.FC
    assert not box.controls["layer 1"].disabled


def test_the_site_frames_are_precomputed_and_follow_the_slider() -> None:
    box = B.builder_explorer()
    slider, stack = box.controls["compare at code"], box.displays["frames"]
    assert list(slider.options) == list(B.FRAME_CODES)
    frames = [child.value for child in stack.children]
    assert frames == [B.code_size_table(code) for code in B.FRAME_CODES]
    assert len(set(frames)) == len(frames)
    assert stack.selected_index == slider.index == B.FRAME_CODES.index(36)
    for index in (0, len(B.FRAME_CODES) // 2, len(B.FRAME_CODES) - 1):
        slider.index = index  # the browser shows frame `index` (jslink, no Python)
        assert stack.children[index].value == B.code_size_table(slider.value)
    # each frame holds the three families' counts at that code size
    frame = B.code_size_table(36)
    for family in B.FAMILIES:
        arch = B.describe(family, *B.DEFAULT_WIDTHS[family], 36)
        assert f"{arch.parameters:,}" in frame and f"{arch.macs:,}" in frame


def test_an_update_needs_no_real_weights() -> None:
    model = B.build(B.FC, 1024, 1024, 1024)
    assert next(model.parameters()).device.type == "meta"
    assert torch.device("meta") == next(B.build(B.FLAT, 256, 256, 1024).parameters()).device


def test_bench_builds_the_lessons_explorer() -> None:
    box = B.bench()
    assert box.controls["family"].value == B.FC and box.controls["code size"].value == 64
