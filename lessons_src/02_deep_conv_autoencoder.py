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
# - what a *receptive field* is, how to compute it layer by layer, and how to measure it
#   with a gradient;
# - how the deep model compares with lesson 01's model and with PCA, and why a 576-number
#   code is no bottleneck at all;
# - where this model's code, a 3×3 grid of local numbers, falls short of PCA as the code
#   grows, and why a conv autoencoder with a *flat* 32-number code can do better;
# - how PCA's error falls with every component you add, beside the trained autoencoders
#   (an explorer);
# - which parts of a common "shallow against deep" table hold for the course's models.
#
# **Time:** about 50 minutes: 32 to read, 13 for the code, and one to two minutes of
# computing on one CPU core the first time (three models train; lesson 01's comes from the
# cache), longer on a busy core. Trained weights are cached, so a second run takes seconds.
#
# **Prerequisites:** lesson 00 (PCA as the mean digit plus weighted components) and lesson
# 01 (output-size formulas, the simple model).

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

# %%
import inspect
import time

import matplotlib.pyplot as plt
import torch
from IPython.display import Code, Markdown, display
from torch import nn

from course_utils import arithmetic, recipes
from course_utils.config import seed_everything
from course_utils.summary import count_parameters, latent_size, parameter_table
from course_utils.tables import table
from course_utils.verdicts import claim, compare, first_below, number, overfitting
from course_utils.viz import show, use_house_style

notebook_start, notebook_cpu = time.perf_counter(), time.process_time()
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
from course_utils.models import DeepConvAutoencoder, SimpleConvAutoencoder
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
# eye, the next cell computes the formula by hand, with the per-channel mean and the
# *biased* variance (divided by N, not N − 1), and compares it with PyTorch's output.
#
# The formula also predicts the standard deviation after BatchNorm (with γ = 1): a channel
# whose variance is $\sigma_c^2$ ends with $\sigma_c / \sqrt{\sigma_c^2 + \epsilon}$. That
# is 1 for an ordinary channel, but visibly less than 1 for a channel whose variance is
# not much larger than $\epsilon = 10^{-5}$, and exactly 0 for a channel that the ReLU
# sets to 0 everywhere (its variance is 0; ε keeps the division finite).

# %%
mu = before.mean(dim=per_channel, keepdim=True)  # 1×16×1×1
var = before.var(dim=per_channel, unbiased=False, keepdim=True)  # 1×16×1×1
gamma = first_bn.weight.detach().view(1, -1, 1, 1)  # 1×16×1×1, starts at 1
beta = first_bn.bias.detach().view(1, -1, 1, 1)  # 1×16×1×1, starts at 0
by_hand = gamma * (before - mu) / torch.sqrt(var + first_bn.eps) + beta
gap = float((by_hand - after).abs().max())
assert gap < 1e-4, "BatchNorm is the formula above, with per-channel batch statistics"

predicted_std = (var / (var + first_bn.eps)).sqrt().flatten()  # 16: σ / √(σ² + ε)
measured_std = after.std(dim=per_channel)  # 16
assert (predicted_std - measured_std).abs().max() < 1e-3
flat_channels = [c for c in range(16) if var.flatten()[c] == 0]
shrunk = [c for c in range(16) if 0 < measured_std[c] < 0.9]
display(Markdown(
    f"The formula matches PyTorch to {gap:.1e}, and every channel's standard deviation "
    f"after BatchNorm is the predicted $\\sigma_c / \\sqrt{{\\sigma_c^2 + \\epsilon}}$ to "
    f"within {float((predicted_std - measured_std).abs().max()):.0e}. In this batch, "
    f"channels that the ReLU sets to 0 at every pixel: "
    f"{', '.join(map(str, flat_channels)) or 'none'}; channels whose spread is so small "
    f"that they end below 0.9: "
    + (", ".join(f"{c} (std {float(before[:, c].std()):.1e} before, "
                 f"{float(measured_std[c]):.3f} after)" for c in shrunk) or "none")
    + "."))

# %% [markdown]
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
#   of both signs (measured in section 5).
#
# Which order reconstructs better is an empirical question: exercise 1 measures it.

# %% [markdown]
# ## 3 · 28 → 14 → 7 → 3, and back
#
# The encoder's sizes follow from lesson 01's formulas. The next cell works each layer
# through with `course_utils.arithmetic` (the course's tests check every one of these
# numbers against PyTorch's own layers).

# %% tags=["nbval-check-output"]
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
    rows.append([f"encoder.{name}", type(layer).__name__, size, formula, out])
    size = out
assert size == 3
table(["layer", "type", "in", "formula", "out"], rows)

# %% [markdown]
# The last pooling takes 7 to ⌊(7 − 2)/2⌋ + 1 = 3: the 7th row and column fall outside
# every 2×2 window and are simply dropped. Pooling a 7×7 map gives exactly what pooling
# its top-left 6×6 corner gives:

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
# (★).

# %% tags=["nbval-check-output"]
def up_row(mark: str, i: int, k: int, s: int, p: int, a: int, target: int) -> list:
    out = arithmetic.conv_transpose_output_size(i, k, s, p, a)
    return [mark, i, f"p={p} a={a}", f"({i} − 1)·{s} − 2·{p} + {k} + {a}", out, target,
            "✓" if out == target else "✗"]


