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
# # 05 · Transposed convolution
#
# Part 5 of the lesson plan is where most people get lost: which kernel, stride, padding
# and `output_padding` take a 14×14 map to 28×28? This lesson makes the arithmetic
# visible, shows what a transposed convolution *is* (the transpose of a convolution's
# matrix), and measures the checkerboard artifacts it can paint, against the
# Upsample + Conv2d alternative.
#
# **What you will learn**
# - the output-size formulas of Conv2d, pooling, ConvTranspose2d and Upsample + Conv2d,
#   with an interactive explorer that checks every answer against PyTorch;
# - why `output_padding` exists, and how to find settings for a size you need;
# - that `ConvTranspose2d` multiplies by the transpose of the convolution matrix (not its inverse);
# - where checkerboard artifacts come from (uneven overlap), a number that measures them,
#   and what training does to them;
# - how a deep autoencoder with an Upsample + Conv2d decoder compares with the transposed one.
#
# **Time:** about 2 minutes to run on one CPU core (most of it training five small
# upsamplers and three autoencoders; the last cell prints the measured time), plus time
# to play with the sliders.
# **Prerequisites:** lessons 01 and 02 (convolution, pooling, the deep conv autoencoder).

# %%
import inspect
import time

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from IPython.display import Code
from torch import nn

from course_utils import arithmetic
from course_utils.config import budget, seed_everything
from course_utils.data import load_mnist
from course_utils.summary import Table
from course_utils.viz import use_house_style

use_house_style()
notebook_start = time.perf_counter()
train_set = load_mnist("train").subset(budget(full=3_000, fast=400))
test_set = load_mnist("test").subset(budget(full=1_000, fast=200))
print(train_set)
print(test_set)

# %% [markdown]
# ## 1. Two formulas
#
# The lesson plan gives the pair that every conv autoencoder uses: a stride-2 convolution
# halves 28×28 to 14×14, and a stride-2 transposed convolution doubles it back. With the
# symbols of the convolution arithmetic guide (input `i`, kernel `k`, stride `s`, padding
# `p`, dilation `d`, output padding `a`):
#
# - Conv2d: o = ⌊(i + 2p − d(k − 1) − 1) / s⌋ + 1
# - ConvTranspose2d: o = (i − 1)·s − 2p + d(k − 1) + a + 1
#
# With d = 1 these are the lesson plan's formulas. The next cell runs the two real
# layers and evaluates both formulas with `course_utils.arithmetic`.

# %%
# NBVAL_CHECK_OUTPUT
down = nn.Conv2d(1, 1, kernel_size=3, stride=2, padding=1)
up = nn.ConvTranspose2d(1, 1, kernel_size=3, stride=2, padding=1, output_padding=1)
x = torch.zeros(1, 1, 28, 28)
print("Conv2d(k=3, s=2, p=1):          ", tuple(x.shape), "→", tuple(down(x).shape))
print("ConvTranspose2d(k=3, s=2, p=1, a=1):", tuple(down(x).shape), "→", tuple(up(down(x)).shape))
print("formula, conv:      ⌊(28 + 2 − 2 − 1)/2⌋ + 1 =",
      arithmetic.conv_output_size(28, 3, stride=2, padding=1))
print("formula, transposed: (14 − 1)·2 − 2 + 2 + 1 + 1 =",
      arithmetic.conv_transpose_output_size(14, 3, stride=2, padding=1, output_padding=1))
print("lesson plan's check: (14 − 1)·2 − 2·1 + 3 + 1 =", (14 - 1) * 2 - 2 * 1 + 3 + 1)

# %% [markdown]
# The lesson plan's pooling formula, ⌊input / pool_size⌋, is the special case of stride =
# kernel and no padding (PyTorch's default for `MaxPool2d`). With any other stride it is
# wrong, as the next cell shows: pooling is a convolution-shaped window and follows the
# convolution formula.

