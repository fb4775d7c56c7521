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
# # 02 · A deep convolutional autoencoder
#
# Lesson 01's model had one layer each way and a code four times larger than the image.
# This one has three stages down, 28 → 14 → 7 → 3, three stages back up, BatchNorm in
# every stage, and a code of 64×3×3 = 576 numbers: smaller than the 784-pixel image, for
# the first time in the course. Then we ask the question every autoencoder must answer:
# does it beat PCA, the best *linear* code, at the same code size?
#
# **What you will learn**
# - what BatchNorm computes, checked by hand on real activations, and where this model
#   puts it;
# - the shape arithmetic of 28 → 14 → 7 → 3 and back, and why the first transposed
#   convolution needs `output_padding=0` and the next two need `output_padding=1`;
# - how the deep model compares with lesson 01's model and with PCA, and why a 576-number
#   code is no bottleneck at all;
# - where this model's code, a 3×3 grid of local numbers, falls short of PCA as the code
#   grows, and why;
# - a conv autoencoder with a *flat* 32-number code that beats PCA at the same size, and
#   how its test error falls below PCA's as training goes on.
#
# **Time:** about 20 minutes to read. The computing takes two to three minutes on a free
# CPU core the first time (up to three models train; lesson 01's comes from the cache),
# longer on a busy one; trained weights are cached, so a second run is much quicker. The
# last cell prints this run's times.
#
# **Prerequisites:** lesson 01 (output-size formulas, the simple model, PCA as a baseline).

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

from course_utils import arithmetic, recipes
from course_utils.config import seed_everything
from course_utils.summary import count_parameters, latent_size, parameter_table
from course_utils.tables import table
from course_utils.viz import use_house_style

notebook_start = time.perf_counter()
use_house_style()  # plots, and tables (DataFrames) with thousands separators

# %% [markdown]
# ## 1 · The model
#
# The encoder repeats one stage three times: a 3×3 convolution that keeps the size, a ReLU,
# a BatchNorm, and a 2×2 max pooling that halves it. The decoder repeats a transposed
# convolution stage three times and ends with a 3×3 convolution to one channel and a
# Sigmoid, so pixels land in (0, 1). Here are the two stages and the model, as
# `course_utils` defines them:

# %%
from course_utils.models import DeepConvAutoencoder
from course_utils.models import conv as conv_models

Code(inspect.getsource(conv_models._conv_stage) + "\n\n"
     + inspect.getsource(conv_models._up_stage), language="python")

# %%
Code(inspect.getsource(DeepConvAutoencoder), language="python")

# %% [markdown]
# Every layer's output shape and parameter count, from one blank image run through the
# model:

# %% tags=["nbval-check-output"]
from course_utils.arithmetic import trace_shapes

seed_everything(0)
model = DeepConvAutoencoder(latent_channels=64)
trace_shapes(model, (1, 28, 28)).to_frame()

# %% tags=["nbval-check-output"]
parameters = parameter_table(model)
assert parameters["parameters"].iloc[-1] == count_parameters(model) == 83_905
parameters

# %% [markdown]
# 83,905 parameters, against lesson 01's 225. Most sit in the decoder's first two
# transposed convolutions (64×64×3×3 and 64×32×3×3 weights). Each BatchNorm layer owns two
# numbers per channel, a scale γ and a shift β.

# %% [markdown]
# ## 2 · BatchNorm, and where this model puts it
#
# In training mode, `BatchNorm2d` takes each channel, computes its mean and variance over
# the whole batch and every position, subtracts the mean, divides by
# $\sqrt{\text{variance} + \epsilon}$, and then applies the learned scale γ and shift β
# (they start at 1 and 0):
#
# $$\text{BN}(x) = \gamma \cdot \frac{x - \mu_c}{\sqrt{\sigma_c^2 + \epsilon}} + \beta$$
#
# In eval mode it uses running averages of $\mu_c$ and $\sigma_c^2$ gathered during
# training instead, so one image's output does not depend on the rest of its batch.
#
# First the data: the fixed subset of MNIST that every trained model of the course uses.

# %%
train_set, test_set = recipes.standard_data()
print(f"training: {len(train_set):,} images; test: {len(test_set):,} images")
print(f"source:   {train_set.source}")


def spread(images: torch.Tensor, count: int) -> torch.Tensor:
    """``count`` images picked at random (fixed seed), so that every digit shows up."""
    return images[torch.randperm(len(images), generator=torch.Generator().manual_seed(0))[:count]]

# %% [markdown]
# The next cell sends 128 training digits through the first stage's convolution and ReLU,
# then through its BatchNorm, and shows the first 6 of its 16 channels before and after.

# %%
first_conv, first_bn = model.encoder[0], model.encoder[2]  # Conv2d(1, 16), BatchNorm2d(16)
batch = spread(train_set.images, 128)  # 128×1×28×28
first_bn.train()  # batch statistics, as during training
with torch.no_grad():
    before = torch.relu(first_conv(batch))  # 128×16×28×28, all ≥ 0
    after = first_bn(before)  # 128×16×28×28
