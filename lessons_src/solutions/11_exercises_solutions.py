# ---
# jupyter:
#   jupytext:
#     formats: notebooks///ipynb,lessons_src///py:percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 11 · Exercises: worked solutions
#
# These are worked solutions to the five exercises of
# [11 · Exercises](../11_exercises.ipynb). Try them yourself first: the exercise notebook
# checks your answers and gives hints. Here every answer is filled in, every check must pass
# (each is asserted), and the experiments run to the end, each beside PCA with the same
# number of code values.
#
# **What you will find here**
# - a convolutional autoencoder built from channel counts, a depth and a kernel size, and a
#   sweep of parameters against reconstruction error; why PCA wins at this code size,
#   measured;
# - max pooling, average pooling and strided convolution compared on one budget;
# - an autoencoder for colour images (CIFAR-10, or photo patches offline), in colour;
# - a U-Net style autoencoder, and why its skip connections make the bottleneck leaky;
# - wide-and-shallow against narrow-and-deep at an equal parameter count, and what a ReLU
#   on the code costs.
#
# **Time:** about two minutes of computing on one CPU core (every model is trained here,
# and the last code cell prints how long that took; a second run loads them from the
# checkpoint cache), plus the reading.
#
# **Prerequisites:** lessons 01–06.

# %% tags=["hide-input"] jupyter={"source_hidden": true}
# Setup on Colab or Kaggle: install the course when it is missing (elsewhere: nothing to do).
import importlib.util, os, subprocess, sys
if importlib.util.find_spec("course_utils") is None:
    source = os.environ.get("COURSE_INSTALL_SOURCE", "git+https://github.com/OWNER/REPO@v0.1.0")
    pip = [sys.executable, "-m", "pip", "install", "--quiet"]
    subprocess.run(pip + ["--no-deps", source], check=True)
    subprocess.run(pip + ['mlxtend', 'torchinfo'], check=True)
    importlib.invalidate_caches()
if "google.colab" in sys.modules:
    from google.colab import output
    output.enable_custom_widget_manager()

# %% [markdown]
# ## Setup
#
# One set of images for every MNIST experiment, and one budget (images, epochs, batch size,
# learning rate, schedule, loss) for every model, so that the errors can be compared. The
# next cell loads the data and prints the budget.

# %%
import inspect
import math
import time

import matplotlib.pyplot as plt
import numpy as np
import torch
from IPython.display import Code, display
from torch import nn

from course_utils.checks.exercises import (
    BUDGET,
    EncoderDecoder,
    check_architecture,
    check_best_mode,
    check_colour,
    check_depth_vs_width,
    check_downsampling,
    check_sweep,
    check_unet,
    check_zero_code,
    downsampling_autoencoder,
    run_sweep,
    sweep_table,
    train_and_score,
)
from course_utils.config import budget, seed_everything
from course_utils.data import CIFAR_STAND_IN_PHOTOS, load_cifar10, load_mnist
from course_utils.metrics import mse, pca_baseline
from course_utils.models import Autoencoder, FCAutoencoder, UNetAutoencoder
from course_utils.summary import count_parameters, macs_per_image
from course_utils.tables import table
from course_utils.training import encode_all, reconstruct
from course_utils.viz import show_reconstructions, use_house_style

use_house_style()
train_set = load_mnist("train").subset(budget(full=4_000, fast=1_500))
test_set = load_mnist("test").subset(budget(full=1_000, fast=300))
epochs = budget(full=3, fast=1)
training_start = time.process_time()  # CPU time: the last cell reports what training cost
print(f"{len(train_set):,} training and {len(test_set):,} test images: {train_set.source}")
print(f"budget for every conv model: {epochs} epoch(s) of batches of {BUDGET['batch_size']}, "
      f"Adam at lr {BUDGET['lr']:g} with a {BUDGET['scheduler']} schedule, trained with "
      f"{BUDGET['loss'].upper()}, scored with MSE per pixel")


def shape_text(t: torch.Tensor) -> str:
    """'4×7×7' for a batch of one."""
    return "×".join(map(str, t.shape[1:]))


# %% [markdown]
# Every model below is trained and scored by the same small function: it trains with
# binary cross-entropy, the loss that suits a Sigmoid output (its gradient does not vanish
# when the Sigmoid saturates), and scores with MSE per pixel, the error PCA minimises.
# `EncoderDecoder` turns any encoder and decoder into a course autoencoder (`encode`,
# `decode`, `forward`).

