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
# This one has three stages down, 28 → 14 → 7 → 3, three stages back up, BatchNorm after
# every stage, and a code of 64×3×3 = 576 numbers: smaller than the 784-pixel image, for
# the first time in the course.
#
# **What you will learn**
# - what BatchNorm does, shown on real activations, and where the lesson plan puts it;
# - the shape arithmetic of 28 → 14 → 7 → 3 and back, and why the first transposed
#   convolution needs `output_padding=0` and the next two need `output_padding=1`;
# - how the deep model compares with lesson 01's on the same training budget, and with
#   PCA at the same code size;
# - the trade-off between code size and reconstruction error, measured as a curve from
#   18 to 576 numbers, beside PCA at every size.
#
# **Time:** about a minute and a half of computing: 80 s, measured with `benchmarks/bench_notebooks.py` on one CPU thread with a 60,000-image
# training set (MNIST's size; real MNIST could not be downloaded where the course was
# built, so the offline stand-in was enlarged to 60,000 images), with lesson 01's model
# already cached. The deep model's recipe trains on 12,000 images for 5 epochs (60,000
# image passes); the code-size curve trains five small models. Trained weights are cached,
# so a second run is much quicker. The last cell prints this run's time.
#
# **Prerequisites:** lesson 01 (output-size formulas, the simple model, PCA as a baseline).

# %%
import inspect
import time

import matplotlib.pyplot as plt
import torch
from IPython.display import Code
from torch import nn

from course_utils import arithmetic, recipes
from course_utils.config import budget, seed_everything
from course_utils.summary import Table, count_parameters

notebook_start = time.perf_counter()

# %% [markdown]
# ## 1 · The model
#
# The encoder repeats one stage three times: a 3×3 convolution that keeps the size, a ReLU,
# a BatchNorm, and a 2×2 max pooling that halves it. The decoder repeats a transposed
# convolution stage three times and ends with a 3×3 convolution to one channel and a
# Sigmoid, so pixels land in (0, 1). Here are the two stages and the model, as
# `course_utils` defines them (the same layers as the lesson plan's `DeepConvAutoencoder`):

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

# %%
# NBVAL_CHECK_OUTPUT
from course_utils.arithmetic import trace_shapes

seed_everything(0)
model = DeepConvAutoencoder(latent_channels=64)
print(trace_shapes(model, (1, 28, 28)))

# %%
# NBVAL_CHECK_OUTPUT
from course_utils.summary import parameter_table

print(parameter_table(model))
assert count_parameters(model) == 83_905

# %% [markdown]
# 83,905 parameters, against lesson 01's 225. Most sit in the decoder's first two
# transposed convolutions (64×64×3×3 and 64×32×3×3 weights). The BatchNorm layers own two
# numbers per channel, a scale γ and a shift β.
#
# ## 2 · BatchNorm, and where the lesson plan puts it
#
# In training mode, `BatchNorm2d` takes each channel, computes its mean and standard
# deviation over the whole batch and every position, subtracts the mean, divides by the
# standard deviation, and then applies the learned scale γ and shift β (they start at 1
# and 0). In eval mode it uses running averages of those statistics gathered during
# training instead, so one image's output does not depend on the rest of its batch.
#
# The next cell shows it on real activations: 128 training digits through the first
# stage's convolution and ReLU, then through its BatchNorm, per channel (first 6 of 16).

# %%
train_set, test_set = recipes.standard_data()
print(train_set)
print(test_set)

# %%
first_conv, first_relu, first_bn = model.encoder[0], model.encoder[1], model.encoder[2]
batch = train_set.images[:128]  # 128×1×28×28
first_bn.train()
with torch.no_grad():
    before = torch.relu(first_conv(batch))  # 128×16×28×28, all ≥ 0
    after = first_bn(before)  # 128×16×28×28
first_bn.eval()
rows = [[f"channel {c}", float(before[:, c].mean()), float(before[:, c].std()),
         float(before[:, c].min()), float(after[:, c].mean()), float(after[:, c].std()),
         float(after[:, c].min())] for c in range(6)]
