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
# # 01 · A simple convolutional autoencoder
#
# A fully connected autoencoder flattens a 28×28 image into 784 numbers and forgets which
# pixel was next to which. A *convolutional* autoencoder keeps the image as an image: every
# layer holds a stack of 2-D maps. This lesson builds the smallest one of the course, looks
# at every tensor it produces, trains it on real MNIST digits, and measures it against PCA.
#
# **What you will learn**
# - how data flows through a fully connected and a convolutional autoencoder, with real tensors;
# - the output-size formulas of convolution and pooling, worked through for this model's
#   layers and checked against PyTorch;
# - the `SimpleConvAutoencoder`: its source, its shapes and where its parameters sit, traced
#   by the course's own tool and by `torchinfo`, and checked to agree;
# - how well it reconstructs digits, next to PCA;
# - why its code (16×14×14 numbers) is *bigger* than the 28×28-pixel image, and what that
#   means for "compression".
#
# **Time:** about 20 minutes to read and run. The computing takes well under a minute on
# one CPU core, about half of it training; trained weights are cached, so a second run is
# quicker. The last cell prints how long this run took.
#
# **Prerequisites:** lesson 00; PyTorch tensors and `nn.Module`.

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

# %%
import inspect
import time

import matplotlib.pyplot as plt
import torch
from IPython.display import Code, display
from torch import nn

from course_utils.config import seed_everything
from course_utils.tables import table
from course_utils.viz import use_house_style

notebook_start = time.perf_counter()
use_house_style()  # plots, and tables (DataFrames) with thousands separators
torch.set_printoptions(precision=3, sci_mode=False)

# %% [markdown]
# ## 1 · Two ways to move an image through a network
#
# The difference is often put in one table:
#
# | Type | Data flow |
# |------|-----------|
# | Fully connected | $x \in \mathbb{R}^d \to z \in \mathbb{R}^k \to \hat{x} \in \mathbb{R}^d$ |
# | Convolutional | $X \in \mathbb{R}^{H \times W \times C} \to Z \in \mathbb{R}^{h \times w \times c} \to \hat{X} \in \mathbb{R}^{H \times W \times C}$ |
#
# PyTorch orders the axes as batch × channels × height × width (N×C×H×W), so a batch of
# MNIST digits is N×1×28×28. The next cell loads the data the course's trained models use
# (`recipes.standard_data()`, a fixed subset of MNIST, the same in every lesson) and
# prints how many images it holds and where they came from.

# %%
from course_utils import recipes

train_set, test_set = recipes.standard_data()
print(f"training: {len(train_set):,} images; test: {len(test_set):,} images")
print(f"source:   {train_set.source}")
print(f"offline subset instead of full MNIST: {train_set.is_fallback}")
# where the first test image of each digit sits, for the pictures below
shown = torch.tensor([int(torch.nonzero(test_set.labels == d)[0]) for d in range(10)])

# %% [markdown]
# Now 8 test digits, one each of 0 to 7, go through both kinds of layers, untrained, and
# every shape is printed.

# %% tags=["nbval-check-output"]
x = test_set.images[shown[:8]]  # 8×1×28×28: digits 0 to 7
seed_everything(0)
fc_encoder = nn.Linear(784, 32)
fc_decoder = nn.Linear(32, 784)
conv = nn.Conv2d(1, 16, kernel_size=3, padding=1)
pool = nn.MaxPool2d(kernel_size=2)
up = nn.ConvTranspose2d(16, 1, kernel_size=2, stride=2)

with torch.no_grad():
    flat = x.flatten(1)  # 8×784: the image becomes a list of numbers
    z_fc = fc_encoder(flat)  # 8×32
    x_fc = fc_decoder(z_fc).view(-1, 1, 28, 28)  # 8×784, reshaped back to 8×1×28×28
    maps = conv(x)  # 8×16×28×28: 16 maps, each still 28×28
    z_conv = pool(maps)  # 8×16×14×14
    x_conv = up(z_conv)  # 8×1×28×28

print("fully connected:", " → ".join(
    "×".join(map(str, t.shape)) for t in (x, flat, z_fc, x_fc)))
print("convolutional:  ", " → ".join(
    "×".join(map(str, t.shape)) for t in (x, maps, z_conv, x_conv)))