# %%
Code(inspect.getsource(train_and_score) + "\n\n" + inspect.getsource(EncoderDecoder),
     language="python")

# %% [markdown]
# ## Exercise 1 · Architecture exploration
#
# **The model.** `build_conv_ae(channels, kernel_size, code_channels)`: for every entry `c`
# of `channels`, a stage `Conv2d(previous, c, kernel_size, padding=kernel_size // 2)` → ReLU
# → `MaxPool2d(2)`; then a 1×1 convolution to `code_channels` (the code). The decoder
# mirrors it: a 1×1 convolution back to `channels[-1]` and ReLU, then one
# `ConvTranspose2d(kernel_size=2, stride=2)` per stage (ReLU between, Sigmoid at the end).
#
# `padding = kernel_size // 2` keeps the size for an odd kernel: (28 + 2·2 − 5)/1 + 1 = 28
# for k = 5. A transposed convolution with kernel 2 and stride 2 doubles it exactly:
# (14 − 1)·2 + 2 = 28.

# %% tags=["solution"]
def build_conv_ae(channels, kernel_size, code_channels):
    """A conv autoencoder: len(channels) stages down, a 1×1 code, the mirror image up."""
    layers, previous = [], 1
    for c in channels:
        layers += [nn.Conv2d(previous, c, kernel_size, padding=kernel_size // 2),  # same size
                   nn.ReLU(),
                   nn.MaxPool2d(2)]  # H×W → H/2×W/2
        previous = c
    layers.append(nn.Conv2d(previous, code_channels, kernel_size=1))  # → code_channels×h×w
    decoder = [nn.Conv2d(code_channels, channels[-1], kernel_size=1), nn.ReLU()]
    back = list(reversed(channels))
    for i, (a, b) in enumerate(zip(back, back[1:] + [1])):
        decoder += [nn.ConvTranspose2d(a, b, kernel_size=2, stride=2),  # h×w → 2h×2w
                    nn.Sigmoid() if i == len(back) - 1 else nn.ReLU()]
    return EncoderDecoder(nn.Sequential(*layers), nn.Sequential(*decoder))

# %% tags=["graded"] points=1
result = check_architecture(build_conv_ae)
print(result)
assert result.passed, result.message

# %% [markdown]
# **The sweep.** A fair sweep keeps the code size fixed: depth 1 leaves a 14×14 code per
# channel, depth 2 a 7×7 one, so one code channel at depth 1 and four at depth 2 both give
# 196 numbers per image (a 4× compression of the 784 pixels). Each configuration below
# differs from another one in exactly one thing: width ((8,) against (32,)), depth ((8,)
# against (8, 16)), kernel size ((8, 16) at 3 against 5). The next cell lists them and
# their sizes, before any training.

# %% tags=["nbval-check-output"]
sweep_configs = [
    dict(channels=(8,), kernel_size=3, code_channels=1),
    dict(channels=(32,), kernel_size=3, code_channels=1),
    dict(channels=(8, 16), kernel_size=3, code_channels=4),
    dict(channels=(8, 16), kernel_size=5, code_channels=4),
]
rows = []
for config in sweep_configs:
    model = build_conv_ae(**config)
    code = math.prod(model.encode(torch.zeros(1, 1, 28, 28)).shape[1:])
    rows.append([str(config["channels"]), len(config["channels"]), config["kernel_size"],
                 count_parameters(model), code])
table(["channels", "depth", "kernel", "parameters", "code size"], rows)

# %% [markdown]
# Now each configuration is trained on the same budget and scored on the test images,
# beside PCA with 196 components (the best *linear* autoencoder with the same code size).

# %%
sweep = run_sweep(build_conv_ae, sweep_configs, train_set, test_set, epochs=epochs)
display(sweep_table(sweep))

# %% tags=["graded"] points=1
result = check_sweep(sweep)
print(result)
assert result.passed, result.message

# %%
mean_mse = mse(train_set.images.mean(0, keepdim=True).expand_as(test_set.images),
               test_set.images)  # predicting the mean training image for every input
fig, ax = plt.subplots(figsize=(7, 4))
for r in sweep:
    ax.scatter(r.parameters, r.test_mse, s=40, marker="o" if r.depth == 1 else "s",
               color="C0" if r.kernel_size == 3 else "C3")
    ax.annotate(r.label, (r.parameters, r.test_mse), fontsize=7, xytext=(4, 4),
                textcoords="offset points")
ax.axhline(sweep[0].pca_mse, color="gray", ls="--", label=f"PCA, {sweep[0].code_size} components")
ax.axhline(mean_mse, color="gray", ls=":", label="the mean training image")
ax.set_xscale("log")
ax.set_yscale("log")
ax.set_xlabel("parameters (log scale)")
ax.set_ylabel("test MSE per pixel (log scale)")
ax.set_title(f"Exercise 1: parameters vs reconstruction error (code size {sweep[0].code_size})")
ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# The next cell reads the sweep one change at a time, and names the best and worst
# models.

# %%
by_label = {(r.channels, r.kernel_size): r.test_mse for r in sweep}
changes = {"width: 8 → 32 channels": (((8,), 3), ((32,), 3)),
           "depth: 1 → 2 stages": (((8,), 3), ((8, 16), 3)),
           "kernel: 3 → 5 (depth 2)": (((8, 16), 3), ((8, 16), 5))}
for change, (before, after) in changes.items():
    a, b = by_label[before], by_label[after]
    effect = f"{a / b:.2f}× lower error" if b < a else f"{b / a:.2f}× higher error"
    print(f"{change:>24}: test MSE {a:.4f} → {b:.4f} ({effect})")
best, worst = min(sweep, key=lambda r: r.test_mse), max(sweep, key=lambda r: r.test_mse)
largest = max(sweep, key=lambda r: r.parameters)
print(f"best:  {best.label}, {best.parameters:,} parameters, test MSE {best.test_mse:.4f}")
print(f"worst: {worst.label}, {worst.parameters:,} parameters, test MSE {worst.test_mse:.4f}")
print(f"the largest model {'is' if largest is best else 'is not'} the best one")
print(f"predicting the mean training image: test MSE {mean_mse:.4f}; the worst model's error "
      f"is {worst.test_mse / mean_mse:.0%} of that")

# %% [markdown]
# All were trained for the same few epochs, so the sweep ranks how far each gets on this
# budget as much as how good it can get; the lines above say which single change helped
# and by how much. Parameters alone do not decide it.
#
# ### Why PCA wins at 196 numbers
#
# A common expectation says a nonlinear autoencoder should beat a linear code of the same
# size. In the sweep above, PCA with the same 196 numbers beats every autoencoder (the
# first line below checks it). The next cell measures three reasons: how much of the digits' variance 196 principal components already keep; how many
# components PCA needs to match the best autoencoder; and how many of the 196 code numbers
# one output pixel of the best autoencoder can depend on (its gradient tells).

# %%
pca_196 = pca_baseline(train_set.images, 196)


def pca_errors(pca, images: torch.Tensor) -> np.ndarray:
    """Test MSE of PCA keeping the first k components, for k = 1 … n_components."""
    x = images.flatten(1).numpy()
    components, mean = pca.pca.components_, pca.pca.mean_
    codes = (x - mean) @ components.T  # N×n
    errors = []
    for k in range(1, len(components) + 1):
        recon = np.clip(mean + codes[:, :k] @ components[:k], 0, 1)
        errors.append(float(((recon - x) ** 2).mean()))
    return np.array(errors)


errors_by_k = pca_errors(pca_196, test_set.images)
match = int(np.argmax(errors_by_k <= best.test_mse)) + 1  # first k at or below the AE
seed_everything(0)
best_model = build_conv_ae(best.channels, best.kernel_size, best.code_channels)
train_and_score(best_model, "11_sweep", train_set, test_set, epochs=epochs)  # loads the weights
z = best_model.encode(test_set.images[:1]).detach().requires_grad_(True)  # 1×C×h×w
pixel = best_model.decode(z)[0, 0, 14, 14]  # one output pixel, in the middle
(grad,) = torch.autograd.grad(pixel, z)
reach = int((grad != 0).sum())
print(f"PCA (196) beats every autoencoder of the sweep: "
      f"{all(r.pca_mse < r.test_mse for r in sweep)}")
assert all(r.pca_mse < r.test_mse for r in sweep), "PCA-196 should beat every model of the sweep"
print(f"PCA with 196 components keeps {pca_196.explained_variance:.1%} of the training "
      f"images' variance")
print(f"PCA needs {match} component{'' if match == 1 else 's'} to match the best autoencoder's test MSE "
      f"({best.test_mse:.4f}); with 196 it reaches {errors_by_k[-1]:.4f}")
print(f"one output pixel of {best.label} depends on {reach} of its {best.code_size} code "
      f"numbers; each pixel of PCA's reconstruction depends on all {pca_196.n_components}")

# %% [markdown]
# Three measured reasons. First, 196 numbers is not a small code for a 28×28 digit: PCA
# keeps nearly all of the variance with it, so there is little left for nonlinearity to
# win. Second, the best autoencoder's 196 numbers are worth only as much as the number of
# principal components printed. Third, the decoder asked for is *local*: transposed
# convolutions with kernel 2 and stride 2 do not overlap, so every output pixel is drawn
# from the code numbers at its own position only (the count is printed), while a principal
# component spans the whole digit. A code that is a small image
# describes each region separately and cannot share what a region has in common with the
# rest of the digit. Autoencoders pull ahead of PCA at *small* codes with a flat code,
# where every code number sees the whole digit; lesson 10 puts such a model (20 numbers)
# beside PCA.

# %% [markdown]
# ## Exercise 2 · Stride vs pooling
#
# **The blocks.** `downsample_block(in_channels, out_channels, mode)` halves the height and
# width in one of three ways, each with exactly one 3×3 convolution, so all three cost the
# same parameters:
# - `"max"`: Conv 3×3 (padding 1) → ReLU → MaxPool2d(2): keep the strongest response of
#   each 2×2 window;
# - `"avg"`: the same with AvgPool2d(2): keep the mean;
# - `"stride"`: Conv 3×3 with stride 2 and padding 1 → ReLU: (28 + 2 − 3)//2 + 1 = 14; the
#   convolution learns how to downsample, and only visits every second position.

# %% tags=["solution"]
def downsample_block(in_channels, out_channels, mode):
    """Halve H and W: "max" or "avg" pooling after a 3×3 conv, or a stride-2 3×3 conv."""
    if mode == "stride":
        return nn.Sequential(
            nn.Conv2d(in_channels, out_channels, 3, stride=2, padding=1),  # H → H/2
            nn.ReLU())
    pool = nn.MaxPool2d(2) if mode == "max" else nn.AvgPool2d(2)
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, 3, padding=1),  # same size
        nn.ReLU(),
        pool)  # H → H/2

