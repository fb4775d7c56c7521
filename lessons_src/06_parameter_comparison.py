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
# # 06 · Parameter comparison
#
# A common rule of thumb says that a fully connected autoencoder for MNIST has about 440K
# parameters, a convolutional one about 80K, "about 5× fewer", and that the convolutional
# one reconstructs better all the same. This lesson counts every parameter, checks those
# numbers, and then runs the comparison the claim needs: the same code size, a fair
# training recipe for each model, PCA beside them, and one difference at a time.
#
# **What you will learn**
# - how to count the parameters of Linear, Conv2d, ConvTranspose2d and BatchNorm layers,
#   and where a model's parameters sit;
# - which numbers of the rule of thumb hold, and by how much the others miss;
# - why parameters are not the whole cost: multiply-accumulates (MACs) per image, and why
#   `torchinfo` reports more of them than the convolutions perform;
# - an architecture builder: any width and code size, counted by PyTorch as you move;
# - a fair comparison at equal code size, with a seed-to-seed spread to tell a difference
#   from noise, and the training error measured the same way as the test error;
# - how to find a confound (BatchNorm) and measure it instead of guessing;
# - what a convolution assumes about its input, tested by shuffling the pixels, and what
#   that means for the claim that fully connected autoencoders suit tabular data;
# - how to isolate one design choice (the shape of the code);
# - depth against width at a matched parameter count, over three seeds.
#
# **Time:** about 40 minutes: 25 to read, 10 for the code and the builder, and about two
# minutes of computing on one CPU core the first time (twelve small models train; lesson
# 02's grid model comes from the cache). Trained weights are cached, so a second run takes
# well under a minute. The last cell reports this run's times.
#
# **Prerequisites:** lessons 01–03 (the conv autoencoders, PCA as a baseline, the stacked
# fully connected autoencoder); lesson 02's flat-code model; lesson 04's BatchNorm.

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
import copy
import inspect
import time

import matplotlib.pyplot as plt
import torch
from IPython.display import Code, Markdown, display
from matplotlib.ticker import FuncFormatter, NullFormatter
from torch import nn
from torchinfo import summary

from course_utils import recipes
from course_utils.config import seed_everything
from course_utils.data import ImageSet
from course_utils.metrics import mse, pca_baseline
from course_utils.models import DeepConvAutoencoder, FCAutoencoder, FlatConvAutoencoder
from course_utils.summary import (
    compare_models,
    count_parameters,
    latent_size,
    macs_per_image,
    parameter_table,
)
from course_utils.tables import table
from course_utils.training import cached_train, encode_all, evaluate
from course_utils.verdicts import claim, compare, compare_at, number, overfitting
from course_utils.viz import show, use_house_style

notebook_start, cpu_start = time.perf_counter(), time.process_time()
use_house_style()  # plots, and tables (DataFrames) with thousands separators

# %% [markdown]
# ## Counting parameters by hand
#
# Four kinds of layer carry parameters in this course's autoencoders:
#
# | layer | parameters |
# |---|---|
# | `Linear(n_in, n_out)` | $n_\text{in} \cdot n_\text{out}$ weights $+\ n_\text{out}$ biases |
# | `Conv2d(c_in, c_out, k)` | $c_\text{out} \cdot c_\text{in} \cdot k \cdot k$ weights $+\ c_\text{out}$ biases |
# | `ConvTranspose2d(c_in, c_out, k)` | $c_\text{in} \cdot c_\text{out} \cdot k \cdot k$ weights $+\ c_\text{out}$ biases |
# | `BatchNorm(c)` | $c$ scales $+\ c$ shifts (its running mean and variance are buffers, not parameters) |
#
# A convolution's count does not depend on the image size: the same $k \times k$ kernel
# slides over every position. A Linear layer's count grows with the number of input
# values times the number of output values. `parameter_table` writes each layer's count
# as the shapes that give it; here is its source.

# %%
Code(inspect.getsource(parameter_table), language="python")

# %% [markdown]
# ### The fully connected autoencoder: 784 → 256 → 128 → 64 and back
#
# Every layer of `FCAutoencoder()`, the fully connected model the rule of thumb has in
# mind:

# %% tags=["nbval-check-output"]
fc_model = FCAutoencoder()  # 784 → 256 → 128 → 64 → 128 → 256 → 784
parameter_table(fc_model)

# %% [markdown]
# Six Linear layers and nothing else, 484,944 parameters. The two layers that touch the
# 784 pixels, 784 → 256 and 256 → 784, hold 402,448 of them, 83%:

# %% tags=["nbval-check-output"]
fc_total = count_parameters(fc_model)
pixel_layers = (784 * 256 + 256) + (256 * 784 + 784)
print(f"784→256 and 256→784 together: {pixel_layers:,} of {fc_total:,} parameters "
      f"({pixel_layers / fc_total:.1%})")

# %% [markdown]
# ### The deep conv autoencoder: 1×28×28 → 16×14×14 → 32×7×7 → 64×3×3 and back

# %% tags=["nbval-check-output"]
conv_model = DeepConvAutoencoder()  # latent_channels=64: a 64×3×3 code
parameter_table(conv_model)

# %% [markdown]
# The largest layer is the decoder's first transposed convolution, 64 → 64 channels
# with a 3×3 kernel: 36,928 of the 83,905 parameters, 44%. The first conv (1 → 16) and
# the last (16 → 1) are tiny because they touch only one channel, and the six BatchNorm
# layers together hold 448.

# %% tags=["nbval-check-output"]
conv_total = count_parameters(conv_model)
layer_counts = {name: sum(p.numel() for p in m.parameters(recurse=False))
                for name, m in conv_model.named_modules()}
