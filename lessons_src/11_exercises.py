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
# # 11 · Exercises
#
# Five exercises on the architecture of a convolutional autoencoder, as code you write,
# each with a check that *runs* your code and tells you whether it is right, and if not,
# what is wrong (a wrong output shape, a wrong parameter count, a loss that does not go
# down, a missing skip connection, …).
#
# **What you will practise**
# - building a convolutional autoencoder from channel counts, a depth and a kernel size, and
#   measuring parameters against reconstruction error, beside PCA;
# - downsampling by max pooling, average pooling or a strided convolution, on one budget;
# - adapting the autoencoder to colour images (CIFAR-10, or photo patches offline);
# - skip connections (a U-Net), and why they make the bottleneck leaky;
# - depth against width at an equal parameter count.
#
# **Time:** about 20 minutes to read the exercises and their code, then your own work,
# which takes most of the time: allow one to two hours in all. With every answer filled
# in, the notebook trains a dozen small models, about a minute of computing on one CPU
# core. Worked solutions are in
# [solutions/11_exercises_solutions.ipynb](solutions/11_exercises_solutions.ipynb); try
# first.
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
# ## How the exercises work
#
# Each exercise has a cell with `...` or `return None` where your code goes. Left as it is,
# the notebook still runs top to bottom: the checks say "not attempted yet", and the
# experiments that need your answer are skipped. Fill in a cell, run it and its check, and
# read the verdict. The experiment cells run once the check passes.
#
# The next cell loads the data and fixes one budget (images, epochs, batch size, learning
# rate and its schedule) for every model, so that their errors can be compared.

# %%
import inspect
import math

import matplotlib.pyplot as plt
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
from course_utils.training import reconstruct
from course_utils.viz import show, show_reconstructions, use_house_style

use_house_style()
train_set = load_mnist("train").subset(budget(full=4_000, fast=1_500))
test_set = load_mnist("test").subset(budget(full=1_000, fast=300))
epochs = budget(full=3, fast=1)
print(f"{len(train_set):,} training and {len(test_set):,} test images: {train_set.source}")
print(f"budget for every conv model: {epochs} epoch(s) of batches of {BUDGET['batch_size']}, "
      f"Adam at lr {BUDGET['lr']:g} with a {BUDGET['scheduler']} schedule, trained with "
      f"{BUDGET['loss'].upper()}, scored with MSE per pixel")

# %% [markdown]
# Every experiment trains and scores models with the same small function (the budget is
# its default): it trains with binary cross-entropy computed from the logits, the values
# just before the model's final `nn.Sigmoid` (lesson 04 shows why), and scores with MSE per
# pixel, the error PCA minimises. So every model you write ends with an `nn.Sigmoid()`
# layer, and the checks tell you when it does not. `EncoderDecoder` wraps an encoder and a
# decoder into a course autoencoder:

# %%
Code(inspect.getsource(train_and_score) + "\n\n" + inspect.getsource(EncoderDecoder),
     language="python")

# %% [markdown]
# ## Exercise 1 · Architecture exploration
#
# *Modify the convolutional autoencoder with different channel counts, layer depths and
# kernel sizes. How do they affect reconstruction quality and parameter count?*
#
# **Part 1: the model.** Write `build_conv_ae(channels, kernel_size, code_channels)`:
# - encoder: for every entry `c` of `channels`, `Conv2d(previous, c, kernel_size,
#   padding=kernel_size // 2)` → `ReLU` → `MaxPool2d(2)` (the first `previous` is 1, the
#   grey channel); then `Conv2d(channels[-1], code_channels, kernel_size=1)`: the code;
# - decoder: `Conv2d(code_channels, channels[-1], kernel_size=1)` → `ReLU`, then one
#   `ConvTranspose2d(a, b, kernel_size=2, stride=2)` per stage, going back through
#   `channels` in reverse and ending at 1 channel; `ReLU` between them, `Sigmoid` last;
# - return `EncoderDecoder(nn.Sequential(*encoder_layers), nn.Sequential(*decoder_layers))`.
#
# With `channels=(16, 32)` the sizes go 28 → 14 → 7 and back. Why does
# `padding = kernel_size // 2` keep the size for an odd kernel? (Lesson 01 has the formula.)