rows = [
    up_row("", 3, 3, 2, 1, 0, 7),
    up_row("★", 3, 3, 2, 0, 0, 7),
    up_row("", 7, 3, 2, 0, 0, 14),
    up_row("", 7, 3, 2, 1, 0, 14),
    up_row("★", 7, 3, 2, 1, 1, 14),
    up_row("", 14, 3, 2, 1, 0, 28),
    up_row("★", 14, 3, 2, 1, 1, 28),
]
assert all(r[-1] == "✓" for r in rows if r[0] == "★")
table(["used", "in", "setting", "formula (k=3, s=2)", "out", "want", "hits it"], rows)

# %% [markdown]
# - **3 → 7**: with $p = 0$, $(3-1)·2 + 3 = 7$ exactly, so no output padding is needed.
#   (Padding 1 would give 5.) The odd size 7 is what a 3×3 kernel with stride 2 naturally
#   produces: $2i + 1$.
# - **7 → 14** and **14 → 28**: with $p = 1$ the formula gives $2i - 1$ (13 and 27), one
#   short of the even target, so `output_padding=1` adds the missing row and column.
#   Without padding, 7 would go to 15: too many.
#
# The model's own decoder, layer by layer:

# %% tags=["nbval-check-output"]
rows, size = [], 3
for name, layer in model.decoder.named_children():
    if isinstance(layer, nn.ConvTranspose2d):
        k, s, p = layer.kernel_size[0], layer.stride[0], layer.padding[0]
        a = layer.output_padding[0]
        out = arithmetic.conv_transpose_output_size(size, k, s, p, a)
        formula = f"({size} − 1)·{s} − 2·{p} + {k} + {a}"
    elif isinstance(layer, nn.Conv2d):
        k, s, p = layer.kernel_size[0], layer.stride[0], layer.padding[0]
        out = arithmetic.conv_output_size(size, k, s, p)
        formula = f"⌊({size} + 2·{p} − {k}) / {s}⌋ + 1"
    else:
        continue  # ReLU, BatchNorm and Sigmoid keep the size
    rows.append([f"decoder.{name}", type(layer).__name__, size, formula, out])
    size = out
assert size == 28
table(["layer", "type", "in", "formula", "out"], rows)

# %% [markdown]
# No cropping anywhere: the decoder produces exactly 28×28 because the arithmetic says so.
#
# ### The receptive field
#
# One number of the code sits at a position $(i, j)$ of the 3×3 grid. Which pixels of
# the input can change it? That region is the number's **receptive field**: the patch of
# the input it is computed from. Every pixel outside it could be anything at all; the
# number would not move.
#
# It grows layer by layer. A 3×3 convolution sees 3 neighbouring cells of the map below
# it; if neighbouring cells of that map are $j$ input pixels apart (the *jump*), those 3
# cells reach $(3 - 1)·j$ pixels further than one cell does. A layer with kernel $k$ and
# stride $s$ therefore turns a receptive field $r$ and a jump $j$ into
#
# $$r_{\text{out}} = r + (k - 1)·j, \qquad j_{\text{out}} = j·s,$$
#
# and padding $p$ moves where the first cell's field starts by $p·j$ pixels (outside the
# image, into the zeros). ReLU and BatchNorm work one value at a time: they see no
# further. Here is that arithmetic for the encoder of this model and of lesson 01's:

# %% tags=["nbval-check-output"]
def receptive_field(encoder: nn.Sequential) -> list[dict]:
    """After every Conv2d and MaxPool2d: kernel, stride, padding, jump, receptive field,
    and the input row where the first cell's field starts (negative: in the padding)."""
    rows, field, jump, start = [], 1, 1, 0
    for name, layer in encoder.named_children():
        if isinstance(layer, nn.Conv2d):
            k, s, p = layer.kernel_size[0], layer.stride[0], layer.padding[0]
        elif isinstance(layer, nn.MaxPool2d):
            k, s, p = layer.kernel_size, layer.stride, layer.padding
        else:
            continue  # ReLU and BatchNorm look at one value at a time
        # the right-hand side uses the jump *before* this layer
        field, start, jump = field + (k - 1) * jump, start - p * jump, jump * s
        rows.append({"layer": f"encoder.{name}", "type": type(layer).__name__, "k": k, "s": s,
                     "p": p, "jump": jump, "receptive field": field, "first cell starts at": start})
    return rows


deep_field = receptive_field(model.encoder)
simple_field = receptive_field(SimpleConvAutoencoder().encoder)
display(table(list(deep_field[0]), [list(r.values()) for r in deep_field],
              title="DeepConvAutoencoder: the encoder, layer by layer"))
table(list(simple_field[0]), [list(r.values()) for r in simple_field],
      title="SimpleConvAutoencoder (lesson 01)")

# %% jupyter={"source_hidden": true} tags=["hide-input"]
assert deep_field[-1]["receptive field"] == 22 and deep_field[-1]["jump"] == 8
assert deep_field[-1]["first cell starts at"] == -7
assert simple_field[-1]["receptive field"] == 4

