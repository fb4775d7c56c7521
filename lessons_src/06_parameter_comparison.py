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
# training recipe for each model, and PCA beside them.
#
# **What you will learn**
# - how to count the parameters of Linear, Conv2d, ConvTranspose2d and BatchNorm layers,
#   and where a model's parameters sit; the same counts from `torchinfo`, checked to agree;
# - which numbers of the rule of thumb hold, and by how much the others miss;
# - why parameters are not the whole cost: multiply-accumulates (MACs) per image, and why
#   `torchinfo` reports more of them than the convolutions perform;
# - a fair comparison at equal code size: a fully connected model, a conv model with a
#   3×3 grid code, a conv model with a flat code, and PCA;
# - how to isolate one design choice (the shape of the code), and how to tell a measured
#   effect from a run that did not train;
# - depth against width at a matched parameter count.
#
# **Time:** about 20 minutes to read. The computing takes about two minutes on a free
# CPU core the first time (seven small models train; lesson 02's grid model comes from
# the cache), longer on a busy one; a second run takes seconds. The last cell prints this
# run's times.
#
# **Prerequisites:** lessons 01–03 (the conv autoencoders, PCA as a baseline, the stacked
# fully connected autoencoder); lesson 02's flat-code model.

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
from matplotlib.ticker import FuncFormatter, NullFormatter
from torch import nn
from torchinfo import summary

from course_utils import recipes
from course_utils.arithmetic import trace_shapes
from course_utils.config import seed_everything
from course_utils.metrics import mse, pca_baseline
from course_utils.models import DeepConvAutoencoder, FCAutoencoder
from course_utils.summary import (
    compare_models,
    count_parameters,
    latent_size,
    macs_per_image,
    parameter_table,
)
from course_utils.tables import table
from course_utils.training import encode_all, evaluate
from course_utils.viz import use_house_style

notebook_start = time.perf_counter()
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
# The next cell lists every layer of `FCAutoencoder()`, the fully connected model the
# rule of thumb has in mind.

# %% tags=["nbval-check-output"]
fc_model = FCAutoencoder()  # 784 → 256 → 128 → 64 → 128 → 256 → 784
parameter_table(fc_model)

# %% [markdown]
# Six Linear layers and nothing else. The two layers that touch the 784 pixels hold
# most of the parameters; the next cell says how many.

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
# with a 3×3 kernel; the first conv (1 → 16) and the last (16 → 1) are tiny because they
# touch only one channel.

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
# Two tools, two tables. Instead of comparing them by eye, the next cell lines up
# torchinfo's innermost layers with the course's `trace_shapes` rows, for both models,
# and checks that the layer names, output shapes and parameter counts all agree, and the
# totals with `count_parameters`.

# %% tags=["nbval-check-output"]
def agreement(model: nn.Module) -> tuple[bool, int, int]:
    """Does torchinfo agree with trace_shapes layer by layer? (all agree, layers, total)."""
    trace = trace_shapes(model, (1, 28, 28))
    info = summary(model, input_size=(1, 1, 28, 28), verbose=0)
    names = {id(module): name for name, module in model.named_modules()}
    leaves = [layer for layer in info.summary_list if layer.is_leaf_layer]  # no containers
    same = len(trace) == len(leaves) and all(
        ours.name == names[id(theirs.module)]
        and ours.output_shape == tuple(theirs.output_size[1:])  # drop torchinfo's batch axis
        and ours.parameters == theirs.num_params
        for ours, theirs in zip(trace, leaves))
    totals = {sum(row.parameters for row in trace), info.total_params, count_parameters(model)}
    return same and len(totals) == 1, len(trace), info.total_params


checks = {name: agreement(m) for name, m in (("FCAutoencoder", fc_model),
                                              ("DeepConvAutoencoder", conv_model))}
display(table(["model", "names, shapes and counts agree", "layers", "total parameters"],
              [[name, *result] for name, result in checks.items()]))
assert all(agrees for agrees, _, _ in checks.values())

