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
#   sweep of parameters against reconstruction error, each configuration trained from
#   three seeds so that a difference can be told from the luck of one run; why PCA wins at
#   this code size, measured;
# - max pooling, average pooling and strided convolution compared on one budget;
# - an autoencoder for colour images (CIFAR-10, or photo patches offline), in colour;
# - a U-Net style autoencoder, and why its skip connections make the bottleneck leaky;
# - wide-and-shallow against narrow-and-deep at an equal parameter count, three seeds
#   each, and what a ReLU on the code costs.
#
# **Time:** about 35 minutes: 18 to read, 10 for the code, and two to four minutes of
# computing on one CPU core (every model is trained here, most of them from three seeds; a
# second run loads them from the checkpoint cache).
#
# **Prerequisites:** lessons 01–06.

# %% jupyter={"source_hidden": true} tags=["hide-input"]
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
from IPython.display import Code, Markdown, display
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
from course_utils.verdicts import compare, number, rank
from course_utils.viz import show, show_reconstructions, use_house_style

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
# binary cross-entropy computed from the logits, the values just before the model's final
# `nn.Sigmoid` (so its gradient does not vanish where the Sigmoid saturates; lesson 04
# shows why), and scores with MSE per pixel, the error PCA minimises. That is why every
# model here ends with an `nn.Sigmoid()` layer, and why the checks insist on it.
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

# %% points=1 tags=["graded"]
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

# %% points=1 tags=["graded"]
result = check_sweep(sweep)
print(result)
assert result.passed, result.message

# %% [markdown]
# One run per configuration is one draw: the initial weights come from a seed, and another
# seed lands somewhere else. Before a difference between two configurations can count,
# we need to know how far runs of the *same* configuration lie apart. The next cell
# trains every configuration from two more seeds (initial weights from seeds 1 and 2, the
# rest of the budget unchanged) and measures the spread between seeds for each: its largest
# error over its smallest, minus one.

# %%
seed_sweeps = {0: sweep}
for seed in (1, 2):
    seed_sweeps[seed] = run_sweep(build_conv_ae, sweep_configs, train_set, test_set,
                                  epochs=epochs, seed=seed)
runs = {row.label: [seed_sweeps[s][i].test_mse for s in seed_sweeps]  # seeds 0, 1, 2
        for i, row in enumerate(sweep)}
mean_of = {label: sum(values) / len(values) for label, values in runs.items()}
spread_of = {label: (max(values) - min(values)) / min(values) for label, values in runs.items()}
table(["configuration", "parameters", "seed 0", "seed 1", "seed 2", "mean", "spread"],
      [[row.label, row.parameters, *runs[row.label], mean_of[row.label],
        f"{spread_of[row.label]:.1%}"] for row in sweep])

# %%
mean_image_mse = mse(train_set.images.mean(0, keepdim=True).expand_as(test_set.images),
                     test_set.images)  # predicting the mean training image for every input
fig, ax = plt.subplots(figsize=(7, 4))
for row in sweep:
    ax.scatter([row.parameters] * len(runs[row.label]), runs[row.label], s=30,
               marker="o" if row.depth == 1 else "s",
               color="C0" if row.kernel_size == 3 else "C3", alpha=0.7)
    ax.annotate(f"{row.channels}, k={row.kernel_size}", (row.parameters, mean_of[row.label]),
                fontsize=7, xytext=(6, 0), textcoords="offset points", va="center")
ax.axhline(sweep[0].pca_mse, color="gray", ls="--", label=f"PCA, {sweep[0].code_size} components")
ax.axhline(mean_image_mse, color="gray", ls=":", label="the mean training image")
ax.set_xscale("log")
ax.set_yscale("log")
ax.set_xlabel("parameters (log scale)")
ax.set_ylabel("test MSE per pixel (log scale)")
ax.set_title(f"Exercise 1: parameters vs reconstruction error, three seeds "
             f"(code size {sweep[0].code_size})")