print(Table(["", "mean before", "std before", "min before", "mean after", "std after",
             "min after"], rows))
spread_before = before.std(dim=(0, 2, 3))  # 16: each channel's std over batch and positions
spread_after = after.std(dim=(0, 2, 3))
dead = int((spread_before == 0).sum())
alive = spread_before > 0.05  # channels with a real spread
print(f"\nchannels that are 0 at every pixel of all 128 images after the ReLU: {dead} of 16")
print(f"largest |mean| after BatchNorm: {after.mean(dim=(0, 2, 3)).abs().max():.1e}; std after, "
      f"for the {int(alive.sum())} channels with std > 0.05 before: "
      f"{spread_after[alive].min():.4f} to {spread_after[alive].max():.4f}")
tiny = (spread_before > 0) & ~alive
if tiny.any():
    print(f"channels with a tiny spread (0 < std ≤ 0.05 before): {int(tiny.sum())}; their std "
          f"after BatchNorm: {spread_after[tiny].min():.3f} to {spread_after[tiny].max():.3f}")
assert after.mean(dim=(0, 2, 3)).abs().max() < 1e-4
assert (spread_after[alive] - 1).abs().max() < 1e-2

# %% [markdown]
# Before BatchNorm each channel is a ReLU output: never negative, with its own scale. After
# it, every channel with a real spread has mean 0 and standard deviation 1 over the batch,
# and part of its values are negative. Two details can show up in the numbers: a channel
# that the ReLU sets to 0 everywhere stays 0 (there is nothing to normalise, and
# BatchNorm's shift β starts at 0), and a channel with a tiny spread ends with a standard
# deviation below 1, because BatchNorm divides by $\sqrt{\sigma^2 + \epsilon}$ with
# $\epsilon = 10^{-5}$.
#
# **Where it sits.** The lesson plan (and this course's model) orders each stage as
# convolution → ReLU → BatchNorm. The other common order, the one the BatchNorm paper
# (Ioffe & Szegedy, 2015) used and many later networks follow, is convolution → BatchNorm →
# ReLU. Some consequences of the choice, which follow from the definitions:
#
# - with the seed's order, the next convolution receives normalised inputs of both signs;
#   with BatchNorm before the ReLU, it receives non-negative ones;
# - with BatchNorm right after a convolution, the convolution's bias is redundant (the mean
#   is subtracted anyway) and is usually switched off; with the seed's order it is not:
#   the bias moves the point where the ReLU cuts;
# - the encoder's last stage ends in BatchNorm then pooling, so the code itself has values
#   of both signs (measured in section 4).
#
# Which order reconstructs better is an empirical question this notebook does not answer:
# exercise 1 measures it.
#
# ## 3 · 28 → 14 → 7 → 3, and back
#
# The encoder's sizes follow from lesson 01's formulas. The next cell works each layer
# through with `course_utils.arithmetic` and checks it against the real layer of the model.

# %%
# NBVAL_CHECK_OUTPUT
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
print(Table(["layer", "type", "in", "formula", "course_utils", "PyTorch", "match"], rows))
assert all(row[-1] for row in rows) and size == 3

# %% [markdown]
# The last pooling takes 7 to ⌊(7 − 2)/2⌋ + 1 = 3: the 7th row and column fall outside
# every 2×2 window and are simply dropped. The next cell checks that with PyTorch: pooling
# a 7×7 map gives exactly what pooling its top-left 6×6 corner gives.

# %%
# NBVAL_CHECK_OUTPUT
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

# %%
# NBVAL_CHECK_OUTPUT
def up_row(mark, i, k, s, p, a, target):
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
print(Table(["", "in", "setting", "formula (k=3, s=2)", "course_utils", "PyTorch", "want",
             "hits it"], rows))
assert all(r[4] == r[5] for r in rows) and all(r[-1] == "yes" for r in rows if r[0] == "★")