first_bn.eval()
per_channel = (0, 2, 3)  # statistics over the batch and every position, one per channel
table(["channel", "mean before", "std before", "min before", "mean after", "std after",
       "min after"],
      [[c, float(before[:, c].mean()), float(before[:, c].std()), float(before[:, c].min()),
        float(after[:, c].mean()), float(after[:, c].std()), float(after[:, c].min())]
       for c in range(6)])

# %% [markdown]
# Before BatchNorm every value is a ReLU output, never negative; after it, channels are
# centred on zero and part of their values are negative. Rather than trusting the table by
# eye, the next cell computes the formula above by hand, with the per-channel mean and the
# *biased* variance (divided by N, not N − 1), and compares it with PyTorch's output.

# %%
mu = before.mean(dim=per_channel, keepdim=True)  # 1×16×1×1
var = before.var(dim=per_channel, unbiased=False, keepdim=True)  # 1×16×1×1
gamma = first_bn.weight.detach().view(1, -1, 1, 1)  # 1×16×1×1, starts at 1
beta = first_bn.bias.detach().view(1, -1, 1, 1)  # 1×16×1×1, starts at 0
by_hand = gamma * (before - mu) / torch.sqrt(var + first_bn.eps) + beta
gap = float((by_hand - after).abs().max())
print(f"largest difference between the formula and PyTorch: {gap:.1e}")
assert gap < 1e-4, "BatchNorm is the formula above, with per-channel batch statistics"

spread_before = before.std(dim=per_channel)  # 16: each channel's std before
spread_after = after.std(dim=per_channel)
flat_channels = int((spread_before == 0).sum())
print(f"channels that the ReLU sets to 0 at every pixel of all 128 images: {flat_channels} of 16")
print(f"largest |mean| after BatchNorm: {after.mean(dim=per_channel).abs().max():.1e}")
print(f"std after BatchNorm, channels with std > 0.05 before: "
      f"{spread_after[spread_before > 0.05].min():.4f} to "
      f"{spread_after[spread_before > 0.05].max():.4f}")
for c in torch.nonzero(spread_after < 0.9).flatten().tolist():
    print(f"channel {c}: std {spread_before[c]:.1e} before, only {spread_after[c]:.3f} after")

# %% [markdown]
# The formula matches PyTorch to rounding error. It also explains the edge cases a
# printout like this can show: a channel that the ReLU sets to 0 everywhere stays 0 (its
# variance is 0, and ε keeps the division finite), and a channel with a tiny spread ends
# with a standard deviation well below 1 (the last lines above), because
# $\epsilon = 10^{-5}$ is not small next to its variance.
#
# **Where it sits.** This model orders each stage as convolution → ReLU → BatchNorm. The
# other common order, the one the BatchNorm paper used and many later networks follow, is
# convolution → BatchNorm → ReLU. Some consequences follow from the definitions:
#
# - here the next convolution receives normalised inputs of both signs; with BatchNorm
#   before the ReLU, it receives non-negative ones;
# - with BatchNorm right after a convolution, the convolution's bias is redundant (the mean
#   is subtracted anyway) and is usually switched off; here it is not: the bias moves the
#   point where the ReLU cuts;
# - the encoder's last stage ends in BatchNorm then pooling, so the code itself has values
#   of both signs (measured in section 4).
#
# Which order reconstructs better is an empirical question: exercise 1 measures it.

# %% [markdown]
# ## 3 · 28 → 14 → 7 → 3, and back
#
# The encoder's sizes follow from lesson 01's formulas. The next cell works each layer
# through with `course_utils.arithmetic` and checks it against the real layer of the model.

# %% tags=["nbval-check-output"]
def pytorch_size(layer: nn.Module, channels: int, size: int) -> int:
    """The height PyTorch's own layer produces for a channels×size×size input."""
    with torch.no_grad():
        return int(layer(torch.zeros(1, channels, size, size)).shape[-1])


rows, size = [], 28
for name, layer in model.encoder.named_children():
    if isinstance(layer, nn.Conv2d):
        k, s, p = layer.kernel_size[0], layer.stride[0], layer.padding[0]
        out = arithmetic.conv_output_size(size, k, s, p)
        formula = f"⌊({size} + 2·{p} − {k}) / {s}⌋ + 1"
    elif isinstance(layer, nn.MaxPool2d):
        k, s = layer.kernel_size, layer.stride
        out = arithmetic.pool_output_size(size, k, s)
        formula = f"⌊({size} − {k}) / {s}⌋ + 1"
    else:
        continue  # ReLU and BatchNorm keep the size
    theirs = pytorch_size(layer, layer.in_channels if isinstance(layer, nn.Conv2d) else 1, size)
    rows.append([f"encoder.{name}", type(layer).__name__, size, formula, out, theirs, out == theirs])
    size = out
assert all(row[-1] for row in rows) and size == 3
table(["layer", "type", "in", "formula", "course_utils", "PyTorch", "match"], rows)