# %% tags=["graded"] points=1
result = check_downsampling(downsample_block)
print(result)
assert result.passed, result.message

# %% [markdown]
# The autoencoder around the blocks is fixed (two blocks, a 4×7×7 code, the decoder of
# exercise 1): only the downsampling changes.

# %%
Code(inspect.getsource(downsampling_autoencoder), language="python")

# %% [markdown]
# Before training, what the three cost: parameters, code shape and multiply-accumulates
# per image.

# %% tags=["nbval-check-output"]
rows = []
for mode in ("max", "avg", "stride"):
    model = downsampling_autoencoder(downsample_block, mode)
    z = model.encode(torch.zeros(1, 1, 28, 28))
    rows.append([mode, count_parameters(model), shape_text(z), macs_per_image(model)])
table(["downsampling", "parameters", "code", "MACs / image"], rows)

# %% [markdown]
# Train the three on the same budget and score them beside PCA at 196 components:

# %%
results = {}
for mode in ("max", "avg", "stride"):
    seed_everything(0)
    model = downsampling_autoencoder(downsample_block, mode)
    results[mode] = train_and_score(model, f"11_downsampling_{mode}", train_set, test_set,
                                    epochs=epochs)
pca_196_mse = pca_196.mse(test_set.images)
table(["downsampling", "test MSE", "PCA MSE (196)"],
      [[mode, value, pca_196_mse] for mode, value in results.items()])