# %% [markdown]
# - **3 → 7**: with $p = 0$, $(3-1)·2 + 3 = 7$ exactly, so no output padding is needed.
#   (Padding 1 would give 5.) The odd size 7 is what a 3×3 kernel with stride 2 naturally
#   produces: $2i + 1$.
# - **7 → 14** and **14 → 28**: with $p = 1$ the formula gives $2i - 1$ (13 and 27), one
#   short of the even target, so `output_padding=1` adds the missing row and column.
#   Without padding, 7 would go to 15: too many.
#
# The model's own decoder agrees, layer by layer:

# %%
# NBVAL_CHECK_OUTPUT
rows, size = [], 3
for name, layer in model.decoder.named_children():
    if isinstance(layer, (nn.ConvTranspose2d, nn.Conv2d)):
        out = pytorch_size(layer, layer.in_channels, size)
        if isinstance(layer, nn.ConvTranspose2d):
            ours = arithmetic.conv_transpose_output_size(
                size, layer.kernel_size[0], layer.stride[0], layer.padding[0],
                layer.output_padding[0])
        else:
            ours = arithmetic.conv_output_size(size, layer.kernel_size[0], layer.stride[0],
                                               layer.padding[0])
        rows.append([f"decoder.{name}", type(layer).__name__, size,
                     f"p={layer.padding[0]}, output_padding="
                     f"{getattr(layer, 'output_padding', (0,))[0]}", ours, out])
        size = out
print(Table(["layer", "type", "in", "setting", "course_utils", "PyTorch"], rows))
assert size == 28 and all(r[-2] == r[-1] for r in rows)

# %% [markdown]
# No cropping anywhere: the decoder produces exactly 28×28 because the arithmetic says so.
#
# ## 4 · Training, and lesson 01's model on the same budget
#
# The deep model trains with the course's shared recipe, so later lessons reuse these
# weights:

# %%
Code(inspect.getsource(recipes.deep_conv), language="python")

# %% [markdown]
# The next cell trains it (or loads the cached weights), and gets lesson 01's model from
# its recipe too (loaded instantly if lesson 01 ran). Both recipes use the **same budget**:
# the same training images (`recipes.standard_data()`), the same number of epochs and the
# same batch size of 128. They differ in learning rate (3e-3 for the simple model, 2e-3
# for the deep one, each recipe's own setting).

# %%
deep, deep_history = recipes.deep_conv(train_set, test_set)  # latent_channels=64
simple, simple_history = recipes.simple_conv(train_set, test_set)
print("deep:  ", deep_history)
print("simple:", simple_history)
for name, h in (("deep", deep_history), ("simple", simple_history)):
    print(f"{name:>6}: {len(train_set) * h.epochs / h.total_seconds:,.0f} training images/s "
          f"when it was trained")

# %%
from course_utils.viz import plot_history

plot_history({"DeepConvAutoencoder (code 576)": deep_history,
              "SimpleConvAutoencoder (code 3,136)": simple_history},
             title="Same images, same epochs: loss per epoch", log_scale=True)
plt.show()

# %% [markdown]
# The next cell puts the two side by side on the test images, with PCA at the deep model's
# code size (576 components), and with each model before training.

# %%
from course_utils.metrics import mse, pca_baseline
from course_utils.models import SimpleConvAutoencoder
from course_utils.summary import latent_size
from course_utils.training import evaluate, reconstruct

test_x = test_set.images
seed_everything(0)
deep_untrained = evaluate(DeepConvAutoencoder(64), test_x)
seed_everything(0)
simple_untrained = evaluate(SimpleConvAutoencoder(), test_x)
deep_mse, simple_mse = evaluate(deep, test_x), evaluate(simple, test_x)
pca_576 = pca_baseline(train_set.images, 576)
pca_576_mse = pca_576.mse(test_x)
mean_mse = mse(train_set.images.mean(0, keepdim=True).expand_as(test_x), test_x)
print(Table(["model", "parameters", "code size", "test MSE before training",
             "test MSE after training"], [
    ["SimpleConvAutoencoder", count_parameters(simple), latent_size(simple), simple_untrained,
     simple_mse],
    ["DeepConvAutoencoder(64)", count_parameters(deep), latent_size(deep), deep_untrained,
     deep_mse],
    ["PCA, 576 components", "", 576, "", pca_576_mse],
    ["mean training image", "", 0, "", mean_mse],
]))
print()
better, worse = ("deep", "simple") if deep_mse < simple_mse else ("simple", "deep")
ratio = max(deep_mse, simple_mse) / min(deep_mse, simple_mse)
print(f"On this budget the {better} model reconstructs the test digits better: its error is "
      f"{ratio:.2f}× lower than the {worse} model's (deep {deep_mse:.5f}, simple {simple_mse:.5f}).")