# %% [markdown]
# The last pooling takes 7 to ⌊(7 − 2)/2⌋ + 1 = 3: the 7th row and column fall outside
# every 2×2 window and are simply dropped. The next cell checks that with PyTorch: pooling
# a 7×7 map gives exactly what pooling its top-left 6×6 corner gives.

# %% tags=["nbval-check-output"]
maps = torch.rand(1, 64, 7, 7, generator=torch.Generator().manual_seed(0))
pool = nn.MaxPool2d(2)
print("pool(7×7) == pool(its 6×6 corner):", torch.equal(pool(maps), pool(maps[..., :6, :6])))
print("input sizes that 2×2 pooling sends to 3:",
      [i for i in range(2, 20) if arithmetic.pool_output_size(i, 2) == 3])
print("input sizes that 2×2 pooling sends to 7:",
      [i for i in range(2, 20) if arithmetic.pool_output_size(i, 2) == 7])

# %% [markdown]
# That is the heart of the `output_padding` question. A stride-2 layer sends *two* input
# sizes to the same output (6 and 7 both go to 3; 14 and 15 both go to 7), so a transposed
# convolution going back up cannot know which one to produce. With kernel $k$, stride $s$,
# padding $p$ and output padding $a$:
#
# $$o = (i - 1)s - 2p + k + a$$
#
# `output_padding` adds $a$ rows on one side to pick the larger size. The next cell tries
# the settings one might write for each decoder stage, and marks the ones the model uses
# (★), with PyTorch's answer beside each.

# %% tags=["nbval-check-output"]
def up_row(mark: str, i: int, k: int, s: int, p: int, a: int, target: int) -> list:
    out = arithmetic.conv_transpose_output_size(i, k, s, p, a)
    theirs = pytorch_size(nn.ConvTranspose2d(1, 1, k, s, p, a), 1, i)
    return [mark, i, f"p={p} a={a}", f"({i} − 1)·{s} − 2·{p} + {k} + {a}", out, theirs, target,
            "yes" if out == target else "no"]


rows = [
    up_row("", 3, 3, 2, 1, 0, 7),
    up_row("★", 3, 3, 2, 0, 0, 7),
    up_row("", 7, 3, 2, 0, 0, 14),
    up_row("", 7, 3, 2, 1, 0, 14),
    up_row("★", 7, 3, 2, 1, 1, 14),
    up_row("", 14, 3, 2, 1, 0, 28),
    up_row("★", 14, 3, 2, 1, 1, 28),
]
assert all(r[4] == r[5] for r in rows) and all(r[-1] == "yes" for r in rows if r[0] == "★")
table(["", "in", "setting", "formula (k=3, s=2)", "course_utils", "PyTorch", "want", "hits it"],
      rows)

# %% [markdown]
# - **3 → 7**: with $p = 0$, $(3-1)·2 + 3 = 7$ exactly, so no output padding is needed.
#   (Padding 1 would give 5.) The odd size 7 is what a 3×3 kernel with stride 2 naturally
#   produces: $2i + 1$.
# - **7 → 14** and **14 → 28**: with $p = 1$ the formula gives $2i - 1$ (13 and 27), one
#   short of the even target, so `output_padding=1` adds the missing row and column.
#   Without padding, 7 would go to 15: too many.
#
# The model's own decoder agrees, layer by layer:

# %% tags=["nbval-check-output"]
rows, size = [], 3
for name, layer in model.decoder.named_children():
    if isinstance(layer, (nn.ConvTranspose2d, nn.Conv2d)):
        out = pytorch_size(layer, layer.in_channels, size)
        k, s, p = layer.kernel_size[0], layer.stride[0], layer.padding[0]
        a = layer.output_padding[0] if isinstance(layer, nn.ConvTranspose2d) else 0
        ours = (arithmetic.conv_transpose_output_size(size, k, s, p, a)
                if isinstance(layer, nn.ConvTranspose2d) else arithmetic.conv_output_size(size, k, s, p))
        rows.append([f"decoder.{name}", type(layer).__name__, size,
                     f"p={p}, output_padding={a}", ours, out])
        size = out
assert size == 28 and all(r[-2] == r[-1] for r in rows)
table(["layer", "type", "in", "setting", "course_utils", "PyTorch"], rows)

# %% [markdown]
# No cropping anywhere: the decoder produces exactly 28×28 because the arithmetic says so.

# %% [markdown]
# ## 4 · Training, beside lesson 01's model and PCA
#
# Every trained model of the course comes from a *recipe* in `course_utils.recipes`: the
# optimizer, learning rate, schedule, batch size and number of optimizer steps that give
# that model a fair chance. The deep model's recipe:

# %%
print(recipes.DEEP_CONV)
Code(inspect.getsource(recipes.deep_conv), language="python")

# %% [markdown]
# Adam, with a cosine schedule that lowers the learning rate smoothly to zero by the last
# step. The next cell trains the deep model with it (or loads the cached weights), and
# gets lesson 01's model from its own recipe (loaded instantly if lesson 01 ran).