# %%
# NBVAL_CHECK_OUTPUT
for kernel, stride in [(2, 2), (2, 1), (3, 2)]:
    real = nn.MaxPool2d(kernel, stride)(torch.zeros(1, 1, 7, 7)).shape[-1]
    print(f"MaxPool2d(k={kernel}, s={stride}) on 7×7: PyTorch {real}, "
          f"⌊7/{kernel}⌋ = {7 // kernel}, conv formula "
          f"{arithmetic.pool_output_size(7, kernel, stride)}")

# %% [markdown]
# ## 2. The explorer
#
# Move the sliders. The explorer shows the formula with your numbers filled in, the
# result of `course_utils.arithmetic`, and the shape a *real* PyTorch layer produces for
# a 1×1×i×i input, side by side. The picture below follows the convolution arithmetic
# guide: the grid the kernel slides over (with its padding) and the output grid. For
# `ConvTranspose2d` it draws the equivalent direct convolution: the input spread out with
# s − 1 zeros between pixels and padded with d(k − 1) − p cells, where a stride-1 kernel
# slides. Settings that give no output show a message that says why. It starts at the
# lesson plan's 14 → 28.

# %%
from course_utils.widgets import conv_explorer

conv_explorer()

# %% [markdown]
# The explorer is a thin shell over a pure function, `explain_layer`, which the course's
# tests run on every one of the 430,080 settings the sliders allow. Here is what it says
# for a few of them, including two that PyTorch refuses.

# %%
# NBVAL_CHECK_OUTPUT
from course_utils.widgets import explain_layer

for settings in [("ConvTranspose2d", 14, 3, 2, 1, 1, 1), ("ConvTranspose2d", 15, 3, 2, 1, 1, 1),
                 ("ConvTranspose2d", 14, 3, 2, 1, 2, 1), ("Conv2d", 3, 5, 1, 0, 0, 1),
                 ("Upsample + Conv2d", 3, 3, 3, 0, 0, 1)]:
    print(explain_layer(*settings), end="\n\n")

# %% [markdown]
# ## 3. Why `output_padding` exists
#
# A stride-2 convolution throws away information about the input's size: 27×27 and
# 28×28 both become 14×14. Going back, the transposed convolution cannot know which one
# you want, so `output_padding` (a) chooses: a = 0 rebuilds the smaller size, a = 1 the
# larger. It has to stay below the stride (or the dilation), because larger values would
# not correspond to any input size.

# %%
# NBVAL_CHECK_OUTPUT
rows = []
for i in range(25, 31):
    o = arithmetic.conv_output_size(i, 3, stride=2, padding=1)
    back = [arithmetic.conv_transpose_output_size(o, 3, stride=2, padding=1, output_padding=a)
            for a in (0, 1)]
    rows.append([i, o, back[0], back[1], "a=0" if back[0] == i else "a=1"])
print(Table(["input i", "Conv2d(k3,s2,p1) → o", "ConvT a=0", "ConvT a=1", "rebuilds i with"],
            rows))

# %% [markdown]
# This is also why the deep autoencoder of lesson 02 has no `output_padding` in its first
# transposed convolution: pooling took 7 to ⌊7/2⌋ = 3, and (3 − 1)·2 + 3 = 7 already.
#
# ## 4. Find the settings
#
# Your turn. Replace each `...` with a dict of settings (`kernel_size`, `stride`,
# `padding`, `output_padding`, `dilation`; the ones you leave out take PyTorch's defaults)
# and run the cell. The check runs the formula and a real layer, and gives a hint when the
# size is wrong. Use the explorer above to experiment.

# %%
from course_utils.checks.arithmetic import check_settings

# 14×14 → 28×28 with a 3×3 ConvTranspose2d, e.g. {"kernel_size": 3, "stride": ..., ...}
answer_14_to_28 = ...
check_settings("14→28", answer_14_to_28)

# %%
# 7×7 → 28×28's middle step, 7×7 → 14×14, with any kernel
answer_7_to_14 = ...
check_settings("7→14", answer_7_to_14)

# %%
# 3×3 → 7×7 with kernel_size=3 and stride=2: the first layer of the deep decoder
answer_3_to_7 = ...
check_settings("3→7", answer_3_to_7)