# %% [markdown]
# They agree on every layer. (`torchinfo` also counts the containers, the `Sequential`
# encoder and decoder, whose rows repeat their layers' totals; the comparison skips them.)

# %% [markdown]
# ## Auditing the rule of thumb
#
# The claim has three numbers: ~440K for the fully connected model, ~80K for the conv
# model, and ~5× fewer. The next cell compares each with the exact counts above, and adds
# two facts the claim leaves out: the size of each model's *code*, and the work each model
# does per image (multiply-accumulates, MACs, counted by PyTorch's `FlopCounterMode`).

# %% tags=["nbval-check-output"]
ratio = fc_total / conv_total


def verdict(claimed: float, exact: float) -> str:
    """A rounded claim "holds" when it is within 5% of the exact value."""
    error = (claimed - exact) / exact
    return "holds (within 5%)" if abs(error) <= 0.05 else ("too low" if error < 0 else "too high")


display(table(["claim", "exact value", "error of the claim (%)", "verdict"], [
    ["FC autoencoder: ~440K parameters", fc_total, 100 * (440_000 - fc_total) / fc_total,
     verdict(440_000, fc_total)],
    ["conv autoencoder: ~80K parameters", conv_total, 100 * (80_000 - conv_total) / conv_total,
     verdict(80_000, conv_total)],
    ["~5× fewer parameters", ratio, 100 * (5 - ratio) / ratio, verdict(5, ratio)],
]))
fc_code, conv_code = latent_size(fc_model), latent_size(conv_model)
fc_macs, conv_macs = macs_per_image(fc_model), macs_per_image(conv_model)
print(f"left out: the FC code is {fc_code} numbers, the conv code {conv_code} "
      f"({conv_code / fc_code:.0f}× more numbers per image)")
print(f"left out: MACs per image, FC {fc_macs:,} vs conv {conv_macs:,} "
      f"(the conv model does {conv_macs / fc_macs:.1f}× more work per image)")

# %% [markdown]
# The conv count is close; the FC count is too low, and the ratio is nearer 6 than 5 (the
# exact values in the table). Two things matter more than the rounding:
#
# - **The codes differ.** The FC model squeezes each image into 64 numbers, the conv
#   model into 576. Comparing their reconstructions compares a model that keeps 9× more
#   numbers per image. That is not a fair test of "better reconstruction".
# - **Fewer parameters is not less work.** Every conv weight is used at every position of
#   its feature map, so the conv model does several times more multiply-accumulates per
#   image than the FC model. Its advantage is memory and weight sharing, not speed.

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
# ## A fair comparison: the same code size
#
# To test "better reconstruction with fewer parameters" we compare models that keep the
# same number of numbers per image, each trained with a recipe that suits it
# (`course_utils.recipes`), on the same training images as every lesson:
#
# - **FC**: `FCAutoencoder(hidden_sizes=(256, 128, code))`, the rule of thumb's model with
#   the code size changed, recipe `recipes.FC`;
# - **conv, grid code**: lesson 02's `DeepConvAutoencoder`, whose code is a 3×3 grid of
#   `latent_channels` channels, recipe `recipes.DEEP_CONV` (only at 36 numbers: at this
#   model's cost per step, a second size would take longer than this lesson's budget);
# - **conv, flat code**: lesson 02's `FlatConvAutoencoder`, recipe `recipes.COMPACT_CODE`;
# - **PCA** with the same number of components.
#
# Two code sizes: 36 numbers, and 144. The next cell lists the models, before any training.

# %% tags=["nbval-check-output"]
from course_utils.models import FlatConvAutoencoder

CODE_SIZES = (36, 144)
GRID_CODE = 36  # the grid model's size: 4 channels × 3×3


def fc_autoencoder(code: int) -> FCAutoencoder:
    seed_everything(0)
    return FCAutoencoder(hidden_sizes=(256, 128, code))