# %%
def steps_of(recipe: recipes.Recipe, history) -> int:
    """Optimizer steps a recipe took: epochs × batches per epoch."""
    return history.epochs * -(-len(train_set) // recipe.batch_size)


deep, deep_history = recipes.deep_conv(train_set, test_set)  # latent_channels=64
simple, simple_history = recipes.simple_conv(train_set, test_set)
for name, recipe, h in (("deep", recipes.DEEP_CONV, deep_history),
                        ("simple", recipes.SIMPLE_CONV, simple_history)):
    print(f"{name:>6}: {steps_of(recipe, h):,} steps of {recipe.batch_size} images at lr "
          f"{recipe.lr:g} ({h})")

# %% [markdown]
# The next cell puts both on the test images, with each model before training, PCA at the
# deep model's code size (576 components), and the simplest baseline of all: predicting
# the mean training image for every digit (a code of zero numbers). It also picks one test
# digit of each class for the pictures of this lesson.

# %%
from course_utils.metrics import mse, pca_baseline
from course_utils.models import SimpleConvAutoencoder
from course_utils.training import evaluate, reconstruct

test_x = test_set.images
digits = torch.stack([torch.nonzero(test_set.labels == d)[0, 0] for d in range(10)])
shown = test_x[digits]  # 10×1×28×28: the first test image of each digit, 0 to 9
seed_everything(0)
deep_untrained = evaluate(DeepConvAutoencoder(64), test_x)
seed_everything(0)
simple_untrained = evaluate(SimpleConvAutoencoder(), test_x)
deep_mse, simple_mse = evaluate(deep, test_x), evaluate(simple, test_x)
pca_576 = pca_baseline(train_set.images, 576)
pca_576_mse = pca_576.mse(test_x)
mean_mse = mse(train_set.images.mean(0, keepdim=True).expand_as(test_x), test_x)
table(["model", "parameters", "code size", "test MSE before training", "test MSE after training"],
      [["SimpleConvAutoencoder", count_parameters(simple), latent_size(simple), simple_untrained,
        simple_mse],
       ["DeepConvAutoencoder(64)", count_parameters(deep), latent_size(deep), deep_untrained,
        deep_mse],
       ["PCA, 576 components", None, 576, None, pca_576_mse],
       ["mean training image", None, 0, None, mean_mse]])

# %%
better, worse = ("deep", "simple") if deep_mse < simple_mse else ("simple", "deep")
print(f"The {better} model reconstructs the test digits better: its error is "
      f"{max(deep_mse, simple_mse) / min(deep_mse, simple_mse):.2f}× lower than the {worse} "
      f"model's.")
print(f"{latent_size(deep)} numbers are {latent_size(deep) / test_x[0].numel():.0%} of the "
      f"pixels. PCA with {pca_576.n_components} components "
      f"leaves out {1 - pca_576.explained_variance:.2%} of the "
      f"training images' variance; its test error is {pca_576_mse:.1e}, "
      f"{deep_mse / pca_576_mse:,.0f}× lower than the deep autoencoder's at the same code size.")
assert deep_mse < deep_untrained and simple_mse < simple_untrained, "training lowers the error"
assert pca_576_mse < deep_mse, "at 576 numbers, PCA is nearly lossless"

# %% [markdown]
# The simple model wins (the first line above), but remember that it keeps 3,136 numbers
# per image, more than the image has pixels: it does not compress at all.
#
# **A 576-number code is no bottleneck either.** 576 numbers are most of the 784 pixels, and
# handwritten digits vary along far fewer directions than that: PCA keeps all but the
# small share of the variance printed above, so at 576 components it is almost a lossless
# copy, and it beats the deep autoencoder by the factor printed above. An autoencoder can
# only earn its nonlinearity when the code is small enough to force a choice of what to
# keep. Section 5 shrinks the code.
#
# Here are the reconstructions of all three:

# %%
from course_utils.viz import show_reconstructions

show_reconstructions(shown, {
    f"simple ({latent_size(simple):,})": reconstruct(simple, shown),
    f"deep ({latent_size(deep)})": reconstruct(deep, shown),
    "PCA-576": pca_576.reconstruct(shown),
}, title="Test digits: lesson 01's model, the deep model, and PCA with 576 components")
plt.show()

# %% [markdown]
# And the code itself: 64 channels of 3×3. The last encoder stage ends in BatchNorm before
# its pooling (section 2), so the code has values of both signs:

# %%
from course_utils.training import encode_all

codes = encode_all(deep, test_x)  # N×64×3×3
print(f"codes: {tuple(codes.shape)}; values from {codes.min():.2f} to {codes.max():.2f}; "
      f"{(codes < 0).float().mean():.0%} negative")

# %% [markdown]
# ## 5 · A smaller code: where the 3×3 grid falls short
#
# `latent_channels` sets the number of channels at the 3×3 bottleneck, so the code holds
# 9 × `latent_channels` numbers. The next cell lists the two sizes this section compares
# (deterministic facts: code size, compression, parameters).

# %% tags=["nbval-check-output"]
from course_utils.summary import compression_ratio

CHANNELS = (4, 64)  # codes of 36 and 576 numbers
table(["latent_channels", "code", "code size", "compression (784 ÷ code)", "parameters"],
      [[c, f"{c}×3×3", latent_size(m), compression_ratio(m), count_parameters(m)]
       for c in CHANNELS for m in [DeepConvAutoencoder(c)]])

# %% [markdown]
# Both train with the same recipe, `recipes.DEEP_CONV` (the 64-channel model is the one of
# section 4, loaded from the cache). PCA is fitted on the same training images at both
# code sizes for the table, and at seven sizes from 9 to 576 components (doubling each
# time) for the picture after it, so the curve shows what a linear code can do as the
# code grows.

# %%
from functools import cache


@cache
def pca_at(components: int) -> float:
    """Test MSE of PCA with ``components`` numbers per image (fitted on the training set)."""
    return pca_baseline(train_set.images, components).mse(test_x)


grid = {}  # code size → the trained model, its history and its errors
for c in CHANNELS:
    m, h = recipes.deep_conv(train_set, test_set, latent_channels=c)
    grid[9 * c] = {"model": m, "history": h, "channels": c, "test": evaluate(m, test_x),
                   "train": h.final_train_loss, "pca": pca_at(9 * c)}
small, large = min(grid), max(grid)
table(["code size", "latent_channels", "autoencoder: test MSE",
       "autoencoder: training loss (last epoch)", "PCA: test MSE", "lower error"],
      [[size, r["channels"], r["test"], r["train"], r["pca"],
        "autoencoder" if r["test"] < r["pca"] else "PCA"] for size, r in grid.items()])

# %% [markdown]
# The same numbers as a picture, with PCA at the seven sizes:

# %%
from matplotlib.ticker import NullLocator

pca_sizes = (9, 18, 36, 72, 144, 288, 576)
fig, ax = plt.subplots(figsize=(7, 4))
ax.plot(pca_sizes, [pca_at(s) for s in pca_sizes], marker="s", color="C2", label="PCA")
ax.plot(list(grid), [r["test"] for r in grid.values()], marker="o", color="C0", ls="none", ms=8,
        label="DeepConvAutoencoder (C×3×3 code)")
ax.axhline(mean_mse, color="grey", ls=":", lw=1, label="mean training image")
ax.set_xscale("log")
ax.set_yscale("log")
ax.set_xticks(pca_sizes, [str(s) for s in pca_sizes])
ax.xaxis.set_minor_locator(NullLocator())
ax.set_xlabel("code size: numbers per image (log scale)")
ax.set_ylabel("test MSE per pixel (log scale)")
ax.set_title("Reconstruction error against code size")
ax.legend(fontsize=8)
fig.tight_layout()
plt.show()

# %% [markdown]
# What the curve says, in numbers:

# %%
ae_fold = grid[small]["test"] / grid[large]["test"]
pca_fold = grid[small]["pca"] / grid[large]["pca"]
for size, r in grid.items():
    winner = "the autoencoder" if r["test"] < r["pca"] else "PCA"
    ratio = max(r["test"], r["pca"]) / min(r["test"], r["pca"])
    print(f"code {size:>3}: {winner} has the lower error, by {ratio:,.2f}×")
print(f"from {small} to {large} numbers ({large // small}× more) the autoencoder's error falls "
      f"{ae_fold:.1f}-fold; PCA's falls {pca_fold:,.0f}-fold")
print(f"at {large} numbers the autoencoder's test error is "
      f"{grid[large]['test'] / grid[large]['train']:.2f}× its training loss")
assert pca_fold > 10 * ae_fold, "PCA gains far more from a bigger code than this autoencoder"

# %% [markdown]
# Read the table and the curve together:
#
# - **At a small code the grid model holds its own**: the first line above says who wins
#   at 36 numbers, and by how little.
# - **As the code grows, PCA pulls away.** Every component PCA adds removes the next
#   largest share of the variance, so its error keeps falling steeply; the autoencoder's
#   error falls far less over the same range (the assert checks "more than ten times
#   less"). Its test error is close to its training loss (the last line), so it is not
#   memorising the training digits: its error is set by what the network and its training
#   can do, not by the size of its code. The extra numbers buy it little.
#
# The deep model is not a worse PCA at every size, then, but it is not the model that shows
# what an autoencoder can do with a small code. The next section builds one that is.

# %% [markdown]
# ## 6 · A flat code that beats PCA
#
# `FlatConvAutoencoder` keeps the convolutions but ends the encoder differently: two
# stride-2 convolutions take the digit to 32×7×7, and one `Linear` layer maps all 1,568 of
# those numbers to a *flat* code. The decoder mirrors it.

# %%
from course_utils.models import FlatConvAutoencoder
from course_utils.models import flat as flat_models

Code(inspect.getsource(flat_models.conv_encoder_trunk) + "\n\n"
     + inspect.getsource(flat_models.conv_decoder_trunk) + "\n\n"
     + inspect.getsource(FlatConvAutoencoder), language="python")

# %% [markdown]
# Its recipe is `recipes.compact_code`: a code of 32 numbers, Adam at a higher learning
# rate, annealed to zero by the cosine schedule, the same number of steps as the deep model:

# %%
print(recipes.COMPACT_CODE)
compact, compact_history = recipes.compact_code(train_set, test_set)  # code_size=32
compact_mse = evaluate(compact, test_x)
print(f"FlatConvAutoencoder: {count_parameters(compact):,} parameters, code of "
      f"{latent_size(compact)} numbers; {compact_history}")

# %% [markdown]
# The comparison this section is about: the flat 32-number code against PCA with 32
# components, with the grid model's 36-number code and PCA-36 beside them.

# %%
compact_size = latent_size(compact)
comparison = table(
    ["model", "code size", "parameters", "test MSE", "PCA at the same size", "AE ÷ PCA"],
    [["FlatConvAutoencoder (flat code)", compact_size, count_parameters(compact), compact_mse,
      pca_at(compact_size), compact_mse / pca_at(compact_size)],
     [f"DeepConvAutoencoder({grid[small]['channels']}) (grid code)", small,
      count_parameters(grid[small]["model"]),
      grid[small]["test"], grid[small]["pca"], grid[small]["test"] / grid[small]["pca"]]])
display(comparison)
pca_compact = pca_at(compact_size)
print(f"The flat {compact_size}-number code "
      + (f"beats PCA-{compact_size}: its test error is {pca_compact / compact_mse:.2f}× lower"
         if compact_mse < pca_compact else
         f"does not beat PCA-{compact_size}: PCA's test error is {compact_mse / pca_compact:.2f}× lower")
      + f" ({compact_mse:.4f} against {pca_compact:.4f}).")

# %% [markdown]
# How quickly does it get there? The next cell plots each model's test error after every
# epoch against the seconds of training so far, starting from the untrained model, with
# PCA-32's error as a horizontal line. The seconds are those of the run that trained these
# weights: on a busy machine they stretch, but the shape of the curves stays.

# %%
def error_against_time(history, untrained_mse: float) -> tuple[list[float], list[float]]:
    """Cumulative training seconds and test MSE: one point before training, one per epoch."""
    seconds = [0.0]
    for epoch_seconds in history.seconds:
        seconds.append(seconds[-1] + epoch_seconds)
    return seconds, [untrained_mse, *history.test_loss]


seed_everything(0)
compact_untrained = evaluate(FlatConvAutoencoder(compact_size), test_x)
seed_everything(0)
grid_untrained = evaluate(DeepConvAutoencoder(grid[small]["channels"]), test_x)
curves = {f"FlatConvAutoencoder, flat code of {compact_size}":
          error_against_time(compact_history, compact_untrained),
          f"DeepConvAutoencoder({grid[small]['channels']}), grid code of {small}":
          error_against_time(grid[small]["history"], grid_untrained)}
fig, ax = plt.subplots(figsize=(7, 4))
for (label, (seconds, errors)), colour in zip(curves.items(), ("C1", "C0")):
    ax.plot(seconds, errors, marker="o", ms=3, color=colour, label=label)
ax.axhline(pca_at(compact_size), color="C2", ls="--", label=f"PCA, {compact_size} components")
ax.axhline(pca_at(small), color="C2", ls=":", label=f"PCA, {small} components")
ax.set_yscale("log")
ax.set_xlabel("training time (seconds)")
ax.set_ylabel("test MSE per pixel (log scale)")
ax.set_title("Test error during training, against PCA")
ax.legend(fontsize=8)
fig.tight_layout()
plt.show()

# %%
seconds, errors = curves[next(iter(curves))]
below = [i for i, e in enumerate(errors) if e < pca_at(compact_size)]
if below:
    print(f"The flat code's test error first fell below PCA-{compact_size}'s after epoch "
          f"{below[0]} of {compact_history.epochs}, {seconds[below[0]]:.0f} s into its "
          f"{seconds[-1]:.0f} s of training.")
else:
    print(f"The flat code's test error stayed above PCA-{compact_size}'s in this run.")
per_step = {name: h.total_seconds / steps_of(recipe, h) for name, recipe, h in (
    ("flat", recipes.COMPACT_CODE, compact_history),
    ("grid", recipes.DEEP_CONV, grid[small]["history"]))}
print("time per optimizer step (test evaluations included): "
      + ", ".join(f"{name} model {seconds * 1e3:.0f} ms" for name, seconds in per_step.items()))

# %% [markdown]
# The flat model's curve drops through PCA's line and keeps going; the grid model, with a
# few more numbers in its code, ends just below PCA-36's line (the table above gives the
# ratio). Per step the flat model is also the cheaper one (the last line above): its
# stride-2 convolutions only ever produce 14×14 and 7×7 maps, while the grid model
# convolves and normalises full 28×28 maps of 16 channels in its first and last stages.
#
# The same ten test digits through the flat code, PCA-32 and the grid code (each row's
# MSE is over these ten digits only):

# %%
show_reconstructions(shown, {
    f"flat code ({compact_size})": reconstruct(compact, shown),
    f"PCA-{compact_size}": pca_baseline(train_set.images, compact_size).reconstruct(shown),
    f"grid code ({small})": reconstruct(grid[small]["model"], shown),
}, title=f"{compact_size} or {small} numbers per digit: flat code, PCA and 3×3 grid code")
plt.show()

# %% [markdown]
# ## 7 · Why the flat code does better
#
# In the grid model, code number $(c, i, j)$ lives at position $(i, j)$ of a 3×3 grid: the
# encoder computes it from one window of the digit, and the decoder paints it back into
# one patch of the image. In the flat model, every code number comes from all 1,568
# features of the whole digit, and the decoder's `Linear` layer spreads it over all of
# them. PCA is global too: each component is a whole-image pattern.
#
# The next cell measures this on the trained models. For each code number it finds the
# pixels that number can *change* (nudge the number, decode, see which output pixels
# move) and the pixels it *depends on* (the input pixels with a non-zero gradient), over
# 100 test digits picked at random.

# %%
def reach(autoencoder: nn.Module, images: torch.Tensor) -> tuple[list[int], list[int]]:
    """For every code number: how many input pixels it depends on, and output pixels it changes."""
    autoencoder.eval()
    x = images.clone().requires_grad_(True)  # N×1×28×28
    code = autoencoder.encode(x)  # N×4×3×3 (grid) or N×32 (flat)
    z = code.flatten(1)  # N×code size
    with torch.no_grad():
        decoded = autoencoder.decode(code)  # N×1×28×28
    sees, paints = [], []
    for k in range(z.shape[1]):
        grad, = torch.autograd.grad(z[:, k].sum(), x, retain_graph=True)  # N×1×28×28
        sees.append(int((grad != 0).any(dim=0).sum()))
        with torch.no_grad():
            nudged = z.detach().clone()
            nudged[:, k] += 1.0  # move one code number, keep the others
            moved = autoencoder.decode(nudged.view_as(code)) - decoded  # N×1×28×28
        paints.append(int((moved.abs() > 1e-6).any(dim=0).sum()))
    return sees, paints


probe = spread(test_x, 100)
reach_rows = []
for name, m in ((f"grid code, {small} numbers", grid[small]["model"]),
                (f"flat code, {compact_size} numbers", compact)):
    sees, paints = reach(m, probe)
    reach_rows.append([name, min(sees), max(sees), min(paints), max(paints),
                       sum(paints) / len(paints) / 784])
table(["model", "input pixels it depends on: fewest", "most", "output pixels it changes: fewest",
       "most", "average share of the 784"], reach_rows)

# %% [markdown]
# Each grid number reads a large part of the digit (three stages of 3×3 convolutions and
# poolings see far), but it can only paint its own patch of the output: the last column
# gives the average share of the image, against nearly all of it for every flat number.
# A handwritten 7 differs from a 1 by a stroke across the top; a flat code can spend one
# number on "how much top stroke" for the whole digit at once, as a PCA component does,
# while a grid code has to describe each patch with that patch's own few channels.
#
# The code's shape is not the only difference between the two models: the grid model also
# max-pools (keeping one value in four at every stage), normalises with BatchNorm, and
# trains at a lower learning rate. Lesson 06 separates the code's shape from the rest: the
# same convolutions, the same recipe, a flat code or a grid code of the same size.
#
# Hinton and Salakhutdinov showed the same kind of result with a deep fully connected
# autoencoder: with a 30-number code it reconstructed MNIST test digits with far less
# squared error than PCA with 30 components (reference below). The next cell puts this
# lesson's numbers in their units, squared error summed over the 784 pixels of an image.

# %%
pixels = test_x[0].numel()
print(f"squared error per test image: flat code ({compact_size}) "
      f"{compact_mse * pixels:.2f}, PCA-{compact_size} {pca_at(compact_size) * pixels:.2f} "
      f"(ratio {pca_at(compact_size) / compact_mse:.1f}); published, 30 numbers: "
      f"autoencoder 3.00, PCA 13.87 (ratio {13.87 / 3.00:.1f})")
print(f"their training set: 60,000 digits, {60_000 / len(train_set):.0f}× this lesson's")

# %% [markdown]
# The same direction, with the margin printed above. Their setting was far larger: the
# whole MNIST training set, a network of millions of weights, and far longer training
# (see the references).

# %% [markdown]
# ## 8 · What `forward` returns
#
# A common way to write this model's `forward` returns a pair, `(reconstructed, latent)`.
# Every model in this course returns only the reconstruction, and gives the code through
# `encode`: one contract for all models, and every model can go straight into a loss. The
# next cell shows both styles on the trained model.

# %% tags=["nbval-check-output"]
from course_utils.losses import reconstruction_loss


class PairStyle(nn.Module):
    """The other common forward: returns (reconstruction, code)."""

    def __init__(self, autoencoder: nn.Module) -> None:
        super().__init__()
        self.autoencoder = autoencoder

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        latent = self.autoencoder.encode(x)
        return self.autoencoder.decode(latent), latent


x = test_x[:4]
with torch.no_grad():
    reconstructed, latent = PairStyle(deep).eval()(x)  # unpack a pair
    x_hat = deep(x)  # the course: just the reconstruction
    z = deep.encode(x)  # ... and the code when you want it
print("pair style:   reconstructed", tuple(reconstructed.shape), " latent", tuple(latent.shape))
print("course style: model(x)", tuple(x_hat.shape), " model.encode(x)", tuple(z.shape))
print("same reconstruction:", torch.equal(reconstructed, x_hat))
try:
    reconstruction_loss(PairStyle(deep)(x), x)
except AttributeError as error:
    print(f"a pair passed to the loss fails: AttributeError: {error}")

# %% [markdown]
# ## References
#
# - G. E. Hinton and R. R. Salakhutdinov, "Reducing the dimensionality of data with neural
#   networks", *Science* 313 (5786), 504–507, 2006. Their MNIST autoencoder
#   (784-1000-500-250-30, fully connected) reached an average squared reconstruction
#   error of 3.00 per test image with a 30-number code, against 13.87 for PCA with 30
#   components. Their setting differs from this lesson's: all 60,000 MNIST training
#   digits, a network of millions of weights, layer-by-layer pretraining before
#   fine-tuning, and far longer training than this lesson's seconds on one CPU core.
# - S. Ioffe and C. Szegedy, "Batch normalization: accelerating deep network training by
#   reducing internal covariate shift", *ICML*, 2015 (BatchNorm before the nonlinearity).

# %% [markdown]
# ## Summary
#
# - BatchNorm normalises each channel with its batch mean and (biased) variance, then
#   scales and shifts it with learned γ and β; the formula, computed by hand, matches
#   PyTorch. This model puts it *after* the ReLU.
# - 28 → 14 → 7 → 3: the last pooling drops the 7th row and column. Back up, 3 → 7 needs
#   no output padding ($(3-1)·2 + 3 = 7$); 7 → 14 and 14 → 28 need `output_padding=1`
#   because $(i-1)·2 - 2 + 3 = 2i - 1$ is one short. All checked against PyTorch.
# - A 576-number code is no bottleneck for digits: PCA-576 is nearly lossless and far
#   ahead of the deep model.
# - With its 3×3 grid code the deep model is just ahead of PCA at 36 numbers (section 5
#   prints by how little), and falls far behind as the code grows: its error is set by
#   the network and its training, not by the code.
# - A flat code, where every number describes and paints the whole digit, beats PCA at 32
#   numbers within this lesson's training time (printed in section 6); each of the grid
#   code's numbers can only paint one patch of the image (measured in section 7).
# - The course's `forward` returns the reconstruction only; `encode` gives the code.

# %% [markdown]
# ## Exercises
#
# 1. Build the other BatchNorm order (convolution → BatchNorm → ReLU) by writing your own
#    `_conv_stage` and `_up_stage` (and a copy of `DeepConvAutoencoder` that uses them),
#    train it at 4 latent channels with
#    `recipes.DEEP_CONV.train(model, "deep_conv_bn_first_4", train_set, test_set)` after
#    `seed_everything(0)`, and compare its test error with section 5's 36-number model.
# 2. Change the last pooling to `nn.MaxPool2d(2, ceil_mode=True)`: what size is the code
#    now (use `arithmetic.pool_output_size(7, 2, ceil_mode=True)`)? Which padding and
#    output padding make the first transposed convolution return 7 again?
# 3. Train `recipes.compact_code(train_set, test_set, code_size=16)` and
#    `code_size=64`. At which sizes does the flat code beat PCA?
# 4. Give the grid model a flat bottleneck: after its encoder, flatten the 64×3×3 code
#    and add `nn.Linear(576, 36)`; before its decoder, `nn.Linear(36, 576)` and a reshape.
#    Does a flat 36-number code help the deep model as much as it helps section 6's model?
#
# Next: **03 · The stacked fully connected autoencoder**.

# %%
trained = {"deep (64)": deep_history, "simple": simple_history,
           **{f"deep ({size})": r["history"] for size, r in grid.items() if size != 576},
           "flat code": compact_history}
training_seconds = sum(h.total_seconds for h in trained.values())
print(f"this notebook ran in {time.perf_counter() - notebook_start:.0f} s with "
      f"{torch.get_num_threads()} CPU thread(s); training its {len(trained)} models took "
      f"{training_seconds:.0f} s (in this run, or in an earlier one for weights that came "
      f"from the cache)")