biggest = max(layer_counts, key=layer_counts.get)
batchnorm = sum(p.numel() for m in conv_model.modules()
                if isinstance(m, nn.BatchNorm2d) for p in m.parameters())
print(f"largest layer: {biggest} ({type(conv_model.get_submodule(biggest)).__name__}) with "
      f"{layer_counts[biggest]:,} parameters ({layer_counts[biggest] / conv_total:.1%} of "
      f"{conv_total:,})")
print(f"all BatchNorm layers together: {batchnorm:,} parameters")

# %% [markdown]
# ### The same counts from `torchinfo`
#
# [`torchinfo`](https://github.com/TylerYep/torchinfo) is the tool most PyTorch users
# reach for to see a model layer by layer. Its `summary` runs one image through the model
# and reports each layer's output shape and parameter count:

# %%
conv_info = summary(conv_model, input_size=(1, 1, 28, 28),
                    col_names=("output_size", "num_params"), verbose=0)
print(conv_info)

# %% [markdown]
# Its layers, shapes and counts are the ones above, and so is its total, 83,905. (It also
# lists the containers, the `Sequential` encoder and decoder, which hold no parameters of
# their own.) The course's tests check this agreement layer by layer, with the course's
# own shape trace, for every model of this lesson.
#
# ## Auditing the rule of thumb
#
# The claim has three numbers: ~440K for the fully connected model, ~80K for the conv
# model, and ~5× fewer. The next cell compares each with the exact counts, and adds two
# facts the claim leaves out: the size of each model's *code*, and the work each model
# does per image (multiply-accumulates, MACs, counted by PyTorch's `FlopCounterMode`).

# %% tags=["nbval-check-output"]
ratio = fc_total / conv_total


def audit(claimed: float, exact: float) -> str:
    """A rounded claim "holds" when it is within 5% of the exact value."""
    error = (claimed - exact) / exact
    return "holds (within 5%)" if abs(error) <= 0.05 else ("too low" if error < 0 else "too high")


display(table(["claim", "exact value", "error of the claim (%)", "within 5%?"], [
    ["FC autoencoder: ~440K parameters", fc_total, 100 * (440_000 - fc_total) / fc_total,
     audit(440_000, fc_total)],
    ["conv autoencoder: ~80K parameters", conv_total, 100 * (80_000 - conv_total) / conv_total,
     audit(80_000, conv_total)],
    ["~5× fewer parameters", ratio, 100 * (5 - ratio) / ratio, audit(5, ratio)],
]))
fc_code, conv_code = latent_size(fc_model), latent_size(conv_model)
fc_macs, conv_macs = macs_per_image(fc_model), macs_per_image(conv_model)
print(f"left out: the FC code is {fc_code} numbers, the conv code {conv_code} "
      f"({conv_code / fc_code:.0f}× more numbers per image)")
print(f"left out: MACs per image, FC {fc_macs:,} vs conv {conv_macs:,} "
      f"(the conv model does {conv_macs / fc_macs:.1f}× more work per image)")

# %% [markdown]
# The conv count, ~80K against 83,905, is close; the FC count, ~440K against 484,944, is
# 9% too low, and the ratio is 5.8, nearer 6 than 5. Two things matter more than the
# rounding:
#
# - **The codes differ.** The FC model squeezes each image into 64 numbers, the conv
#   model into 576, 9× more. Comparing their reconstructions compares a model that keeps
#   9× more numbers per image: not a fair test of "better reconstruction".
# - **Fewer parameters is not less work.** Every conv weight is used at every position of
#   its feature map, so the conv model does 8.6× more multiply-accumulates per image than
#   the FC model (4,170,240 against 483,328). Its advantage is memory and weight sharing,
#   not speed.

# %% [markdown]
# ## Where the saving comes from: weight sharing
#
# Take the encoder's second stage, 16×14×14 → 32×14×14 (before pooling). A convolution
# does it with 32 kernels of 16×3×3. A Linear layer producing the same output from the
# same input would need a weight for every pair of input and output values.

# %% tags=["nbval-check-output"]
conv_layer = nn.Conv2d(16, 32, kernel_size=3, padding=1)
conv_params = count_parameters(conv_layer)
conv_layer_macs = macs_per_image(nn.Sequential(conv_layer), input_shape=(16, 14, 14))
dense_in, dense_out = 16 * 14 * 14, 32 * 14 * 14
dense_params = dense_in * dense_out + dense_out
print(f"Conv2d(16, 32, 3) on 16×14×14: {conv_params:,} parameters, {conv_layer_macs:,} MACs")
print(f"Linear({dense_in:,}, {dense_out:,}) for the same shapes: {dense_params:,} parameters, "
      f"{dense_in * dense_out:,} MACs")
print(f"the convolution has {dense_params / conv_params:,.0f}× fewer parameters; "
      f"each of its weights is used {conv_layer_macs // (conv_params - 32)} times per image")

# %% [markdown]
# ### MACs: two tools disagree
#
# `torchinfo` prints a total of "mult-adds" too, and for the conv model it is far larger
# than `FlopCounterMode`'s count. The next cell finds where, layer by layer, and works one
# transposed convolution out by hand.

# %% tags=["nbval-check-output"]
conv_info_macs = summary(conv_model, input_size=(1, 1, 28, 28), verbose=0)
macs_rows = []
for layer in conv_info_macs.summary_list:
    if layer.is_leaf_layer and layer.num_params:
        ours = macs_per_image(nn.Sequential(layer.module), input_shape=tuple(layer.input_size[1:]))
        macs_rows.append([type(layer.module).__name__, "×".join(map(str, layer.output_size[1:])),
                          ours, layer.macs])
display(table(["layer", "output shape", "FlopCounterMode MACs", "torchinfo mult-adds"],
              macs_rows))