blueprints = {}
for code in CODE_SIZES:
    blueprints[f"FC {code}"] = fc_autoencoder(code)
    if code == GRID_CODE:
        blueprints[f"conv grid {code}"] = DeepConvAutoencoder(latent_channels=code // 9)
    blueprints[f"conv flat {code}"] = FlatConvAutoencoder(code)
compare_models(blueprints)

# %% [markdown]
# The grid model has by far the fewest parameters and the most MACs. The flat model's two
# `Linear` layers into and out of the code hold most of its weights, so its count grows
# with the code: at 144 numbers it comes close to the FC model's. Every conv model does
# more MACs per image than the FC model with the same code. The next cell trains them all,
# or loads them from the cache: the grid model is the one lesson 02 trained (the same
# recipe call), while the flat models use lesson 02's recipe at code sizes it did not
# train, so they train here the first time.

# %%
train_set, test_set = recipes.standard_data()
print(f"training: {len(train_set):,} images; test: {len(test_set):,} images "
      f"({train_set.source})")


RECIPE_OF = {"FC": recipes.FC, "conv grid": recipes.DEEP_CONV, "conv flat": recipes.COMPACT_CODE}


def train_model(name: str) -> tuple[nn.Module, object]:
    """One model of the comparison, trained with its recipe (or loaded from the cache)."""
    kind, code = name.rsplit(" ", 1)
    code = int(code)
    if kind == "FC":
        model = fc_autoencoder(code)
        return model, RECIPE_OF[kind].train(model, f"fc_code{code}", train_set, test_set)
    if kind == "conv grid":  # recipes.DEEP_CONV
        return recipes.deep_conv(train_set, test_set, latent_channels=code // 9)
    return recipes.compact_code(train_set, test_set, code_size=code)  # recipes.COMPACT_CODE


trained, histories = {}, {}
for name in blueprints:
    trained[name], histories[name] = train_model(name)
    print(f"{name:>13}: {histories[name]}")

# %% [markdown]
# Each autoencoder's test error beside PCA with the same number of components (the best
# *linear* code of that size):

# %%
test_x = test_set.images
pca_mse = {code: pca_baseline(train_set.images, code).mse(test_x) for code in CODE_SIZES}
results = {name: {"code": latent_size(m), "parameters": count_parameters(m),
                  "macs": macs_per_image(m), "mse": evaluate(m, test_x)}
           for name, m in trained.items()}
table(["model", "code size", "parameters", "MACs / image", "test MSE", "PCA, same size",
       "AE ÷ PCA"],
      [[name, r["code"], r["parameters"], r["macs"], r["mse"], pca_mse[r["code"]],
        r["mse"] / pca_mse[r["code"]]] for name, r in results.items()])

# %% [markdown]
# The same numbers as a picture: test error against parameter count (log scale), one
# marker per model, labelled with its code size; PCA at each code size as a horizontal line.

# %%
fig, ax = plt.subplots(figsize=(7.5, 4.5))
for kind, marker, colour in (("FC", "s", "C0"), ("conv grid", "o", "C1"), ("conv flat", "D", "C3")):
    chosen = [r for name, r in results.items() if name.rsplit(" ", 1)[0] == kind]
    ax.plot([r["parameters"] for r in chosen], [r["mse"] for r in chosen], marker=marker,
            color=colour, ls="none", ms=8, label=kind)
    for r in chosen:
        ax.annotate(f"code {r['code']}", (r["parameters"], r["mse"]), textcoords="offset points",
                    xytext=(-9, 4 if r["code"] == max(CODE_SIZES) else -4), ha="right",
                    va="center", fontsize=8, color=colour)
for code, style in zip(CODE_SIZES, ("--", ":")):
    ax.axhline(pca_mse[code], color="C2", ls=style, label=f"PCA, {code} components")
ax.set_xscale("log")
ax.set_yscale("log")
ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.0f}"))
ax.xaxis.set_minor_formatter(NullFormatter())
ax.set_xlabel("parameters (log scale)")
ax.set_ylabel("test MSE per pixel (log scale)")
ax.set_title("Reconstruction error against parameters, at equal code size")
ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.0, 0.5))
fig.tight_layout()
plt.show()