# %% [markdown]
# Each number of the deep model's code has a receptive field of **22×22 pixels**, and
# neighbouring grid positions are 8 pixels apart; each number of lesson 01's code sees only
# **4×4 pixels**. So the code cell at grid row $i$ reads input rows $8i - 7$ to $8i + 14$:
# rows 1 to 22 for the centre cell, and rows −7 to 14 for the top one, whose field hangs
# 7 rows over the edge into the zero padding, leaving 15 rows of real image.
#
# **Measured with a gradient.** The arithmetic is a prediction; a gradient tests it. If an
# input pixel is outside a code number's receptive field, the derivative of that number
# with respect to the pixel is exactly zero. The next cell takes 100 training digits, asks
# autograd for the gradient of the 64 code numbers at one grid position with respect to
# every input pixel, and marks the pixels where it is non-zero for any of the digits: once
# for the centre cell (1, 1) and once for the corner cell (0, 0). The box drawn on each is
# the field the arithmetic predicts.

# %%
from matplotlib.patches import Rectangle


def field_pixels(autoencoder: nn.Module, images: torch.Tensor, row: int, col: int) -> torch.Tensor:
    """28×28 mask: pixels where d(code at grid cell (row, col)) / d(pixel) ≠ 0 for any image."""
    autoencoder.eval()
    x = images.clone().requires_grad_(True)  # N×1×28×28
    code = autoencoder.encode(x)  # N×64×3×3
    grad, = torch.autograd.grad(code[:, :, row, col].sum(), x)  # N×1×28×28
    return (grad != 0).any(dim=0)[0]  # 28×28


def predicted_box(i: int, field: dict, size: int = 28) -> tuple[int, int]:
    """First and last input row (or column) of grid cell i's receptive field, inside the image."""
    first = field["first cell starts at"] + i * field["jump"]
    return max(first, 0), min(first + field["receptive field"] - 1, size - 1)


field_digits = spread(train_set.images, 100)
fig, axes = plt.subplots(1, 2, figsize=(7, 3.6))
measured_field = {}
for ax, (row, col) in zip(axes, [(1, 1), (0, 0)]):
    mask = field_pixels(model, field_digits, row, col)
    (top, bottom) = predicted_box(row, deep_field[-1])
    (left, right) = predicted_box(col, deep_field[-1])
    inside = torch.zeros(28, 28, dtype=torch.bool)
    inside[top:bottom + 1, left:right + 1] = True
    assert not (mask & ~inside).any(), "no pixel outside the predicted field may matter"
    measured_field[(row, col)] = (int(mask.sum()), int(inside.sum()),
                                  (bottom - top + 1, right - left + 1))
    ax.imshow(mask.float(), cmap="gray", vmin=0, vmax=1)
    ax.add_patch(Rectangle((left - 0.5, top - 0.5), right - left + 1, bottom - top + 1,
                           fill=False, edgecolor="#e69f00", linewidth=2))
    ax.set_title(f"code cell ({row}, {col}): {int(mask.sum())} pixels")
    ax.set_xlabel("input column")
    ax.set_ylabel("input row")
    ax.grid(False)
fig.suptitle("Pixels that change the code at one grid position (white), predicted field (box)")
fig.tight_layout()
show(fig, alt="Two 28×28 masks. For the centre code cell, the pixels with a non-zero gradient "
              "fill a 22×22 square in the middle of the image; for the corner cell, a "
              "smaller square in the top-left corner. Each sits inside its predicted box.")

# %%
(centre_n, centre_box, centre_shape), (corner_n, corner_box, corner_shape) = (
    measured_field[(1, 1)], measured_field[(0, 0)])
display(Markdown(
    f"Centre cell: the gradient is non-zero on {centre_n} pixels, all inside the predicted "
    f"{centre_shape[0]}×{centre_shape[1]} = {centre_box} pixel field. Corner cell: "
    f"{corner_n} pixels, all inside its {corner_shape[0]}×{corner_shape[1]} = {corner_box} "
    f"pixels of real image."))

# %% [markdown]
# The gradient never reaches a pixel outside the predicted box; that is a consequence of
# the arithmetic, and the cell above asserts it. Inside the box it can miss a few pixels:
# a ReLU that is off, or a pooling window whose maximum lies elsewhere, passes no gradient
# for that digit, so the measured count can fall a little short of the box. This model has
# not been trained yet: a receptive field is a property of the architecture, not of the
# weights.

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
# step, and nothing else: no Dropout, no gradient clipping. The next cell trains the deep
# model with it (or loads the cached weights), and gets lesson 01's model from its own
# recipe (loaded instantly if lesson 01 ran).

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
# PCA is the yardstick at every code size in this lesson. As lesson 00 showed, PCA rebuilds
# a digit as the mean training digit plus a weighted sum of its components, and keeping $k$
# numbers per digit means keeping the first $k$ weights. So we fit it once, with all 784
# components, and any code size is then a slice: one matrix product. Here is how
# `PCABasis` rebuilds digits and scores the test set (pixels clipped to [0, 1], as
# `pca_baseline` does):

# %%
from course_utils.widgets.code_size import PCABasis

Code(inspect.getsource(PCABasis.reconstruct) + "\n" + inspect.getsource(PCABasis.test_mse),
     language="python")