print(f"totals: FlopCounterMode {conv_macs:,}, torchinfo {conv_info_macs.total_mult_adds:,}")
up = conv_model.decoder[6]  # ConvTranspose2d(32, 16, 3, stride 2): 32×14×14 → 16×28×28
by_hand = 32 * 14 * 14 * (16 * 3 * 3)
print(f"decoder.6 by hand: each of the 32×14×14 input values is spread over 16×3×3 outputs "
      f"= {by_hand:,} MACs; torchinfo counts its {count_parameters(up):,} parameters once per "
      f"output position, {count_parameters(up):,} × 28×28 = {count_parameters(up) * 28 * 28:,}")

# %% [markdown]
# For ordinary convolutions the two tools differ only by the biases, which torchinfo
# counts as mult-adds. For the stride-2 *transposed* convolutions torchinfo counts every
# weight once per output position, but each output position only receives a quarter of
# the kernel's taps on average (the stride spreads the inputs out), so its count is
# several times too high: about 4× for the two layers that double the size, more for the
# 3 → 7 one. This course uses `FlopCounterMode`, which counts the multiplications the
# layers perform.

# %% [markdown]
# ## Build your own: the architecture builder
#
# The counts above are for two fixed models. The explorer below builds the course's three
# families at any size and lets PyTorch count them as you move: the fully connected model
# (`FCAutoencoder`, two hidden layers and a code), the conv model with a grid code
# (`DeepConvAutoencoder`, a C×3×3 code) and the conv model with a flat code
# (`FlatConvAutoencoder`, two stride-2 convolutions and a Linear layer to the code). Each
# move builds the model on PyTorch's `meta` device (shapes without memory) and runs one
# image through it under `FlopCounterMode`: parameters, output shape and MACs, layer by
# layer.
#
# Move **compare at code** from 9 to 576 numbers and watch the three families side by
# side. The flat model's parameters grow with its code, because the two Linear layers
# next to the code hold 76% of them at 9 numbers and 99% at 576; from 288 numbers on it
# has more than the FC model. The FC model's count barely moves (470,809 to 616,528), the
# grid model keeps the fewest parameters and does the most MACs at every size. With a
# running kernel, build your own below it: a family, its two widths, any code size.

# %%
from course_utils.widgets.builder import builder_explorer

builder_explorer()

# %% jupyter={"source_hidden": true} tags=["hide-input"]
from course_utils.widgets.builder import FAMILIES, FC, FLAT, FRAME_CODES, GRID, describe

counted = {(family, code): describe(family, *(256, 128) if family == FC else (16, 32), code)
           for family in FAMILIES for code in FRAME_CODES}
assert round(counted[FLAT, 9].code_layers / counted[FLAT, 9].parameters, 2) == 0.76
assert round(counted[FLAT, 576].code_layers / counted[FLAT, 576].parameters, 2) == 0.99
assert counted[FLAT, 144].parameters < counted[FC, 144].parameters < counted[FLAT, 288].parameters
assert (counted[FC, 9].parameters, counted[FC, 576].parameters) == (470_809, 616_528)
for code in FRAME_CODES:
    here = {family: counted[family, code] for family in FAMILIES}
    assert min(here, key=lambda f: here[f].parameters) == GRID
    assert max(here, key=lambda f: here[f].macs) == GRID

# %% [markdown]
# ## A fair comparison: the same code size
#
# To test "better reconstruction with fewer parameters" we compare models that keep the
# same number of numbers per image, 36, each trained with a recipe that suits it
# (`course_utils.recipes`), on the same training images as every lesson:
#
# - **FC**: `FCAutoencoder(hidden_sizes=(256, 128, 36))`, the rule of thumb's model with
#   the code size changed, recipe `recipes.FC`;
# - **FC + BatchNorm**: the same model with a `BatchNorm1d` after each hidden ReLU
#   (`batchnorm=True`), the same recipe. The conv grid model normalises its features
#   after every convolution and the FC model does not, a difference the rule of thumb
#   does not mention; lesson 04 measured how much BatchNorm matters to a stacked FC model,
#   so the comparison needs the FC model both ways;
# - **conv grid**: lesson 02's `DeepConvAutoencoder(latent_channels=4)`, whose code is a
#   4×3×3 grid, recipe `recipes.DEEP_CONV`;
# - **conv flat**: lesson 02's `FlatConvAutoencoder(36)`, recipe `recipes.COMPACT_CODE`.
#   It has no BatchNorm;
# - **PCA** with 36 components, the best *linear* code of that size.
#
# The models, before any training:

# %% tags=["nbval-check-output"]
CODE = 36
builders = {
    "FC": lambda: FCAutoencoder(hidden_sizes=(256, 128, CODE)),
    "FC + BatchNorm": lambda: FCAutoencoder(hidden_sizes=(256, 128, CODE), batchnorm=True),
    "conv grid": lambda: DeepConvAutoencoder(latent_channels=CODE // 9),  # 4×3×3
    "conv flat": lambda: FlatConvAutoencoder(CODE),
}
compare_models({name: build() for name, build in builders.items()})

# %% [markdown]
# The grid model has by far the fewest parameters, 31,885, and the most MACs, 3,012,480
# per image; BatchNorm adds 1,536 parameters to the FC model's 477,748. Every conv model
# does more MACs per image than the FC model with the same code.
#
# One more thing before training: how much does a model's test error move when nothing
# changes but the random seed (other initial weights, another order of batches)? A
# difference smaller than that says nothing. So the FC model trains three times, from
# seeds 0, 1 and 2. `fit` builds a model from a seed and trains it with a recipe, or
# loads it from the cache; it keeps every model in `runs`.

# %%
train_set, test_set = recipes.standard_data()
test_x = test_set.images
print(f"training: {len(train_set):,} images; test: {len(test_set):,} images "
      f"({train_set.source})")
runs = {}  # name → {"model", "history", "seconds"}: every model of this lesson


def fit(name: str, build, recipe: recipes.Recipe, key: str, *, seed: int = 0,
        data: tuple[ImageSet, ImageSet] | None = None) -> nn.Module:
    """Build a model from ``seed`` and train it with ``recipe`` (or load it from the cache)."""
    train_data, test_data = data if data is not None else (train_set, test_set)
    seed_everything(seed)
    model = build()
    start = time.perf_counter()
    history = cached_train(model, key, train_data, test_data,
                           **{**recipe.settings(len(train_data)), "seed": seed})
    runs[name] = {"model": model, "history": history, "seconds": time.perf_counter() - start}
    return model


def report(name: str) -> None:
    run, steps = runs[name], len(runs[name]["history"].test_loss)
    got = ("loaded from the cache" if run["seconds"] < 0.5 * run["history"].total_seconds
           else f"trained in {run['seconds']:.0f} s")
    print(f"{name:>16}: {steps} epochs, {got}")


fit("FC", builders["FC"], recipes.FC, f"fc_code{CODE}")
fit("FC + BatchNorm", builders["FC + BatchNorm"], recipes.FC, f"fc_code{CODE}_bn")
fit("conv grid", builders["conv grid"], recipes.DEEP_CONV, f"deep_conv_{CODE // 9}")  # lesson 02's
fit("conv flat", builders["conv flat"], recipes.COMPACT_CODE, f"compact_code_{CODE}")
for seed in (1, 2):
    fit(f"FC, seed {seed}", builders["FC"], recipes.FC, f"fc_code{CODE}_seed{seed}", seed=seed)
for name in runs:
    report(name)

# %% [markdown]
# Each model's error on its own training images and on the test images, both measured
# the same way: `evaluate` in eval mode, where BatchNorm uses its running statistics. (The
# training loss a `History` records is an average over the epoch, taken in train mode with
# BatchNorm on each batch's statistics while the weights were still changing: not
# comparable with a test error.) PCA with 36 components is the last row.

# %%
pca_36 = pca_baseline(train_set.images, CODE)
pca_mse = pca_36.mse(test_x)
MAIN = ("FC", "FC + BatchNorm", "conv grid", "conv flat")
results = {name: {"parameters": count_parameters(runs[name]["model"]),
                  "macs": macs_per_image(runs[name]["model"]),
                  "train": evaluate(runs[name]["model"], train_set),
                  "test": evaluate(runs[name]["model"], test_x)} for name in MAIN}
fc_seeds = [results["FC"]["test"]] + [evaluate(runs[f"FC, seed {s}"]["model"], test_x)
                                      for s in (1, 2)]
spread = (max(fc_seeds) - min(fc_seeds)) / min(fc_seeds)
display(table(["model (36 numbers)", "parameters", "MACs / image", "training MSE (eval mode)",
               "test MSE", "test ÷ PCA-36"],
              [[name, r["parameters"], r["macs"], r["train"], r["test"], r["test"] / pca_mse]
               for name, r in results.items()]
              + [["PCA, 36 components", None, None, pca_36.mse(train_set.images), pca_mse, 1.0]]))
Markdown(f"The FC model's test error from three seeds: "
         f"{', '.join(number(v) for v in fc_seeds)}, a **seed-to-seed spread of "
         f"{spread:.1%}** (largest minus smallest, relative to the smallest). Every verdict "
         f"below counts a gap inside it as a tie.")

# %% [markdown]
# The same numbers as a picture: test error against parameter count (both on log
# scales), one marker per model, with PCA-36 as a horizontal line.

# %%
fig, ax = plt.subplots(figsize=(7.5, 4.5))
for name, marker, colour in (("FC", "s", "C0"), ("FC + BatchNorm", "P", "C4"),
                             ("conv grid", "o", "C1"), ("conv flat", "D", "C3")):
    r = results[name]
    ax.plot(r["parameters"], r["test"], marker=marker, color=colour, ls="none", ms=9, label=name)
ax.axhline(pca_mse, color="C2", ls="--", label=f"PCA, {CODE} components")
ax.set_xscale("log")
ax.set_yscale("log")
ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.0f}"))
ax.xaxis.set_minor_formatter(NullFormatter())
ax.set_xlabel("parameters (log scale)")
ax.set_ylabel("test MSE per pixel (log scale)")
ax.set_title("Reconstruction error against parameters, 36-number codes")
ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.0, 0.5))
show(fig, alt="Test error against parameter count for four autoencoders with 36-number codes "
              "(FC, FC with BatchNorm, conv grid, conv flat), log scales, with PCA-36's error "
              "as a dashed horizontal line.")

# %% [markdown]
# ## Did the rule of thumb hold?
#
# "A conv autoencoder reconstructs better than a fully connected one, with about 5× fewer
# parameters." At equal code size, the rule of thumb's kind of conv model is the grid
# model, its FC model the plain one. The verdict checks both parts of the claim, from the
# numbers above:

# %%
grid, fc = results["conv grid"], results["FC"]
claim("a conv autoencoder reconstructs better than a fully connected one, with about 5× "
      "fewer parameters", {
          "at least 5× fewer parameters": (
              fc["parameters"] >= 5 * grid["parameters"],
              f"{fc['parameters'] / grid['parameters']:.0f}× fewer, {grid['parameters']:,} "
              f"against {fc['parameters']:,}"),
          "better reconstruction": compare("the grid model", grid["test"], "the FC model",
                                           fc["test"], spread=spread),
      })