# %%
def build_conv_ae(channels, kernel_size, code_channels):
    """A conv autoencoder: len(channels) stages down, a 1×1 code, the mirror image up."""
    encoder_layers = []
    decoder_layers = []
    # YOUR CODE: fill both lists as described above.
    ...
    return None  # when done: return EncoderDecoder(nn.Sequential(*encoder_layers), ...)


check_architecture(build_conv_ae)

# %% [markdown]
# **Part 2: the sweep.** List at least three configurations as
# `dict(channels=..., kernel_size=..., code_channels=...)`, changing the width (channel
# counts), the depth (one or two stages) and the kernel size. Keep the code size the same
# in every row, so the errors compare: depth 1 leaves a 14×14 code per channel, depth 2 a
# 7×7 one (hint: 1×14×14 = 4×7×7 = 196). `run_sweep` trains each one on the budget above
# and puts PCA at the same code size beside it.

# %%
sweep_configs = ...  # YOUR ANSWER: a list of dicts

sweep = run_sweep(build_conv_ae, sweep_configs, train_set, test_set, epochs=epochs)
if sweep:
    display(sweep_table(sweep))
check_sweep(sweep)

# %% [markdown]
# The next cell plots parameters against test error (once the sweep has run), with two
# references: PCA with the same number of code values, and the error of predicting the mean
# training image for every input. Which matters most here: width, depth or kernel size? Is
# the largest model the best? A model whose error is near or above the mean image's has not
# learned to use its code (dying ReLUs, or a Sigmoid stuck near 0): look at its outputs,
# try `run_sweep(..., seed=1)` or `lr=1e-3` before you judge the architecture.

# %%
if sweep:
    fig, ax = plt.subplots(figsize=(7, 4))
    for r in sweep:
        ax.scatter(r.parameters, r.test_mse, s=40)
        ax.annotate(r.label, (r.parameters, r.test_mse), fontsize=7, xytext=(4, 4),
                    textcoords="offset points")
    mean_mse = mse(train_set.images.mean(0, keepdim=True).expand_as(test_set.images),
                   test_set.images)
    ax.axhline(sweep[0].pca_mse, color="gray", ls="--",
               label=f"PCA, {sweep[0].code_size} components")
    ax.axhline(mean_mse, color="gray", ls=":", label="the mean training image")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("parameters (log scale)")
    ax.set_ylabel("test MSE per pixel (log scale)")
    ax.set_title("Exercise 1: parameters vs reconstruction error")
    ax.legend(fontsize=8)
    show(fig, alt=f"Test error against parameter count for the {len(sweep)} configurations of "
                  f"your sweep, one labelled dot each, with the error of PCA with "
                  f"{sweep[0].code_size} components as a dashed line and the mean training "
                  f"image's as a dotted line; both axes on a log scale.")
else:
    print("The plot appears once sweep_configs is filled in.")

# %% [markdown]
# ## Exercise 2 · Stride vs pooling
#
# *Compare max pooling after convolution with strided convolutions for downsampling (and
# max with average pooling). Which gives better reconstructions?*
#
# **Part 1.** Write `downsample_block(in_channels, out_channels, mode)`, which halves the
# height and width with exactly one 3×3 convolution, so all three modes cost the same:
# - `"max"`: `Conv2d(in, out, 3, padding=1)` → `ReLU` → `MaxPool2d(2)`;
# - `"avg"`: the same with `AvgPool2d(2)`;
# - `"stride"`: `Conv2d(in, out, 3, stride=2, padding=...)` → `ReLU`, no pooling. Which
#   padding turns 28 into 14? Work it out with the convolution formula.

# %%
def downsample_block(in_channels, out_channels, mode):
    """Halve H and W: "max" or "avg" pooling after a 3×3 conv, or a stride-2 3×3 conv."""
    # YOUR CODE: return an nn.Sequential for each mode.
    return None


downsampling_check = check_downsampling(downsample_block)
downsampling_check

# %% [markdown]
# **Part 2.** Around your blocks, `downsampling_autoencoder` builds the rest (two blocks, a
# 4×7×7 code, the decoder of exercise 1), so only the downsampling changes. The next cell
# trains the three on the same budget once your blocks pass the check.

# %%
Code(inspect.getsource(downsampling_autoencoder), language="python")