# %% [markdown]
# The next cell fits it, then puts the two autoencoders on the test images with each
# model before training, PCA at the deep model's code size (576 components), and the
# simplest baseline of all: predicting the mean training image for every digit (a code of
# zero numbers). It also picks one test digit of each class for the pictures.

# %%
from course_utils.metrics import mse
from course_utils.training import evaluate, reconstruct

test_x = test_set.images
basis = PCABasis.fit(train_set.images, test_x)
digits = torch.stack([torch.nonzero(test_set.labels == d)[0, 0] for d in range(10)])
shown = test_x[digits]  # 10×1×28×28: the first test image of each digit, 0 to 9
seed_everything(0)
deep_untrained = evaluate(DeepConvAutoencoder(64), test_x)
seed_everything(0)
simple_untrained = evaluate(SimpleConvAutoencoder(), test_x)
deep_mse, simple_mse = evaluate(deep, test_x), evaluate(simple, test_x)
pca_576_mse = basis.test_mse(576)
mean_mse = mse(train_set.images.mean(0, keepdim=True).expand_as(test_x), test_x)
table(["model", "parameters", "code size", "test MSE before training", "test MSE after training"],
      [["SimpleConvAutoencoder", count_parameters(simple), latent_size(simple), simple_untrained,
        simple_mse],
       ["DeepConvAutoencoder(64)", count_parameters(deep), latent_size(deep), deep_untrained,
        deep_mse],
       ["PCA, 576 components", None, 576, None, pca_576_mse],
       ["mean training image", None, 0, None, mean_mse]])

# %%
assert deep_mse < deep_untrained and simple_mse < simple_untrained, "training lowers the error"
assert pca_576_mse < deep_mse / 10, "at 576 numbers, PCA is nearly lossless"
display(compare("lesson 01's simple model", simple_mse, "the deep model", deep_mse))
display(Markdown(
    f"PCA with 576 components keeps {100 * basis.variance_kept(576):.2f}% of the training "
    f"images' variance; its test error, {pca_576_mse:.1e}, is {deep_mse / pca_576_mse:,.0f}× "
    f"lower than the deep autoencoder's at the same code size."))

# %% [markdown]
# Remember that the simple model keeps 3,136 numbers per image, more than the image has
# pixels: it does not compress at all.
#
# **A 576-number code is no bottleneck either.** 576 numbers are 73% of the 784 pixels,
# and handwritten digits vary along far fewer directions than that: PCA at 576 components
# is almost a lossless copy, more than ten times better than the deep autoencoder (the
# assert in the cell checks it). An autoencoder can only earn its nonlinearity when the
# code is small enough to force a choice of what to keep. Section 6 shrinks the code.
#
# Here are the reconstructions of all three:

# %%
from course_utils.viz import show_reconstructions

shown_coefficients = basis.project(shown)  # 10×784: each digit's weights on every component
fig = show_reconstructions(shown, {
    f"simple ({latent_size(simple):,})": reconstruct(simple, shown),
    f"deep ({latent_size(deep)})": reconstruct(deep, shown),
    "PCA-576": basis.reconstruct(shown_coefficients, 576),
}, title="Test digits: lesson 01's model, the deep model, and PCA with 576 components")
show(fig, alt="Ten test digits, 0 to 9, above their reconstructions by lesson 01's simple "
              "model, by the deep model and by PCA with 576 components, each row with its MSE.")

# %% [markdown]
# ## 5 · The code itself
#
# 64 channels of 3×3. The last encoder stage ends in BatchNorm before its pooling
# (section 2), so the code has values of both signs:

# %%
from course_utils.training import encode_all

codes = encode_all(deep, test_x)  # N×64×3×3
display(Markdown(
    f"The codes of the {len(codes):,} test digits have shape {tuple(codes.shape[1:])} each; "
    f"their values run from {float(codes.min()):.2f} to {float(codes.max()):.2f}, and "
    f"{float((codes < 0).float().mean()):.0%} of them are negative."))

# %% [markdown]
# ## 6 · A smaller code: where the 3×3 grid falls short
#
# `latent_channels` sets the number of channels at the 3×3 bottleneck, so the code holds
# 9 × `latent_channels` numbers. The two sizes this section compares:

# %% tags=["nbval-check-output"]
from course_utils.summary import compression_ratio

CHANNELS = (4, 64)  # codes of 36 and 576 numbers
table(["latent_channels", "code", "code size", "compression (784 ÷ code)", "parameters"],
      [[c, f"{c}×3×3", latent_size(m), compression_ratio(m), count_parameters(m)]
       for c in CHANNELS for m in [DeepConvAutoencoder(c)]])

# %% [markdown]
# Both train with the same recipe, `recipes.DEEP_CONV` (the 64-channel model is the one of
# section 4). Beside each test error stands the same model's error on training images,
# measured the same way: `evaluate` in eval mode, BatchNorm on its running statistics, on
# as many training images as there are test images. (The loss `train()` records during an
# epoch is not that number: it is averaged while the weights still change, with BatchNorm
# on each batch's own statistics.) PCA's test error at the same size stands beside both.
#
# One more thing before comparing: two trainings of the same model from different random
# starts end a few percent apart (lesson 05 measures how far), so this lesson counts a gap
# of 5% or less between an autoencoder and PCA as a tie.

