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
# The lesson plan says a convolutional autoencoder needs far fewer parameters than a fully
# connected one ("~440K vs ~80K") and that it "achieves better reconstruction with ~5x fewer
# parameters". This lesson counts every parameter by hand, checks those numbers, and then
# runs the comparison the claim needs: the same code size, the same training budget, and
# PCA beside both.
#
# **What you will learn**
# - how to count the parameters of Linear, Conv2d, ConvTranspose2d and BatchNorm layers,
#   layer by layer, and where a model's parameters sit;
# - which statements of the lesson plan's table hold, and by how much the others miss;
# - why parameters are not the whole cost: multiply-accumulates (MACs) per image;
# - a fair FC vs conv comparison at equal code size, with PCA as the baseline;
# - depth vs width at a matched parameter count (the lesson plan's exercise 5), measured.
#
# **Time:** about 2 minutes on one CPU core (measured: 90–100 s of CPU time on one
# thread for 6,000 training images; the last code cell prints this run's time), a few
# seconds when the trained models are already in the checkpoint cache.
# **Prerequisites:** lessons 01–03 (the simple and deep conv autoencoders, the stacked
# FC autoencoder).

# %% [markdown]
# ## Setup
#
# The data are the same MNIST images as in the other lessons; the training budget for
# this lesson's experiments is set once, here, and shared by every model we train.

# %%
import inspect
import time

import matplotlib.pyplot as plt
import torch
from IPython.display import Code
from matplotlib.ticker import FuncFormatter, NullFormatter

from course_utils.config import budget, seed_everything
from course_utils.data import load_mnist
from course_utils.metrics import mse, pca_baseline
from course_utils.models import DeepConvAutoencoder, FCAutoencoder
from course_utils.summary import (
    Table,
    compare_models,
    count_parameters,
    latent_size,
    macs_per_image,
    parameter_table,
)
from course_utils.training import cached_train, reconstruct
from course_utils.viz import plot_history, use_house_style

notebook_start = time.perf_counter()
cpu_start = time.process_time()
train_set = load_mnist("train").subset(budget(full=6_000, fast=1_500))
test_set = load_mnist("test").subset(budget(full=2_000, fast=300))
EPOCHS = budget(full=5, fast=1)
LR = 2e-3
BATCH_SIZE = 128
print(train_set)
print(test_set)
print(f"every model below: {len(train_set):,} training images, {EPOCHS} epoch(s), "
      f"Adam at lr {LR}, batch {BATCH_SIZE}, MSE loss, seed 0")

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
# as the product that gives it; here is its source.

# %%
Code(inspect.getsource(parameter_table), language="python")

# %% [markdown]
# ### The FC autoencoder of the lesson plan: 784 → 256 → 128 → 64 and back
#
# The next cell prints every layer of `FCAutoencoder()`, the model of the lesson plan's
# `compare_model_sizes`.

# %%
# NBVAL_CHECK_OUTPUT
fc_seed = FCAutoencoder()  # 784 → 256 → 128 → 64 → 128 → 256 → 784
fc_table = parameter_table(fc_seed)
print(fc_table)

# %% [markdown]
# Six Linear layers and nothing else. The two layers that touch the 784 pixels hold
# almost all of it; the next cell says how much.

# %%
# NBVAL_CHECK_OUTPUT
fc_total = count_parameters(fc_seed)
pixel_layers = (784 * 256 + 256) + (256 * 784 + 784)
print(f"784→256 and 256→784 together: {pixel_layers:,} of {fc_total:,} parameters "
      f"({pixel_layers / fc_total:.1%})")

# %% [markdown]
# ### The deep conv autoencoder: 1×28×28 → 16×14×14 → 32×7×7 → 64×3×3 and back

# %%
# NBVAL_CHECK_OUTPUT
conv_seed = DeepConvAutoencoder()  # latent_channels=64: a 64×3×3 code
conv_table = parameter_table(conv_seed)
print(conv_table)

# %% [markdown]
# The largest layer is the decoder's first transposed convolution, 64 → 64 channels
# with a 3×3 kernel; the first conv (1 → 16) and the last (16 → 1) are tiny because they
# touch only one channel.