print(f"PCA with 576 components leaves out only {1 - pca_576.explained_variance:.1e} of the "
      f"training images' variance; its test error, {pca_576_mse:.2e}, is "
      f"{deep_mse / pca_576_mse:,.0f}× lower than the deep autoencoder's at the same code size.")
assert deep_mse < deep_untrained and simple_mse < simple_untrained
assert pca_576_mse < min(deep_mse, simple_mse), "at 576 numbers, PCA is nearly lossless"

# %% [markdown]
# **What the PCA comparison shows.** 576 numbers is 73% of the 784 pixels, and digit
# images vary along far fewer directions than that, so PCA at 576 components is almost a
# lossless copy (see the explained variance above). A 576-number code is simply not a
# bottleneck for digits, and at that size the best *linear* autoencoder beats this deep,
# nonlinear one by orders of magnitude. The deep model's real bottleneck is elsewhere: it
# has to rebuild a 28×28 image from a 3×3 grid of positions, through three learned
# upsampling stages, in a handful of epochs. An autoencoder's nonlinearity can only pay
# off when the code is small enough to force a choice; section 5 measures where.
#
# The images, through all three:

# %%
from course_utils.viz import show_reconstructions

show_reconstructions(test_x[:10], {
    "simple (3,136)": reconstruct(simple, test_x[:10]),
    "deep (576)": reconstruct(deep, test_x[:10]),
    "PCA-576": pca_576.reconstruct(test_x[:10]),
}, title="Test digits: lesson 01's model, the deep model, and PCA-576")
plt.show()

# %% [markdown]
# And the code itself: 64 channels of 3×3, values of both signs because the last encoder
# stage ends in BatchNorm (section 2).

# %%
from course_utils.training import encode_all

codes = encode_all(deep, test_x)  # N×64×3×3
print(f"codes: {tuple(codes.shape)}; values from {codes.min():.2f} to {codes.max():.2f}; "
      f"{(codes < 0).float().mean():.0%} negative")

# %% [markdown]
# ## 5 · How small can the code get? A measured curve
#
# `latent_channels` sets the number of channels at the 3×3 bottleneck, so the code holds
# 9 × `latent_channels` numbers. The next cell lists the five sizes this section trains
# (deterministic facts: code size, compression, parameters).

# %%
# NBVAL_CHECK_OUTPUT
from course_utils.summary import compression_ratio

channel_choices = (2, 4, 8, 16, 64)
rows = []
for c in channel_choices:
    m = DeepConvAutoencoder(c)
    rows.append([c, f"{c}×3×3 = {latent_size(m)}", f"{compression_ratio(m):.1f}×",
                 count_parameters(m)])
print(Table(["latent_channels", "code size", "compression (784 ÷ code)", "parameters"], rows))

# %% [markdown]
# Five models at the recipe's budget would take five times as long as section 4, so the
# curve uses its own, smaller budget, the same for every point: 2,000 training images for
# 2 epochs with batches of 32 (FAST mode: 500 images, 1 epoch). Smaller batches give more
# optimizer steps per image, which these models need early on. The 64-channel point is
# retrained at this budget, so it is *not* the model of section 4. PCA is fitted on the
# full training set at each size, as always.

# %%
from course_utils.training import cached_train