# %%
train_sample = train_set.subset(len(test_set))  # as many training images as test images
NOISE = 0.05  # relative gaps up to this are ties


def pca_at(components: int) -> float:
    """Test MSE of PCA with ``components`` numbers per image: one slice of the basis."""
    return basis.test_mse(components)


grid = {}  # code size → the trained model, its history and its errors
for c in CHANNELS:
    m, h = (deep, deep_history) if c == 64 else recipes.deep_conv(train_set, test_set,
                                                                  latent_channels=c)
    grid[9 * c] = {"model": m, "history": h, "channels": c,
                   "test": deep_mse if c == 64 else evaluate(m, test_x),
                   "train": evaluate(m, train_sample), "pca": pca_at(9 * c)}
small, large = min(grid), max(grid)
table(["code size", "latent_channels", "autoencoder: training MSE (eval mode)",
       "autoencoder: test MSE", "PCA: test MSE"],
      [[size, r["channels"], r["train"], r["test"], r["pca"]] for size, r in grid.items()],
      title=f"Training MSE on {len(train_sample):,} training images; test MSE on "
            f"{len(test_x):,} test images")

# %% [markdown]
# The same numbers as a picture, with PCA at seven sizes from 9 to 576 components
# (doubling each time):

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
show(fig, alt="Test error against code size on log scales: PCA's line falls steeply from 9 "
              "to 576 components, while the two deep autoencoders, at 36 and 576 numbers, "
              "lie far closer together in error.")

# %%
ae_fold = grid[small]["test"] / grid[large]["test"]
pca_fold = grid[small]["pca"] / grid[large]["pca"]
assert pca_fold > 10 * ae_fold, "PCA gains far more from a bigger code than this autoencoder"
for size, r in grid.items():
    display(compare(f"the {size}-number grid autoencoder", r["test"], f"PCA-{size}",
                    r["pca"], tie_within=NOISE))
display(Markdown(
    f"From {small} to {large} numbers ({large // small}× more) the autoencoder's test error "
    f"falls {ae_fold:.1f}-fold; PCA's falls {pca_fold:,.0f}-fold."))
display(overfitting(f"the {large}-number grid autoencoder", grid[large]["train"],
                    grid[large]["test"]))

# %% [markdown]
# Read the table and the curve together:
#
# - **As the code grows, PCA pulls away.** Every component PCA adds removes the next
#   largest share of the variance, so its error keeps falling steeply; the autoencoder's
#   error falls more than ten times less over the same range (the assert checks it).
# - **The extra numbers buy the autoencoder far less.** Its error at 576 numbers is set by
#   what the network and its training can do, not by the size of its code; whether it
#   also fits its own training digits better than new ones is the overfitting verdict
#   just given, from the two errors measured the same way.
#
# The deep model is not a worse PCA at every size, then, but it is not the model that shows
# what an autoencoder can do with a small code. The next section builds one that is meant
# to.

# %% [markdown]
# ## 7 · A flat code
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
compact_size = latent_size(compact)
print(f"FlatConvAutoencoder: {count_parameters(compact):,} parameters, code of "
      f"{compact_size} numbers; {compact_history}")

# %% [markdown]
# The comparison this section is about: the flat 32-number code against PCA with 32
# components, with the grid model's 36-number code and PCA-36 beside them.

# %%
table(["model", "code size", "parameters", "test MSE", "PCA at the same size", "AE ÷ PCA"],
      [["FlatConvAutoencoder (flat code)", compact_size, count_parameters(compact), compact_mse,
        pca_at(compact_size), compact_mse / pca_at(compact_size)],
       [f"DeepConvAutoencoder({grid[small]['channels']}) (grid code)", small,
        count_parameters(grid[small]["model"]),
        grid[small]["test"], grid[small]["pca"], grid[small]["test"] / grid[small]["pca"]]])

# %%
compare(f"the flat {compact_size}-number code", compact_mse, f"PCA-{compact_size}",
        pca_at(compact_size), tie_within=NOISE)

# %% [markdown]
# How does the error fall during training? The next cell plots each model's test error after every
# epoch against the seconds of training so far, starting from the untrained model, with
# PCA's errors as horizontal lines. The seconds are those of the run that trained these
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
flat_curve = error_against_time(compact_history, compact_untrained)
grid_curve = error_against_time(grid[small]["history"], grid_untrained)
fig, ax = plt.subplots(figsize=(7, 4))
ax.plot(*flat_curve, marker="o", ms=3, color="C1",
        label=f"FlatConvAutoencoder, flat code of {compact_size}")
ax.plot(*grid_curve, marker="o", ms=3, color="C0",
        label=f"DeepConvAutoencoder({grid[small]['channels']}), grid code of {small}")
ax.axhline(pca_at(compact_size), color="C2", ls="--", label=f"PCA, {compact_size} components")
ax.axhline(pca_at(small), color="C2", ls=":", label=f"PCA, {small} components")
ax.set_yscale("log")
ax.set_xlabel("training time (seconds)")
ax.set_ylabel("test MSE per pixel (log scale)")
ax.set_title("Test error during training, against PCA")
ax.legend(fontsize=8)
fig.tight_layout()
show(fig, alt="Test error against seconds of training for the flat-code and the grid-code "
              "models, on a log scale, with PCA-32 and PCA-36 as horizontal lines.")