# %%
# NBVAL_CHECK_OUTPUT
conv_total = count_parameters(conv_seed)
layer_counts = {name: sum(p.numel() for p in m.parameters(recurse=False))
                for name, m in conv_seed.named_modules()}
biggest = max(layer_counts, key=layer_counts.get)
share = layer_counts[biggest] / conv_total
batchnorm = sum(p.numel() for m in conv_seed.modules()
                if isinstance(m, torch.nn.BatchNorm2d) for p in m.parameters())
print(f"largest layer: {biggest} ({type(conv_seed.get_submodule(biggest)).__name__}) with "
      f"{layer_counts[biggest]:,} parameters ({share:.1%} of {conv_total:,})")
print(f"all BatchNorm layers together: {batchnorm:,} parameters")

# %% [markdown]
# ## Auditing the lesson plan's table
#
# The lesson plan's table says "~440K" for the FC autoencoder, "~80K" for the conv one,
# and its part 6 says "~5x fewer". The next cell compares each statement with the exact
# counts above, and adds two facts the table leaves out: the size of each model's *code*,
# and the work each model does per image (multiply-accumulates, MACs).

# %%
# NBVAL_CHECK_OUTPUT
fc_code, conv_code = latent_size(fc_seed), latent_size(conv_seed)
fc_macs, conv_macs = macs_per_image(fc_seed), macs_per_image(conv_seed)
ratio = fc_total / conv_total


def off_by(claimed: float, exact: float) -> str:
    return f"{(claimed - exact) / exact:+.1%}"


def verdict(claimed: float, exact: float) -> str:
    """A rounded claim "holds" when it is within 5% of the exact value."""
    error = (claimed - exact) / exact
    return "holds (within 5%)" if abs(error) <= 0.05 else f"{'too low' if error < 0 else 'too high'}"


audit = Table(
    ["statement in the lesson plan", "exact value", "error of the claim", "verdict"],
    [
        ["FC autoencoder: ~440K parameters", f"{fc_total:,}", off_by(440_000, fc_total),
         verdict(440_000, fc_total)],
        ["conv autoencoder: ~80K parameters", f"{conv_total:,}", off_by(80_000, conv_total),
         verdict(80_000, conv_total)],
        ["~5x fewer parameters", f"{ratio:.2f}×", off_by(5, ratio),
         f"direction holds; ~{round(ratio)}× is closer" if round(ratio) != 5 else "holds"],
    ],
)
print(audit)
print()
print(f"left out: the FC code is {fc_code} numbers, the conv code {conv_code} "
      f"({conv_code / fc_code:.0f}× more numbers per image)")
print(f"left out: MACs per image, FC {fc_macs:,} vs conv {conv_macs:,} "
      f"(the conv model does {conv_macs / fc_macs:.1f}× more work per image)")

# %% [markdown]
# So the counts roughly hold: the conv figure is close, the FC figure is too low (the
# lesson plan's own `compare_model_sizes` would print the exact count above), and the
# ratio is nearer 6 than 5. Two things matter more than the rounding:
#
# - **The codes differ.** The FC model squeezes each image into 64 numbers, the conv
#   model into 576. Comparing their reconstructions compares a model that keeps 9× more
#   information per image. That is not a fair test of "better reconstruction".
# - **Fewer parameters is not less work.** Every conv weight is used at every position of
#   its feature map, so the conv model does several times more multiply-accumulates per
#   image than the FC model. Its advantage is memory and statistical efficiency, not speed.
#
# The table's other rows are about layers, not measured here: convolutions are
# translation *equivariant* (shift the input, the feature maps shift) and pooling adds a
# little invariance; neither makes the whole autoencoder translation invariant.

# %% [markdown]
# ## Where the saving comes from: weight sharing
#
# Take the encoder's second stage, 16×14×14 → 32×14×14 (before pooling). A convolution
# does it with 32 kernels of 16×3×3. A Linear layer producing the same output from the
# same input would need a weight for every pair of input and output values.