# %% [markdown]
# One worked answer per challenge is at the end of the notebook.
#
# ## 5. A transposed convolution is the transpose of a convolution
#
# A convolution is linear. For a fixed input size it is a matrix C: flatten the image to a
# vector x, and the convolution's output, flattened, is C·x. Each row of C is one output
# pixel and holds the kernel's weights at the columns of the input pixels it covers.
# `conv_matrix` builds C with four plain loops:

# %%
from course_utils.transposed import conv_matrix, transpose_output_padding

Code(inspect.getsource(conv_matrix), language="python")

# %% [markdown]
# For a 4×4 input, a 3×3 kernel, stride 2 and padding 1, the output is 2×2, so C has
# 4 rows and 16 columns. The next cell checks two facts numerically: C·x is `conv2d`, and
# Cᵀ·y is `conv_transpose2d` with the same weight (with the output padding that rebuilds
# 4×4).

# %%
# NBVAL_CHECK_OUTPUT
g = seed_everything(0)
weight = torch.randn(3, 3, generator=g, dtype=torch.float64)  # one 3×3 kernel
C = conv_matrix(weight, input_size=4, stride=2, padding=1)  # 4 × 16
x = torch.randn(4, 4, generator=g, dtype=torch.float64)  # an input image
y = torch.randn(2, 2, generator=g, dtype=torch.float64)  # a 2×2 "code"
a = transpose_output_padding(4, kernel_size=3, stride=2, padding=1)

conv = F.conv2d(x[None, None], weight[None, None], stride=2, padding=1)  # 1×1×2×2
convT = F.conv_transpose2d(y[None, None], weight[None, None], stride=2, padding=1,
                           output_padding=a)  # 1×1×4×4
conv_error = (C @ x.flatten() - conv.flatten()).abs().max().item()
transpose_error = (C.T @ y.flatten() - convT.flatten()).abs().max().item()
print(f"C: {tuple(C.shape)}, output_padding a = {a}")
print(f"C·x equals conv2d(x):           {conv_error < 1e-12}")
print(f"Cᵀ·y equals conv_transpose2d(y): {transpose_error < 1e-12}")
assert conv_error < 1e-12 and transpose_error < 1e-12

# %%
fig, axes = plt.subplots(1, 2, figsize=(9, 3.4), gridspec_kw={"width_ratios": [4, 1.4]})
limit = weight.abs().max().item()
axes[0].imshow(C, cmap="RdBu_r", vmin=-limit, vmax=limit)
axes[0].set_title("C (convolution: 16 input pixels → 4 outputs)")
axes[0].set_xlabel("input pixel (row-major)")
axes[0].set_ylabel("output pixel")
axes[1].imshow(C.T, cmap="RdBu_r", vmin=-limit, vmax=limit)
axes[1].set_title("Cᵀ (transposed)")
axes[1].set_xlabel("input (code) pixel")
axes[1].set_ylabel("output pixel")
for ax in axes:
    ax.grid(False)
fig.suptitle("A 3×3, stride-2 convolution on 4×4 as a matrix, and its transpose")
fig.tight_layout()
plt.show()

# %% [markdown]
# Each row of C holds the same nine weights, shifted: that is weight sharing. Cᵀ sends
# every code pixel back along the same weights to the input pixels that produced it.
# "Transposed" is not "inverse": Cᵀ·C·x is not x (the next cell), and a decoder has to
# *learn* weights that undo its encoder. The old name "deconvolution" suggests otherwise.

# %%
# NBVAL_CHECK_OUTPUT
roundtrip = (C.T @ (C @ x.flatten())).view(4, 4)
print(f"Cᵀ·C·x equals x: {torch.allclose(roundtrip, x)}")
print(f"rank of C: {torch.linalg.matrix_rank(C).item()} (of 16 input pixels): "
      f"12 directions of x are lost")

# %% [markdown]
# ## 6. Where checkerboards come from: uneven overlap
#
# A transposed convolution paints a k×k copy of its kernel for every input pixel, s pixels
# apart. If k is not a multiple of s, the copies overlap unevenly: some output pixels
# receive more contributions than their neighbours, in a pattern that repeats every s
# pixels (Odena, Dumoulin and Olah, *Deconvolution and Checkerboard Artifacts*, Distill
# 2016). The next cell counts contributions along one row for the two kernels a
# stride-2 decoder usually uses.