# %% [markdown]
# ## Did the rule of thumb hold?
#
# "Better reconstruction with ~5× fewer parameters": at each code size, which model has
# the lowest test error, how do the conv models compare with the FC model, and does any
# of them beat PCA? The verdicts are computed from the numbers above.

# %%
for code in CODE_SIZES:
    here = {name: r for name, r in results.items() if r["code"] == code}
    fc_r = here[f"FC {code}"]
    print(f"code {code}: PCA {pca_mse[code]:.5f}")
    for name, r in here.items():
        if name == f"FC {code}":
            continue
        print(f"  {name}: {'lower' if r['mse'] < fc_r['mse'] else 'higher'} error than FC "
              f"({r['mse']:.5f} vs {fc_r['mse']:.5f}) with "
              f"{fc_r['parameters'] / r['parameters']:.1f}× fewer parameters and "
              f"{r['macs'] / fc_r['macs']:.1f}× the MACs")
    best = min(here, key=lambda name: here[name]["mse"])
    beats = best if here[best]["mse"] < pca_mse[code] else None
    print(f"  lowest error: {best}; " + (f"it beats PCA by {pca_mse[code] / here[best]['mse']:.2f}×"
                                         if beats else "no autoencoder beats PCA here"))
grid_r, fc_r = results[f"conv grid {GRID_CODE}"], results[f"FC {GRID_CODE}"]
holds = grid_r["mse"] < fc_r["mse"]
print(f"verdict on the rule of thumb: at {GRID_CODE} numbers the grid conv model, with "
      f"{fc_r['parameters'] / grid_r['parameters']:.0f}× fewer parameters, reconstructs "
      + ("better than the FC model: the claim holds once the codes are the same size."
         if holds else "worse than the FC model: the claim does not hold here."))

# %% [markdown]
# Which way the errors go depends on the training each model got. The counts do not, and
# the next cell checks them: the grid model, the rule of thumb's kind of conv model, has
# more than 5× fewer parameters than the FC model with the same code; every conv model
# does more multiply-accumulates per image; and PCA improves with code size.

# %%
for name, r in results.items():
    fc_r = results[f"FC {r['code']}"]
    if name.startswith("conv grid"):
        assert r["parameters"] * 5 < fc_r["parameters"], "grid conv: over 5× fewer parameters"
    if name.startswith("conv"):
        assert r["macs"] > fc_r["macs"], "conv: more multiply-accumulates per image"
assert pca_mse[144] < pca_mse[36], "PCA: a bigger code reconstructs better"
print("checked: over 5× fewer parameters for the grid model, more MACs for every conv model, "
      "and PCA improves with code size")

# %% [markdown]
# ## Why the FC model falls behind
#
# Every model had about the same number of optimizer steps (its recipe's). The next cell
# plots each
# 36-number model's test error after every epoch against the steps taken so far, with
# PCA-36 as a horizontal line.