curve_train = train_set.subset(budget(full=2_000, fast=500))
curve_epochs = budget(full=2, fast=1)
curve = {}
for c in channel_choices:
    seed_everything(0)
    m = DeepConvAutoencoder(c)
    h = cached_train(m, f"02_bottleneck_{c}", curve_train, test_set, epochs=curve_epochs,
                     batch_size=32, lr=2e-3, loss="mse", seed=0, progress=False)
    size = latent_size(m)
    curve[size] = {"channels": c, "ae": evaluate(m, test_x),
                   "pca": pca_baseline(train_set.images, size).mse(test_x),
                   "seconds": h.total_seconds}
    print(f"latent_channels={c:>2}: code {size:>3}, autoencoder {curve[size]['ae']:.5f}, "
          f"PCA {curve[size]['pca']:.3g}  ({h.total_seconds:.0f} s training)")

# %%
from matplotlib.ticker import NullLocator

from course_utils.viz import use_house_style

use_house_style()
sizes = sorted(curve)
fig, ax = plt.subplots(figsize=(7, 4))
ax.plot(sizes, [curve[s]["ae"] for s in sizes], marker="o",
        label=f"DeepConvAutoencoder ({len(curve_train):,} images × {curve_epochs} "
              f"epoch{'s' if curve_epochs > 1 else ''})")
ax.plot(sizes, [curve[s]["pca"] for s in sizes], marker="s", label="PCA, same code size")
ax.axhline(mean_mse, color="grey", ls=":", lw=1, label="mean training image")
ax.set_xscale("log")
ax.set_yscale("log")
ax.set_xticks(sizes, [str(s) for s in sizes])
ax.xaxis.set_minor_locator(NullLocator())  # only the five code sizes on the x axis
ax.set_xlabel("code size: numbers per image (log scale)")
ax.set_ylabel("test MSE per pixel (log scale)")
ax.set_title("Reconstruction error against code size")
ax.legend(fontsize=8)
fig.tight_layout()
plt.show()

# %% [markdown]
# What the curve says, in numbers:

# %%
rows = []
for s in sizes:
    ae, pca = curve[s]["ae"], curve[s]["pca"]
    winner = "autoencoder" if ae < pca else "PCA"
    rows.append([s, curve[s]["channels"], ae, pca, winner, f"{max(ae, pca) / min(ae, pca):,.1f}×"])
print(Table(["code size", "latent_channels", "autoencoder MSE", "PCA MSE", "lower error",
             "by"], rows))
print()
ae_wins = [s for s in sizes if curve[s]["ae"] < curve[s]["pca"]]
falls = all(curve[a]["ae"] > curve[b]["ae"] for a, b in zip(sizes, sizes[1:]))
ae_fold = curve[sizes[0]]["ae"] / curve[sizes[-1]]["ae"]
pca_fold = curve[sizes[0]]["pca"] / curve[sizes[-1]]["pca"]
print("The autoencoder's error " + ("falls at every step" if falls else
      "does not fall at every step") + f" from {sizes[0]} to {sizes[-1]} numbers and "
      f"falls {ae_fold:,.1f}-fold overall ({curve[sizes[0]]['ae']:.5f} → "
      f"{curve[sizes[-1]]['ae']:.5f}); PCA's falls {pca_fold:,.0f}-fold over the same range.")
if ae_wins:
    print(f"The autoencoder beats PCA at code size(s) {', '.join(map(str, ae_wins))}, and "
          f"loses at the others.")
else:
    data_name = "the offline stand-in" if train_set.is_fallback else train_set.name
    print(f"On {data_name}, with this budget, PCA has the lower error at "
          f"every code size: the autoencoder does not beat the linear baseline anywhere on "
          f"this curve.")
assert all(curve[a]["pca"] >= curve[b]["pca"] for a, b in zip(sizes, sizes[1:]))
assert pca_fold > 10 * ae_fold, "PCA gains far more from a bigger code than the autoencoder"