# %%
results = {}
if downsampling_check:
    for mode in ("max", "avg", "stride"):
        seed_everything(0)
        model = downsampling_autoencoder(downsample_block, mode)
        results[mode] = train_and_score(model, f"11_downsampling_{mode}", train_set, test_set,
                                        epochs=epochs)
    pca_196 = pca_baseline(train_set.images, 196).mse(test_set.images)
    display(table(["downsampling", "parameters", "test MSE", "PCA MSE (196)"],
                  [[mode, count_parameters(downsampling_autoencoder(downsample_block, mode)),
                    value, pca_196] for mode, value in results.items()]))
else:
    print("Skipped: the blocks do not pass the check yet.")

# %% [markdown]
# Which mode reconstructed best in your run? Answer from the table. Then think about why:
# what does max pooling throw away, what does average pooling do to edges, and what can a
# strided convolution learn that pooling cannot? And is the gap larger than luck: how far
# apart would two runs of the *same* model land, trained from another seed? (The worked
# solutions measure that spread.)

# %%
best_mode = ...  # YOUR ANSWER: "max", "avg" or "stride"

check_best_mode(best_mode, results)

# %% [markdown]
# ## Exercise 3 · Colour images (CIFAR-10)
#
# *Adapt the conv autoencoder to CIFAR-10 (32×32×3): change the input and output channels
# from 1 to 3 and adjust the architecture to the larger size.*
#
# The next cell loads CIFAR-10: 32×32 colour photographs of ten kinds of object. Without
# the internet it cannot be downloaded, and the cell says what takes its place.

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
# Write `build_colour_ae()`: an autoencoder from 3×32×32 to 3×32×32 with a Sigmoid at the
# end and a code smaller than the 3,072 numbers of the image. The check tells you if the
# channels, the sizes or the code are wrong. (32 = 2·16 = 4·8: how many poolings divide it
# without rounding?) Keep the code at or below 1,000 numbers: the next cells fit PCA with
# as many components as your code has numbers, and PCA needs at least as many training
# images as components.

# %%
def build_colour_ae():
    # YOUR CODE: return EncoderDecoder(encoder, decoder) for 3×32×32 images.
    return None


colour_check = check_colour(build_colour_ae)
colour_check

# %% [markdown]
# Once the check passes, the next cell trains your model, compares it with PCA at the same
# code size and with the mean image, and shows the reconstructions in colour.

# %%
if colour_check:
    seed_everything(0)
    colour_model = build_colour_ae()
    code_size = math.prod(colour_model.encode(cifar_test.images[:1]).shape[1:])
    colour_mse = train_and_score(colour_model, "11_colour", cifar_train, cifar_test,
                                 epochs=budget(full=3, fast=2))
    colour_pca = pca_baseline(cifar_train.images, min(code_size, len(cifar_train)))
    mean_image = cifar_train.images.mean(0, keepdim=True).expand_as(cifar_test.images)
    print(f"your colour autoencoder, code {code_size}: test MSE {colour_mse:.5f}")
    print(f"PCA, {colour_pca.n_components} components: test MSE "
          f"{colour_pca.mse(cifar_test.images):.5f}")
    print(f"the mean training image: test MSE {mse(mean_image, cifar_test.images):.5f}")
    originals = cifar_test.images[:10]
    show(show_reconstructions(originals, {"your AE": reconstruct(colour_model, originals),
                                          "PCA": colour_pca.reconstruct(originals)},
                              title=f"Exercise 3: colour reconstructions ({cifar_test.name})"),
         alt=f"Top row: ten colour test images, {cifar_test.name}. Middle row: their "
             f"reconstructions by your autoencoder; bottom row: by PCA with "
             f"{colour_pca.n_components} components; each row labelled with its MSE.")
else:
    print("Skipped: build_colour_ae does not pass the check yet.")