# %%
# NBVAL_CHECK_OUTPUT
from course_utils.checkerboard import overlap_counts, overlap_counts_1d

print("k=3, s=2:", overlap_counts_1d(3, 2, 6).tolist())
print("k=4, s=2:", overlap_counts_1d(4, 2, 6).tolist())
interior = overlap_counts(3, 2, 6)[2:-2, 2:-2]  # 13×13 counts without the borders
print("k=3, s=2 in 2-D, interior values:", sorted(set(interior.ravel().tolist())))

# %% [markdown]
# With k = 3 the interior alternates 1, 2, 1, 2; in 2-D that is 1, 2 and 4: a
# checkerboard. With k = 4 every interior pixel gets 2 per direction. Explore other
# kernels and strides:

# %%
from course_utils.widgets import checkerboard_explorer

checkerboard_explorer()

# %% [markdown]
# ## 7. A number for checkerboards
#
# To compare decoders we need a number. A stride-2 artifact repeats every 2 pixels, so in
# the image's 2-D Fourier transform it sits at the highest (Nyquist) frequencies: the
# patterns that flip sign every row, every column, or both. `checkerboard_share` is the
# share of an image's energy (after removing its mean) at those three frequencies:

# %%
from course_utils.checkerboard import (checkerboard_share, checkerboard_share_per_image,
                                       white_noise_share)

Code(inspect.getsource(checkerboard_share_per_image), language="python")

# %% [markdown]
# Sanity checks: a pure checkerboard scores 1, a constant image 0, white noise about
# 3/783 on 28×28, and real digits (their strokes are a few pixels wide) very little.

# %%
rows_idx, cols_idx = torch.meshgrid(torch.arange(28), torch.arange(28), indexing="ij")
board = (0.5 + 0.2 * (-1.0) ** (rows_idx + cols_idx))[None, None]
noise = torch.rand(500, 1, 28, 28, generator=seed_everything(0))
digits_share = checkerboard_share(test_set.images)
print(f"pure checkerboard:  {checkerboard_share(board):.4f}")
print(f"constant image:     {checkerboard_share(torch.full((1, 1, 28, 28), 0.3)):.4f}")
print(f"white noise:        {checkerboard_share(noise):.4f} "
      f"(expected {white_noise_share(28, 28):.4f})")
print(f"test digits:        {digits_share:.5f}")
assert checkerboard_share(board) > 0.999 and digits_share < white_noise_share(28, 28)

# %% [markdown]
# ## 8. Four upsamplers at initialisation
#
# Before any training, what does each kind of upsampler paint? Each stack below takes a
# 1×7×7 input through two ×2 layers (16 channels between them, ReLU) to 1×28×28. The four
# kinds of the issue: ConvTranspose2d with k = 3 and with k = 4 (stride 2), and Upsample +
# Conv2d (3×3) with nearest-neighbour and with bilinear upsampling; a fifth uses the lesson
# plan's `align_corners=True`. The input is constant, so any pattern in the output comes
# from the layers. We average the share over five random initialisations.

# %%
from course_utils.checkerboard import STACK_KINDS, upsampling_stack

constant = torch.ones(1, 1, 7, 7)
init_share, init_images = {}, {}
for kind in STACK_KINDS:
    shares = []
    for seed in range(5):
        seed_everything(seed)
        with torch.no_grad():
            out = upsampling_stack(kind)(constant)  # 1×1×7×7 → 1×1×28×28
        shares.append(checkerboard_share(out))
        if seed == 0:
            init_images[kind] = out[0, 0]
    init_share[kind] = sum(shares) / len(shares)