# %%
# NBVAL_CHECK_OUTPUT
conv_layer = torch.nn.Conv2d(16, 32, kernel_size=3, padding=1)
conv_params = count_parameters(conv_layer)
conv_layer_macs = macs_per_image(torch.nn.Sequential(conv_layer), input_shape=(16, 14, 14))
dense_in, dense_out = 16 * 14 * 14, 32 * 14 * 14
dense_params = dense_in * dense_out + dense_out
print(f"Conv2d(16, 32, 3) on 16×14×14: {conv_params:,} parameters, {conv_layer_macs:,} MACs")
print(f"Linear({dense_in:,}, {dense_out:,}) for the same shapes: {dense_params:,} parameters, "
      f"{dense_in * dense_out:,} MACs")
print(f"the convolution has {dense_params / conv_params:,.0f}× fewer parameters; "
      f"each of its weights is used {conv_layer_macs // (conv_params - 32)} times per image")

# %% [markdown]
# ## A fair comparison: the same code size
#
# To test "better reconstruction with fewer parameters" we compare models that keep the
# same number of numbers per image, trained on the same images for the same epochs with
# the same optimizer. Two code sizes:
#
# - **36 numbers**: `DeepConvAutoencoder(latent_channels=4)` (a 4×3×3 code) and
#   `FCAutoencoder(hidden_sizes=(256, 128, 36))`;
# - **144 numbers**: `DeepConvAutoencoder(latent_channels=16)` (16×3×3) and
#   `FCAutoencoder(hidden_sizes=(256, 128, 144))`.
#
# The next cell lists their sizes, before any training.

# %%
# NBVAL_CHECK_OUTPUT
CODE_SIZES = (36, 144)


def build(kind: str, code: int) -> torch.nn.Module:
    seed_everything(0)
    if kind == "conv":
        return DeepConvAutoencoder(latent_channels=code // 9)  # c×3×3 = code numbers
    return FCAutoencoder(hidden_sizes=(256, 128, code))


models = {f"{kind} {code}": build(kind, code) for code in CODE_SIZES for kind in ("FC", "conv")}
print(compare_models(models))

# %% [markdown]
# At each code size the conv model has fewer parameters and more MACs. Now we train all
# four with the budget set at the top (load if present, else train).

# %%
histories = {}
seconds = {}
for name, model in models.items():
    start = time.perf_counter()
    histories[name] = cached_train(model, f"06_{name.replace(' ', '_')}", train_set, test_set,
                                   epochs=EPOCHS, batch_size=BATCH_SIZE, lr=LR, loss="mse",
                                   seed=0)
    seconds[name] = time.perf_counter() - start
    print(f"{name:8s} {histories[name]}")

# %% [markdown]
# Each autoencoder's test error beside PCA with the same number of components (the best
# *linear* code of that size) and the mean training image (a code of size zero).

# %%
pcas = {code: pca_baseline(train_set.images, code) for code in CODE_SIZES}
mean_image_mse = mse(train_set.images.mean(0, keepdim=True).expand_as(test_set.images),
                     test_set.images)
results = {}
for name, model in models.items():
    kind, code = name.split()
    results[name] = {
        "kind": kind, "code": int(code), "parameters": count_parameters(model),
        "macs": macs_per_image(model), "mse": mse(reconstruct(model, test_set), test_set.images),
    }
pca_mse = {code: pca.mse(test_set.images) for code, pca in pcas.items()}
print(Table(["model", "code size", "parameters", "MACs / image", "test MSE", "PCA MSE (same size)"],
            [[name, r["code"], r["parameters"], r["macs"], f"{r['mse']:.5f}",
              f"{pca_mse[r['code']]:.5f}"] for name, r in results.items()]))
print(f"mean training image: test MSE {mean_image_mse:.5f}")

# %% [markdown]
# The same numbers as a picture: test error against parameter count (log scale), one
# marker per model, labelled with its code size; PCA at each code size and the mean image
# as horizontal lines.

# %%
use_house_style()
fig, ax = plt.subplots(figsize=(7.5, 4.5))
for kind, marker, colour in (("FC", "s", "C0"), ("conv", "o", "C1")):
    chosen = [r for r in results.values() if r["kind"] == kind]
    ax.plot([r["parameters"] for r in chosen], [r["mse"] for r in chosen], marker=marker,
            color=colour, ls="none", ms=8, label=f"{kind} autoencoder")
    for r in chosen:
        ax.annotate(f"code {r['code']}", (r["parameters"], r["mse"]), textcoords="offset points",
                    xytext=(-9, 0), ha="right", va="center", fontsize=8, color=colour)
for i, (code, value) in enumerate(pca_mse.items()):
    ax.axhline(value, color="C2", ls=["--", ":"][i % 2], label=f"PCA, {code} components")
ax.axhline(mean_image_mse, color="grey", ls="-.", label="mean training image")
ax.set_xscale("log")
ax.set_xlim(10_000, 1_000_000)
ax.set_xticks([10_000, 30_000, 100_000, 300_000, 1_000_000])
ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.0f}"))
ax.xaxis.set_minor_formatter(NullFormatter())
ax.set_xlabel("parameters (log scale)")
ax.set_ylabel("test MSE per pixel")
ax.set_title(f"Reconstruction error vs parameters at equal code size ({EPOCHS} epoch(s), "
             f"{len(train_set):,} images)")
ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.0, 0.5))
fig.tight_layout()
plt.show()