# %% tags=["solution"]
# best_mode: the name of the downsampling ("max", "avg" or "stride") with the lowest test MSE
best_mode = min(results, key=results.get)

# %% tags=["graded"] points=1
result = check_best_mode(best_mode, results)
print(result)
assert result.passed, result.message

# %%
ranking = sorted(results, key=results.get)
print("ranking, best first: " + " < ".join(f"{m} ({results[m]:.4f})" for m in ranking))
print(f"the gap between best and worst: {results[ranking[-1]] / results[ranking[0]]:.2f}×")

# %% [markdown]
# The ranking above is for this budget and these images; it can change with more epochs or
# another seed, so treat small gaps as ties. What holds regardless is in the table before
# training: the three cost the same parameters, and the strided encoder does fewer
# multiply-accumulates, because its convolution only visits every second position. Pooling
# throws information away too: max pooling keeps the strongest response of each 2×2 window
# but not *where* it was, average pooling blurs; a strided convolution can learn what to
# keep. All three share the local decoder of exercise 1, and PCA with 196 components stays
# ahead of them for the reasons measured there.

# %% [markdown]
# ## Exercise 3 · Colour images (CIFAR-10)
#
# CIFAR-10 images are 3×32×32: three input channels, and 32 = 2·16 = 4·8, so two poolings
# give 8×8 with no rounding. The next cell loads them; without the internet CIFAR-10
# cannot be downloaded, and the cell says what takes its place.

