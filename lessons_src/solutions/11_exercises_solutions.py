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
# (each is asserted), and the experiments run to the end.
#
# **What you will find here**
# - a convolutional autoencoder built from channel counts, a depth and a kernel size, and a
#   sweep of parameters against reconstruction error, beside PCA;
# - max pooling, average pooling and strided convolution compared on one budget;
# - an autoencoder for colour images (CIFAR-10), with reconstructions in colour;
# - a U-Net style autoencoder, and why its skip connections make the bottleneck leaky;
# - wide-and-shallow against narrow-and-deep at an equal parameter count.
#
# **Time:** about 3 minutes of computing on one CPU core (every model is trained here;
# a second run loads them from the checkpoint cache). **Prerequisites:** lessons 01–06.

# %% [markdown]
# ## Setup
#
# One set of images for every MNIST experiment, and one budget (images, epochs, batch size,
# learning rate) for every model, so that the errors can be compared. The next cell loads the
# data and prints the budget.

# %%
import inspect
import math

import matplotlib.pyplot as plt
import torch
from IPython.display import Code
from torch import nn

from course_utils.checks.exercises import (
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
from course_utils.data import load_cifar10, load_mnist
from course_utils.metrics import mse, pca_baseline
from course_utils.models import Autoencoder, FCAutoencoder, UNetAutoencoder
from course_utils.summary import Table, count_parameters, macs_per_image
from course_utils.training import reconstruct
from course_utils.viz import show_reconstructions, use_house_style



def _shape(t):
    """'4×7×7' for a batch of one."""
    return "×".join(map(str, t.shape[1:]))


train_set = load_mnist("train").subset(budget(full=4_000, fast=1_500))
test_set = load_mnist("test").subset(budget(full=1_000, fast=300))
epochs = budget(full=3, fast=1)
print(train_set)
print(f"budget for every conv model: {len(train_set):,} training images, {epochs} epoch(s), "
      f"batch 32, Adam at lr 2e-3; scored on {len(test_set):,} test images")

# %% [markdown]
# Every model below is trained and scored by the same small function. `EncoderDecoder`
# turns any encoder and decoder into a course autoencoder (`encode`, `decode`, `forward`).

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

# %%
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


result = check_architecture(build_conv_ae)
print(result)
assert result, result.message

# %% [markdown]
# **The sweep.** A fair sweep keeps the code size fixed: depth 1 leaves a 14×14 code per
# channel, depth 2 a 7×7 one, so one code channel at depth 1 and four at depth 2 both give
# 196 numbers per image (a 4× compression of the 784 pixels). The next cell lists the
# configurations and their sizes, before any training.

# %%
# NBVAL_CHECK_OUTPUT
sweep_configs = [
    dict(channels=(8,), kernel_size=3, code_channels=1),
    dict(channels=(32,), kernel_size=3, code_channels=1),
    dict(channels=(8, 16), kernel_size=3, code_channels=4),
    dict(channels=(16, 32), kernel_size=3, code_channels=4),
    dict(channels=(16, 32), kernel_size=5, code_channels=4),
]
rows = []
for config in sweep_configs:
    model = build_conv_ae(**config)
    code = math.prod(model.encode(torch.zeros(1, 1, 28, 28)).shape[1:])
    rows.append([str(config["channels"]), len(config["channels"]), config["kernel_size"],
                 count_parameters(model), code])
print(Table(["channels", "depth", "kernel", "parameters", "code size"], rows))

# %% [markdown]
# Now each configuration is trained on the same budget and scored on the test images,
# beside PCA with 196 components (the best *linear* autoencoder with the same code size).

# %%
sweep = run_sweep(build_conv_ae, sweep_configs, train_set, test_set, epochs=epochs)
print(sweep_table(sweep))
result = check_sweep(sweep)
print(result)
assert result, result.message

# %%
use_house_style()
fig, ax = plt.subplots(figsize=(7, 4))
for r in sweep:
    ax.scatter(r.parameters, r.test_mse, s=40, marker="o" if r.depth == 1 else "s",
               color="C0" if r.kernel_size == 3 else "C3")
    ax.annotate(r.label, (r.parameters, r.test_mse), fontsize=7, xytext=(4, 4),
                textcoords="offset points")
ax.axhline(sweep[0].pca_mse, color="gray", ls="--", label="PCA, 196 components")
ax.axhline(mse(train_set.images.mean(0, keepdim=True).expand_as(test_set.images),
               test_set.images), color="gray", ls=":", label="the mean training image")
ax.set_xscale("log")
ax.set_yscale("log")
ax.set_xlabel("parameters (log scale)")
ax.set_ylabel("test MSE per pixel (log scale)")
ax.set_title("Exercise 1: parameters vs reconstruction error (code size 196)")
ax.legend(fontsize=8)
plt.show()

# %%
best, worst = min(sweep, key=lambda r: r.test_mse), max(sweep, key=lambda r: r.test_mse)
by_params = sorted(sweep, key=lambda r: r.parameters)
print(f"best:  {best.label}: {best.parameters:,} parameters, test MSE {best.test_mse:.5f}")
print(f"worst: {worst.label}: {worst.parameters:,} parameters, test MSE {worst.test_mse:.5f}")
print(f"the largest model ({by_params[-1].parameters:,} parameters) "
      f"{'is' if by_params[-1] is best else 'is not'} the best one")
print(f"PCA with the same 196 numbers: test MSE {best.pca_mse:.5f}; the best autoencoder's "
      f"error is {best.test_mse / best.pca_mse:.1f}× PCA's")
mean_mse = mse(train_set.images.mean(0, keepdim=True).expand_as(test_set.images),
               test_set.images)
stuck = [r.label for r in sweep if r.test_mse > 0.5 * mean_mse]
print(f"predicting the mean training image for every input: test MSE {mean_mse:.5f}")
print("not learning (error above half the mean image's): "
      + (", ".join(stuck) if stuck else "none"))

# %% [markdown]
# What the numbers above say: parameters alone do not rank the models (the printout says
# whether the largest one won). Compare rows that differ in one thing only: width ((8,) vs
# (32,), (8, 16) vs (16, 32)), depth ((8,) vs (8, 16)), and kernel size ((16, 32) at 3 vs
# 5). All were trained for the same few epochs, so the table ranks how fast each learns on
# this budget as much as how good it can get.
#
# A row listed above as "not learning" has not learned to use its code. The next
# cell looks inside any such model (it reloads the trained weights from the cache): how far
# apart are its outputs, and how many units of its last hidden layer are still active?

# %%
for r in sweep:
    if r.label not in stuck:
        continue
    seed_everything(0)
    model = build_conv_ae(r.channels, r.kernel_size, r.code_channels)
    train_and_score(model, "11_sweep", train_set, test_set, epochs=epochs)  # loads the weights
    with torch.no_grad():
        x = test_set.images[:200]
        hidden = model.decoder[:-2](model.encode(x))  # what the last layer reads
        out = model(x)
    print(f"{r.label}: outputs from {out.min():.4f} to {out.max():.4f} (mean {out.mean():.4f});"
          f" largest Sigmoid slope {(out * (1 - out)).max():.4f} (0.25 at most); "
          f"{(hidden > 0).float().mean():.1%} of the last hidden layer's values are positive")
if not stuck:
    print("no model is stuck in this run")

# %% [markdown]
# How to read it, if a model is listed. Outputs all near 0 with a Sigmoid slope near 0:
# the Sigmoid at the end has *saturated*. Early in training the model learned that most
# pixels are black and pushed its last layer's outputs far below zero, where the Sigmoid is
# flat, so almost no gradient flows back and it keeps drawing a blank image for every
# input. The share of positive values in the last hidden layer tells this apart from the
# dying ReLUs of lesson 04 (a share near 0 %). Whether it happens depends on the
# architecture, the learning rate and the initial weights (try `run_sweep(..., seed=1)` or
# `lr=1e-3`): a result about training on this budget, not about what the architecture can
# do.
#
# PCA with the same 196 numbers is a strong baseline: 196 numbers keep most of a digit's
# variance, and PCA finds its optimum in one step. On the offline stand-in, whose digits are
# enlarged 8×8 images, it is nearly exact; real MNIST has more detail, so its error there is
# larger.

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
#   convolution learns how to downsample, and costs four times fewer multiplications.

# %%
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


result = check_downsampling(downsample_block)
print(result)
assert result, result.message

# %% [markdown]
# The autoencoder around the blocks is fixed (two blocks, a 4×7×7 code, the decoder of
# exercise 1): only the downsampling changes.

# %%
Code(inspect.getsource(downsampling_autoencoder), language="python")

# %%
# NBVAL_CHECK_OUTPUT
rows = []
for mode in ("max", "avg", "stride"):
    model = downsampling_autoencoder(downsample_block, mode)
    z = model.encode(torch.zeros(1, 1, 28, 28))
    rows.append([mode, count_parameters(model), _shape(z), macs_per_image(model)])
print(Table(["downsampling", "parameters", "code", "MACs / image"], rows))

# %% [markdown]
# Train the three on the same budget and score them beside PCA at 196 components:

# %%
results = {}
for mode in ("max", "avg", "stride"):
    seed_everything(0)
    model = downsampling_autoencoder(downsample_block, mode)
    results[mode] = train_and_score(model, f"11_downsampling_{mode}", train_set, test_set,
                                    epochs=epochs)
pca_196 = pca_baseline(train_set.images, 196).mse(test_set.images)
print(Table(["downsampling", "test MSE", "PCA MSE (196)"],
            [[mode, f"{value:.5f}", f"{pca_196:.5f}"] for mode, value in results.items()]))

# %%
best_mode = min(results, key=results.get)
result = check_best_mode(best_mode, results)
print(result)
assert result, result.message
ranking = sorted(results, key=results.get)
print("ranking, best first: " + " < ".join(f"{m} ({results[m]:.5f})" for m in ranking))
print(f"the gap between best and worst: {results[ranking[-1]] / results[ranking[0]]:.2f}×")

# %% [markdown]
# The ranking above is for this budget and these images; it can change with more epochs or
# another seed, so treat small gaps as ties. What holds regardless is in the table before
# training: the three cost the same parameters, and the strided encoder does fewer
# multiply-accumulates, because its convolution only visits every second position. Pooling
# throws information away too: max pooling keeps the strongest response of each 2×2 window
# but not *where* it was, average pooling blurs; the decoder has to guess what is lost.

# %% [markdown]
# ## Exercise 3 · Colour images (CIFAR-10)
#
# CIFAR-10 images are 3×32×32: three input channels, and 32 = 2·16 = 4·8, so two poolings
# give 8×8 with no rounding. The next cell loads it (offline: patches of two photographs, as
# the warning says).

# %%
cifar_train = load_cifar10("train").subset(budget(full=4_000, fast=1_000))
cifar_test = load_cifar10("test").subset(budget(full=500, fast=200))
print(cifar_train)
print(cifar_test)

# %% [markdown]
# **The model.** 3×32×32 → Conv(3→16) → pool → 16×16×16 → Conv(16→32) → pool → 32×8×8 →
# 1×1 conv → code 8×8×8 = 512 numbers (6× fewer than the 3,072 of the image), and back up to
# **3** channels with a Sigmoid.

# %%
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


result = check_colour(build_colour_ae)
print(result)
assert result, result.message

# %%
seed_everything(0)
colour_model = build_colour_ae()
colour_epochs = budget(full=3, fast=2)
colour_mse = train_and_score(colour_model, "11_colour", cifar_train, cifar_test,
                             epochs=colour_epochs)
colour_pca = pca_baseline(cifar_train.images, 512)
mean_image = cifar_train.images.mean(0, keepdim=True).expand_as(cifar_test.images)
print(f"colour autoencoder, code 512: test MSE {colour_mse:.5f}")
print(f"PCA, 512 components:          test MSE {colour_pca.mse(cifar_test.images):.5f}")
print(f"the mean training image:      test MSE {mse(mean_image, cifar_test.images):.5f}")
assert colour_mse < mse(mean_image, cifar_test.images)

# %%
originals = cifar_test.images[:10]
show_reconstructions(originals, {"conv AE (512)": reconstruct(colour_model, originals),
                                 "PCA (512)": colour_pca.reconstruct(originals)},
                     title=f"Exercise 3: colour reconstructions ({cifar_test.name} test images)")
plt.show()

# %% [markdown]
# Colour costs little in parameters: only the first and last layers see the three channels.
# The reconstructions above keep the colours and the coarse shapes and lose fine texture;
# the printed numbers say how the model stands against PCA with the same 512 numbers on
# these images (on the offline photo patches, which are smooth, PCA is hard to beat).

# %% [markdown]
# ## Exercise 4 · Skip connections
#
# **The model.** The U-Net keeps the encoder's feature maps, `s1` (16×28×28) and `s2`
# (32×14×14), and concatenates each into the decoder at the same resolution. The
# convolution after a concatenation reads both: 32 + 32 channels at 14×14, 16 + 16 at
# 28×28.

# %%
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


result = check_unet(MyUNet)
print(result)
assert result, result.message

# %% [markdown]
# The course's version, `course_utils.models.UNetAutoencoder`, is the same network; with
# `skips=False` it is the plain autoencoder we compare with (the same layers, no
# concatenations).

# %%
Code(inspect.getsource(UNetAutoencoder), language="python")

# %%
# NBVAL_CHECK_OUTPUT
plain = UNetAutoencoder(skips=False)
print(f"MyUNet:            {count_parameters(MyUNet()):,} parameters, code 4×7×7 = 196")
print(f"plain autoencoder: {count_parameters(plain):,} parameters, code 4×7×7 = 196")

# %% [markdown]
# Train both on the same budget:

# %%
seed_everything(0)
unet = MyUNet()
unet_mse = train_and_score(unet, "11_unet", train_set, test_set, epochs=epochs)
seed_everything(0)
plain = UNetAutoencoder(skips=False)
plain_mse = train_and_score(plain, "11_plain", train_set, test_set, epochs=epochs)
print(f"U-Net:             test MSE {unet_mse:.5f}")
print(f"plain autoencoder: test MSE {plain_mse:.5f}")
print(f"PCA (196):         test MSE {pca_196:.5f}")
print(f"the skips cut the error {plain_mse / unet_mse:.1f}×")
assert unet_mse < plain_mse

# %% [markdown]
# A large improvement, but is it the *code* that got better? Test it: replace the code by
# zeros and decode. For the U-Net, keep the encoder features (they are part of its input
# to the decoder); only the code goes.

# %%
def decode_from_zero_code(model, images):
    z, skips = model.encode_with_skips(images)
    return model.decode(torch.zeros_like(z), skips)


result = check_zero_code(decode_from_zero_code)
print(result)
assert result, result.message

# %%
images = test_set.images
with torch.no_grad():
    unet.eval()
    plain.eval()
    unet_zero = decode_from_zero_code(unet, images)
    plain_zero = decode_from_zero_code(plain, images)
unet_zero_mse, plain_zero_mse = mse(unet_zero, images), mse(plain_zero, images)
print(Table(["model", "test MSE", "test MSE with the code zeroed"],
            [["U-Net", f"{unet_mse:.5f}", f"{unet_zero_mse:.5f}"],
             ["plain autoencoder", f"{plain_mse:.5f}", f"{plain_zero_mse:.5f}"]]))
print(f"with no code at all, the U-Net still beats the plain autoencoder *with* its code: "
      f"{unet_zero_mse < plain_mse}")
assert unet_zero_mse < plain_zero_mse

# %%
show_reconstructions(images[:10], {"U-Net": reconstruct(unet, images[:10]),
                                   "U-Net, code = 0": unet_zero[:10],
                                   "plain": reconstruct(plain, images[:10]),
                                   "plain, code = 0": plain_zero[:10]},
                     title="Exercise 4: zero the code and decode")
plt.show()

# %% [markdown]
# **Why the bottleneck leaks.** The U-Net has more parameters than the plain model (the
# concatenations double two convolutions' inputs), but that is not why it wins. Its code is
# 196 numbers, but `s1` alone is 16×28×28 =
# 12,544 numbers, sixteen times the image, and it reaches the last convolution directly.
# Trained to reconstruct, the U-Net learns to copy through the skips: with the code set to
# zero its reconstructions (third row) still show the digits, while the plain autoencoder's
# (last row) are one blur for every input, because its code is the only way through. So a
# U-Net's low reconstruction error says nothing about the quality of its code; it is the
# right tool when the output should keep the input's detail (segmentation, denoising,
# inpainting) and the wrong one for compression, features or anomaly scores. The errors
# above say it in numbers.

# %% [markdown]
# ## Exercise 5 · Depth vs width
#
# Lesson 06 ([06 · Parameter comparison](../06_parameter_comparison.ipynb)) compares
# 784 → 1024 → 32 → 1024 → 784 with a narrow-and-deep model of similar size. The variant
# asked for here: a code of **16**, a wide model 784 → 512 → 16 → 512 → 784, and a narrow
# model with at least three hidden layers per side, each narrower than 512, within 10 % of
# the wide model's parameters. Solving `784·h + h·256 + 256·128 + 128·16` (and the mirror)
# for about the wide count gives h ≈ 384.

# %%
def build_wide():
    return FCAutoencoder((512, 16))  # 784 → 512 → 16 → 512 → 784


def build_deep():
    return FCAutoencoder((384, 256, 128, 16))  # 784 → 384 → 256 → 128 → 16 → … mirror


result = check_depth_vs_width(build_wide, build_deep)
print(result)
assert result, result.message

# %%
# NBVAL_CHECK_OUTPUT
for name, build in (("wide and shallow", build_wide), ("narrow and deep", build_deep)):
    model = build()
    widths = [784] + [m.out_features for m in model.encoder if isinstance(m, nn.Linear)]
    print(f"{name:>16}: {' → '.join(map(str, widths))} (mirrored), "
          f"{count_parameters(model):,} parameters")

# %% [markdown]
# Fully connected models are cheap to train, so they get more epochs on the same images.

# %%
fc_epochs = budget(full=8, fast=2)
fc_results = {}
for name, build in (("wide and shallow", build_wide), ("narrow and deep", build_deep)):
    seed_everything(0)
    model = build()
    fc_results[name] = train_and_score(model, f"11_fc_{name.split()[0]}", train_set, test_set,
                                       epochs=fc_epochs, lr=1e-3)
pca_16 = pca_baseline(train_set.images, 16).mse(test_set.images)
print(Table(["model", "test MSE", "PCA MSE (16)"],
            [[name, f"{value:.5f}", f"{pca_16:.5f}"] for name, value in fc_results.items()]))
winner = min(fc_results, key=fc_results.get)
print(f"{winner} wins at equal parameters, by "
      f"{max(fc_results.values()) / min(fc_results.values()):.2f}×; PCA with 16 components "
      f"{'beats' if pca_16 < min(fc_results.values()) else 'loses to'} both")

# %% [markdown]
# Which shape wins at equal parameters, and by how much, is printed above; lesson 06 shows
# the same comparison at a code of 32. Both models get the same images and epochs; the deep
# one has more layers for the gradient to cross, and on a short budget that can cost it.
# PCA with 16 components is the baseline: on the offline stand-in it is hard to beat (its
# digits come from 8×8 images, a small space); the last line above says which side of it
# the two models are in this run.

# %% [markdown]
# ## Summary
#
# - Exercise 1: at a fixed code size, parameters alone do not rank conv autoencoders; the
#   sweep table measures width, depth and kernel size one at a time, beside PCA.
# - Exercise 2: max pooling, average pooling and a strided convolution cost the same
#   parameters; the table shows which reconstructed best on this budget.
# - Exercise 3: colour needs 3 channels in and out and nothing else; 32×32 halves twice
#   without rounding.
# - Exercise 4: U-Net skips cut the reconstruction error, but the reconstruction bypasses
#   the code: zero the code and the U-Net still draws the digit.
# - Exercise 5: wide against deep at equal parameters and a code of 16, against PCA.
#
# ## Going further
#
# 1. Double `epochs` in the setup cell: which rankings change?
# 2. Give the U-Net only the 14×14 skip (drop `s1`): how leaky is it then?
# 3. Replace the transposed convolutions of exercise 1 by `Upsample` + `Conv2d` (lesson 05).