# %% [markdown]
# Both end where they started, at 8×1×28×28. In the middle, the fully connected code is a
# row of 32 numbers per image; the convolutional code is 16 maps of 14×14, and position
# (row, column) in each map still describes the same region of the digit.
#
# A common claim says that a convolutional autoencoder has *translation invariance*. The
# next cell tests that with real tensors: shift a digit by 2 pixels and by 1 pixel, and
# compare the layers' outputs with shifted copies of the originals (away from the image
# border, where the shift wraps around).

# %% tags=["nbval-check-output"]
def shift(t: torch.Tensor, pixels: int) -> torch.Tensor:
    """Move the content of N×C×H×W maps down and right by ``pixels``."""
    return torch.roll(t, shifts=(pixels, pixels), dims=(2, 3))


inner = (slice(None), slice(None), slice(4, -4), slice(4, -4))  # away from the border
with torch.no_grad():
    conv_then_shift = shift(conv(x), 2)
    shift_then_conv = conv(shift(x, 2))
    code = pool(conv(x))
    code_2 = pool(conv(shift(x, 2)))
    code_1 = pool(conv(shift(x, 1)))
print("conv(shifted image) == shifted conv(image):           ",
      torch.allclose(shift_then_conv[inner], conv_then_shift[inner], atol=1e-6))
print("code of a 2-pixel shift == code moved by 1 position:  ",
      torch.allclose(code_2[inner], shift(code, 1)[inner], atol=1e-6))
print("code of a 1-pixel shift == the code itself:           ",
      torch.allclose(code_1[inner], code[inner], atol=1e-6))
print("code of a 1-pixel shift == code moved by 1 position:  ",
      torch.allclose(code_1[inner], shift(code, 1)[inner], atol=1e-6))

# %% [markdown]
# So the convolution is translation **equivariant**: shift the input and its output shifts
# with it, exactly. That is what weight sharing buys. It is not *invariance*: the code of
# a shifted digit is a shifted code, not the same code, and a 1-pixel shift, which the
# 2×2 pooling cannot follow, gives a code that matches neither. The next cell measures how
# much each code changes under a 1-pixel shift, the convolutional one and the fully
# connected one.

# %%
def relative_change(a: torch.Tensor, b: torch.Tensor) -> float:
    return float((a - b).norm() / b.norm())


with torch.no_grad():
    fc_change = relative_change(fc_encoder(shift(x, 1).flatten(1)), fc_encoder(x.flatten(1)))
conv_change = relative_change(code_1, code)
print(f"1-pixel shift: the conv code changes by {conv_change:.0%}, "
      f"the fully connected code by {fc_change:.0%} (relative L2 change)")

# %% [markdown]
# Neither code stays the same under a 1-pixel shift. Where a convolutional network does
# become (nearly) invariant, it is through many pooling stages, or by training for it; the
# claim is better read as "equivariant, by construction".
#
# ## 2 · How big is each layer's output?
#
# Two formulas are usually given. For a convolution with input size $i$, kernel $k$,
# stride $s$ and padding $p$:
#
# $$o = \left\lfloor \frac{i + 2p - k}{s} \right\rfloor + 1$$
#
# and for max pooling, $o = \lfloor i / \text{pool\_size} \rfloor$. `course_utils.arithmetic`
# implements the general form PyTorch uses (with dilation $d$, which is 1 here):

# %%
from course_utils import arithmetic

Code(inspect.getsource(arithmetic.conv_output_size), language="python")

# %% [markdown]
# Pooling uses the *same* formula as convolution, with the stride defaulting to the
# kernel size. The short rule $\lfloor i / \text{pool\_size} \rfloor$ is the special
# case stride = kernel and no padding. The next cell works the formulas through for the
# model's own layers (marked ★) and for a few others, and checks every answer against a
# real PyTorch layer run on a 1×1×i×i input.

# %% tags=["nbval-check-output"]
def pytorch_size(layer: nn.Module, channels: int, size: int) -> int:
    """The height PyTorch's own layer produces for a channels×size×size input."""
    with torch.no_grad():
        return int(layer(torch.zeros(1, channels, size, size)).shape[-1])