ax.legend(fontsize=8)
show(fig, alt=f"Test error against parameter count for the {len(sweep)} configurations of "
              f"the sweep, one dot per seed (circles: one stage, squares: two; blue: kernel "
              f"3, red: kernel 5), with PCA-{sweep[0].code_size}'s error as a dashed line "
              f"and the mean training image's as a dotted line; both axes on a log scale.")

# %% [markdown]
# Each change of the sweep, judged on the mean of three seeds, with the larger spread of
# the two configurations as the noise band; then the largest model against the smallest.

# %%
def model_name(row) -> str:
    return f"the {row.channels} k={row.kernel_size} model"


lowest, highest = (min(sweep, key=lambda r: spread_of[r.label]),
                   max(sweep, key=lambda r: spread_of[r.label]))
display(Markdown(f"The spread between seeds runs from **{spread_of[lowest.label]:.1%}** "
                 f"({model_name(lowest)}) to **{spread_of[highest.label]:.1%}** "
                 f"({model_name(highest)})."))
for change, (before, after) in {"Width, 8 → 32 channels": (sweep[0], sweep[1]),
                                "Depth, 1 → 2 stages": (sweep[0], sweep[2]),
                                "Kernel, 3 → 5 (two stages)": (sweep[2], sweep[3])}.items():
    verdict = compare(model_name(after), mean_of[after.label], model_name(before),
                      mean_of[before.label], measure="mean test MSE (three seeds)",
                      spread=max(spread_of[after.label], spread_of[before.label]))
    display(Markdown(f"*{change}.* {verdict.text}"))
largest = max(sweep, key=lambda r: r.parameters)
smallest = min(sweep, key=lambda r: r.parameters)
display(Markdown(f"*The largest model ({largest.parameters:,} parameters) against the "
                 f"smallest ({smallest.parameters:,}).* " + compare(
                     model_name(largest), mean_of[largest.label], model_name(smallest),
                     mean_of[smallest.label], measure="mean test MSE (three seeds)",
                     spread=max(spread_of[largest.label], spread_of[smallest.label])).text))

# %% [markdown]
# Every model got the same few epochs, so the sweep ranks how far each gets on this budget
# as much as how good it could get. A change whose effect is smaller than the spread
# between seeds is not a finding yet: it needs more seeds, or a longer budget that lets
# every run settle. Parameters alone do not rank the models, and one run per configuration
# cannot either.
#
# ### Why PCA wins at 196 numbers
#
# A common expectation says a nonlinear autoencoder should beat a linear code of the same
# size. In this sweep, PCA with the same 196 numbers beats every autoencoder, at every
# seed. The next cell measures three reasons: how much of the digits' variance 196
# principal components already keep; how many components PCA needs to match the best
# configuration (the lowest mean over three seeds, its seed-0 model); and how many of the
# 196 code numbers one output pixel of that autoencoder can depend on (its gradient
# tells).

# %% jupyter={"source_hidden": true} tags=["hide-input"]
assert all(value > sweep[0].pca_mse for values in runs.values() for value in values), \
    "PCA-196 should beat every model of the sweep, at every seed"

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


best = next(row for row in sweep if row.label == min(mean_of, key=mean_of.get))
errors_by_k = pca_errors(pca_196, test_set.images)
match = int(np.argmax(errors_by_k <= best.test_mse)) + 1  # first k at or below the AE
seed_everything(0)
best_model = build_conv_ae(best.channels, best.kernel_size, best.code_channels)
train_and_score(best_model, "11_sweep", train_set, test_set, epochs=epochs)  # loads the weights
z = best_model.encode(test_set.images[:1]).detach().requires_grad_(True)  # 1×C×h×w
pixel = best_model.decode(z)[0, 0, 14, 14]  # one output pixel, in the middle
(grad,) = torch.autograd.grad(pixel, z)
reach = int((grad != 0).sum())
Markdown(f"PCA with 196 components keeps **{pca_196.explained_variance:.1%}** of the training "
         f"images' variance. The best configuration, {best.label}, reaches a test MSE of "
         f"{number(best.test_mse)} (seed 0); PCA needs only **{match}** of its components to "
         f"get there, and reaches {number(errors_by_k[-1])} with all 196. One output pixel of "
         f"that autoencoder depends on **{reach}** of its {best.code_size} code numbers; each "
         f"pixel of PCA's reconstruction depends on all {pca_196.n_components}.")