# %%
def moments(history, curve) -> list[str]:
    """How to name each point of an error-against-time curve."""
    return ["before training"] + [f"after epoch {e} of {history.epochs}, {curve[0][e]:.0f} s "
                                  f"into {curve[0][-1]:.0f} s of training"
                                  for e in range(1, history.epochs + 1)]


display(first_below(f"the flat code's test error", flat_curve[1], f"PCA-{compact_size}'s",
                    pca_at(compact_size), when=moments(compact_history, flat_curve)))
display(first_below(f"the grid code's test error", grid_curve[1], f"PCA-{small}'s",
                    pca_at(small), when=moments(grid[small]["history"], grid_curve)))
per_step = {name: h.total_seconds / steps_of(recipe, h) for name, recipe, h in (
    ("the flat model", recipes.COMPACT_CODE, compact_history),
    ("the grid model", recipes.DEEP_CONV, grid[small]["history"]))}
compare("the flat model", per_step["the flat model"], "the grid model",
        per_step["the grid model"], measure="seconds per optimizer step (test passes included)")

# %% [markdown]
# Per step, the two models do different amounts of arithmetic: the flat model's stride-2
# convolutions only ever produce 14×14 and 7×7 maps, while the grid model convolves and
# normalises full 28×28 maps of 16 channels in its first and last stages.
#
# The same ten test digits through the flat code, PCA-32 and the grid code (each row's
# MSE is over these ten digits only):

# %%
fig = show_reconstructions(shown, {
    f"flat code ({compact_size})": reconstruct(compact, shown),
    f"PCA-{compact_size}": basis.reconstruct(shown_coefficients, compact_size),
    f"grid code ({small})": reconstruct(grid[small]["model"], shown),
}, title=f"{compact_size} or {small} numbers per digit: flat code, PCA and 3×3 grid code")
show(fig, alt=f"Ten test digits above their reconstructions from {compact_size} or {small} "
              f"numbers: by the flat-code model, by PCA-{compact_size} and by the grid-code "
              f"model, each row with its MSE.")

# %% [markdown]
# ## 8 · Why the flat code can do better
#
# In the grid model, code number $(c, i, j)$ lives at position $(i, j)$ of a 3×3 grid: it
# is computed from its receptive field (section 3), one 22×22 window of the digit, and the
# decoder paints it back into one patch of the image. In the flat model, every code number
# comes from all 1,568 features of the whole digit, and the decoder's `Linear` layer spreads
# it over all of them. PCA is global too: each component is a whole-image pattern.
#
# The next cell measures both directions on the trained models. For each code number it
# finds the pixels it *depends on* (its receptive field, measured as in section 3: the
# input pixels with a non-zero gradient) and the pixels it can *change* (nudge the number,
# decode, see which output pixels move), over 100 test digits picked at random.

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
reach_of = {f"grid code, {small} numbers": reach(grid[small]["model"], probe),
            f"flat code, {compact_size} numbers": reach(compact, probe)}
table(["model", "receptive field (pixels): smallest", "largest",
       "output pixels it changes: fewest", "most", "average share of the 784"],
      [[name, min(sees), max(sees), min(paints), max(paints), sum(paints) / len(paints) / 784]
       for name, (sees, paints) in reach_of.items()])

# %%
(grid_sees, grid_paints), (flat_sees, flat_paints) = reach_of.values()
assert max(grid_sees) <= 22 * 22, "a grid number depends on its 22×22 receptive field at most"
assert sum(grid_paints) / len(grid_paints) < sum(flat_paints) / len(flat_paints)
display(Markdown(
    f"Each grid number depends on {min(grid_sees)} to {max(grid_sees)} pixels (its receptive "
    f"field: at most 22×22 = 484, fewer at the edges), but changes only "
    f"{100 * sum(grid_paints) / len(grid_paints) / 784:.0f}% of the output image on average. "
    f"Each flat number depends on at least {min(flat_sees)} of the 784 pixels and changes "
    f"{100 * sum(flat_paints) / len(flat_paints) / 784:.0f}% of the image on average."))

# %% [markdown]
# A grid number reads a large part of the digit, but it can only paint its own patch of
# the output, while a flat number paints the whole image. A handwritten 7 differs from a
# 1 by a stroke across the top; a flat code can spend one number on "how much top
# stroke" for the whole digit at once, as a PCA component does, while a grid code has to
# describe each patch with that patch's own few channels.
#
# The code's shape is not the only difference between the two models: the grid model also
# max-pools (keeping one value in four at every stage), normalises with BatchNorm, and
# trains at a lower learning rate. Lesson 06 separates the code's shape from the rest: the
# same convolutions, the same recipe, a flat code or a grid code of the same size.
#
# Hinton and Salakhutdinov showed the same kind of comparison with a deep fully connected
# autoencoder: with a 30-number code it reconstructed MNIST test digits with far less
# squared error than PCA with 30 components (reference at the end). Their numbers are
# squared errors summed over the 784 pixels of an image; here are this lesson's in the same
# units.

# %%
pixels = test_x[0].numel()
display(compare(f"the flat code ({compact_size} numbers)", compact_mse * pixels,
                f"PCA-{compact_size}", pca_at(compact_size) * pixels,
                measure="squared error per test image", tie_within=NOISE))