def conv_row(name: str, i: int, k: int, s: int, p: int) -> list:
    ours = arithmetic.conv_output_size(i, k, s, p)
    theirs = pytorch_size(nn.Conv2d(1, 1, k, s, p), 1, i)
    return [name, i, f"⌊({i} + 2·{p} − {k}) / {s}⌋ + 1", ours, "", theirs, ours == theirs]


def pool_row(name: str, i: int, k: int, s: int) -> list:
    ours = arithmetic.pool_output_size(i, k, s)
    theirs = pytorch_size(nn.MaxPool2d(k, s), 1, i)
    return [name, i, f"⌊({i} − {k}) / {s}⌋ + 1", ours, f"⌊{i}/{k}⌋ = {i // k}", theirs,
            ours == theirs]


size_table = table(
    ["layer", "input", "formula", "course_utils", "short pool rule", "PyTorch", "match"], [
        conv_row("★ Conv2d k=3 s=1 p=1", 28, 3, 1, 1),
        pool_row("★ MaxPool2d k=2 s=2", 28, 2, 2),
        conv_row("Conv2d k=3 s=1 p=0", 28, 3, 1, 0),
        conv_row("Conv2d k=5 s=1 p=2", 28, 5, 1, 2),
        conv_row("Conv2d k=3 s=2 p=1", 28, 3, 2, 1),
        conv_row("Conv2d k=3 s=2 p=1", 27, 3, 2, 1),
        pool_row("MaxPool2d k=2 s=2", 7, 2, 2),
        pool_row("MaxPool2d k=3 s=2", 28, 3, 2),
    ])
assert size_table["match"].all(), "course_utils and PyTorch disagree"
size_table

# %% [markdown]
# Three things to read off the table:
#
# - a 3×3 kernel with padding 1 keeps the size (28 → 28), which is why the model can pool
#   straight afterwards; without padding the map shrinks by 2 (28 → 26);
# - stride 2 halves the size, and both 27 and 28 go to 14: information about the exact
#   input size is lost, which is what `output_padding` restores in lesson 02;
# - the short pooling rule $\lfloor i/\text{pool\_size} \rfloor$ is right for the model's
#   2×2 pooling, but wrong as soon as stride ≠ kernel: 3×3 pooling with stride 2 gives 13,
#   not ⌊28/3⌋ = 9.
#
# The decoder goes back up with one transposed convolution (lesson 05 is all about it). Its
# size formula is $o = (i - 1)s - 2p + k + a$, with $a$ the output padding:

# %% tags=["nbval-check-output"]
i, k, s, p, a = 14, 2, 2, 0, 0
ours = arithmetic.conv_transpose_output_size(i, k, s, p, a)
theirs = pytorch_size(nn.ConvTranspose2d(1, 1, k, s, p, a), 1, i)
print(f"★ ConvTranspose2d k={k} s={s}: ({i} − 1)·{s} − 2·{p} + {k} + {a} = {ours}; "
      f"PyTorch gives {theirs}")
assert ours == theirs == 28

# %% [markdown]
# A 2×2 kernel with stride 2 paints each input position onto its own 2×2 block of the
# output, with no overlap: 14 positions → 28 pixels, exactly.
#
# ## 3 · The model
#
# Here is the model as `course_utils` defines it. It follows the contract every model of
# the course shares, set by the base class `Autoencoder` (printed after it): `encode(x)`
# gives the code, `decode(z)` the image, and `forward(x)` the reconstruction.

# %%
from course_utils.models import SimpleConvAutoencoder
from course_utils.models.base import Autoencoder

Code(inspect.getsource(SimpleConvAutoencoder), language="python")

# %%
Code(inspect.getsource(Autoencoder), language="python")

# %% [markdown]
# `trace_shapes` runs one blank image through the model and records what every layer
# outputs (without the batch axis) and how many parameters it owns.

# %% tags=["nbval-check-output"]
from course_utils.arithmetic import trace_shapes

seed_everything(0)
model = SimpleConvAutoencoder()
trace = trace_shapes(model, (1, 28, 28))
trace.to_frame()

# %% [markdown]
# [`torchinfo`](https://github.com/TylerYep/torchinfo) is the tool most PyTorch users
# reach for to see the same thing. Its `summary` runs a batch of one image through the
# model too, and prints the output shape (batch axis included) and parameter count of
# every layer, with the containers (`Sequential`) as well as the layers inside them. Its
# footer adds memory estimates and a count of multiply-adds, which this lesson does not use.