def show_maps(maps, title, shares):
    """One panel per map, each scaled to its own range, with its checkerboard share."""
    fig, axes = plt.subplots(1, len(maps), figsize=(2.3 * len(maps), 2.9))
    for ax, (name, image) in zip(axes, maps.items()):
        ax.imshow(image, cmap="gray")
        label = name.replace(" Upsample", "\nUpsample")
        if name in shares:
            label += f"\nshare {shares[name]:.5f}"
        ax.set_title(label, fontsize=7)
        ax.set_xlabel("x (pixels)", fontsize=7)
        ax.set_ylabel("y (pixels)", fontsize=7)
        ax.tick_params(labelsize=6)
        ax.grid(False)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


show_maps(init_images, "Constant input through untrained upsamplers (seed 0, each scaled "
          "to its own range)", init_share)
plt.show()
print(Table(["upsampler", "checkerboard share at init (mean of 5 seeds)"],
            [[k, f"{v:.4f}"] for k, v in init_share.items()]))

# %% [markdown]
# The k = 3 transposed convolution paints the checkerboard the overlap counts predicted.
# The k = 4 one paints one too, although its overlap is even: each output pixel sums
# *different* kernel taps depending on its parity (taps 0 and 2, or 1 and 3), and random
# weights do not balance them. Even overlap removes the counting problem, not the need to
# learn balanced weights. Nearest upsampling followed by a 3×3 convolution maps a constant
# to a constant (away from the zero-padded border), so it scores near zero, and so does
# bilinear.

# %%
nearest_init = init_share["nearest Upsample + Conv2d"]
for kind in ("ConvTranspose2d k=3 s=2", "ConvTranspose2d k=4 s=2"):
    print(f"at initialisation, {kind} has {init_share[kind] / nearest_init:.0f}× the "
          f"checkerboard share of nearest Upsample + Conv2d")
    assert init_share[kind] > 10 * nearest_init

# %% [markdown]
# ## 9. After training
#
# Does training remove the pattern? We train each stack on a small task that needs real
# upsampling: rebuild a 28×28 digit from its 7×7 average-pooled copy
# (`super_resolution_objective`), all with the same images, epochs and learning rate,
# through the checkpoint cache ("load if present, else train"). Then we measure the test
# error and the checkerboard share of the outputs, beside the digits' own share.

# %%
from course_utils.checkerboard import super_resolution_objective
from course_utils.training import cached_train, evaluate

sr_epochs = budget(full=2, fast=1)
sr_objective = super_resolution_objective(4)
stacks, sr_time = {}, {}
for kind in STACK_KINDS:
    seed_everything(0)
    stacks[kind] = upsampling_stack(kind)
    start = time.perf_counter()
    cached_train(stacks[kind], f"05_sr_{kind}", train_set, test_set, epochs=sr_epochs,
                 batch_size=64, lr=3e-3, objective=sr_objective, seed=0)
    sr_time[kind] = time.perf_counter() - start

low = F.avg_pool2d(test_set.images, 4)  # N×1×7×7
with torch.no_grad():
    sr_out = {kind: stack.eval()(low) for kind, stack in stacks.items()}
sr_mse = {kind: evaluate(stack, test_set, objective=sr_objective) for kind, stack in stacks.items()}
sr_share = {kind: checkerboard_share(out) for kind, out in sr_out.items()}
print(Table(["upsampler", "test MSE", "checkerboard share", "seconds"],
            [[k, f"{sr_mse[k]:.4f}", f"{sr_share[k]:.5f}", f"{sr_time[k]:.1f}"]
             for k in STACK_KINDS]))
print(f"the test digits' own share: {digits_share:.5f}")

# %%
examples = {"original": test_set.images[:1, 0][0], "7×7 input": low[0, 0]}
examples.update({kind: sr_out[kind][0, 0] for kind in STACK_KINDS})
show_maps(examples, "Rebuilding a digit from 7×7 after training",
          {"original": digits_share, **sr_share})
plt.show()

# %% [markdown]
# The table says how much checkerboard each trained stack paints into its outputs,
# compared with the test digits' own share. How much training it takes to remove the
# pattern depends on the budget (FAST mode trains for one short epoch), so the next cell
# puts this run's numbers side by side and says what they show.