display(Markdown(
    f"Published, with 30 numbers: autoencoder 3.00, PCA 13.87, {13.87 / 3.00:.1f}× lower. "
    f"Their training set had 60,000 digits, {60_000 / len(train_set):.0f}× this lesson's."))

# %% [markdown]
# Their setting was far larger: the whole MNIST training set, a network of millions of
# weights, and far longer training (see the references).

# %% [markdown]
# ## 9 · Explore: code size, from 1 to 784
#
# The explorer below puts PCA at any code size beside the three trained autoencoders.
# Moving the slider keeps more or fewer of PCA's components (each move is one matrix
# product with the basis fitted in section 4) and shows the share of the training images'
# variance those components keep, the ten test digits rebuilt from them, and PCA's test
# error as a ring on its curve. The squares are the trained autoencoders at their own code
# sizes: a square below the line has a lower error than PCA at its size, a square above it
# a higher one. Beside
# PCA's digits stand those of the autoencoder nearest in code size.

# %%
from course_utils.widgets.code_size import AutoencoderPoint, code_size_explorer

points = [AutoencoderPoint("flat code", compact_size, compact_mse,
                           reconstruct(compact, shown)),
          AutoencoderPoint("grid code, 4 channels", small, grid[small]["test"],
                           reconstruct(grid[small]["model"], shown)),
          AutoencoderPoint("grid code, 64 channels", large, grid[large]["test"],
                           reconstruct(deep, shown))]
display(Markdown(
    f"What to try: start at 1 and step up. PCA keeps half of the variance with "
    f"{basis.components_for(0.5)} components, 90% with {basis.components_for(0.9)} and 99% "
    f"with {basis.components_for(0.99)}; watch the digits become recognisable long before "
    f"the variance kept gets near 100%. Then compare the three squares with the line at "
    f"their own sizes."))
code_size_explorer(basis, shown, points)

# %% [markdown]
# ## 10 · Shallow against deep, audited
#
# A common summary table compares shallow and deep autoencoders like this:
#
# | aspect | shallow autoencoder | deep autoencoder |
# |---|---|---|
# | layers | 1–2 per side | 3+ per side |
# | features | single level | hierarchical |
# | compression | limited | aggressive |
# | training | easy | requires BatchNorm, Dropout, gradient clipping |
# | expressivity | limited | high |
#
# The course has one of each: lesson 01's `SimpleConvAutoencoder` (one layer each way) and
# this lesson's `DeepConvAutoencoder` (three stages down, three up and an output layer),
# trained by the same loop on the same digits. The next cell checks each row against them.
# "Hierarchical features" is measured here only by what one code number can see (its
# receptive field); lessons 03 and 07 look inside the layers.

# %%
per_image = {name: h.total_seconds / (steps_of(recipe, h) * recipe.batch_size)
             for name, recipe, h in (("simple", recipes.SIMPLE_CONV, simple_history),
                                     ("deep", recipes.DEEP_CONV, deep_history))}
deep_rf, simple_rf = deep_field[-1]["receptive field"], simple_field[-1]["receptive field"]
audit = {
    "features": claim("a deep autoencoder's code is built in levels, a shallow one's in one", {
        "more levels before the code": (
            True, "one convolution before the simple model's code, three stages (each "
                  "reading the last one's maps) before the deep model's"),
        "a wider view for each code number": (deep_rf > simple_rf,
                                       f"a receptive field of {deep_rf}×{deep_rf} pixels against "
                                       f"{simple_rf}×{simple_rf}"),
    }),
    "compression": claim("a deep autoencoder compresses aggressively, a shallow one little", {
        "a shallow code larger than the image": (
            latent_size(simple) > 784, f"{latent_size(simple):,} numbers for 784 pixels"),
        "a deep code smaller than it": (
            latent_size(deep) < 784 and small < 784,
            f"{latent_size(deep)} numbers ({784 / latent_size(deep):.2f}× smaller), or {small} "
            f"with 4 channels ({784 / small:.1f}× smaller)"),
    }),
    "training": claim("a deep autoencoder needs BatchNorm, Dropout and gradient clipping", {
        "BatchNorm": (any(isinstance(m, nn.BatchNorm2d) for m in deep.modules()),
                      "the deep model has it in every stage (lesson 04 trains it without)"),
        "Dropout": (any(isinstance(m, nn.Dropout) for m in deep.modules()),
                    f"the deep model has none, and its test error fell from "
                    f"{number(deep_untrained)} to {number(deep_mse)} without it"),
        "gradient clipping": (False, "the recipe does not clip, and the model trained"),
    }),
    "expressivity": claim("a deep autoencoder is more expressive than a shallow one", {
        "better reconstructions than lesson 01's model": (
            deep_mse < simple_mse, f"test MSE {number(deep_mse)} against {number(simple_mse)}, "
                                   f"with a code {latent_size(simple) / latent_size(deep):.1f}× "
                                   f"smaller"),
        "a clear win over PCA, the best shallow linear code, at a small code size": (
            compact_mse < pca_at(compact_size) / (1 + NOISE)
            or grid[small]["test"] < grid[small]["pca"] / (1 + NOISE),
            f"flat code {number(compact_mse)} against PCA-{compact_size}'s "
            f"{number(pca_at(compact_size))}; grid code {number(grid[small]['test'])} against "
            f"PCA-{small}'s {number(grid[small]['pca'])}"),
    }),
}
for aspect, verdict in audit.items():
    display(Markdown(f"*{aspect.capitalize()}.* {verdict.text}"))