# %%
from torchinfo import summary

info = summary(model, input_size=(1, 1, 28, 28), col_names=("output_size", "num_params"),
               verbose=0)
print(info)

# %% [markdown]
# Two tools, two tables. Instead of comparing them by eye, the next cell lines them up
# layer by layer (torchinfo's innermost layers against the trace's rows) and checks that
# the names, the output shapes and the parameter counts agree, and the totals too.

# %% tags=["nbval-check-output"]
from course_utils.summary import count_parameters

module_names = {id(module): name for name, module in model.named_modules()}
leaves = [layer for layer in info.summary_list if layer.is_leaf_layer]  # no containers
agreement = table(
    ["layer", "type", "trace_shapes: shape", "torchinfo: shape", "trace_shapes: parameters",
     "torchinfo: parameters"],
    [[ours.name, ours.layer, "×".join(map(str, ours.output_shape)),
      "×".join(map(str, theirs.output_size[1:])),  # drop torchinfo's batch axis
      ours.parameters, theirs.num_params]
     for ours, theirs in zip(trace, leaves, strict=True)])
display(agreement)

same_layers = [row.name for row in trace] == [module_names[id(t.module)] for t in leaves]
same_shapes = (agreement["trace_shapes: shape"] == agreement["torchinfo: shape"]).all()
same_counts = (agreement["trace_shapes: parameters"] == agreement["torchinfo: parameters"]).all()
totals = {"trace_shapes": sum(row.parameters for row in trace),
          "torchinfo": info.total_params, "count_parameters": count_parameters(model)}
print(f"same layers in the same order: {same_layers}; same output shapes: {same_shapes}; "
      f"same parameter counts: {same_counts}")
print("total parameters:", ", ".join(f"{tool} {n:,}" for tool, n in totals.items()))
assert same_layers and same_shapes and same_counts and len(set(totals.values())) == 1

# %% [markdown]
# They agree on every layer. Where are the parameters? Each of the 16 filters is a
# 1×3×3 kernel plus a bias; the transposed convolution has a 2×2 kernel from each of the
# 16 channels to the single output channel, plus one bias. The next cell lists the
# weight shapes and works the count out by hand.

# %% tags=["nbval-check-output"]
from course_utils.summary import parameter_table

encoder_count = 16 * (1 * 3 * 3) + 16
decoder_count = 16 * 1 * (2 * 2) + 1
display(parameter_table(model))
print(f"by hand: encoder 16·(1·3·3) + 16 = {encoder_count};  "
      f"decoder 16·1·(2·2) + 1 = {decoder_count};  total {encoder_count + decoder_count}")
print(f"for scale: one Linear layer from 784 pixels to a single number has "
      f"{count_parameters(nn.Linear(784, 1))} parameters")
assert count_parameters(model) == encoder_count + decoder_count

# %% [markdown]
# A fully connected layer from the 784 pixels to a single number already has more
# parameters than this whole model (last line above). The convolution reuses the same
# 3×3 weights at every position.
#
# ## 4 · Training
#
# The course trains its standard models with shared *recipes*, so every lesson that
# needs this model gets the same weights (and a later lesson loads them in a fraction of a
# second). This is the recipe:

# %%
Code(inspect.getsource(recipes.simple_conv), language="python")

# %% [markdown]
# A recipe fixes the optimizer's learning rate and schedule, the batch size, and how many
# optimizer *steps* to take; the number of passes over the data (epochs) follows from the
# size of the training set, so the wait is the same whatever the data.

# %%
print(recipes.SIMPLE_CONV)
print("for", f"{len(train_set):,}", "training images:", recipes.SIMPLE_CONV.settings(len(train_set)))

# %% [markdown]
# The next cell trains the model with that recipe (or loads the weights if this notebook
# ran before) and prints the history: mean squared error (MSE) per pixel on the training
# and test images.

# %%
model, history = recipes.simple_conv(train_set, test_set)
print(history)
images_per_second = len(train_set) * history.epochs / history.total_seconds
print(f"trained on {len(train_set):,} images × {history.epochs} epoch(s) at "
      f"{images_per_second:,.0f} images/s ({torch.get_num_threads()} CPU thread(s) now)")

# %%
from course_utils.viz import plot_history