# %% [markdown]
# ## Exercise 4 · Skip connections
#
# *Implement U-Net style skip connections that concatenate encoder features into the
# decoder layers. How do they affect reconstruction quality?*
#
# **Part 1.** The encoder of `MyUNet` is written for you; it keeps its feature maps `s1`
# (16×28×28) and `s2` (32×14×14). Complete the decoder:
# - `merge2`: a 3×3 convolution (padding 1) to 16 channels, then ReLU. It reads the
#   upsampled code (32 channels) **concatenated** with `s2`: how many input channels?
# - `merge1`: a 3×3 convolution (padding 1) to 1 channel, then Sigmoid, reading the
#   upsampled 16 channels concatenated with `s1`;
# - `decode(z, skips)`: `from_code` → `up2` → concatenate with `s2` (`torch.cat([...],
#   dim=1)`) → `merge2` → `up1` → concatenate with `s1` → `merge1`.
#
# Keep the layer names: the check looks for `bottleneck` to test the skips.

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
        self.merge2 = ...  # YOUR CODE                                          # → 16×14×14
        self.up1 = nn.Sequential(nn.ConvTranspose2d(16, 16, 2, stride=2), nn.ReLU())  # → 16×28×28
        self.merge1 = ...  # YOUR CODE                                          # → 1×28×28

    def encode_with_skips(self, x):
        s1 = self.down1(x)
        s2 = self.down2(self.pool(s1))
        z = self.bottleneck(self.pool(s2))
        return z, [s1, s2]

    def encode(self, x):
        return self.encode_with_skips(x)[0]

    def decode(self, z, skips):
        s1, s2 = skips
        # YOUR CODE: upsample, concatenate, merge (twice); return the 1×28×28 images.
        return None

    def forward(self, x):
        z, skips = self.encode_with_skips(x)
        return self.decode(z, skips)


unet_check = check_unet(MyUNet)
unet_check

# %% [markdown]
# Once it passes, the next cell trains your U-Net and the plain autoencoder with the same
# layers minus the skips (`UNetAutoencoder(skips=False)`), on the same budget.

# %%
if unet_check:
    seed_everything(0)
    unet = MyUNet()
    unet_mse = train_and_score(unet, "11_unet", train_set, test_set, epochs=epochs)
    seed_everything(0)
    plain = UNetAutoencoder(skips=False)
    plain_mse = train_and_score(plain, "11_plain", train_set, test_set, epochs=epochs)
    pca_196 = pca_baseline(train_set.images, 196).mse(test_set.images)
    display(table(["model", "parameters", "code size", "test MSE"],
                  [["your U-Net", count_parameters(unet), 196, unet_mse],
                   ["plain autoencoder", count_parameters(plain), 196, plain_mse],
                   ["PCA", None, 196, pca_196]]))
else:
    print("Skipped: MyUNet does not pass the check yet.")

# %% [markdown]
# **Part 2: is the bottleneck still a bottleneck?** Write
# `decode_from_zero_code(model, images)`: encode the images, replace the code `z` by zeros,
# keep the encoder features, and decode. It must work for your U-Net and for the plain
# autoencoder (both have `encode_with_skips` and `decode(z, skips)`; the plain one ignores
# the skips).

# %%
def decode_from_zero_code(model, images):
    # YOUR CODE
    return None


zero_check = check_zero_code(decode_from_zero_code)
zero_check

# %% [markdown]
# The next cell measures both models with their code zeroed and shows the images. Before
# you run it: what do you expect from each? Why is the U-Net's reconstruction error no
# longer a measure of how good its code is? When is that what you want (denoising,
# segmentation), and when not (compression, features, anomaly scores)?

# %%
if unet_check and zero_check:
    images = test_set.images
    unet.eval()
    plain.eval()
    with torch.no_grad():
        unet_zero = decode_from_zero_code(unet, images)
        plain_zero = decode_from_zero_code(plain, images)
    display(table(["model", "test MSE", "test MSE with the code zeroed"],
                  [["your U-Net", unet_mse, mse(unet_zero, images)],
                   ["plain autoencoder", plain_mse, mse(plain_zero, images)]]))
    shown = torch.randperm(len(images), generator=torch.Generator().manual_seed(0))[:10]
    show(show_reconstructions(images[shown], {"U-Net": reconstruct(unet, images[shown]),
                                              "U-Net, code = 0": unet_zero[shown],
                                              "plain": reconstruct(plain, images[shown]),
                                              "plain, code = 0": plain_zero[shown]},
                              title="Exercise 4: zero the code and decode (random test images)"),
         alt="Ten random test digits in the top row; below them your U-Net's reconstructions "
             "with its code and with its code set to zero, then the plain autoencoder's with "
             "its code and with its code set to zero, each row labelled with its MSE.")