# %% [markdown]
# The parameter counts do not depend on training, and the next cell checks them: the grid
# model has more than 5× fewer parameters than the FC model with the same code (15×), and
# every conv model does more multiply-accumulates per image than the FC model.

# %% jupyter={"source_hidden": true} tags=["hide-input"]
assert round(fc["parameters"] / grid["parameters"]) == 15
assert all(results[name]["macs"] > fc["macs"] for name in ("conv grid", "conv flat"))

# %% [markdown]
# ## Why the FC model falls behind
#
# A conv layer learns one small stroke detector from every position of every image at
# once; a Linear layer on pixels has to learn a weight for every pixel separately, from
# the images where that pixel has ink. That is one explanation for the FC model's gap. But
# the plain FC model and the grid model differ in a second way: the grid model has
# BatchNorm, the FC model has none. Before crediting the convolution, measure what
# BatchNorm alone does. The test error after every epoch, against the optimizer steps
# taken so far:

# %%
fig, ax = plt.subplots(figsize=(7, 4))
for name, colour in (("FC", "C0"), ("FC + BatchNorm", "C4"), ("conv grid", "C1"),
                     ("conv flat", "C3")):
    h = runs[name]["history"]
    per_epoch = -(-len(train_set) // {"FC": recipes.FC, "FC + BatchNorm": recipes.FC,
                                      "conv grid": recipes.DEEP_CONV,
                                      "conv flat": recipes.COMPACT_CODE}[name].batch_size)
    ax.plot([per_epoch * (e + 1) for e in range(h.epochs)], h.test_loss, marker="o", ms=3,
            color=colour, label=name)
ax.axhline(pca_mse, color="C2", ls="--", label=f"PCA, {CODE} components")
ax.set_yscale("log")
ax.set_xlabel("optimizer steps")
ax.set_ylabel("test MSE per pixel (log scale)")
ax.set_title("Test error during training, 36-number codes")
ax.legend(fontsize=8)
show(fig, alt="Test error after each epoch against optimizer steps for the FC model, the FC "
              "model with BatchNorm, the conv grid and the conv flat model, with PCA-36's error "
              "as a dashed line; log scale.")

# %% [markdown]
# Three measurements answer the question. First, BatchNorm alone: the same FC model,
# recipe and seed, with and without it. Second, a look inside the code. The FC model's
# code layer ends in a ReLU, so a code number that is negative for every digit is clipped
# to 0 for every digit: it carries nothing, and once there it gets no gradient to climb
# out (a *dead* code number). Third, whether the FC model is memorising its training
# digits: its error on them against its error on new ones.

# %%
def dead_codes(model: nn.Module) -> int:
    """How many code numbers are 0 for every test digit."""
    return int((encode_all(model, test_x).flatten(1).abs().amax(dim=0) == 0).sum())


bn, plain = results["FC + BatchNorm"], results["FC"]
dead = {name: dead_codes(runs[name]["model"]) for name in MAIN}
display(compare("the FC model with BatchNorm", bn["test"], "the FC model without BatchNorm",
                plain["test"], spread=spread))
display(Markdown("Dead code numbers (0 for every test digit), of 36: "
                 + ", ".join(f"{name} **{count}**" for name, count in dead.items()) + "."))
display(overfitting("the FC model", plain["train"], plain["test"], spread=spread))
display(compare("the conv flat model (no BatchNorm)", results["conv flat"]["test"],
                "the FC model with BatchNorm", bn["test"], spread=spread))
compare("the conv grid model", grid["test"], "the FC model with BatchNorm", bn["test"],
        spread=spread)

# %% [markdown]
# How to read these five verdicts together:
#
# - The first is BatchNorm's effect alone: same model, recipe and seed. Whatever it
#   gained is a part of the rule of thumb's comparison that has nothing to do with
#   convolutions: the grid model brings BatchNorm, the plain FC model does not.
# - The dead counts show one way a ReLU code layer wastes its code, and whether
#   BatchNorm, which keeps the code layer's inputs centred on zero, changed it.
# - The FC model does not memorise its training digits: its error on them, measured in
#   eval mode, is within 10% of its test error, so more data would not rescue it.
# - The last two verdicts set the conv models against the *better* FC model. The flat
#   conv model has no BatchNorm at all, so what is left of its lead is down to the other
#   differences: weight sharing in its convolutions, its Linear code layer with no ReLU,
#   and its recipe, whose learning rate is five times the FC recipe's (exercise 5 gives
#   the FC model a higher rate).
#
# So before crediting per-pixel weights with the FC model's gap, subtract what
# normalisation alone does: the first verdict measures it. Fully connected autoencoders can beat
# PCA too, with more training: the 30-number model in the references below did, on all
# 60,000 MNIST training digits.

# %% jupyter={"source_hidden": true} tags=["hide-input"]
assert (plain["test"] - plain["train"]) / plain["train"] < 0.1, (plain["train"], plain["test"])

# %% [markdown]
# ## What a convolution assumes: shuffled pixels
#
# Another common claim: *fully connected autoencoders are the right choice for tabular
# data* (a table's rows: age, income, blood pressure, ...), *conv autoencoders for
# images*. The reason given is what each layer assumes. A convolution assumes that
# neighbouring values belong together and that the same small pattern can appear
# anywhere; a table's columns have no neighbours and no positions. A Linear layer assumes
# nothing about the order of its inputs.
#
# Digits can be turned into such a table: shuffle the 784 pixels of every image with one
# fixed permutation, the same for all images. Nothing is lost (the permutation can be
# undone), but neighbouring pixels are no longer neighbours:

# %%
order = torch.randperm(784, generator=seed_everything(0))  # one fixed shuffle of the pixels