plot_history({"SimpleConvAutoencoder": history}, title="SimpleConvAutoencoder: loss per epoch",
             log_scale=True)
plt.show()

# %% [markdown]
# Test digits it never saw, and what came back:

# %%
from course_utils.training import evaluate, reconstruct
from course_utils.viz import show_reconstructions

test_x = test_set.images  # N×1×28×28, N = len(test_set)
recon = reconstruct(model, test_x)  # N×1×28×28
show_reconstructions(test_x[shown], {"SimpleConvAutoencoder": recon[shown]},
                     title="Test digits and their reconstructions")
plt.show()

# %% [markdown]
# Did training help at all? The next cell compares the trained model with the same model
# before training (same seed, so the same initial weights) and with the simplest
# baseline, the mean training image. PCA, the baseline every other reconstruction in the
# course stands beside, needs a section of its own here (section 6), because of this
# model's code size.

# %%
from course_utils.metrics import mse

seed_everything(0)
untrained_mse = evaluate(SimpleConvAutoencoder(), test_x)
ae_mse = evaluate(model, test_x)
mean_mse = mse(train_set.images.mean(0, keepdim=True).expand_as(test_x), test_x)
print(f"test MSE before training:      {untrained_mse:.5f}")
print(f"test MSE after training:       {ae_mse:.5f}")
print(f"test MSE of the mean image:    {mean_mse:.5f}")
if ae_mse < mean_mse:
    print(f"the trained model beats the mean image: {mean_mse / ae_mse:.1f}× lower error")
else:
    print(f"the trained model does NOT beat the mean image ({ae_mse / mean_mse:.1f}× its "
          f"error)")
assert ae_mse < untrained_mse, "training should lower the test error"

# %% [markdown]
# ## 5 · A code bigger than the image
#
# An autoencoder is usually drawn with a narrow middle. This one is wide: the next cell
# counts the numbers in and out of the encoder, and the bytes, if you stored them.

# %% tags=["nbval-check-output"]
from course_utils.summary import compression_ratio, latent_size

with torch.no_grad():
    z = model.encode(torch.zeros(1, 1, 28, 28))
pixels = 28 * 28
code_numbers = latent_size(model)
print(f"input: 1×28×28 = {pixels} numbers; code: {'×'.join(map(str, z.shape[1:]))} = "
      f"{code_numbers:,} numbers")
print(f"compression ratio (input ÷ code): {compression_ratio(model):.2f}, i.e. the code is "
      f"{code_numbers / pixels:.0f}× larger")
print(f"as stored data: an MNIST image is {pixels} bytes (uint8), its code "
      f"{code_numbers * 4:,} bytes (float32), {code_numbers * 4 // pixels}× more")
assert code_numbers == 16 * 14 * 14 and compression_ratio(model) < 1

# %% [markdown]
# So this model does not compress at all: it *re-describes* each image with 4× as many
# numbers (16× as many bytes). Its code is **overcomplete**. Nothing in its shape forces
# it to find what digits have in common, which is what a bottleneck is for.
#
# How much of those numbers is actually used? ReLU followed by max pooling sets many
# entries to exactly zero, and a code computed from an image holds nothing the image
# did not. The next cell measures both on the test codes: the share of zeros, and how
# many directions hold 99% of the codes' variance, next to the same count for the raw
# pixels.

# %%
from course_utils.training import encode_all


def directions_for(share: float, rows: torch.Tensor) -> int:
    """How many principal directions hold ``share`` of the variance of the rows of N×D data."""
    centred = rows - rows.mean(0, keepdim=True)
    variances = torch.linalg.svdvals(centred) ** 2
    cumulative = torch.cumsum(variances, 0) / variances.sum()
    return int(torch.searchsorted(cumulative, share)) + 1


codes = encode_all(model, test_x).flatten(1)  # N×3,136
zeros = float((codes == 0).float().mean())
code_dirs = directions_for(0.99, codes)
pixel_dirs = directions_for(0.99, test_x.flatten(1))
print(f"{len(codes):,} test codes of {codes.shape[1]:,} numbers: {zeros:.0%} of all entries are 0")
print(f"99% of the codes' variance lies in {code_dirs} directions "
      f"(the pixels': {pixel_dirs} directions; at most {len(codes) - 1} can be seen in "
      f"{len(codes):,} images)")