# %%
cifar_train = load_cifar10("train").subset(budget(full=4_000, fast=1_000))
cifar_test = load_cifar10("test").subset(budget(full=500, fast=200))
print(f"{len(cifar_train):,} training and {len(cifar_test):,} test images of "
      f"{'×'.join(map(str, cifar_train.image_shape))}: {cifar_train.source}")
if cifar_train.is_fallback:
    print(f"These are not CIFAR-10 objects: each image is a 32×32 patch cut from one of "
          f"{len(CIFAR_STAND_IN_PHOTOS)} photographs that scikit-learn and scikit-image ship "
          f"({', '.join(CIFAR_STAND_IN_PHOTOS)}); its label says which photograph. Training "
          f"and test patches come from different parts of each photograph.")

# %% [markdown]
# **The model.** 3×32×32 → Conv(3→16) → pool → 16×16×16 → Conv(16→32) → pool → 32×8×8 →
# 1×1 conv → code 8×8×8 = 512 numbers (6× fewer than the 3,072 of the image), and back up to
# **3** channels with a Sigmoid.

# %% tags=["solution"]
def build_colour_ae():
    encoder = nn.Sequential(
        nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),   # 3×32×32 → 16×16×16
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),  # → 32×8×8
        nn.Conv2d(32, 8, 1))                                          # → code 8×8×8
    decoder = nn.Sequential(
        nn.Conv2d(8, 32, 1), nn.ReLU(),                                  # → 32×8×8
        nn.ConvTranspose2d(32, 16, 2, stride=2), nn.ReLU(),              # → 16×16×16
        nn.ConvTranspose2d(16, 3, 2, stride=2), nn.Sigmoid())            # → 3×32×32
    return EncoderDecoder(encoder, decoder)

# %% tags=["graded"] points=2
result = check_colour(build_colour_ae)
print(result)
assert result.passed, result.message

# %% [markdown]
# The next cell trains it (the same budget, with the colour images), and scores it beside
# PCA with as many components as the code has numbers, and beside the mean training image.

# %%
seed_everything(0)
colour_model = build_colour_ae()
colour_code = math.prod(colour_model.encode(cifar_test.images[:1]).shape[1:])
colour_mse = train_and_score(colour_model, "11_colour", cifar_train, cifar_test,
                             epochs=budget(full=3, fast=2))
colour_pca = pca_baseline(cifar_train.images, colour_code)
colour_pca_mse = colour_pca.mse(cifar_test.images)
mean_image = cifar_train.images.mean(0, keepdim=True).expand_as(cifar_test.images)
colour_mean_mse = mse(mean_image, cifar_test.images)
assert colour_mse < colour_mean_mse, "a trained colour autoencoder beats the mean image"
display(table(["model", "code size", "test MSE"],
              [["colour autoencoder", colour_code, colour_mse],
               ["PCA", colour_code, colour_pca_mse],
               ["the mean training image", 0, colour_mean_mse]]))
print(f"PCA with {colour_code} components keeps {colour_pca.explained_variance:.1%} of the "
      f"training images' variance; "
      + (f"PCA wins by {colour_mse / colour_pca_mse:.1f}×" if colour_pca_mse < colour_mse
         else f"the autoencoder wins by {colour_pca_mse / colour_mse:.1f}×"))

# %%
pick = torch.randperm(len(cifar_test), generator=torch.Generator().manual_seed(0))[:10]
originals = cifar_test.images[pick]  # 10 random test images
show_reconstructions(originals, {f"conv AE ({colour_code})": reconstruct(colour_model, originals),
                                 f"PCA ({colour_code})": colour_pca.reconstruct(originals)},
                     title=f"Exercise 3: colour reconstructions ({cifar_test.name} test images)")
plt.show()

# %% [markdown]
# Colour costs little in parameters: only the first and last layers see the three channels.
# The autoencoder's reconstructions are blocky, with some colours shifted: the decoder is
# local, each 4×4 block of output drawn from one of the 8×8 code positions, and the grid
# shows. Against PCA, the verdict printed above has the reasons of exercise 1: with 512 of
# the image's 3,072 numbers PCA keeps almost all the variance (printed), and every
# component spans the whole patch.