# %% jupyter={"source_hidden": true} tags=["hide-input"]
assert pca_196.explained_variance > 0.9, "196 components keep most of the variance"
assert match <= 196 // 2 and reach < best.code_size, "the code is worth far fewer components"

# %% [markdown]
# Three measured reasons. First, 196 numbers is not a small code for a 28×28 digit: PCA
# keeps nearly all of the variance with it, so there is little left for nonlinearity to
# win. Second, the best autoencoder's 196 numbers are worth far fewer principal
# components. Third, the decoder asked for is *local*: transposed convolutions with kernel
# 2 and stride 2 do not overlap, so every output pixel is drawn from the code numbers at
# its own position only, while a principal component spans the whole digit. A code that
# is a small image describes each region separately and cannot share what a region has in
# common with the rest of the digit. Autoencoders pull ahead of PCA at *small* codes with
# a flat code, where every code number sees the whole digit; lesson 10 puts such a model
# (20 numbers) beside PCA.

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

# %% points=1 tags=["graded"]
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
# per image. The three have the same 7,221 parameters; the strided encoder does a third of
# the multiply-accumulates (379,456 against 1,141,504 per image), because its convolutions
# visit every second position only.

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

# %% points=1 tags=["graded"]
result = check_best_mode(best_mode, results)
print(result)
assert result.passed, result.message

# %% [markdown]
# The check asks which mode did best *in this run*. Whether that is a finding depends on
# the noise: these are single runs, one seed each. Exercise 1 measured how far two-stage
# autoencoders on this same budget land apart from one seed to the next; the larger of its
# two two-stage spreads is the noise band for the ranking below.

# %%
two_stage_spread = max(spread_of[row.label] for row in sweep if row.depth == 2)
rank(results, measure="test MSE (seed 0)", spread=two_stage_spread)

# %% jupyter={"source_hidden": true} tags=["hide-input"]
assert all(value > pca_196_mse for value in results.values()), "PCA-196 stays ahead"

# %% [markdown]
# What holds for any seed is the cost: the same parameters, and a third of the
# multiply-accumulates for the strided encoder. Pooling throws information away too: max
# pooling keeps the strongest response of each 2×2 window but not *where* it was, average
# pooling blurs; a strided convolution can learn what to keep. All three share the local
# decoder of exercise 1, and PCA with 196 components stays ahead of every one of them, for
# the reasons measured there.

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

# %% points=2 tags=["graded"]
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
display(table(["model", "code size", "test MSE"],
              [["colour autoencoder", colour_code, colour_mse],
               ["PCA", colour_code, colour_pca_mse],
               ["the mean training image", 0, colour_mean_mse]]))
display(compare("the colour autoencoder", colour_mse, f"PCA-{colour_code}", colour_pca_mse,
                tie_within=0.1))
Markdown(f"PCA with {colour_code} components keeps **{colour_pca.explained_variance:.1%}** of "
         f"the training images' variance.")

# %% jupyter={"source_hidden": true} tags=["hide-input"]
assert colour_mse < colour_mean_mse, "a trained colour autoencoder beats the mean image"
assert colour_pca.explained_variance > 0.9, "512 components keep nearly all the variance"

# %% [markdown]
# Ten random test images, each above its reconstruction by the autoencoder and by PCA with
# the same number of code values:

# %%
pick = torch.randperm(len(cifar_test), generator=torch.Generator().manual_seed(0))[:10]
originals = cifar_test.images[pick]  # 10 random test images
show(show_reconstructions(
         originals, {f"conv AE ({colour_code})": reconstruct(colour_model, originals),
                     f"PCA ({colour_code})": colour_pca.reconstruct(originals)},
         title=f"Exercise 3: colour reconstructions ({cifar_test.name} test images)"),
     alt=f"Top row: ten random colour test images, {cifar_test.name}. Middle row: their "
         f"reconstructions by the colour autoencoder; bottom row: by PCA with {colour_code} "
         f"components; each row labelled with its MSE.")

# %% [markdown]
# Colour costs little in parameters: only the first and last layers see the three channels.
# The autoencoder's reconstructions are blocky: the decoder is local, each 4×4 block of
# output drawn from one of the 8×8 code positions, and the grid shows. Two things favour
# PCA here, both met in exercise 1: 512 numbers, a sixth of the image's 3,072, is a large
# code, with which PCA keeps nearly all the variance; and every principal component spans
# the whole patch, while each block of the autoencoder's output sees one code position.

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

# %% points=1 tags=["graded"]
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
for name, value in (("the U-Net", unet_mse), ("the plain autoencoder", plain_mse)):
    display(compare(name, value, "PCA-196", pca_196_mse, tie_within=0.1))
Markdown(f"The skips cut the test MSE **{plain_mse / unet_mse:.1f}×**, from "
         f"{number(plain_mse)} to {number(unet_mse)}.")

# %% jupyter={"source_hidden": true} tags=["hide-input"]
assert unet_mse < plain_mse / 2, "the skips should cut the reconstruction error"

# %% [markdown]
# A large improvement, but is it the *code* that got better? Test it: replace the code by
# zeros and decode. For the U-Net, keep the encoder features (they are part of its input
# to the decoder); only the code goes.

# %% tags=["solution"]
def decode_from_zero_code(model, images):
    z, skips = model.encode_with_skips(images)
    return model.decode(torch.zeros_like(z), skips)

# %% points=1 tags=["graded"]
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
compare("the U-Net with its code zeroed", unet_zero_mse, "the plain autoencoder with its code",
        plain_mse, tie_within=0.1)

# %% jupyter={"source_hidden": true} tags=["hide-input"]
assert unet_zero_mse < plain_zero_mse / 2, "the skips carry the image when the code is gone"
assert unet_zero_mse < plain_mse, "without its code, the U-Net still beats the plain model with it"
assert torch.allclose(plain_zero, plain_zero[:1].expand_as(plain_zero)), \
    "without its code, the plain decoder draws one image for every input"

# %% [markdown]
# Ten random test images, and what each model makes of them with and without its code:

# %%
with torch.no_grad():
    figure = show_reconstructions(
        shown, {"U-Net": unet(shown), "U-Net, code = 0": decode_from_zero_code(unet, shown),
                "plain": plain(shown), "plain, code = 0": decode_from_zero_code(plain, shown)},
        title="Exercise 4: zero the code and decode (random test images)")
show(figure, alt="Ten random test digits in the top row; below them the U-Net's "
                 "reconstructions with its code and with its code set to zero, then the plain "
                 "autoencoder's with its code and with its code set to zero, each row labelled "
                 "with its MSE.")

# %% [markdown]
# **Why the bottleneck leaks.** The U-Net has more parameters than the plain model (19,781
# against 15,029: the concatenations double two convolutions' inputs), but that is not
# why it wins. Its code is 196 numbers, but `s1` alone holds 12,544 numbers, 16 times the
# 784 pixels of the image, and it reaches the last convolution directly. Trained to
# reconstruct, the U-Net learns to copy through the skips: with the code set to zero its
# reconstructions (third row) still show the digits, while the plain autoencoder's (last
# row) are one and the same image for every input, because its code is the only way
# through. So the U-Net's error beside PCA-196's is not the error of a 196-number code,
# and a U-Net's low reconstruction error says nothing about the quality of its code; it is
# the right tool when the output should keep the input's detail (segmentation, denoising,
# inpainting) and the wrong one for compression, features or anomaly scores.