print(f"the code has {codes.shape[1] / pixels:.0f}× as many numbers as the image, and spreads "
      f"over {code_dirs / pixel_dirs:.1f}× as many directions")

# %% [markdown]
# Compare the two ratios in the last line: the number of code numbers grows far more
# than the number of directions they vary in. The code is a redundant, spread-out
# description of the image, not a richer one.
#
# ## 6 · Against PCA
#
# PCA is the best *linear* autoencoder: for a code of $k$ numbers, no linear encoder and
# decoder reconstruct the training images with a smaller squared error. It is the baseline
# every reconstruction in this course stands beside, at the same code size.
#
# PCA needs a code **at most as long as the image**: there are only 784 directions in a
# 784-pixel space. The next cell asks `course_utils.metrics.pca_baseline` for PCA at the
# autoencoder's code size, and prints what it says.

# %%
from course_utils.metrics import pca_baseline

try:
    pca_baseline(train_set.images, code_numbers)
except ValueError as error:
    print(f"ValueError: {error}")

# %% [markdown]
# And PCA with all 784 components is *lossless*: it just rotates the pixel axes, and
# rotating back gives every image exactly, digit or not. The next cell fits it once, then
# reuses its first $k$ components for every smaller $k$ (PCA's components are nested, so
# the first $k$ of the full fit are PCA with $k$ components), and checks that shortcut
# against `pca_baseline` at one size.

# %%
import numpy as np

pca_full = pca_baseline(train_set.images, pixels)  # all 784 components
components = torch.as_tensor(pca_full.pca.components_, dtype=torch.float32)  # 784×784
pixel_mean = torch.as_tensor(pca_full.pca.mean_, dtype=torch.float32)  # 784


def pca_reconstruct(images: torch.Tensor, k: int) -> torch.Tensor:
    """Encode with the first k principal directions, decode, clip to [0, 1]."""
    basis = components[:k]  # k×784
    z = (images.flatten(1) - pixel_mean) @ basis.T  # N×k: the code
    return (z @ basis + pixel_mean).clamp(0, 1).view_as(images)


pca_errors: dict[int, float] = {}


def pca_test_mse(k: int) -> float:
    """Test MSE of PCA with k components (computed once per k)."""
    if k not in pca_errors:
        pca_errors[k] = mse(pca_reconstruct(test_x, k), test_x)
    return pca_errors[k]


sizes = sorted({int(k) for k in np.geomspace(1, pixels, 40).round()})  # 1 … 784, log-spaced
pca_mse = {k: pca_test_mse(k) for k in sizes}
check = pca_baseline(train_set.images, 64).mse(test_x)
print(f"PCA-64 via the shortcut: {pca_test_mse(64):.6f}; via pca_baseline(64): {check:.6f}")
print(f"PCA-784 test MSE: {pca_test_mse(pixels):.1e} (zero up to rounding)")
assert abs(pca_test_mse(64) - check) <= 0.02 * check + 1e-7
assert pca_test_mse(pixels) < 1e-8 < ae_mse, "PCA-784 is lossless; the overcomplete AE is not"

# %% [markdown]
# Now the comparison. PCA cannot be set to the autoencoder's code size, so the next cell
# asks the opposite question: *how many PCA components give the same test error as the
# autoencoder's 16×14×14 numbers?* It finds the answer by bisection and shows it in a
# table with PCA at a few other sizes it can keep.

# %%
def smallest_k_matching(error: float) -> int:
    """The fewest PCA components whose test MSE is at most ``error`` (bisection; PCA-784 is exact)."""
    low, high = 0, pixels  # PCA-low is worse than error (PCA-0 is the mean image), PCA-high is not
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (low, middle) if pca_test_mse(middle) <= error else (middle, high)
    return high


k_match = smallest_k_matching(ae_mse)
rows = [["mean training image", 0, mean_mse]]
rows += [[f"PCA, {k} component{'s' if k > 1 else ''}", k, pca_test_mse(k)]
         for k in sorted({4, 16, 64, k_match, pixels})]
rows += [["SimpleConvAutoencoder", code_numbers, ae_mse]]
display(table(["model", "numbers per image", "test MSE"], rows))
if k_match == 1:
    print(f"The autoencoder's {code_numbers:,}-number code reconstructs test digits no better "
          f"than PCA with a single component (PCA-1: {pca_test_mse(1):.5f}; "
          f"autoencoder: {ae_mse:.5f}).")