def shuffle_pixels(images: torch.Tensor) -> torch.Tensor:
    """The same permutation of the 784 pixels for every image (N×1×28×28 → N×1×28×28)."""
    return images.flatten(1)[:, order].view_as(images)


shuffled_train = ImageSet(shuffle_pixels(train_set.images), train_set.labels,
                          f"{train_set.source}, pixels shuffled")
shuffled_test = ImageSet(shuffle_pixels(test_x), test_set.labels,
                         f"{test_set.source}, pixels shuffled")
fig, axes = plt.subplots(2, 6, figsize=(7.5, 2.8))
for i, ax in enumerate(axes.flat):
    ax.imshow((test_x if i < 6 else shuffled_test.images)[i % 6, 0], cmap="gray", vmin=0, vmax=1)
    ax.set_xticks([])
    ax.set_yticks([])
axes[0, 0].set_ylabel("digits", fontsize=8)
axes[1, 0].set_ylabel("shuffled", fontsize=8)
fig.suptitle("Six test digits, and the same digits with their pixels shuffled")
show(fig, alt="Six test digits in the top row; below each, the same image with its 784 pixels "
              "shuffled by one fixed permutation, which looks like scattered noise.")

# %% [markdown]
# For a fully connected model the shuffle changes nothing at all. Permute the columns of
# its first layer's weights and the rows of its last layer the same way, and the model
# computes on shuffled digits exactly what it computed on the digits as they were. Every
# fully connected model therefore learns shuffled digits as well as ordered ones: from
# the same start, training on shuffled pixels follows the same path in permuted
# coordinates. The next cell shows it on the trained FC model with BatchNorm, the better
# of the two FC models here:

# %%
fc_shuffled = copy.deepcopy(runs["FC + BatchNorm"]["model"])
first = fc_shuffled.encoder[1]  # Linear(784, 256): one weight column per pixel
last = fc_shuffled.decoder[-3]  # Linear(256, 784): one weight row per pixel
with torch.no_grad():
    first.weight.copy_(first.weight[:, order])
    last.weight.copy_(last.weight[order])
    last.bias.copy_(last.bias[order])
fc_shuffled_mse = evaluate(fc_shuffled, shuffled_test)
print(f"FC + BatchNorm: test MSE {bn['test']:.6f} on the digits, {fc_shuffled_mse:.6f} on "
      f"shuffled digits with permuted weights")

# %% jupyter={"source_hidden": true} tags=["hide-input"]
assert abs(fc_shuffled_mse - bn["test"]) < 1e-6 * bn["test"] + 1e-9

# %% [markdown]
# The same error to six digits: the FC model does not care where a pixel is. A conv
# model does: its 3×3 kernels now see nine pixels from random places of the digit. The
# next cell trains the conv flat model, with its recipe and seed, on the shuffled
# digits:

# %%
fit("conv flat, shuffled", builders["conv flat"], recipes.COMPACT_CODE,
    f"compact_code_{CODE}_shuffled", data=(shuffled_train, shuffled_test))
report("conv flat, shuffled")
flat_shuffled = evaluate(runs["conv flat, shuffled"]["model"], shuffled_test)
display(compare("the conv flat model with shuffled input", flat_shuffled,
                "the conv flat model with ordered input", results["conv flat"]["test"],
                spread=spread))
compare("the conv flat model", flat_shuffled, "the FC model with BatchNorm", fc_shuffled_mse,
        measure="test MSE on shuffled pixels", spread=spread)

# %% jupyter={"source_hidden": true} tags=["hide-input"]
assert flat_shuffled > results["conv flat"]["test"], (flat_shuffled, results["conv flat"])

# %% [markdown]
# Taking the neighbours away made the conv model worse: the first verdict says by how
# much, for the same model, recipe and seed. The second compares the two
# kinds of model once the data has no order, as in a table: the FC model's number is
# exactly its number on ordered digits, the conv model's is what is left of its
# advantages without neighbours (its Linear code layer and its recipe stay). So the
# claim's reason holds up: a fully connected model neither needs an order of its inputs
# nor suffers without one, while a convolution's assumption stops paying when there are
# no neighbours. "Best for tabular data" is a stronger claim than this measures: a real
# table mixes units and scales, categories and missing values, and PCA or methods made
# for tables may do as well.
#
# ## The shape of the code, and nothing else
#
# The two conv models differ in more than their code: the grid model max-pools, uses
# BatchNorm, a different trunk and a different recipe. To isolate the code's shape, the
# next cell builds a twin of the flat model: the *same* two stride-2 convolutions and the
# same decoder convolutions, but into and out of the code it uses a convolution instead
# of a `Linear` layer, so the code is a 4×3×3 grid: 36 numbers, the same as the flat
# model's.

# %% tags=["nbval-check-output"]
from course_utils.models import Autoencoder
from course_utils.models.flat import conv_decoder_trunk, conv_encoder_trunk


class GridCodeTwin(Autoencoder):
    """FlatConvAutoencoder's convolutions around a 4×3×3 grid code instead of a flat one."""

    def __init__(self, channels: int = 4) -> None:
        super().__init__()
        self.encoder = nn.Sequential(
            *conv_encoder_trunk()[:-1],  # 1×28×28 → 16×14×14 → 32×7×7 (no Flatten)
            nn.Conv2d(32, channels, kernel_size=3, stride=2),  # 32×7×7 → C×3×3
        )
        self.decoder = nn.Sequential(
            nn.ConvTranspose2d(channels, 32, kernel_size=3, stride=2),  # C×3×3 → 32×7×7
            *conv_decoder_trunk()[1:],  # 32×7×7 → 16×14×14 → 1×28×28 (no Unflatten)
        )


from course_utils.arithmetic import trace_shapes