# %% [markdown]
# Two things to take from it. First, PCA improves steeply with every component it keeps,
# while the autoencoder, at a fixed small budget, improves far less as its code grows
# (the assert above checks "more than ten times less"): a bigger code does not train
# itself. Second, wherever PCA wins, the autoencoder has
# not earned its nonlinearity *at this budget*; on the smooth offline stand-in (enlarged
# 8×8 digits) PCA is especially strong, so read the table for what your data gives.
# Lesson 06 compares architectures at equal code size more carefully.
#
# ## 6 · What `forward` returns
#
# The lesson plan's `DeepConvAutoencoder.forward` returns a pair,
# `(reconstructed, latent)`. Every model in this course returns only the reconstruction,
# and gives the code through `encode`: one contract for all models, and every model can
# go straight into a loss. The next cell shows both styles on the trained model.

# %%
# NBVAL_CHECK_OUTPUT
from course_utils.training import reconstruction_loss


class SeedStyle(nn.Module):
    """The lesson plan's forward: returns (reconstruction, code)."""

    def __init__(self, autoencoder: nn.Module) -> None:
        super().__init__()
        self.autoencoder = autoencoder

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        latent = self.autoencoder.encode(x)
        return self.autoencoder.decode(latent), latent


x = test_x[:4]
with torch.no_grad():
    reconstructed, latent = SeedStyle(deep).eval()(x)  # the seed: unpack a pair
    x_hat = deep(x)  # the course: just the reconstruction
    z = deep.encode(x)  # ... and the code when you want it
print("seed style:   reconstructed", tuple(reconstructed.shape), " latent", tuple(latent.shape))
print("course style: model(x)", tuple(x_hat.shape), " model.encode(x)", tuple(z.shape))
print("same reconstruction:", torch.equal(reconstructed, x_hat))
try:
    reconstruction_loss(SeedStyle(deep)(x), x)
except AttributeError as error:
    print(f"a pair passed to the loss fails: AttributeError: {error}")

# %% [markdown]
# ## Summary
#
# - BatchNorm normalises each channel over the batch (mean 0, std 1, shown above), then
#   scales and shifts it with learned γ and β. The lesson plan puts it *after* the ReLU;
#   convolution → BatchNorm → ReLU is the other common order. This notebook does not
#   measure which is better.
# - 28 → 14 → 7 → 3: the last pooling drops the 7th row and column. Back up, 3 → 7 needs
#   no output padding ($(3-1)·2 + 3 = 7$); 7 → 14 and 14 → 28 need `output_padding=1`
#   because $(i-1)·2 - 2 + 3 = 2i - 1$ is one short. All checked against PyTorch.
# - On the same budget, the deep model and lesson 01's simple model compare as printed in
#   section 4; PCA at the deep model's code size (576) is nearly lossless and far ahead of
#   both, because 576 numbers are no bottleneck for digits.
# - The size/quality curve (section 5) puts the autoencoder beside PCA at 18 to 576
#   numbers; the table there says where each wins on your data.
# - The course's `forward` returns the reconstruction only; `encode` gives the code.
#
# ## Exercises
#
# 1. Build the other BatchNorm order (convolution → BatchNorm → ReLU) by writing your own
#    `_conv_stage` and `_up_stage`, train it with the curve's budget at 16 latent
#    channels, and compare its test error with the curve's 16-channel point.
# 2. Change the last pooling to `nn.MaxPool2d(2, ceil_mode=True)`: what size is the code
#    now (use `arithmetic.pool_output_size(7, 2, ceil_mode=True)`)? Which padding and
#    output padding make the first transposed convolution return 7 again?
# 3. Pick `latent_channels=1` (9 numbers). Predict its parameter count, then train it with
#    the curve's budget and add it to the plot beside PCA-9.
#
# Next: **03 · The stacked fully connected autoencoder**.

# %%
training_seconds = (deep_history.total_seconds + simple_history.total_seconds
                    + sum(point["seconds"] for point in curve.values()))
print(f"this notebook ran in {time.perf_counter() - notebook_start:.0f} s "
      f"with {torch.get_num_threads()} CPU thread(s); training its seven models took "
      f"{training_seconds:.0f} s (in this run, or in an earlier one for weights that came "
      f"from the cache)")