else:
    print(f"The autoencoder's {code_numbers:,}-number code reconstructs test digits about as well "
          f"as PCA with {k_match} components (PCA-{k_match}: {pca_test_mse(k_match):.5f}, "
          f"PCA-{k_match - 1}: {pca_test_mse(k_match - 1):.5f}; autoencoder: {ae_mse:.5f}): "
          f"{code_numbers / k_match:.0f}× more numbers for the same error.")

# %% [markdown]
# The same comparison as a curve: PCA's test error at every size it can keep, and the
# autoencoder as one point at its own code size.

# %%
fig, ax = plt.subplots(figsize=(7, 4))
ax.plot(sizes[:-1], [pca_mse[k] for k in sizes[:-1]], marker=".",
        label=f"PCA, 1 to {pixels - 1} components")
ax.scatter([code_numbers], [ae_mse], color="C1", zorder=3,
           label=f"SimpleConvAutoencoder ({code_numbers:,} numbers)")
ax.axhline(ae_mse, color="C1", ls="--", lw=1)
ax.axvline(pixels, color="grey", ls=":", lw=1)
ax.text(pixels * 1.05, ax.get_ylim()[1] * 0.5, f"{pixels} pixels:\nPCA-{pixels} is exact",
        fontsize=8)
ax.set_xscale("log")
ax.set_yscale("log")
ax.set_xlabel("numbers per image in the code (log scale)")
ax.set_ylabel("test MSE per pixel (log scale)")
ax.set_title("Reconstruction error against code size: PCA and the simple autoencoder")
ax.legend(fontsize=8)
fig.tight_layout()
plt.show()

# %% [markdown]
# Where the dashed line meets the PCA curve is the size PCA needs for the autoencoder's
# error. Side by side, the same test digits through the autoencoder and through PCA with
# that number of components:

# %%
show_reconstructions(test_x[shown], {
    "SimpleConvAutoencoder": recon[shown],
    f"PCA, {k_match} comp.": pca_reconstruct(test_x[shown], k_match),
}, title=f"Autoencoder ({code_numbers:,} numbers) and PCA ({k_match} numbers)")
plt.show()

# %% [markdown]
# ## 7 · Does an overcomplete code just copy?
#
# With a code 4× larger than the image, the easiest solution is not to learn "digits" at
# all but to learn to *copy*: an approximate identity. PCA with fewer components than
# pixels cannot do that: it can only rebuild images made of the digit directions it
# kept. A copier reconstructs images unlike anything it was trained on.
#
# The next cell tests both on two kinds of image neither saw in training: inverted digits
# (white background, 1 − x) and uniform random noise. For reference, it also shows the
# error of predicting each set's own mean image.

# %%
generator = torch.Generator().manual_seed(0)
unusual = {
    "test digits": test_x,
    "inverted digits (1 − x)": 1 - test_x,
    "uniform noise": torch.rand(len(test_x), 1, 28, 28, generator=generator),
}
rows, results = [], {}
for name, images in unusual.items():
    own_mean = mse(images.mean(0, keepdim=True).expand_as(images), images)
    ae = evaluate(model, images)
    pca_k = mse(pca_reconstruct(images, k_match), images)
    pca_784 = mse(pca_reconstruct(images, pixels), images)
    results[name] = (ae, pca_k, own_mean)
    rows.append([name, ae, pca_k, pca_784, own_mean])
display(table(["images", "autoencoder", f"PCA-{k_match}", f"PCA-{pixels}", "their mean image"],
              rows, title="Test MSE on images unlike the training digits"))
for name in ("inverted digits (1 − x)", "uniform noise"):
    ae, pca_k, own_mean = results[name]
    print(f"{name}: the autoencoder's error is {ae:.4f}, "
          + (f"{pca_k / ae:.1f}× lower than PCA-{k_match}'s" if ae < pca_k
             else f"not lower than PCA-{k_match}'s ({pca_k:.4f})")
          + (f", and {own_mean / ae:.1f}× lower than predicting their mean image."
             if ae < own_mean else f"; predicting their mean image does as well ({own_mean:.4f})."))