seed_everything(0)
twin = GridCodeTwin()
trace_shapes(twin, (1, 28, 28)).to_frame()

# %% [markdown]
# Everything else is shared: the training images, the random seed, and one recipe for
# both, the flat model's `recipes.COMPACT_CODE` with its learning rate lowered from 5e-3 to
# 2e-3. At 5e-3 the grid twin's first steps drive its output Sigmoid to 0 for every pixel,
# where MSE has almost no gradient left (lesson 04), and it never recovers: exercise 6
# shows it. A fresh flat model is trained with the same lowered rate, so that the code's
# shape is the only difference. The mean training image is in the table as a floor: a
# model that has learned anything does better than it.

# %%
import dataclasses

SHAPE_RECIPE = dataclasses.replace(recipes.COMPACT_CODE, lr=2e-3)
fit("flat code", builders["conv flat"], SHAPE_RECIPE, f"06_code_shape_flat_{CODE}")
fit("grid code", GridCodeTwin, SHAPE_RECIPE, f"06_code_shape_grid_{CODE}")
shape_mse = {name: evaluate(runs[name]["model"], test_x) for name in ("flat code", "grid code")}
mean_image_mse = mse(train_set.images.mean(dim=0, keepdim=True).expand_as(test_x), test_x)
display(table(["model (36 numbers per image)", "parameters", "test MSE",
               "below the mean image's error"], [
    *[[f"{name} ({'Linear' if name == 'flat code' else 'convolution'} into and out of it)",
       count_parameters(runs[name]["model"]), value, value < mean_image_mse]
      for name, value in shape_mse.items()],
    ["PCA, 36 components", None, pca_mse, pca_mse < mean_image_mse],
    ["the mean training image", None, mean_image_mse, False],
]))
compare("the flat code", shape_mse["flat code"], "the grid code", shape_mse["grid code"],
        spread=spread)

# %% jupyter={"source_hidden": true} tags=["hide-input"]
assert shape_mse["flat code"] < shape_mse["grid code"], shape_mse

# %% [markdown]
# The flat code reconstructs better than the grid code with everything else the same:
# that is the effect of the code's shape alone, and the verdict gives its size at this
# budget. A `Linear` layer
# gives every code number its own weights over the whole 32×7×7 feature map, so one
# number can describe the whole digit; a convolution into a 3×3 grid computes each of its
# numbers from one region, with weights shared across positions. That sharing is also why
# the grid twin has about a tenth of the flat model's parameters (11,909 against 124,069).
#
# ## Depth vs width at a matched parameter count
#
# A deeper network is often said to do more with the same parameters. A fair test needs
# two models with the same parameter count and the same code: the FC model above is the
# deep one, 784 → 256 → 128 → 36 and back; the wide one has a single hidden layer of 290
# units, 784 → 290 → 36 and back. Seed spreads of FC models are not small (the three FC
# runs above), so the wide model trains from three seeds too, and both shapes train once
# more with BatchNorm: without it, the deeper stack is the one that lacks normalisation
# in more places.

# %% tags=["nbval-check-output"]
depth_builders = {
    "wide (290, 36)": lambda: FCAutoencoder(hidden_sizes=(290, CODE)),
    "deep (256, 128, 36)": builders["FC"],
}
display(compare_models({name: build() for name, build in depth_builders.items()}))
wide_n, deep_n = (count_parameters(build()) for build in depth_builders.values())
print(f"wide vs deep: parameter counts {abs(wide_n - deep_n) / deep_n:.2%} apart")

# %%
for seed in (0, 1, 2):
    fit(f"wide, seed {seed}", depth_builders["wide (290, 36)"], recipes.FC,
        f"06_wide_fc{CODE}" + (f"_seed{seed}" if seed else ""), seed=seed)
fit("wide + BatchNorm", lambda: FCAutoencoder(hidden_sizes=(290, CODE), batchnorm=True),
    recipes.FC, f"06_wide_fc{CODE}_bn")
for name in ("wide, seed 0", "wide, seed 1", "wide, seed 2", "wide + BatchNorm"):
    report(name)
wide_seeds = [evaluate(runs[f"wide, seed {s}"]["model"], test_x) for s in (0, 1, 2)]
wide_bn = evaluate(runs["wide + BatchNorm"]["model"], test_x)
depth_spread = max(spread, (max(wide_seeds) - min(wide_seeds)) / min(wide_seeds))
mean = lambda values: sum(values) / len(values)  # noqa: E731
compare_at("the wide model", "the deep model", {
    "without BatchNorm (mean of three seeds)": (mean(wide_seeds), mean(fc_seeds)),
    "with BatchNorm (one seed)": (wide_bn, bn["test"]),
}, spread=depth_spread)

# %% [markdown]
# Every run as a dot: three seeds of each shape without BatchNorm, one with it, and PCA-36.

# %%
fig, ax = plt.subplots(figsize=(7, 3.6))
for x, (label, values, colour) in enumerate((
        ("wide", wide_seeds, "C0"), ("deep", fc_seeds, "C1"),
        ("wide + BatchNorm", [wide_bn], "C0"), ("deep + BatchNorm", [bn["test"]], "C1"))):
    ax.plot([x] * len(values), values, "o" if "+" not in label else "D", color=colour, ms=8,
            alpha=0.8)
ax.axhline(pca_mse, color="C2", ls="--", label=f"PCA, {CODE} components")
ax.set_xticks(range(4), ["wide", "deep", "wide + BatchNorm", "deep + BatchNorm"])
ax.set_yscale("log")
ax.set_xlabel("shape of the FC model")
ax.set_ylabel("test MSE (log scale)")
ax.set_title(f"Depth vs width at about {round(deep_n, -3):,} parameters: every run")
ax.legend(fontsize=8)
show(fig, alt="Test error of every depth-against-width run: three seeds each of the wide and "
              "the deep FC model without BatchNorm, one run of each with BatchNorm, and "
              "PCA-36's error as a dashed line; log scale.")