# %% [markdown]
# ## Exercise 5 · Depth vs width
#
# The common text version of this exercise compares 784 → 1024 → 32 → 1024 → 784 with
# 784 → 256 → 128 → 64 → 32 and its mirror, and asks for similar parameter counts. Those
# two are far from similar: 1,674,032 parameters against 489,136, 3.4 times as many (the
# next cell counts them), so one of them has to change anyway. The course changes the wide
# one, to a layer of **512** and a code of **16**. Half the width halves the
# multiply-accumulates of every training step, which lets both models train from three
# seeds each within the few minutes a notebook may take on one CPU core; and lesson 06
# ([06 · Parameter comparison](../06_parameter_comparison.ipynb)) already compares depth
# and width at a code of 36, so a code of 16 asks the question where the course has not
# answered it.

# %% tags=["nbval-check-output"]
stated = {"wide, common text": (1024, 32), "deep, common text": (256, 128, 64, 32),
          "wide, this course": (512, 16)}
table(["model", "widths (mirrored)", "parameters", "MACs / image"],
      [[name, " → ".join(map(str, (784, *sizes))), count_parameters(FCAutoencoder(sizes)),
        macs_per_image(FCAutoencoder(sizes))] for name, sizes in stated.items()])

# %% [markdown]
# So the exercise asks for a wide model 784 → 512 → 16 → 512 → 784, and a narrow model
# with at least three hidden layers per side, each narrower than 512, within 10 % of the
# wide model's parameters. Solving `784·h + h·256 + 256·128 + 128·16` (and the mirror,
# biases left out) for the wide count gives h ≈ 360; the rounder 384 stays within the
# 10 %, with 870,688 parameters against 821,024 (6.0 % more).

# %% tags=["solution"]
def build_wide():
    return FCAutoencoder((512, 16))  # 784 → 512 → 16 → 512 → 784


def build_deep():
    return FCAutoencoder((384, 256, 128, 16))  # 784 → 384 → 256 → 128 → 16 → … mirror

# %% points=2 tags=["graded"]
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
# PCA, so the two models get a budget that suits fully connected layers: more epochs (they
# are cheap per step) and a lower learning rate (wide `Linear` layers are easy to push too
# far). Seed-to-seed spreads of fully connected models are not small, so each shape trains
# from three seeds. The next cell trains them and scores them beside PCA with 16
# components.

# %%
fc_epochs, fc_lr = budget(full=8, fast=2), 1e-3
fc_models, fc_runs = {}, {}
for name, build in (("wide and shallow", build_wide), ("narrow and deep", build_deep)):
    fc_runs[name] = []
    for seed in (0, 1, 2):
        seed_everything(seed)
        model = build()
        fc_runs[name].append(train_and_score(model, f"11_fc_{name.split()[0]}", train_set,
                                             test_set, epochs=fc_epochs, lr=fc_lr))
        fc_models.setdefault(name, model)  # keep seed 0's model
fc_mean = {name: sum(values) / len(values) for name, values in fc_runs.items()}
fc_spread = {name: (max(values) - min(values)) / min(values) for name, values in fc_runs.items()}
pca_16 = pca_baseline(train_set.images, 16).mse(test_set.images)
print(f"{fc_epochs} epochs at lr {fc_lr:g}, otherwise the same budget")
table(["model", "parameters", "seed 0", "seed 1", "seed 2", "mean", "spread", "PCA MSE (16)"],
      [[name, count_parameters(fc_models[name]), *fc_runs[name], fc_mean[name],
        f"{fc_spread[name]:.1%}", pca_16] for name in fc_runs])

# %% [markdown]
# The two shapes against each other, with the larger of the two spreads as the noise band,
# and each against PCA with 16 components, with its own spread; every autoencoder's error
# here is its mean over three seeds.