# %%
worst = max(sr_share, key=sr_share.get)
best_mse = min(sr_mse, key=sr_mse.get)
steps = sr_epochs * -(-len(train_set) // 64)
print(f"after {sr_epochs} epoch(s) on {len(train_set):,} images ({steps} steps):")
for kind in STACK_KINDS:
    print(f"  {kind:48s} share at init {init_share[kind]:.4f} → trained {sr_share[kind]:.5f}")
k3 = sr_share["ConvTranspose2d k=3 s=2"]
print(f"most checkerboard after training: {worst} "
      f"({sr_share[worst]:.5f}; digits: {digits_share:.5f})")
verdict = ("gone: its share is within 3× of the digits' own" if k3 < 3 * digits_share
           else "still there: its share is more than 3× the digits' own")
print(f"the k=3 stack's checkerboard is {verdict}")
print(f"lowest test MSE: {best_mse} ({sr_mse[best_mse]:.4f})")

# %% [markdown]
# ## 10. The deep autoencoder, with either decoder
#
# Now the real thing: lesson 02's `DeepConvAutoencoder` (transposed-conv decoder) against
# `UpsampleConvAutoencoder`, which keeps the same encoder (the same `_conv_stage` blocks)
# and replaces each transposed convolution with Upsample + a 3×3 Conv2d. Doubling 3 gives
# 6, not 7, so its first stage upsamples ×3 to 9 and lets an unpadded 3×3 convolution take
# 9 to 7: no cropping. Each decoder stage has as many parameters as the one it replaces.

# %%
from course_utils.models import DeepConvAutoencoder, UpsampleConvAutoencoder

Code(inspect.getsource(UpsampleConvAutoencoder.__init__), language="python")

# %% [markdown]
# The lesson plan's default code has 64 channels: 64 × 3 × 3 = 576 numbers, barely fewer
# than the 784 pixels, and PCA with 576 components rebuilds these digits almost
# perfectly. To compare decoders where the code is a real bottleneck, we use 8 channels:
# 72 numbers, about 11× compression. The next cell traces the upsampling decoder's shapes
# and counts parameters at both sizes.

# %%
# NBVAL_CHECK_OUTPUT
from course_utils.arithmetic import trace_shapes
from course_utils.summary import count_parameters

latent_channels = 8
print(trace_shapes(UpsampleConvAutoencoder(latent_channels).decoder, (latent_channels, 3, 3)))
print()
for channels in (latent_channels, 64):
    for name, model in [("DeepConvAutoencoder", DeepConvAutoencoder(channels)),
                        ("UpsampleConvAutoencoder", UpsampleConvAutoencoder(channels))]:
        print(f"{name:24s} ({channels:2d} code channels) {count_parameters(model):,} parameters, "
              f"decoder {count_parameters(model.decoder):,}")

# %% [markdown]
# All three are trained with the same images, epochs, batch size and learning rate, and
# compared on test images with PCA at the same code size (8 × 3 × 3 = 72 numbers). The
# table also gives the checkerboard share of each model's reconstructions before and after
# training (train seconds near 0 mean the weights came from the checkpoint cache).

# %%
from course_utils.metrics import mse, pca_baseline
from course_utils.training import reconstruct

ae_epochs = budget(full=2, fast=1)
autoencoders = {
    "transposed (DeepConvAutoencoder)": lambda: DeepConvAutoencoder(latent_channels),
    "nearest Upsample + Conv2d": lambda: UpsampleConvAutoencoder(latent_channels, "nearest"),
    "bilinear Upsample + Conv2d": lambda: UpsampleConvAutoencoder(latent_channels, "bilinear"),
}
trained, histories, ae_time, ae_init_share = {}, {}, {}, {}
for name, build in autoencoders.items():
    seed_everything(0)
    trained[name] = build()
    ae_init_share[name] = checkerboard_share(reconstruct(trained[name], test_set))  # untrained
    start = time.perf_counter()
    histories[name] = cached_train(trained[name], f"05_ae_{name.split()[0]}", train_set, test_set,
                                   epochs=ae_epochs, batch_size=64, lr=2e-3, seed=0)
    ae_time[name] = time.perf_counter() - start

recon = {name: reconstruct(model, test_set) for name, model in trained.items()}
ae_mse = {name: mse(r, test_set.images) for name, r in recon.items()}
ae_share = {name: checkerboard_share(r) for name, r in recon.items()}
code_size = latent_channels * 3 * 3  # 72
pca = pca_baseline(train_set.images, code_size)
pca_mse = pca.mse(test_set.images)
print(Table(["decoder", "test MSE", "share at init", "share trained", "train seconds"],
            [[n, f"{ae_mse[n]:.4f}", f"{ae_init_share[n]:.5f}", f"{ae_share[n]:.5f}",
              f"{ae_time[n]:.1f}"] for n in trained]
            + [[f"PCA, {code_size} components", f"{pca_mse:.4f}", "",
                f"{checkerboard_share(pca.reconstruct(test_set.images)):.5f}", ""],
               ["(test digits themselves)", "", "", f"{digits_share:.5f}", ""]]))

# %%
from course_utils.viz import show_reconstructions

show_reconstructions(test_set.images[:8], {name.split(" (")[0]: r[:8] for name, r in recon.items()},
                     title="Test digits and their reconstructions, by decoder", count=8)
plt.show()

# %% [markdown]
# The reconstructions can look alike while the error maps differ. The residual
# (reconstruction − original) shows what each decoder gets wrong, and its checkerboard
# share says whether the mistakes form a period-2 pattern.

# %%
residual = {name: r - test_set.images for name, r in recon.items()}
residual_share = {name: checkerboard_share(res) for name, res in residual.items()}
show_maps({name: res[0, 0] for name, res in residual.items()},
          "Residual of the first test digit (reconstruction − original)", residual_share)
plt.show()
for name in trained:
    print(f"{name:34s} test MSE {ae_mse[name]:.4f} · share of output {ae_share[name]:.5f} "
          f"· share of residual {residual_share[name]:.5f}")
print(f"{f'PCA, {code_size} components':34s} test MSE {pca_mse:.4f}")
best_ae = min(ae_mse, key=ae_mse.get)
most_periodic = max(residual_share, key=residual_share.get)
print(f"\nlowest error among the autoencoders: {best_ae}")
print(f"most periodic mistakes (highest residual share): {most_periodic}")
if pca_mse < ae_mse[best_ae]:
    print(f"PCA's error is {ae_mse[best_ae] / pca_mse:.1f}× smaller than the best autoencoder's")
else:
    print(f"the best autoencoder's error is {pca_mse / ae_mse[best_ae]:.1f}× smaller than PCA's")

# %% [markdown]
# What the numbers say depends on the data and the budget, so the cell above prints it
# rather than this text. Two things to know when reading them. On the offline stand-in
# every image is an enlarged 8×8 digit, so about 64 numbers (plus small shifts) describe
# it, and PCA with 72 components is close to exact: a very strong baseline there that
# real MNIST does not hand to PCA. And with a few epochs the decoders are still far from
# converged; their ranking by error can change with more training (exercise 3).

# %% [markdown]
# ## 11. `align_corners`
#
# The lesson plan's bilinear example passes `align_corners=True`. That changes where the
# new pixels are sampled: with `True` the corner pixels of input and output are aligned
# and the samples in between are spaced (i − 1)/(o − 1) apart, so a ×2 upsampling does not
# place pixels on the half-pixel grid the ×2 implies; with `False` (PyTorch's default)
# pixel centres are mapped, as when the image is treated as a set of pixel areas. Where
# the sample positions fall, for 7 → 14:

# %%
# NBVAL_CHECK_OUTPUT
i_size, o_size = 7, 14
true_positions = [j * (i_size - 1) / (o_size - 1) for j in range(o_size)]
false_positions = [max(0.0, (j + 0.5) * i_size / o_size - 0.5) for j in range(o_size)]
print("align_corners=True: ", " ".join(f"{p:.2f}" for p in true_positions))
print("align_corners=False:", " ".join(f"{p:.2f}" for p in false_positions))

# %% [markdown]
# With `False` the positions repeat the pattern 0.25, 0.75 away from the input pixels,
# the same for every pair; with `True` they drift, so neighbouring output pixels mix their
# inputs in a slowly changing ratio. A measurement: shrink the test digits to 14×14
# (2×2 averages) and enlarge them back with each method; which one is closest to the
# original?

# %%
small = F.avg_pool2d(test_set.images, 2)  # N×1×14×14
interp = {
    "nearest": F.interpolate(small, scale_factor=2, mode="nearest"),
    "bilinear, align_corners=False": F.interpolate(small, scale_factor=2, mode="bilinear",
                                                   align_corners=False),
    "bilinear, align_corners=True": F.interpolate(small, scale_factor=2, mode="bilinear",
                                                  align_corners=True),
}
interp_mse = {name: mse(up_images, test_set.images) for name, up_images in interp.items()}
for name, value in interp_mse.items():
    print(f"{name:32s} MSE against the 28×28 original {value:.5f}")
assert interp_mse["bilinear, align_corners=False"] < interp_mse["bilinear, align_corners=True"]

# %% [markdown]
# As an interpolator, `align_corners=False` is the better match for the average-pooled
# image (numbers above). In a decoder the convolution after the upsampling can learn to
# compensate for either choice; the trained stacks in section 9 include both, so compare
# their rows there. This course uses PyTorch's default, `False`, in
# `UpsampleConvAutoencoder`, and says so in its docstring.
#
# ## Worked answers to the challenges
#
# One answer that passes each check (others exist: the checks accept any settings that
# give the right size).

# %%
print(check_settings("14→28", {"kernel_size": 3, "stride": 2, "padding": 1, "output_padding": 1}))
print(check_settings("7→14", {"kernel_size": 4, "stride": 2, "padding": 1}))
print(check_settings("3→7", {"kernel_size": 3, "stride": 2}))
assert all(check_settings(name, answer) for name, answer in [
    ("14→28", {"kernel_size": 3, "stride": 2, "padding": 1, "output_padding": 1}),
    ("7→14", {"kernel_size": 4, "stride": 2, "padding": 1}),
    ("3→7", {"kernel_size": 3, "stride": 2})])
print(f"\nthis notebook ran in {time.perf_counter() - notebook_start:.0f} s")

# %% [markdown]
# ## Summary
#
# - Conv2d: o = ⌊(i + 2p − d(k − 1) − 1)/s⌋ + 1; ConvTranspose2d: o = (i − 1)s − 2p +
#   d(k − 1) + a + 1. Pooling follows the convolution formula; the lesson plan's
#   ⌊input/pool⌋ is only its stride = kernel case.
# - `output_padding` picks one of the input sizes a strided convolution maps to the same
#   output; it must stay below the stride (or dilation).
# - ConvTranspose2d multiplies by the transpose of the convolution's matrix, checked
#   numerically above. It is not an inverse.
# - Untrained transposed convolutions paint a checkerboard: with k = 3, s = 2 because the
#   overlap is uneven, with k = 4 because random weights are unbalanced. Upsample + Conv2d
#   starts almost clean. The measured shares for every upsampler, before and after
#   training, are in the tables above; training reduces them, by how much depends on the
#   budget.
# - The autoencoder comparison gives each decoder's test error beside PCA at the same code
#   size, with equal parameter counts; the printed lines under it say which decoder won
#   in this run.
#
# ## Exercises
#
# 1. In the explorer, find two different ConvTranspose2d settings that take 7 to 28 in
#    *one* layer. Which one has even overlap?
# 2. Change `UpsampleConvAutoencoder`'s first stage to `nn.Upsample(size=7)` followed by a
#    padded 3×3 convolution. Are the parameter counts still equal? Is the error different?
# 3. Train the three autoencoders for more epochs (`ae_epochs`). Does the ranking by
#    test error change? Does the transposed decoder's residual share fall?
# 4. Measure `checkerboard_share` of the *residuals* of the stacks in section 9. Which
#    upsampler's mistakes are most periodic?
#
# Next: **06 · Parameter comparison**.