# %% [markdown]
# ## Did the lesson plan's claim hold?
#
# "Better reconstruction with ~5x fewer parameters": at each code size, is the conv
# model's test error lower than the FC model's, and by what factor are its parameters
# fewer? The verdict is computed from the numbers above, so it says what *this* run
# measured (the data and the budget are printed at the top).

# %%
verdicts = []
for code in CODE_SIZES:
    fc_r, conv_r = results[f"FC {code}"], results[f"conv {code}"]
    fewer = fc_r["parameters"] / conv_r["parameters"]
    better = conv_r["mse"] < fc_r["mse"]
    verdicts.append(better)
    print(f"code {code:3d}: conv MSE {conv_r['mse']:.5f} vs FC {fc_r['mse']:.5f} "
          f"({'conv better' if better else 'FC better'}, "
          f"{max(fc_r['mse'], conv_r['mse']) / min(fc_r['mse'], conv_r['mse']):.1f}× apart); "
          f"conv has {fewer:.1f}× fewer parameters and {conv_r['macs'] / fc_r['macs']:.1f}× "
          f"more MACs; PCA {pca_mse[code]:.5f} "
          f"({'beats both' if pca_mse[code] < min(fc_r['mse'], conv_r['mse']) else 'does not beat both'})")
if all(verdicts):
    print("verdict: at equal code size, the conv autoencoder reconstructed better with "
          "far fewer parameters: the claim held here, though with more than ~5x fewer.")
elif not any(verdicts):
    print("verdict: at equal code size the FC autoencoder reconstructed better in this run: "
          "the claim did not hold here (fewer parameters, yes; better reconstruction, no).")
else:
    print("verdict: mixed: the conv model was better at some code sizes and not at others.")

# %% [markdown]
# Read the verdict with its budget. The conv model costs several times more compute per
# image and, with more layers and BatchNorm, needs more steps to get going: with a very
# small budget (FAST mode, one short epoch) the FC model can come out ahead, and with a
# longer one the ordering can change, on the stand-in and again on real MNIST. Look also
# at how each model's error changes from code 36 to code 144: when it barely changes, the
# model is limited by its training, not by the size of its code. PCA, the linear baseline,
# is strong on smooth images: on the offline stand-in (enlarged 8×8 digits) it is very hard
# to beat. Only the parameter and MAC counts are fixed facts, and the next cell checks them.

# %%
for code in CODE_SIZES:
    fc_r, conv_r = results[f"FC {code}"], results[f"conv {code}"]
    assert conv_r["parameters"] * 5 < fc_r["parameters"], "conv: at least 5x fewer parameters"
    assert conv_r["macs"] > fc_r["macs"], "conv: more multiply-accumulates per image"
assert pca_mse[144] < pca_mse[36], "PCA: a bigger code reconstructs better"
print("checked: at both code sizes the conv model has over 5× fewer parameters and more MACs; "
      "PCA improves with code size")

# %% [markdown]
# ## Depth vs width (exercise 5 of the lesson plan)
#
# Same parameter budget, different shapes: a wide, shallow FC autoencoder
# 784 → 1024 → 32 → 1024 → 784, and a narrow, deep one
# 784 → 512 → 512 → 256 → 128 → 32 and back. The next cell shows that their parameter
# counts match to within a percent. (The lesson plan's suggestion, 784 → 256 → 128 → 64 →
# 32, has less than a third of the wide model's parameters, so it would not be a fair
# match; its count is printed too.)