# %%
display(compare("the wide-and-shallow model", fc_mean["wide and shallow"],
                "the narrow-and-deep model", fc_mean["narrow and deep"],
                measure="mean test MSE (three seeds)", spread=max(fc_spread.values())))
for name in fc_runs:
    display(compare(f"the {name.replace(' ', '-')} model", fc_mean[name], "PCA-16", pca_16,
                    spread=fc_spread[name]))

# %% [markdown]
# One thing that can hold an autoencoder back at this size: `FCAutoencoder` ends its
# encoder with a ReLU, so a code number can be switched off for every image: a *dead*
# unit, which carries nothing. The next cell counts the dead code units of both models
# (seed 0) on the test images, and puts each beside PCA with as many components as the
# model has *living* code units.

# %%
rows, living_of = [], {}
for name, model in fc_models.items():
    codes = encode_all(model, test_set)  # N×16, all ≥ 0 after the ReLU
    living_of[name] = living = int(((codes > 0).sum(dim=0) > 0).sum())
    pca_living = pca_baseline(train_set.images, max(living, 1)).mse(test_set.images)
    rows.append([name, 16 - living, living, fc_runs[name][0], pca_living, pca_16])
display(table(["model", "dead code units", "living code units", "test MSE (seed 0)",
               "PCA MSE, as many components as living units", "PCA MSE (16)"], rows))
display(Markdown(f"Of its 16 code units, the wide-and-shallow model keeps "
                 f"**{living_of['wide and shallow']}** alive on the test images, the "
                 f"narrow-and-deep model **{living_of['narrow and deep']}**."))
for name, dead, living, value, pca_living, _ in rows:
    display(compare(f"the {name.replace(' ', '-')} model", value, f"PCA-{max(living, 1)}",
                    pca_living, measure="test MSE (seed 0)", spread=fc_spread[name]))

# %% [markdown]
# A model with dead code units really has a smaller code than its 16 numbers: only the
# living units carry each digit. A model that beats PCA with as many components as its
# living units uses those units better than a linear code would, whatever its standing
# against PCA-16. Both shapes got the same images, epochs and learning rate; the deep one
# has more layers for the gradient to cross. Going further 4 removes the ReLU from the
# code layer.

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
#   sweep measures width, depth and kernel size one change at a time, and three seeds per
#   configuration show which differences stand out of the spread between seeds. At 196
#   numbers PCA wins at every seed, for measured reasons: it keeps nearly all the variance
#   at that size, and the decoder asked for is local.
# - Exercise 2: max pooling, average pooling and a strided convolution cost the same
#   parameters, and the strided one a third of the multiply-accumulates; which of them
#   reconstructs best in one run is a finding only when the gap is larger than the
#   spread between seeds.
# - Exercise 3: colour needs 3 channels in and out and nothing else; 32×32 halves twice
#   without rounding.
# - Exercise 4: U-Net skips cut the reconstruction error, but the reconstruction bypasses
#   the code: zero the code and the U-Net still draws the digit.
# - Exercise 5: wide against deep at equal parameters and a code of 16, three seeds each,
#   against PCA; a ReLU on the code can switch some of its units off for every image, and
#   PCA with as many components as the living units is then the fairer comparison.
#
# ## Going further
#
# 1. Double `epochs` in the setup cell: which rankings change, and do the spreads
#    between seeds of the two-stage models shrink?
# 2. Train exercise 2's three models from seeds 1 and 2 as well (`seed_everything(seed)`
#    before building each) and measure their own spread: does the ranking hold?
# 3. Give the U-Net only the 14×14 skip (drop `s1`): how leaky is it then?
# 4. Build the models of exercise 5 with `EncoderDecoder`, without the ReLU after the code
#    layer. Do all 16 code numbers stay alive, and where does PCA (16) stand then?
# 5. Replace the transposed convolutions of exercise 1 by `Upsample` + `Conv2d` (lesson 05),
#    so that neighbouring code positions overlap in the output. Does the gap to PCA shrink?