# %%
fig, ax = plt.subplots(figsize=(7, 4))
for name, colour in ((f"FC {GRID_CODE}", "C0"), (f"conv grid {GRID_CODE}", "C1"),
                     (f"conv flat {GRID_CODE}", "C3")):
    per_epoch = -(-len(train_set) // RECIPE_OF[name.rsplit(" ", 1)[0]].batch_size)
    h = histories[name]
    ax.plot([per_epoch * (e + 1) for e in range(h.epochs)], h.test_loss, marker="o", ms=3,
            color=colour, label=name)
ax.axhline(pca_mse[GRID_CODE], color="C2", ls="--", label=f"PCA, {GRID_CODE} components")
ax.set_yscale("log")
ax.set_xlabel("optimizer steps")
ax.set_ylabel("test MSE per pixel (log scale)")
ax.set_title("Test error during training, 36-number codes")
ax.legend(fontsize=8)
fig.tight_layout()
plt.show()

# %% [markdown]
# Three more measurements of the FC model: whether a bigger code helped it, whether it
# memorised the training digits (training loss far below test error), and how many of
# its code numbers it uses.

# %%
fc_small, fc_large = results[f"FC {CODE_SIZES[0]}"], results[f"FC {CODE_SIZES[-1]}"]
print(f"FC test error: {fc_small['mse']:.5f} with {CODE_SIZES[0]} numbers, "
      f"{fc_large['mse']:.5f} with {CODE_SIZES[-1]} "
      f"({fc_large['mse'] / fc_small['mse'] - 1:+.1%} with the bigger code)")
for name in (f"FC {code}" for code in CODE_SIZES):
    print(f"{name}: training loss in the last epoch {histories[name].final_train_loss:.5f}, "
          f"test error {results[name]['mse']:.5f}")
flat_name = f"conv flat {GRID_CODE}"
flat_steps = -(-len(train_set) // RECIPE_OF["conv flat"].batch_size)
caught_up = [epoch for epoch, loss in enumerate(histories[flat_name].test_loss, start=1)
             if loss <= fc_small["mse"]]
if caught_up:
    print(f"{flat_name} was already below FC {GRID_CODE}'s final test error after "
          f"{caught_up[0] * flat_steps:,} of its {histories[flat_name].epochs * flat_steps:,} steps")

# %% [markdown]
# The FC model's code layer ends in a ReLU, so a code number that is negative for every
# digit is clipped to 0 for every digit: it carries nothing, and once there it gets no
# gradient to climb out. The next cell counts such *dead* code numbers in every trained
# model (a number that is 0 for all test digits).

# %%
def dead_codes(model: nn.Module) -> int:
    """How many code numbers are 0 for every test digit."""
    return int((encode_all(model, test_x).flatten(1).abs().amax(dim=0) == 0).sum())


for name, m in trained.items():
    print(f"{name:>13}: {dead_codes(m)} of {results[name]['code']} code numbers are 0 for "
          f"every test digit")

# %% [markdown]
# Put together: the FC model's training loss is about as high as its test error, so it is
# not memorising; a code four times bigger lowers its error only a little (the first
# line above), so the code is not its main limit;
# it learns far more slowly per step than the conv models (the flat model passed the FC
# model's final error within the steps printed above); and part of its code is dead. A
# Linear layer on pixels has to learn every pixel's weight separately, from the images
# where that pixel has ink; a 3×3 convolution learns one small stroke detector from every
# position of every image at once. With a budget of seconds, that difference is the most
# likely reason for the gap (exercise 5 tests one alternative, a higher learning rate
# for the FC model). Fully connected autoencoders can beat PCA too, with far more training: the
# 30-number model in the references below did, on all 60,000 MNIST training digits, after
# layer-wise pretraining. Not in a budget of seconds.

# %% [markdown]
# ## The shape of the code, and nothing else
#
# The two conv models differ in more than their code: the grid model max-pools, uses
# BatchNorm, a different trunk and a different recipe. To isolate the code's shape, the
# next cell builds a twin of the flat model: the *same* two stride-2 convolutions and the
# same decoder convolutions, but into and out of the code it uses a convolution instead
# of a `Linear` layer, so the code is a 4×3×3 grid: 36 numbers, the same as the flat
# model's `conv flat 36`.

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


seed_everything(0)
twin = GridCodeTwin()
trace_shapes(twin, (1, 28, 28)).to_frame()

# %% [markdown]
# Everything else is shared: the training images, the random seed, and one recipe for
# both, the flat model's `recipes.COMPACT_CODE` with its learning rate lowered from 5e-3 to
# 2e-3. At 5e-3 the grid twin's first steps drive its output Sigmoid to 0 for every pixel,
# where MSE has almost no gradient left (lesson 04), and it never recovers: exercise 6
# shows it. A fresh flat model is trained with the same lowered rate, so that the code's
# shape is the only difference. The first line printed under the table checks that both
# models learned: an error below the mean image's.

# %%
import dataclasses

SHAPE_RECIPE = dataclasses.replace(recipes.COMPACT_CODE, lr=2e-3)
shape_builders = {"flat code (Linear into and out of it)": lambda: FlatConvAutoencoder(36),
                  "grid code (convolution into and out of it)": GridCodeTwin}
shape_runs = {}
for label, build in shape_builders.items():
    seed_everything(0)
    shape_model = build()
    history = SHAPE_RECIPE.train(shape_model, f"06_code_shape_{label.split()[0]}_36",
                                 train_set, test_set)
    shape_runs[label] = {"parameters": count_parameters(shape_model),
                         "mse": evaluate(shape_model, test_x), "history": history}
twin_history = shape_runs["grid code (convolution into and out of it)"]["history"]
mean_image_mse = mse(train_set.images.mean(dim=0, keepdim=True).expand_as(test_x), test_x)
display(table(["model (36 numbers per image)", "parameters", "test MSE"], [
    *[[label, run["parameters"], run["mse"]] for label, run in shape_runs.items()],
    ["PCA, 36 components", None, pca_mse[36]],
    ["the mean training image", None, mean_image_mse],
]))
flat_shape, grid_shape = (run["mse"] for run in shape_runs.values())
learned = [label.split()[0] for label, run in shape_runs.items() if run["mse"] < mean_image_mse]
print(f"models below the mean image's error (they learned): {', '.join(learned) or 'none'}")
print("with the same convolutions, recipe and seed, the flat code's error is "
      + (f"{grid_shape / flat_shape:.2f}× lower" if flat_shape < grid_shape
         else f"{flat_shape / grid_shape:.2f}× higher")
      + " than the grid code's")

# %% [markdown]
# The second line is the effect of the code's shape alone, at this budget. A `Linear`
# layer gives every code number its own weights over the whole 32×7×7 feature map, so one
# number can describe the whole digit; a convolution into a 3×3 grid computes each of its
# numbers from one region, with weights shared across positions. That sharing is also why
# the grid twin has far fewer parameters (the table's second column).

# %% [markdown]
# ## Depth vs width at a matched parameter count
#
# A deeper network is often said to do more with the same parameters. A fair test needs
# two models with the same parameter count: a wide, shallow FC autoencoder
# 784 → 300 → 32 → 300 → 784, and a narrow, deep one 784 → 256 → 128 → 64 → 32 and back.

# %% tags=["nbval-check-output"]
shapes = {"wide (300, 32)": (300, 32), "deep (256, 128, 64, 32)": (256, 128, 64, 32)}
depth_models = {}
for name, hidden in shapes.items():
    seed_everything(0)
    depth_models[name] = FCAutoencoder(hidden_sizes=hidden)
display(compare_models(depth_models))
wide_n, deep_n = (count_parameters(m) for m in depth_models.values())
print(f"wide vs deep: parameter counts {abs(wide_n - deep_n) / wide_n:.2%} apart")

# %% [markdown]
# Both train with the FC recipe, and PCA with 32 components is the bar:

# %%
depth_histories = {name: recipes.FC.train(m, f"06_{name.split()[0]}_fc", train_set, test_set)
                   for name, m in depth_models.items()}
depth_mse = {name: evaluate(m, test_x) for name, m in depth_models.items()}
pca_32 = pca_baseline(train_set.images, 32).mse(test_x)
(wide_name, wide_mse), (deep_name, deep_mse) = depth_mse.items()
print(f"test MSE: {wide_name} {wide_mse:.5f}, {deep_name} {deep_mse:.5f}, PCA-32 {pca_32:.5f}")
print("dead code numbers: " + ", ".join(f"{name} {dead_codes(m)} of 32"
                                        for name, m in depth_models.items()))
print(f"verdict: the {'wide' if wide_mse < deep_mse else 'deep'} model reconstructed better, "
      f"with {max(wide_mse, deep_mse) / min(wide_mse, deep_mse):.2f}× lower error, at parameter "
      f"counts {abs(wide_n - deep_n) / wide_n:.1%} apart; "
      + ("neither beats PCA-32" if min(wide_mse, deep_mse) > pca_32 else "the better one beats PCA-32"))

# %%
from course_utils.viz import plot_history

plot_history(depth_histories, title="Depth vs width at a matched parameter count: loss per epoch",
             log_scale=True)
plt.show()

# %% [markdown]
# At equal parameters and equal steps the verdict above says which shape won here, for
# this budget. Both models carry the ReLU code layer of the comparison above, and both
# lose part of their code to it (the dead counts above): with a budget this short, the
# comparison says as much about how fast each shape learns as about what it could learn.

# %% [markdown]
# ## References
#
# - G. E. Hinton and R. R. Salakhutdinov, "Reducing the dimensionality of data with neural
#   networks", *Science* 313 (5786), 504–507, 2006: a fully connected 784-1000-500-250-30
#   autoencoder, pretrained layer by layer and then fine-tuned on the 60,000 MNIST
#   training digits, reconstructs test digits with less error than PCA with 30
#   components. Far larger and far longer trained than this lesson's models.

# %% [markdown]
# ## Summary
#
# - Parameters per layer: Linear $n_\text{in} n_\text{out} + n_\text{out}$, convolutions
#   $c_\text{in} c_\text{out} k^2 + c_\text{out}$, BatchNorm $2c$. In the FC autoencoder the
#   two layers touching the pixels hold most of the parameters. `torchinfo` agrees with the
#   course's counts and shapes on every layer; for transposed convolutions its mult-adds
#   count is several times too high.
# - The rule of thumb: "~80K" is close, "~440K" is too low, the ratio is nearer 6× than 5×,
#   and its comparison gives the conv model a code 9× larger than the FC model's.
# - Weight sharing makes convolutions cheap in parameters and expensive in
#   multiply-accumulates.
# - At equal code size, each model with its own recipe and about the same number of
#   steps, the conv models reconstructed better than the FC model here, and the flat-code
#   conv model beat PCA at 36 numbers but not at 144 (the verdicts printed above). The FC model
#   learns slowly per step and loses part of its code to dead ReLU units.
# - With everything but the code's shape the same (convolutions, recipe, seed), the flat
#   code against the 3×3 grid code: the ratio printed above. At the flat model's own
#   learning rate the grid twin does not learn at all (exercise 6): an error far above
#   every comparable model is a reason to look at the training curve before drawing a
#   conclusion.
# - Depth vs width at a matched count is an empirical question; the measured answer for
#   this budget is printed above.

# %% [markdown]
# ## Exercises
#
# 1. Add a third code size, 9 numbers (`hidden_sizes=(256, 128, 9)`,
#    `recipes.compact_code(..., code_size=9)`). Where do the new points land in the plot?
# 2. Give every model the same *wall-clock* time instead of the same number of steps (the
#    models differ a lot in seconds per step: compare `history.total_seconds`). Does the
#    verdict change?
# 3. Count the parameters of `DeepConvAutoencoder(latent_channels=c)` by hand as a
#    function of `c`, then check with `count_parameters`.
# 4. Replace the ReLU after the code layer of the two depth-vs-width models with
#    `nn.Identity()` (`model.encoder[-1] = nn.Identity()`) and train them again: how much
#    does each gain, and does the verdict change?
# 5. Train `FC 36` with a higher learning rate: `model = fc_autoencoder(36)`, then
#    `dataclasses.replace(recipes.FC, lr=3e-3).train(model, "fc_lr3e-3", train_set, test_set)`
#    (after `import dataclasses`). How close does it get to PCA-36?
# 6. Train a fresh grid twin at the flat model's own learning rate:
#    `seed_everything(0); twin = GridCodeTwin()`, then
#    `history = recipes.COMPACT_CODE.train(twin, "twin_lr5e-3", train_set, test_set)`.
#    Print `history.test_loss` and `twin(test_x[:4]).max()`: what happened to its output,
#    and why can MSE not pull it back?
#
# Next: **07 · Visualization**.

# %%
all_histories = {**histories, "grid twin": twin_history, **depth_histories}
print(f"this notebook ran in {time.perf_counter() - notebook_start:.0f} s with "
      f"{torch.get_num_threads()} CPU thread(s); training its {len(all_histories)} models took "
      f"{sum(h.total_seconds for h in all_histories.values()):.0f} s (in this run, or in an "
      f"earlier one for weights that came from the cache)")
