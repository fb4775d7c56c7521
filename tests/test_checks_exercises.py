"""The exercise checks of lesson 11: each accepts the solution, rejects typical wrong answers
with the right hint, and says "not attempted" for a blank answer, never raising."""

from __future__ import annotations

import torch
from torch import nn

from course_utils.checks.base import CheckResult
from course_utils.checks.exercises import (
    EncoderDecoder,
    SweepRow,
    check_architecture,
    check_best_mode,
    check_colour,
    check_depth_vs_width,
    check_downsampling,
    check_sweep,
    check_unet,
    check_zero_code,
    downsampling_autoencoder,
    explain_error,
    loss_decreases,
    toy_images,
)
from course_utils.models import FCAutoencoder, UNetAutoencoder


def assert_fails(result: CheckResult, *words: str) -> None:
    assert isinstance(result, CheckResult)
    assert result.passed is False, str(result)
    for word in words:
        assert word.lower() in result.message.lower(), (word, str(result))


def assert_passes(result: CheckResult) -> None:
    assert result.passed is True, str(result)
    assert "Correct" in str(result)


def assert_blank(result: CheckResult) -> None:
    assert result.passed is None, str(result)
    assert "Not attempted" in str(result)


# --------------------------------------------------------------------------- solutions


def build_conv_ae(channels, kernel_size, code_channels):
    layers, previous = [], 1
    for c in channels:
        layers += [nn.Conv2d(previous, c, kernel_size, padding=kernel_size // 2), nn.ReLU(),
                   nn.MaxPool2d(2)]
        previous = c
    layers.append(nn.Conv2d(previous, code_channels, kernel_size=1))
    decoder = [nn.Conv2d(code_channels, channels[-1], kernel_size=1), nn.ReLU()]
    back = list(reversed(channels))
    for i, (a, b) in enumerate(zip(back, back[1:] + [1])):
        decoder += [nn.ConvTranspose2d(a, b, kernel_size=2, stride=2),
                    nn.Sigmoid() if i == len(back) - 1 else nn.ReLU()]
    return EncoderDecoder(nn.Sequential(*layers), nn.Sequential(*decoder))


def downsample_block(in_channels, out_channels, mode):
    if mode == "stride":
        return nn.Sequential(nn.Conv2d(in_channels, out_channels, 3, stride=2, padding=1),
                             nn.ReLU())
    pool = nn.MaxPool2d(2) if mode == "max" else nn.AvgPool2d(2)
    return nn.Sequential(nn.Conv2d(in_channels, out_channels, 3, padding=1), nn.ReLU(), pool)


def build_colour_ae():
    encoder = nn.Sequential(nn.Conv2d(3, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                            nn.Conv2d(64, 16, 1))
    decoder = nn.Sequential(nn.Conv2d(16, 64, 1), nn.ReLU(),
                            nn.ConvTranspose2d(64, 32, 2, stride=2), nn.ReLU(),
                            nn.ConvTranspose2d(32, 3, 2, stride=2), nn.Sigmoid())
    return EncoderDecoder(encoder, decoder)


def decode_from_zero_code(model, images):
    if getattr(model, "skips", False):
        z, skips = model.encode_with_skips(images)
        return model.decode(torch.zeros_like(z), skips)
    return model.decode(torch.zeros_like(model.encode(images)))


def build_wide():
    return FCAutoencoder((512, 16))


def build_deep():
    return FCAutoencoder((384, 256, 128, 16))


def blank_function(*args, **kwargs):
    return None


# --------------------------------------------------------------------------- blanks


def test_every_check_says_not_attempted_for_blank_answers():
    for check in (check_architecture, check_downsampling, check_colour, check_unet,
                  check_zero_code, check_sweep):
        assert_blank(check(None))
        assert_blank(check(...))
    assert_blank(check_architecture(blank_function))  # a scaffold that still returns None
    assert_blank(check_depth_vs_width(None, build_deep))
    assert_blank(check_depth_vs_width(build_wide, blank_function))
    assert_blank(check_best_mode(..., {"max": 0.1}))


def test_a_scaffold_with_ellipsis_left_in_is_not_attempted_not_an_error():
    def half_done(channels, kernel_size, code_channels):
        return EncoderDecoder(nn.Conv2d(1, ..., 3), nn.Identity())

    assert_blank(check_architecture(half_done))


def test_the_unet_scaffold_with_its_blanks_is_not_attempted():
    class Scaffold(UNetAutoencoder):  # lesson 11's MyUNet before the learner fills it in
        def __init__(self):
            super().__init__()
            self.merge2 = ...
            self.merge1 = ...

        def decode(self, z, skips):
            return None

    assert_blank(check_unet(Scaffold))


# --------------------------------------------------------------------------- exercise 1


def test_architecture_accepts_the_solution():
    assert_passes(check_architecture(build_conv_ae))


def test_architecture_rejects_padding_that_changes_the_size():
    def no_padding(channels, kernel_size, code_channels):
        model = build_conv_ae(channels, kernel_size, code_channels)
        for m in model.encoder:
            if isinstance(m, nn.Conv2d):
                m.padding = (0, 0)
        return model

    assert_fails(check_architecture(no_padding), "wrong output shape", "padding")


def test_architecture_rejects_an_ignored_kernel_size():
    def always_three(channels, kernel_size, code_channels):
        return build_conv_ae(channels, 3, code_channels)

    assert_fails(check_architecture(always_three), "wrong parameter count", "kernel_size")


def test_architecture_rejects_a_missing_sigmoid_and_a_wrong_code():
    def no_code_conv(channels, kernel_size, code_channels):
        model = build_conv_ae(channels, kernel_size, channels[-1])
        return model

    assert_fails(check_architecture(no_code_conv), "code shape wrong")

    def no_sigmoid(channels, kernel_size, code_channels):
        model = build_conv_ae(channels, kernel_size, code_channels)
        model.decoder[-1] = nn.Identity()
        return model

    assert_fails(check_architecture(no_sigmoid), "outside [0, 1]", "Sigmoid")


def test_an_unbounded_output_is_caught_even_when_images_stay_inside_0_1():
    """A decoder without a Sigmoid can, untrained, map every image into [0, 1] by chance
    (about one time in four for the model above); inputs far outside the pixel range
    show that its output is not bounded."""
    from course_utils.checks.exercises import _check_reconstruction

    class Shrink(nn.Module):  # images → [0.45, 0.55]: in range, but linear and unbounded
        def forward(self, x):
            return 0.5 + 0.1 * (x - 0.5)

    x = toy_images(4)
    with torch.no_grad():
        inside = Shrink()(x)
    assert inside.min() >= 0 and inside.max() <= 1
    assert_fails(_check_reconstruction(Shrink(), x, ""), "not bounded", "Sigmoid")
    assert _check_reconstruction(nn.Sequential(Shrink(), nn.Sigmoid()), x, "") is None


def test_architecture_rejects_a_model_whose_loss_cannot_decrease():
    def dead_output(channels, kernel_size, code_channels):
        model = build_conv_ae(channels, kernel_size, code_channels)
        model.decoder[-1] = nn.ReLU()  # a ReLU instead of the Sigmoid ...
        last = [m for m in model.decoder if isinstance(m, nn.ConvTranspose2d)][-1]
        nn.init.constant_(last.bias, -100.0)  # ... whose outputs are all zero
        return model

    result = loss_decreases(dead_output((8,), 3, 1), toy_images(4))
    assert_fails(result, "not decreasing", "ReLU")


def _row(channels, kernel, mse=0.01):
    return SweepRow(channels, kernel, 4 if len(channels) == 2 else 1, 1000, 196, mse, 0.02)


def test_sweep_needs_three_varied_configurations_with_equal_code_size():
    good = [_row((8,), 3), _row((16, 32), 3, 0.005), _row((16, 32), 5)]
    assert_passes(check_sweep(good))
    assert_fails(check_sweep(good[:2]), "at least three")
    only_kernels = [_row((16, 32), 3), _row((16, 32), 5), _row((16, 32), 7)]
    assert_fails(check_sweep(only_kernels), "channel counts", "depths")
    uneven = good[:2] + [SweepRow((8,), 5, 4, 1000, 784, 0.01, 0.0)]
    assert_fails(check_sweep(uneven), "code sizes")


# --------------------------------------------------------------------------- exercise 2


def test_downsampling_accepts_the_solution_and_the_autoencoder_fits():
    assert_passes(check_downsampling(downsample_block))
    model = downsampling_autoencoder(downsample_block, "stride")
    x = toy_images(2)
    assert model(x).shape == x.shape
    assert model.encode(x).shape == (2, 4, 7, 7)


def test_downsampling_rejects_a_strided_conv_without_padding():
    def unpadded(in_channels, out_channels, mode):
        if mode == "stride":
            return nn.Sequential(nn.Conv2d(in_channels, out_channels, 3, stride=2), nn.ReLU())
        return downsample_block(in_channels, out_channels, mode)

    assert_fails(check_downsampling(unpadded), "wrong output shape", "padding=1")


def test_downsampling_rejects_pooling_in_the_strided_mode_and_the_wrong_pool():
    def always_max(in_channels, out_channels, mode):
        return downsample_block(in_channels, out_channels, "max")

    assert_fails(check_downsampling(always_max), '"avg"', "AvgPool2d")

    def pooled_stride(in_channels, out_channels, mode):
        if mode == "stride":
            return nn.Sequential(nn.Conv2d(in_channels, out_channels, 3, stride=2, padding=1),
                                 nn.MaxPool2d(1))
        return downsample_block(in_channels, out_channels, mode)

    assert_fails(check_downsampling(pooled_stride), "no pooling")


def test_downsampling_rejects_unequal_budgets():
    def bigger_stride(in_channels, out_channels, mode):
        if mode == "stride":
            return nn.Sequential(nn.Conv2d(in_channels, out_channels, 4, stride=2, padding=1),
                                 nn.ReLU())
        return downsample_block(in_channels, out_channels, mode)

    assert_fails(check_downsampling(bigger_stride), "wrong parameter count")


def test_best_mode_compares_with_the_measured_results():
    results = {"max": 0.010, "avg": 0.012, "stride": 0.011}
    assert_passes(check_best_mode("max", results))
    assert_fails(check_best_mode("stride", results), "read the table")
    assert_fails(check_best_mode("pooling", results), "one of")


# --------------------------------------------------------------------------- exercise 3


def test_colour_accepts_the_solution():
    assert_passes(check_colour(build_colour_ae))


def test_colour_rejects_a_grayscale_input_layer():
    def grey_in():
        model = build_colour_ae()
        model.encoder[0] = nn.Conv2d(1, 32, 3, padding=1)
        return model

    assert_fails(check_colour(grey_in), "channels wrong for colour", "in_channels=3")


def test_colour_rejects_a_grayscale_output():
    def grey_out():
        model = build_colour_ae()
        model.decoder[4] = nn.ConvTranspose2d(32, 1, 2, stride=2)
        return model

    assert_fails(check_colour(grey_out), "channels wrong", "3 output channels")


def test_colour_rejects_a_code_as_big_as_the_image():
    def no_bottleneck():
        model = build_colour_ae()
        model.encoder[6] = nn.Conv2d(64, 192, 1)
        model.decoder[0] = nn.Conv2d(192, 64, 1)
        return model

    assert_fails(check_colour(no_bottleneck), "nothing is compressed")


# --------------------------------------------------------------------------- exercise 4


def test_unet_accepts_the_reference_and_rejects_the_plain_autoencoder():
    assert_passes(check_unet(UNetAutoencoder))
    assert_fails(check_unet(lambda: UNetAutoencoder(skips=False)), "skip connection missing")


def test_unet_rejects_a_residual_sum_instead_of_a_concatenation():
    class Added(UNetAutoencoder):
        def __init__(self):
            super().__init__(skips=False)

        def forward(self, x):
            s1 = self.down1(x)
            s2 = self.down2(self.pool(s1))
            h = self.up2(self.from_code(self.bottleneck(self.pool(s2)))) + s2
            h = self.up1(self.merge2(h)) + s1
            return self.merge1(h)

    assert_fails(check_unet(Added), "wrong parameter count", "instead of concatenating")


def test_unet_turns_a_concatenation_shape_mismatch_into_a_hint():
    class Mismatched(UNetAutoencoder):
        def decode(self, z, skips=None):
            s1, s2 = skips
            h = torch.cat([self.up2(self.from_code(z)), s1], dim=1)  # 14×14 with 28×28
            return self.merge1(self.up1(self.merge2(h)))

    assert_fails(check_unet(Mismatched), "shape mismatch", "torch.cat")


def test_unet_needs_a_named_bottleneck():
    class Anonymous(nn.Module):
        def forward(self, x):
            return x

    assert_fails(check_unet(Anonymous), "self.bottleneck")


def test_zero_code_accepts_the_solution_and_rejects_zeroing_the_skips_or_the_input():
    assert_passes(check_zero_code(decode_from_zero_code))
    assert_fails(check_zero_code(lambda m, x: m.decode(torch.zeros_like(m.encode(x)))),
                 "skip features too")
    assert_fails(check_zero_code(lambda m, x: m(torch.zeros_like(x))), "zeroed the input")
    assert_fails(check_zero_code(lambda m, x: m(x)), "not replaced")


# --------------------------------------------------------------------------- exercise 5


def test_depth_vs_width_accepts_the_solution():
    assert_passes(check_depth_vs_width(build_wide, build_deep))


def test_depth_vs_width_rejects_unfair_parameter_counts_and_shallow_or_wide_models():
    assert_fails(check_depth_vs_width(build_wide, lambda: FCAutoencoder((256, 128, 64, 16))),
                 "wrong parameter count", "widen")
    assert_fails(check_depth_vs_width(build_wide, lambda: FCAutoencoder((600, 16))),
                 "three hidden layers")
    assert_fails(check_depth_vs_width(build_wide, lambda: FCAutoencoder((512, 128, 64, 16))),
                 "narrower")
    assert_fails(check_depth_vs_width(lambda: FCAutoencoder((1024, 16)), build_deep),
                 "784 → 512 → 16")
    assert_fails(check_depth_vs_width(build_wide, lambda: FCAutoencoder((384, 256, 128, 32))),
                 "wrong code size")


def test_explain_error_names_the_problem():
    assert_fails(explain_error(RuntimeError(
        "Given groups=1, weight of size [16, 1, 3, 3], expected input[2, 3, 32, 32] to have "
        "1 channels, but got 3 channels instead")), "in_channels to 3")
    assert_fails(explain_error(RuntimeError(
        "mat1 and mat2 shapes cannot be multiplied (8x784 and 512x16)")), "in_features to 784")
    assert explain_error(TypeError("unsupported operand 'ellipsis'")).passed is None
    assert_fails(explain_error(KeyError("x")), "KeyError")


# --------------------------------------------------------------------------- the shared budget


def test_train_and_score_trains_with_the_budget_and_scores_with_mse(tmp_path, monkeypatch):
    from course_utils.checks.exercises import BUDGET, train_and_score
    from course_utils.data import ImageSet
    from course_utils.training import evaluate

    monkeypatch.setenv("COURSE_CHECKPOINT_DIR", str(tmp_path))
    monkeypatch.setenv("COURSE_PROGRESS", "0")
    images = toy_images(64)
    data = ImageSet(images, torch.zeros(64, dtype=torch.int64), source="toy blobs")
    torch.manual_seed(0)
    model = build_conv_ae((4,), 3, 1)
    score = train_and_score(model, "toy", data, data, epochs=2)
    assert score == evaluate(model, data, loss="mse")  # scored with MSE per pixel
    (saved,) = tmp_path.glob("toy-*.pt")
    history = torch.load(saved, weights_only=True)["history"]
    assert history["lr"][-1] < BUDGET["lr"] / 10  # the cosine schedule annealed the rate
    assert BUDGET["loss"] == "bce" and history["test_loss"][-1] > score  # BCE > MSE here