# %% [markdown]
# ## Exercise 4 · Skip connections
#
# **The model.** The U-Net keeps the encoder's feature maps, `s1` (16×28×28) and `s2`
# (32×14×14), and concatenates each into the decoder at the same resolution. The
# convolution after a concatenation reads both: 32 + 32 channels at 14×14, 16 + 16 at
# 28×28.

# %% tags=["solution"]
class MyUNet(Autoencoder):
    def __init__(self):
        super().__init__()
        self.down1 = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU())   # → s1 16×28×28
        self.down2 = nn.Sequential(nn.Conv2d(16, 32, 3, padding=1), nn.ReLU())  # → s2 32×14×14
        self.pool = nn.MaxPool2d(2)
        self.bottleneck = nn.Conv2d(32, 4, kernel_size=1)                      # → z 4×7×7
        self.from_code = nn.Sequential(nn.Conv2d(4, 32, 1), nn.ReLU())          # → 32×7×7
        self.up2 = nn.Sequential(nn.ConvTranspose2d(32, 32, 2, stride=2), nn.ReLU())  # → 32×14×14
        self.merge2 = nn.Sequential(nn.Conv2d(32 + 32, 16, 3, padding=1), nn.ReLU())  # → 16×14×14
        self.up1 = nn.Sequential(nn.ConvTranspose2d(16, 16, 2, stride=2), nn.ReLU())  # → 16×28×28
        self.merge1 = nn.Sequential(nn.Conv2d(16 + 16, 1, 3, padding=1), nn.Sigmoid())  # → 1×28×28

    def encode_with_skips(self, x):
        s1 = self.down1(x)
        s2 = self.down2(self.pool(s1))
        z = self.bottleneck(self.pool(s2))
        return z, [s1, s2]

    def encode(self, x):
        return self.encode_with_skips(x)[0]

    def decode(self, z, skips):
        s1, s2 = skips
        h = torch.cat([self.up2(self.from_code(z)), s2], dim=1)  # 64×14×14
        h = torch.cat([self.up1(self.merge2(h)), s1], dim=1)     # 32×28×28
        return self.merge1(h)                                    # 1×28×28

    def forward(self, x):
        z, skips = self.encode_with_skips(x)
        return self.decode(z, skips)

# %% tags=["graded"] points=1
result = check_unet(MyUNet)
print(result)
assert result.passed, result.message

# %% [markdown]
# The course's version, `course_utils.models.UNetAutoencoder`, is the same network; with
# `skips=False` it is the plain autoencoder we compare with (the same layers, no
# concatenations).

# %%
Code(inspect.getsource(UNetAutoencoder), language="python")

# %% tags=["nbval-check-output"]
for name, model in (("MyUNet", MyUNet()), ("plain autoencoder", UNetAutoencoder(skips=False))):
    z, (s1, s2) = model.encode_with_skips(torch.zeros(1, 1, 28, 28))
    print(f"{name:>17}: {count_parameters(model):,} parameters, code {shape_text(z)} = "
          f"{z[0].numel()} numbers; encoder features s1 {shape_text(s1)} = {s1[0].numel():,} "
          f"and s2 {shape_text(s2)} = {s2[0].numel():,} numbers")
print(f"s1 alone holds {s1[0].numel() / 784:g}× as many numbers as the 784 pixels of the image")

# %% [markdown]
# Train both on the same budget, and put PCA with as many components as the code has
# numbers beside them:

# %%
seed_everything(0)
unet = MyUNet()
unet_mse = train_and_score(unet, "11_unet", train_set, test_set, epochs=epochs)
seed_everything(0)
plain = UNetAutoencoder(skips=False)
plain_mse = train_and_score(plain, "11_plain", train_set, test_set, epochs=epochs)
display(table(["model", "code size", "test MSE"],
              [["U-Net", 196, unet_mse], ["plain autoencoder", 196, plain_mse],
               ["PCA", 196, pca_196_mse]]))
print(f"the skips cut the error {plain_mse / unet_mse:.1f}×; the U-Net "
      f"{'beats' if unet_mse < pca_196_mse else 'does not beat'} PCA (196), the plain "
      f"autoencoder {'beats' if plain_mse < pca_196_mse else 'does not beat'} it")
assert unet_mse < plain_mse, "the skips should lower the reconstruction error"