display(compare("the simple model", per_image["simple"], "the deep model", per_image["deep"],
                measure="training seconds per image"))

# %% jupyter={"source_hidden": true} tags=["hide-input"]
assert audit["features"].outcome == "holds" and audit["compression"].outcome == "holds"
assert audit["training"].outcome == "mixed"

# %% [markdown]
# Three rows can be settled on every data set the course runs on, because they follow from
# the architectures and the recipe:
#
# - **Features** and **compression** hold. Each number of the deep code sees a 22×22 patch
#   through three stages, against 4×4 through one convolution, and its code is smaller than
#   the image where lesson 01's is four times larger. Note that "compression" is a design
#   choice, not something depth earns by itself: the simple model could pool harder too.
# - **Training** holds only in part. The deep model trains with BatchNorm in every stage
#   (lesson 04 measures what happens without it), but with neither Dropout nor gradient
#   clipping: its recipe is the same plain Adam loop as the simple model's.
#
# **Expressivity** depends on the run, so its verdict is computed from this run's numbers:
# the deep model has to reconstruct from a code far smaller than lesson 01's, and the fair
# yardstick for what it can express is PCA at the same small code size. Training cost
# differs too: each image costs the deep model far more arithmetic.

# %% [markdown]
# ## 11 · What `forward` returns
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
#   PyTorch, and predicts the standard deviation of every channel after it. This model
#   puts it *after* the ReLU.
# - 28 → 14 → 7 → 3: the last pooling drops the 7th row and column. Back up, 3 → 7 needs
#   no output padding ($(3-1)·2 + 3 = 7$); 7 → 14 and 14 → 28 need `output_padding=1`
#   because $(i-1)·2 - 2 + 3 = 2i - 1$ is one short.
# - A code number's *receptive field* is the patch of input it is computed from:
#   $r_{\text{out}} = r + (k-1)·j$ layer by layer gives 22×22 pixels for the deep model
#   and 4×4 for lesson 01's, and a gradient never reaches a pixel outside it.
# - A 576-number code is no bottleneck for digits: PCA-576 is nearly lossless and far
#   ahead of the deep model. As the code grows, PCA's error falls far faster than the
#   grid model's.
# - A flat code lets every number describe and paint the whole digit, as PCA's components
#   do; each number of the 3×3 grid code paints only one patch of the image.
# - Of the shallow-against-deep table, the rows on features and compression hold for the
#   course's models; "training requires Dropout and gradient clipping" does not; the
#   expressivity row depends on the code size you compare at.
# - The course's `forward` returns the reconstruction only; `encode` gives the code.
#
# At this run's budget, the small codes against PCA at the same size:

# %% jupyter={"source_hidden": true} tags=["hide-input"]
display(compare(f"the flat {compact_size}-number code", compact_mse, f"PCA-{compact_size}",
                pca_at(compact_size), tie_within=NOISE))
display(compare(f"the {small}-number grid code", grid[small]["test"], f"PCA-{small}",
                grid[small]["pca"], tie_within=NOISE))

# %% [markdown]
# ## Exercises
#
# 1. Build the other BatchNorm order (convolution → BatchNorm → ReLU) by writing your own
#    `_conv_stage` and `_up_stage` (and a copy of `DeepConvAutoencoder` that uses them),
#    train it at 4 latent channels with
#    `recipes.DEEP_CONV.train(model, "deep_conv_bn_first_4", train_set, test_set)` after
#    `seed_everything(0)`, and compare its test error with section 6's 36-number model.
# 2. Change the last pooling to `nn.MaxPool2d(2, ceil_mode=True)`: what size is the code
#    now (use `arithmetic.pool_output_size(7, 2, ceil_mode=True)`)? Which padding and
#    output padding make the first transposed convolution return 7 again? What is the
#    receptive field of a code number now?
# 3. Train `recipes.compact_code(train_set, test_set, code_size=16)` and
#    `code_size=64`. At which sizes does the flat code beat PCA? Add them to the explorer
#    as `AutoencoderPoint`s.
# 4. Give the grid model a flat bottleneck: after its encoder, flatten the 64×3×3 code
#    and add `nn.Linear(576, 36)`; before its decoder, `nn.Linear(36, 576)` and a reshape.
#    Does a flat 36-number code help the deep model as much as it helps section 7's model?
#
# Next: **03 · The stacked fully connected autoencoder**.

# %%
trained = {"deep (64)": deep_history, "simple": simple_history,
           f"deep ({small})": grid[small]["history"], "flat code": compact_history}
display(Markdown(
    f"This notebook ran in {time.perf_counter() - notebook_start:.0f} s "
    f"({time.process_time() - notebook_cpu:.0f} s of CPU time) with "
    f"{torch.get_num_threads()} CPU thread(s). Training its {len(trained)} models took "
    f"{sum(h.total_seconds for h in trained.values()):.0f} s, in this run or in an earlier "
    f"one for weights that came from the cache."))