# %%
# NBVAL_CHECK_OUTPUT
shapes = {"wide (1024, 32)": (1024, 32), "deep (512, 512, 256, 128, 32)": (512, 512, 256, 128, 32),
          "lesson plan's deep (256, 128, 64, 32)": (256, 128, 64, 32)}
depth_models = {}
for name, hidden in shapes.items():
    seed_everything(0)
    depth_models[name] = FCAutoencoder(hidden_sizes=hidden)
print(compare_models(depth_models))
wide_n, deep_n = (count_parameters(m) for m in list(depth_models.values())[:2])
print(f"wide vs deep: {abs(wide_n - deep_n) / wide_n:.2%} apart")

# %% [markdown]
# We train the matched pair (wide and deep) with the same budget as above, and compare
# with PCA at 32 components.

# %%
depth_histories = {}
for name in list(shapes)[:2]:
    depth_histories[name] = cached_train(depth_models[name], f"06_{name.split()[0]}_fc",
                                         train_set, test_set, epochs=EPOCHS,
                                         batch_size=BATCH_SIZE, lr=LR, loss="mse", seed=0)
    print(f"{name:30s} {depth_histories[name]}")
pca_32 = pca_baseline(train_set.images, 32).mse(test_set.images)
wide_mse, deep_mse = (mse(reconstruct(depth_models[n], test_set), test_set.images)
                      for n in list(shapes)[:2])
print(f"test MSE: wide {wide_mse:.5f}, deep {deep_mse:.5f}, PCA (32) {pca_32:.5f}")
print(f"verdict: the {'wide' if wide_mse < deep_mse else 'deep'} model reconstructed better, "
      f"{max(wide_mse, deep_mse) / min(wide_mse, deep_mse):.2f}× lower error, at "
      f"{abs(wide_n - deep_n) / wide_n:.1%} different parameter counts")

# %%
plot_history(depth_histories, title="Depth vs width at ~1.67M parameters: loss per epoch")
plt.show()

# %% [markdown]
# At equal parameters and equal steps, the measured verdict above says which shape won
# here. A deep stack without BatchNorm has more layers for the gradient to pass through
# and usually starts slower; the wide model maps pixels to its hidden layer in one step.
# Depth pays off with longer training or with the tricks of lesson 04.

# %%
elapsed = time.perf_counter() - notebook_start
cpu_seconds = time.process_time() - cpu_start
print(f"this notebook ran in {elapsed:.0f} s and used {cpu_seconds:.0f} s of CPU time "
      f"({torch.get_num_threads()} thread(s), {len(train_set):,} training images)")

# %% [markdown]
# ## Summary
#
# - Parameters per layer: Linear $n_\text{in} n_\text{out} + n_\text{out}$, convolutions
#   $c_\text{in} c_\text{out} k^2 + c_\text{out}$, BatchNorm $2c$. In the FC autoencoder the
#   two layers touching the pixels hold most of the parameters.
# - The lesson plan's table: "~80K" is close, "~440K" is too low, and the ratio is
#   nearer 6× than 5× (exact counts above). Its comparison gives the conv model a code 9×
#   larger than the FC model's.
# - Weight sharing makes convolutions cheap in parameters and expensive in
#   multiply-accumulates: fewer parameters, more work per image.
# - At equal code size and equal training budget, the verdict printed above says whether
#   the conv model reconstructed better; PCA at the same size is the bar both must clear.
# - Depth vs width at a matched count is an empirical question; the measured answer
#   for this budget is printed above.
#
# ## Exercises
#
# 1. Add a third code size, 9 numbers (`latent_channels=1`, `hidden_sizes=(256, 128, 9)`).
#    Where do the new points land in the plot?
# 2. Give every model the same *wall-clock* time instead of the same epochs (the FC models
#    are many times faster per epoch). Does the verdict change?
# 3. Count the parameters of `DeepConvAutoencoder(latent_channels=c)` by hand as a
#    function of `c`, then check with `count_parameters`.
# 4. Put BatchNorm into the deep FC stack (`DeepAutoencoder(hidden_sizes=(512, 512, 256,
#    128), dropout=0.0)`) and rerun depth vs width.
#
# Next: **07 · Visualization**.