# %%
inverted = unusual["inverted digits (1 − x)"][shown]
show_reconstructions(inverted, {
    "autoencoder": reconstruct(model, inverted),
    f"PCA-{k_match}": pca_reconstruct(inverted, k_match),
}, title="Inverted digits, never seen in training")
plt.show()

# %% [markdown]
# Read the rows together. PCA with the autoencoder's error on ordinary digits fails on
# inverted ones, worse than predicting their mean image: it can only draw digits (in the
# pictures it paints the white border black, as every training digit has it). The
# autoencoder's error on inverted digits stays of the same order as its error on
# ordinary ones (the table's first two rows) and far below PCA's (the ratio printed
# above): it has learned something closer to a local copy than a model of digits,
# because its code is large enough that it never had to choose what to keep.
#
# Noise is where the copy is weakest: the autoencoder's error there is many times its
# error on digits, and only a little below predicting the noise's mean image (the last
# line above). Every noise pixel is independent of its neighbours, and a 2×2 max pooling
# lets four pixels in while each of the 16 channels keeps only a maximum, so the
# "identity" is approximate; how close training brings it is exercise 3.
#
# This is why autoencoders used for *features* or *compression* need a bottleneck (lesson
# 02), noise (lesson 08) or a penalty (lesson 10): without one, a big enough code is free
# to copy.
#
# ## Summary
#
# - A convolutional autoencoder keeps images as N×C×H×W maps; its layers are translation
#   *equivariant* (shown exactly above), not invariant as is often said.
# - Output sizes: $\lfloor (i + 2p - k)/s \rfloor + 1$ for convolution *and* pooling; the
#   short rule $\lfloor i/\text{pool\_size}\rfloor$ holds only when stride = kernel.
#   Transposed convolution: $(i-1)s - 2p + k + a$. All checked against PyTorch.
# - `trace_shapes` and `torchinfo.summary` agree on every layer's output shape and
#   parameter count (checked in code, not by eye).
# - `SimpleConvAutoencoder` has a 16×14×14 code, 4× the 784 pixels: it does not compress.
# - PCA cannot keep more components than pixels, and with all 784 it is lossless; the
#   autoencoder's larger code is not, and its test error matches PCA with far fewer
#   components (section 6). On inverted digits it behaves like a copier, not a model of
#   digits (section 7).
#
# ## Exercises
#
# 1. Change `channels` in `SimpleConvAutoencoder(channels=4)`: the code becomes 4×14×14 =
#    784 numbers, exactly the image size. Predict the parameter count, then check it with
#    `count_parameters`. Train it with `course_utils.training.train` and the recipe's
#    settings (`**recipes.SIMPLE_CONV.settings(len(train_set))`): how does its test error
#    compare with the 16-channel model and with PCA?
# 2. Use the table in section 2 to design an encoder that maps 28×28 to 7×7 with two
#    stride-2 convolutions instead of pooling. Check your sizes with `trace_shapes` and
#    with `torchinfo.summary`.
# 3. Train a fresh model for more epochs with the recipe's other settings:
#    `seed_everything(0)`, `model = SimpleConvAutoencoder()`, then
#    `train(model, train_set, test_set, **{**recipes.SIMPLE_CONV.settings(len(train_set)), "epochs": 30})`
#    (`train` from `course_utils.training`). Re-run every cell from "Test digits it never
#    saw" on (they recompute `recon` and `ae_mse`, which sections 6 and 7 use). How many
#    PCA components does it match now? Does the error on noise fall too?
# 4. The recipe trains this 225-parameter model at a high learning rate (`lr=1e-2`).
#    Retrain a fresh model with the recipe's settings but `lr=3e-3`, then `lr=3e-2` (as in
#    exercise 3, with `"lr": 3e-3` in place of `"epochs": 30`), and compare the test
#    errors and the matching PCA size (`smallest_k_matching` from section 6). Why can a
#    model this small take such large steps?
#
# Next: **02 · A deep convolutional autoencoder**, with a real bottleneck.

# %%
print(f"this notebook ran in {time.perf_counter() - notebook_start:.0f} s "
      f"with {torch.get_num_threads()} CPU thread(s); training the model took "
      f"{history.total_seconds:.0f} s (in this run, or in an earlier one if its weights came "
      f"from the cache)")