# %% [markdown]
# A large improvement, but is it the *code* that got better? Test it: replace the code by
# zeros and decode. For the U-Net, keep the encoder features (they are part of its input
# to the decoder); only the code goes.

# %% tags=["solution"]
def decode_from_zero_code(model, images):
    z, skips = model.encode_with_skips(images)
    return model.decode(torch.zeros_like(z), skips)

# %% tags=["graded"] points=1
result = check_zero_code(decode_from_zero_code)
print(result)
assert result.passed, result.message

# %%
images = test_set.images
shown = images[torch.randperm(len(images), generator=torch.Generator().manual_seed(0))[:10]]  # 10×1×28×28
with torch.no_grad():
    unet.eval()
    plain.eval()
    unet_zero = decode_from_zero_code(unet, images)
    plain_zero = decode_from_zero_code(plain, images)
unet_zero_mse, plain_zero_mse = mse(unet_zero, images), mse(plain_zero, images)
display(table(["model", "test MSE", "test MSE with the code zeroed"],
              [["U-Net", unet_mse, unet_zero_mse], ["plain autoencoder", plain_mse, plain_zero_mse]]))
print(f"with no code at all, the U-Net "
      f"{'still beats' if unet_zero_mse < plain_mse else 'no longer beats'} the plain "
      f"autoencoder *with* its code ({unet_zero_mse:.4f} vs {plain_mse:.4f})")
assert unet_zero_mse < plain_zero_mse, "the skips carry the image when the code is gone"

# %%
with torch.no_grad():
    show_reconstructions(shown, {"U-Net": unet(shown),
                                 "U-Net, code = 0": decode_from_zero_code(unet, shown),
                                 "plain": plain(shown),
                                 "plain, code = 0": decode_from_zero_code(plain, shown)},
                         title="Exercise 4: zero the code and decode (random test images)")
plt.show()

# %% [markdown]
# **Why the bottleneck leaks.** The U-Net has more parameters than the plain model (the
# concatenations double two convolutions' inputs), but that is not why it wins. Its code is
# 196 numbers, but `s1` alone holds many times as many numbers as the image (the sizes
# are printed above), and it reaches the last convolution directly. Trained to
# reconstruct, the U-Net learns to copy through the skips: with the code set to zero its
# reconstructions (third row) still show the digits, while the plain autoencoder's (last
# row) are one image for every input, because its code is the only way through. Read the
# comparison with PCA (196) above in that light: the U-Net's error is not the error of a
# 196-number code. So a U-Net's low reconstruction error says nothing
# about the quality of its code; it is the right tool when the output should keep the
# input's detail (segmentation, denoising, inpainting) and the wrong one for compression,
# features or anomaly scores.

# %% [markdown]
# ## Exercise 5 · Depth vs width
#
# Lesson 06 ([06 · Parameter comparison](../06_parameter_comparison.ipynb)) asks this
# question at a code of 32. The variant asked for here: a code of **16**, a wide model
# 784 → 512 → 16 → 512 → 784, and a narrow model with at least three hidden layers per
# side, each narrower than 512, within 10 % of the wide model's parameters. Solving
# `784·h + h·256 + 256·128 + 128·16` (and the mirror, biases left out) for the wide
# count gives h ≈ 360; the rounder 384 stays within the 10 % (the check prints the
# difference).

# %% tags=["solution"]
def build_wide():
    return FCAutoencoder((512, 16))  # 784 → 512 → 16 → 512 → 784


def build_deep():
    return FCAutoencoder((384, 256, 128, 16))  # 784 → 384 → 256 → 128 → 16 → … mirror

# %% tags=["graded"] points=2
result = check_depth_vs_width(build_wide, build_deep)
print(result)
assert result.passed, result.message

# %% tags=["nbval-check-output"]
for name, build in (("wide and shallow", build_wide), ("narrow and deep", build_deep)):
    model = build()
    widths = [784] + [m.out_features for m in model.encoder if isinstance(m, nn.Linear)]
    print(f"{name:>16}: {' → '.join(map(str, widths))} (mirrored), "
          f"{count_parameters(model):,} parameters")

# %% [markdown]
# Sixteen numbers is a small code, where an autoencoder is expected to have the edge over
# PCA, so the two models get a budget that suits fully connected layers: more epochs (they are
# cheap per step) and a lower learning rate (wide `Linear` layers are easy to push too
# far). The next cell trains both and scores them beside PCA with 16 components.