# %% [markdown]
# The verdict compares the two shapes with and without BatchNorm, with the larger of the
# two measured seed spreads as the noise, so a single lucky run cannot decide it. At equal
# parameters and equal steps the comparison says as much about how fast each shape learns
# within a budget of seconds as about what it could learn with unlimited training; the
# dots also show how much BatchNorm moves each shape, which is part of "the rest of the
# recipe" that any depth-against-width claim depends on.
#
# ## References
#
# - G. E. Hinton and R. R. Salakhutdinov, "Reducing the dimensionality of data with neural
#   networks", *Science* 313 (5786), 504–507, 2006: a fully connected 784-1000-500-250-30
#   autoencoder, pretrained layer by layer as restricted Boltzmann machines and then
#   fine-tuned on the 60,000 MNIST training digits, reconstructs test digits with less
#   error than PCA with 30 components. Far larger and far longer trained than this
#   lesson's models.

# %% [markdown]
# ## Summary
#
# - Parameters per layer: Linear $n_\text{in} n_\text{out} + n_\text{out}$, convolutions
#   $c_\text{in} c_\text{out} k^2 + c_\text{out}$, BatchNorm $2c$. In the FC autoencoder the
#   two layers touching the pixels hold 83% of the parameters; `torchinfo` gives the same
#   counts, but its mult-adds for transposed convolutions are several times too high.
# - The rule of thumb: "~80K" is close, "~440K" is 9% too low, the ratio is 5.8, and its
#   comparison gives the conv model a code 9× larger than the FC model's.
# - Weight sharing makes convolutions cheap in parameters and expensive in
#   multiply-accumulates; in a flat-code model the Linear layers next to the code hold
#   most of the parameters, so its count grows with the code (the builder).
# - A fair comparison changes one thing at a time and knows its noise: three seeds gave
#   the FC model's spread, and the training error was measured in eval mode, like the
#   test error.
# - BatchNorm was a hidden difference between the rule of thumb's two models: the FC
#   model with and without it measures what normalisation alone changes, before any of
#   the gap is credited to convolutions. The FC model does not memorise its training
#   digits (its two errors, both in eval mode, are within 10%).
# - Shuffling the pixels leaves a fully connected model's error exactly unchanged, while
#   the conv model trained on shuffled pixels does worse than on ordered ones: the reason
#   behind "FC for tables, conv for images".
# - The code's shape alone, flat against a 3×3 grid with everything else the same, and
#   depth against width at a matched count, are measured with their verdicts; at the flat
#   model's own learning rate the grid twin does not learn at all (exercise 6), a reason
#   to look at a training curve before drawing a conclusion.

# %% [markdown]
# ## Exercises
#
# 1. Add a code size of 9: `fit("FC 9", lambda: FCAutoencoder(hidden_sizes=(256, 128, 9)),
#    recipes.FC, "fc_code9")` and `fit("conv flat 9", lambda: FlatConvAutoencoder(9),
#    recipes.COMPACT_CODE, "compact_code_9")`. Which of them beats PCA with 9 components?
# 2. Give every model the same *wall-clock* time instead of the same number of steps (the
#    models differ a lot in seconds per step: compare `runs[name]["history"].total_seconds`).
#    Does the verdict on the rule of thumb change?
# 3. Count the parameters of `DeepConvAutoencoder(latent_channels=c)` by hand as a
#    function of `c`, then check with `count_parameters` and with the builder.
# 4. Replace the ReLU after the code layer of the plain FC model with `nn.Identity()`
#    (`model = builders["FC"](); model.encoder[-1] = nn.Identity()`) and train it with
#    `recipes.FC` under a new name. How many code numbers are dead now, and how close
#    does it come to the model with BatchNorm?
# 5. Train the plain FC model with a higher learning rate:
#    `fit("FC lr 3e-3", builders["FC"], dataclasses.replace(recipes.FC, lr=3e-3),
#    "fc_lr3e-3")`. How close does it get to PCA-36, and to the model with BatchNorm?
# 6. Train a fresh grid twin at the flat model's own learning rate:
#    `twin = fit("twin lr 5e-3", GridCodeTwin, recipes.COMPACT_CODE, "twin_lr5e-3")`.
#    Print `runs["twin lr 5e-3"]["history"].test_loss` and `twin(test_x[:4]).max()`: what
#    happened to its output, and why can MSE not pull it back?
# 7. Train the deep FC model with BatchNorm on the shuffled digits from scratch
#    (`fit(..., data=(shuffled_train, shuffled_test))`). Its error differs a little from
#    the permuted-weights model's: why is that not a contradiction?
#
# Next: **07 · Visualization**.

# %% jupyter={"source_hidden": true} tags=["hide-input"]
assert len(runs) == 13 and "conv grid" in runs  # twelve train here; lesson 02 trains the grid model

# %%
loaded = [name for name, run in runs.items()
          if run["seconds"] < 0.5 * run["history"].total_seconds]
trained_now = [name for name in runs if name not in loaded]
Markdown(f"This notebook ran in {time.perf_counter() - notebook_start:.0f} s and used "
         f"{time.process_time() - cpu_start:.0f} s of CPU time ({torch.get_num_threads()} "
         f"thread(s)). Of its {len(runs)} models, {len(trained_now)} trained in this run, in "
         f"{sum(runs[name]['seconds'] for name in trained_now):.0f} s, and {len(loaded)} came "
         f"from the cache" + (f" ({', '.join(loaded)})." if loaded else "."))