else:
    print("Skipped: needs MyUNet and decode_from_zero_code to pass their checks.")

# %% [markdown]
# ## Exercise 5 · Depth vs width
#
# *Compare a wide-and-shallow architecture with a narrow-and-deep one at similar parameter
# counts.*
#
# The common text version of this exercise compares 784 → 1024 → 32 → 1024 → 784 with
# 784 → 256 → 128 → 64 → 32 and its mirror. Those two are far from similar: 1,674,032
# parameters against 489,136, 3.4 times as many (the next cell counts them), so one of
# them has to change anyway. The course changes the wide one, to a layer of **512** and a
# code of **16**. Half the width halves the multiply-accumulates of every training step,
# which keeps this notebook, and the worked solutions that train both models from three
# seeds each, within a few minutes on one CPU core; and lesson 06
# ([06 · Parameter comparison](06_parameter_comparison.ipynb)) already compares depth and
# width at a code of 36, so a code of 16 asks the question where the course has not
# answered it.

# %% tags=["nbval-check-output"]
stated = {"wide, common text": (1024, 32), "deep, common text": (256, 128, 64, 32),
          "wide, this course": (512, 16)}
table(["model", "widths (mirrored)", "parameters", "MACs / image"],
      [[name, " → ".join(map(str, (784, *sizes))), count_parameters(FCAutoencoder(sizes)),
        macs_per_image(FCAutoencoder(sizes))] for name, sizes in stated.items()])

# %% [markdown]
# Your task, at the course's sizes:
# - `build_wide()`: 784 → 512 → 16 → 512 → 784 (`FCAutoencoder((512, 16))` builds it);
# - `build_deep()`: at least three hidden layers per side, every one narrower than 512,
#   code 16, and within 10 % of the wide model's parameter count. Pick the widths with
#   `count_parameters`; `FCAutoencoder(hidden_sizes)` builds any such model.

# %%
def build_wide():
    return None  # YOUR CODE


def build_deep():
    return None  # YOUR CODE


depth_check = check_depth_vs_width(build_wide, build_deep)
depth_check

# %% [markdown]
# Once it passes, the next cell trains both (fully connected models are cheap per step, so
# they get more epochs, and a lower learning rate suits their wide layers) and compares
# them with PCA at 16 components. Which shape wins, and by more than two seeds of the same
# model would differ? Lesson 06 asked the same question at a code of 36, with three seeds
# per shape: does a code of 16 give the same answer?

# %%
if depth_check:
    fc_epochs = budget(full=8, fast=2)
    fc_results = {}
    for name, build in (("wide and shallow", build_wide), ("narrow and deep", build_deep)):
        seed_everything(0)
        model = build()
        fc_results[name] = (count_parameters(model),
                            train_and_score(model, f"11_fc_{name.split()[0]}", train_set,
                                            test_set, epochs=fc_epochs, lr=1e-3))
    pca_16 = pca_baseline(train_set.images, 16).mse(test_set.images)
    display(table(["model", "parameters", "test MSE", "PCA MSE (16)"],
                  [[name, n, value, pca_16] for name, (n, value) in fc_results.items()]))
else:
    print("Skipped: build_wide and build_deep do not pass the check yet.")

# %% [markdown]
# ## Summary
#
# - A conv autoencoder's size is set by its channels, depth and kernels; at a fixed code
#   size, a sweep shows what each buys, and PCA says what a linear model gets for free.
# - Max pooling, average pooling and strided convolution can be compared at equal cost.
# - Colour needs 3 channels in and out; 32×32 halves twice without rounding.
# - Skip connections let the input bypass the code: zeroing the code (exercise 4, part 2)
#   measures how much of the reconstruction still gets through without it.
# - Depth against width is only a fair fight at equal parameters.
#
# Compare your answers with the [worked solutions](solutions/11_exercises_solutions.ipynb),
# and your U-Net with `course_utils/models/unet.py`.
#
# ## Going further
#
# 1. Double `epochs` in the setup cell: which of your rankings change?
# 2. Give the U-Net only the 14×14 skip (drop `s1`): how leaky is it then?
# 3. Replace the transposed convolutions of exercise 1 by `Upsample` + `Conv2d` (lesson 05).