# %%
fc_epochs, fc_lr = budget(full=8, fast=2), 1e-3
fc_models, fc_results = {}, {}
for name, build in (("wide and shallow", build_wide), ("narrow and deep", build_deep)):
    seed_everything(0)
    fc_models[name] = build()
    fc_results[name] = train_and_score(fc_models[name], f"11_fc_{name.split()[0]}", train_set,
                                       test_set, epochs=fc_epochs, lr=fc_lr)
pca_16 = pca_baseline(train_set.images, 16).mse(test_set.images)
print(f"{fc_epochs} epochs at lr {fc_lr:g}, otherwise the same budget")
display(table(["model", "parameters", "test MSE", "PCA MSE (16)"],
              [[name, count_parameters(fc_models[name]), value, pca_16]
               for name, value in fc_results.items()]))
winner = min(fc_results, key=fc_results.get)
print(f"{winner} wins at equal parameters, by "
      f"{max(fc_results.values()) / min(fc_results.values()):.2f}×")
for name, value in fc_results.items():
    print(f"{name}: {'beats' if value < pca_16 else 'does not beat'} PCA with 16 components "
          f"({value:.4f} vs {pca_16:.4f})")

# %% [markdown]
# The last two lines say whether each model beats PCA with 16 components, and by how
# much. One thing that can hold an autoencoder back at this size: `FCAutoencoder` ends its
# encoder with a ReLU, so a code number can be switched off for
# every image: a *dead* unit, which carries nothing. The next cell counts the dead code
# units of both models on the test images, and puts each model beside PCA with as many
# components as the model has *living* code units.

# %%
rows = []
for name, model in fc_models.items():
    codes = encode_all(model, test_set)  # N×16, all ≥ 0 after the ReLU
    living = int(((codes > 0).sum(dim=0) > 0).sum())
    pca_living = pca_baseline(train_set.images, max(living, 1)).mse(test_set.images)
    rows.append([name, 16 - living, living, fc_results[name], pca_living, pca_16])
fc_dead = table(["model", "dead code units", "living code units", "test MSE",
                 "PCA MSE, as many components as living units", "PCA MSE (16)"], rows)
fc_dead

# %% [markdown]
# The ReLU on the code left only the living units to carry each digit, so each model
# really has a smaller code than its 16 numbers (the counts are in the table). Against
# PCA with as many components as it has living units, read the two error columns side by
# side: a model that beats PCA with as many components as its living units uses those
# units better than a linear code would, whatever its standing against PCA (16).
#
# Which shape wins at equal parameters is printed above; both models got the same images,
# epochs and learning rate, and the deep one has more layers for the gradient to cross.
# Going further 3 removes the ReLU from the code layer.

# %% [markdown]
# How long the experiments of this notebook took to compute (CPU time, measured; models
# loaded from the checkpoint cache cost almost nothing):

# %%
print(f"training and scoring every model above: {time.process_time() - training_start:.0f} s "
      f"of CPU time")

# %% [markdown]
# ## Summary
#
# - Exercise 1: at a fixed code size, parameters alone do not rank conv autoencoders; the
#   sweep measures width, depth and kernel size one change at a time. At 196 numbers PCA
#   wins, for measured reasons: it keeps nearly all the variance at that size, and the
#   decoder asked for is local.
# - Exercise 2: max pooling, average pooling and a strided convolution cost the same
#   parameters; the strided one costs the fewest multiply-accumulates, and the ranking of
#   their errors on this budget is printed above.
# - Exercise 3: colour needs 3 channels in and out and nothing else; 32×32 halves twice
#   without rounding.
# - Exercise 4: U-Net skips cut the reconstruction error, but the reconstruction bypasses
#   the code: zero the code and the U-Net still draws the digit.
# - Exercise 5: wide against deep at equal parameters and a code of 16, against PCA (the
#   winner is printed); a ReLU on the code kills some of its units, and PCA with as many
#   components as the living units is the fairer comparison.
#
# ## Going further
#
# 1. Double `epochs` in the setup cell: which rankings change?
# 2. Give the U-Net only the 14×14 skip (drop `s1`): how leaky is it then?
# 3. Build the models of exercise 5 with `EncoderDecoder`, without the ReLU after the code
#    layer. Do all 16 code numbers stay alive, and where does PCA (16) stand then?
# 4. Replace the transposed convolutions of exercise 1 by `Upsample` + `Conv2d` (lesson 05),
#    so that neighbouring code positions overlap in the output. Does the gap to PCA shrink?
