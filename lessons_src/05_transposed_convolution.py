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
# Which kernel, stride, padding and `output_padding` take a 14×14 map to 28×28? This is
# where most people get lost in a convolutional decoder. This lesson makes the arithmetic
# visible, shows what a transposed convolution *is* (the transpose of a convolution's
# matrix), and measures the checkerboard artifacts it can paint, against the
# Upsample + Conv2d alternative, on real MNIST digits.
#
# **What you will learn**
# - the output-size formulas of Conv2d, pooling, ConvTranspose2d and Upsample + Conv2d,
#   with an interactive explorer that checks every answer against PyTorch;
# - why `output_padding` exists, and how to find settings for a size you need;
# - that `ConvTranspose2d` multiplies by the transpose of the convolution matrix (not its inverse);
# - where checkerboard artifacts come from (uneven overlap), a number that measures them,
#   and what training does to them;
# - how an autoencoder with an Upsample + Conv2d decoder compares with the same model
#   with a transposed-convolution decoder, beside PCA with the same code size, and how
#   much retraining from another seed alone moves the error.
#
# **Time:** about 35 minutes: 18 to read, 8 for the code, 5 for the two explorers, and
# about a minute of computing on one CPU core the first time (training five small
# upsamplers and five autoencoders; their weights are cached, so a second run is
# quicker). The last cell prints how long it took on yours.
#
# **Prerequisites:** lessons 01 and 02 (convolution, pooling, the deep conv autoencoder).

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
import math
import time

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from IPython.display import Code, Markdown, display
from torch import nn

from course_utils import arithmetic, recipes
from course_utils.config import seed_everything
from course_utils.tables import table
from course_utils.verdicts import claim, compare, number, rank
from course_utils.viz import show, use_house_style

use_house_style()
notebook_start, cpu_start = time.perf_counter(), time.process_time()
train_set, test_set = recipes.standard_data()
print(train_set)
print(test_set)
one_per_digit = torch.cat([(test_set.labels == d).nonzero()[:1, 0] for d in range(10)])  # 10
example = int(one_per_digit[2])  # one test image, a 2, for the single-image figures

# %% [markdown]
# ## 1. Two formulas
#
# Every conv autoencoder uses this pair: a stride-2 convolution halves 28×28 to 14×14,
# and a stride-2 transposed convolution doubles it back. With the symbols of the
# convolution arithmetic guide (input `i`, kernel `k`, stride `s`, padding `p`, dilation
# `d`, output padding `a`):
#
# - Conv2d: o = ⌊(i + 2p − d(k − 1) − 1) / s⌋ + 1
# - ConvTranspose2d: o = (i − 1)·s − 2p + d(k − 1) + a + 1
#
# With d = 1 these are the formulas most tutorials write, e.g. for the transposed one
# o = (i − 1)·s − 2p + k + a. The next cell runs the two real layers and evaluates both
# formulas with `course_utils.arithmetic`.

# %% tags=["nbval-check-output"]
down = nn.Conv2d(1, 1, kernel_size=3, stride=2, padding=1)
up = nn.ConvTranspose2d(1, 1, kernel_size=3, stride=2, padding=1, output_padding=1)
x = torch.zeros(1, 1, 28, 28)
print("Conv2d(k=3, s=2, p=1):          ", tuple(x.shape), "→", tuple(down(x).shape))
print("ConvTranspose2d(k=3, s=2, p=1, a=1):", tuple(down(x).shape), "→", tuple(up(down(x)).shape))
print("formula, conv:      ⌊(28 + 2 − 2 − 1)/2⌋ + 1 =",
      arithmetic.conv_output_size(28, 3, stride=2, padding=1))
print("formula, transposed: (14 − 1)·2 − 2 + 2 + 1 + 1 =",
      arithmetic.conv_transpose_output_size(14, 3, stride=2, padding=1, output_padding=1))
print("the usual worked example: (14 − 1)·2 − 2·1 + 3 + 1 =", (14 - 1) * 2 - 2 * 1 + 3 + 1)

# %% [markdown]
# A pooling formula often quoted, ⌊input / pool_size⌋, is the special case of stride =
# kernel and no padding (PyTorch's default for `MaxPool2d`). With any other stride it is
# wrong, as the next cell shows: pooling is a convolution-shaped window and follows the
# convolution formula.

# %% tags=["nbval-check-output"]
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
# slides. Settings that give no output show a message that says why. It starts at 14 → 28.
# Try this: keep 14 → 28 and raise the kernel to 4; which padding and output_padding
# bring the output back to 28? Then switch the layer to Upsample + Conv2d.

# %%
from course_utils.widgets import conv_explorer

conv_explorer()

# %% [markdown]
# The explorer is a thin shell over a pure function, `explain_layer`, which the course's
# tests run on every setting the sliders allow (the next cell counts them). Here is what
# it says for a few settings, including two that PyTorch refuses.

# %% tags=["nbval-check-output"]
from course_utils.widgets import LAYERS, SLIDER_RANGES, explain_layer

settings_count = len(LAYERS) * math.prod(hi - lo + 1 for lo, hi in SLIDER_RANGES.values())
print(f"{len(LAYERS)} layer types × the slider ranges = {settings_count:,} settings\n")
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

# %% tags=["nbval-check-output"]
rows = []
for i in range(25, 31):
    o = arithmetic.conv_output_size(i, 3, stride=2, padding=1)
    back = [arithmetic.conv_transpose_output_size(o, 3, stride=2, padding=1, output_padding=a)
            for a in (0, 1)]
    rows.append([i, o, back[0], back[1], "a=0" if back[0] == i else "a=1"])
table(["input i", "Conv2d(k3,s2,p1) → o", "ConvT a=0", "ConvT a=1", "rebuilds i with"], rows)

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

# %% tags=["nbval-check-output"]
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

# %% jupyter={"source_hidden": true} tags=["hide-input"]
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
show(fig, alt="The 4×16 matrix C of a 3×3, stride-2 convolution on a 4×4 input, each row "
              "holding shifted copies of the kernel's weights, and its 16×4 transpose.")

# %% [markdown]
# Every row of C holds copies of the same kernel weights, shifted: that is weight
# sharing. Only the last row holds all nine; the others sit at the border, where some
# taps fall on padding zeros and drop out (the loop's `if`). Cᵀ sends
# every code pixel back along the same weights to the input pixels that produced it.
# "Transposed" is not "inverse": Cᵀ·C·x is not x (the next cell), and a decoder has to
# *learn* weights that undo its encoder. The old name "deconvolution" suggests otherwise.

# %% tags=["nbval-check-output"]
roundtrip = (C.T @ (C @ x.flatten())).view(4, 4)
rank_of_c = torch.linalg.matrix_rank(C).item()
print(f"Cᵀ·C·x equals x: {torch.allclose(roundtrip, x)}")
print(f"rank of C: {rank_of_c} (of {C.shape[1]} input pixels): "
      f"{C.shape[1] - rank_of_c} directions of x are lost")

# %% [markdown]
# ## 6. Where checkerboards come from: uneven overlap
#
# A transposed convolution paints a k×k copy of its kernel for every input pixel, s pixels
# apart. If k is not a multiple of s, the copies overlap unevenly: some output pixels
# receive more contributions than their neighbours, in a pattern that repeats every s
# pixels (Odena, Dumoulin and Olah 2016; see the references). The next cell counts
# contributions along one row for the two kernels a stride-2 decoder usually uses.

# %% tags=["nbval-check-output"]
from course_utils.checkerboard import overlap_counts, overlap_counts_1d

print("k=3, s=2:", overlap_counts_1d(3, 2, 6).tolist())
print("k=4, s=2:", overlap_counts_1d(4, 2, 6).tolist())
interior = overlap_counts(3, 2, 6)[2:-2, 2:-2]  # 13×13 counts without the borders
print("k=3, s=2 in 2-D, interior values:", sorted(set(interior.ravel().tolist())))

# %% [markdown]
# With k = 3 the interior alternates 1, 2, 1, 2; in 2-D that is 1, 2 and 4: a
# checkerboard. With k = 4 every interior pixel gets 2 per direction. Explore other
# kernels and strides: at stride 2, step the kernel from 1 to 7 and watch odd kernels
# paint the pattern and even ones spread evenly; at stride 3, find the kernels that are
# even (a multiple of the stride).

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
# 3/783 on 28×28. Real digits have strokes a few pixels wide, so they put very little of
# their energy at a period of 2 pixels: more than ten times less than white noise, as
# the next cell measures on the test digits. That number is the yardstick for every
# decoder below: an output with a larger share than the digits themselves has period-2
# energy the digits do not have.

# %%
rows_idx, cols_idx = torch.meshgrid(torch.arange(28), torch.arange(28), indexing="ij")
board = (0.5 + 0.2 * (-1.0) ** (rows_idx + cols_idx))[None, None]
noise = torch.rand(500, 1, 28, 28, generator=seed_everything(0))
digits_share = checkerboard_share(test_set.images)
noise_share = white_noise_share(28, 28)
print(f"pure checkerboard:  {checkerboard_share(board):.4f}")
print(f"constant image:     {checkerboard_share(torch.full((1, 1, 28, 28), 0.3)):.4f}")
print(f"white noise:        {checkerboard_share(noise):.4f} (expected {noise_share:.4f})")
print(f"{len(test_set):,} test digits: {digits_share:.5f} "
      f"({noise_share / digits_share:.0f}× less than white noise)")

# %% jupyter={"source_hidden": true} tags=["hide-input"]
assert checkerboard_share(board) > 0.999 and digits_share < noise_share / 10

# %% [markdown]
# ## 8. Five upsamplers at initialisation
#
# Before any training, what does each kind of upsampler paint? Each stack below takes a
# 1×7×7 input through two ×2 layers (16 channels between them, ReLU) to 1×28×28:
# ConvTranspose2d with k = 3 and with k = 4 (stride 2), and Upsample + Conv2d (3×3) with
# nearest-neighbour and with bilinear upsampling; a fifth uses bilinear with
# `align_corners=True`, as many tutorials write it. The input is constant, so any pattern
# in the output comes from the layers. We average the share over five random
# initialisations.

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


show(show_maps(init_images, "Constant input through untrained upsamplers (seed 0, each "
                "scaled to its own range)", init_share),
     alt="A constant 7×7 input through five untrained upsamplers: the two transposed "
         "convolutions paint a regular checkerboard, the three Upsample + Conv2d stacks a "
         "nearly flat image with a darker border.")
table(["upsampler", "checkerboard share at init (mean of 5 seeds)"], list(init_share.items()))

# %% [markdown]
# The k = 3 transposed convolution paints the checkerboard the overlap counts predicted.
# The k = 4 one paints one too, although its overlap is even: each output pixel sums
# *different* kernel taps depending on its parity (taps 0 and 2, or 1 and 3), and random
# weights do not balance them. Even overlap removes the counting problem, not the need to
# learn balanced weights. Nearest upsampling followed by a 3×3 convolution maps a constant
# to a constant away from the zero-padded border, so its small share comes from the
# border alone; bilinear behaves the same way. Both transposed convolutions start with
# more than 30 times the checkerboard share of nearest Upsample + Conv2d:

# %%
nearest_init = init_share["nearest Upsample + Conv2d"]
for kind in ("ConvTranspose2d k=3 s=2", "ConvTranspose2d k=4 s=2"):
    print(f"at initialisation, {kind} has {init_share[kind] / nearest_init:.0f}× the "
          f"checkerboard share of nearest Upsample + Conv2d")

# %% jupyter={"source_hidden": true} tags=["hide-input"]
for kind in ("ConvTranspose2d k=3 s=2", "ConvTranspose2d k=4 s=2"):
    assert init_share[kind] > 30 * nearest_init, (kind, init_share[kind], nearest_init)

# %% [markdown]
# ## 9. After training
#
# Does training remove the pattern? We train each stack on a small task that needs real
# upsampling: rebuild a 28×28 digit from its 7×7 average-pooled copy
# (`super_resolution_objective`). All five get the same recipe (`Recipe`, from
# `course_utils.recipes`: Adam with a cosine schedule for a fixed number of steps) and
# the same images, through the checkpoint cache ("load if present, else train"). A
# baseline that learns nothing sits beside them: plain bilinear interpolation of the 7×7
# copy back to 28×28. Then we measure the test error and the checkerboard share of the
# outputs.

# %%
from course_utils.checkerboard import super_resolution_objective
from course_utils.metrics import mse
from course_utils.recipes import Recipe
from course_utils.training import cached_train, evaluate

sr_recipe = Recipe(lr=3e-3, steps=375, fast_steps=40, batch_size=32)
sr_objective = super_resolution_objective(4)
stacks, sr_time = {}, {}
for kind in STACK_KINDS:
    seed_everything(0)
    stacks[kind] = upsampling_stack(kind)
    start = time.perf_counter()
    sr_history = cached_train(stacks[kind], f"05_sr_{kind}", train_set, test_set,
                              objective=sr_objective, **sr_recipe.settings(len(train_set)))
    sr_time[kind] = time.perf_counter() - start

low = F.avg_pool2d(test_set.images, 4)  # N×1×7×7
with torch.no_grad():
    sr_out = {kind: stack.eval()(low) for kind, stack in stacks.items()}  # N×1×28×28 each
sr_mse = {kind: evaluate(stack, test_set, objective=sr_objective) for kind, stack in stacks.items()}
sr_share = {kind: checkerboard_share(out) for kind, out in sr_out.items()}
interpolated = F.interpolate(low, scale_factor=4, mode="bilinear")  # N×1×28×28, no learning
interpolated_mse = mse(interpolated, test_set.images)
steps = sr_history.epochs * math.ceil(len(train_set) / sr_recipe.batch_size)
print(f"each stack: {steps} steps of {sr_recipe.batch_size} images "
      f"({sr_history.epochs} epoch(s) over {len(train_set):,} training images)")
table(["upsampler", "test MSE", "share at init", "share trained", "share / digits' share",
       "seconds"],
      [[k, sr_mse[k], init_share[k], sr_share[k], sr_share[k] / digits_share, sr_time[k]]
       for k in STACK_KINDS]
      + [["bilinear interpolation (no learning)", interpolated_mse, None,
          checkerboard_share(interpolated), checkerboard_share(interpolated) / digits_share,
          None],
         ["(the test digits themselves)", None, None, digits_share, 1.0, None]])

# %%
examples = {"original": test_set.images[example, 0], "7×7 input": low[example, 0]}
examples.update({kind: sr_out[kind][example, 0] for kind in STACK_KINDS})
show(show_maps(examples, "Rebuilding a digit from 7×7 after training (shares: mean over the "
                "test digits)", {"original": digits_share, **sr_share}),
     alt="One test digit, its 7×7 average-pooled copy, and the five trained stacks' 28×28 "
         "rebuilds of it, each titled with its checkerboard share.")

# %% [markdown]
# The table gives, for each stack, its share before and after training, and the trained
# share divided by the test digits' own: above 1, the outputs have more period-2 energy
# than the digits they should match. How much training it takes to remove the pattern
# depends on the number of steps, so the findings are read from this run's numbers:


# %%
def period_two_claim(statement, shares):
    """Does each output have no more period-2 energy than the test digits themselves?"""
    return claim(statement, {name: (share <= digits_share,
                                    f"{share / digits_share:.2f}× the digits' share")
                             for name, share in shares.items()})


display(period_two_claim("after training, no stack paints more period-2 energy than the "
                         "digits have", sr_share))
display(rank(sr_mse, tie_within=0.1))
claim("every trained stack beats plain bilinear interpolation",
      {kind: (sr_mse[kind] < interpolated_mse,
              f"{number(sr_mse[kind])} against {number(interpolated_mse)}")
       for kind in STACK_KINDS})

# %% [markdown]
# ## 10. The decoders inside an autoencoder
#
# The usual advice is to replace each transposed convolution of a decoder with
# Upsample + a 3×3 Conv2d. A 3×3 convolution from C_in to C_out channels has the same
# weights whichever way it is used, so the parameter count does not change. What does
# change is the work: the convolution now runs *after* the upsampling, at the output
# size, on four times as many positions. The next cell counts both for lesson 02's deep
# model (`UpsampleConvAutoencoder` is its Upsample + Conv2d version, with the same
# encoder) and for the compact-code model, whose decoder we swap the same way
# (`FlatUpsampleConvAutoencoder`).

# %% tags=["nbval-check-output"]
from course_utils.checkerboard import FlatUpsampleConvAutoencoder
from course_utils.models import DeepConvAutoencoder, FlatConvAutoencoder, UpsampleConvAutoencoder
from course_utils.summary import count_parameters, latent_size, macs_per_image

code_size = 32
pairs = {"deep (lesson 02)": (DeepConvAutoencoder(64), UpsampleConvAutoencoder(64)),
         "compact code": (FlatConvAutoencoder(code_size), FlatUpsampleConvAutoencoder(code_size))}
rows = []
for family, pair in pairs.items():
    code_shape = pair[0].encode(torch.zeros(1, 1, 28, 28)).shape[1:]  # 64×3×3, or 32
    transposed_macs = macs_per_image(pair[0].decoder, code_shape)
    for model in pair:
        macs = macs_per_image(model.decoder, code_shape)
        rows.append([family, type(model).__name__, latent_size(model), count_parameters(model),
                     count_parameters(model.decoder), macs, f"{macs / transposed_macs:.2f}×"])
table(["model", "class", "code size", "parameters", "decoder parameters", "decoder MACs / image",
       "MACs vs transposed"], rows)

# %% [markdown]
# Same parameters, several times the multiply-accumulates in the decoder (last column).
# For the comparison we use the compact-code model: the course's recommended small-code
# model, with a code of 32 numbers and a recipe (`recipes.COMPACT_CODE`) meant to beat PCA
# with 32 components (the cells below measure whether it does), and a decoder cheap
# enough to train five times within this lesson. Exercise 2 runs the same
# comparison on lesson 02's deep model. Here is the Upsample + Conv2d version; its
# encoder is the compact-code model's, layer for layer:

# %%
Code(inspect.getsource(FlatUpsampleConvAutoencoder.__init__), language="python")

# %% [markdown]
# Its shapes, stage by stage, from the code to the image:

# %% tags=["nbval-check-output"]
from course_utils.arithmetic import trace_shapes

trace_shapes(FlatUpsampleConvAutoencoder(code_size).decoder, (code_size,)).to_frame()

# %% [markdown]
# All three autoencoders start from the same seed (so the same initial encoder) and get
# the compact-code recipe: the same images, steps, batch size, learning rate and
# schedule. The transposed one *is* the course's compact-code model, so if an earlier
# lesson trained it, it comes from the checkpoint cache. We measure each model's
# checkerboard share on the test images before and after training, its test error, and
# PCA's error with the same 32 numbers per image. Two more runs train the transposed
# model again from other seeds (other initial weights, another order of batches), to
# measure how much retraining alone moves an error: the *seed-to-seed spread*, the noise
# every comparison of single runs must clear (other lessons use it too).

# %%
from course_utils.metrics import pca_baseline
from course_utils.training import reconstruct

decoders = {
    "transposed": (lambda: FlatConvAutoencoder(code_size), f"compact_code_{code_size}"),
    "nearest Upsample + Conv2d": (lambda: FlatUpsampleConvAutoencoder(code_size, "nearest"),
                                  f"compact_code_{code_size}_nearest_upsample"),
    "bilinear Upsample + Conv2d": (lambda: FlatUpsampleConvAutoencoder(code_size, "bilinear"),
                                   f"compact_code_{code_size}_bilinear_upsample"),
}
trained, ae_time, ae_init_share = {}, {}, {}
for name, (build, cache_name) in decoders.items():
    seed_everything(0)
    trained[name] = build()
    ae_init_share[name] = checkerboard_share(reconstruct(trained[name], test_set))  # untrained
    start = time.perf_counter()
    recipes.COMPACT_CODE.train(trained[name], cache_name, train_set, test_set)
    ae_time[name] = time.perf_counter() - start

twin_mse = {}  # the transposed model from other seeds: other initial weights, batch order
for seed in (1, 2):
    seed_everything(seed)
    twin = FlatConvAutoencoder(code_size)
    start = time.perf_counter()
    cached_train(twin, f"compact_code_{code_size}_seed{seed}", train_set, test_set,
                 **{**recipes.COMPACT_CODE.settings(len(train_set)), "seed": seed})
    ae_time[f"transposed, seed {seed}"] = time.perf_counter() - start
    twin_mse[seed] = mse(reconstruct(twin, test_set), test_set.images)

recon = {name: reconstruct(model, test_set) for name, model in trained.items()}  # N×1×28×28
ae_mse = {name: mse(r, test_set.images) for name, r in recon.items()}
ae_share = {name: checkerboard_share(r) for name, r in recon.items()}
pca = pca_baseline(train_set.images, code_size)
pca_recon = pca.reconstruct(test_set.images)
pca_mse = mse(pca_recon, test_set.images)
ae_steps = recipes.COMPACT_CODE.epochs(len(train_set)) * math.ceil(
    len(train_set) / recipes.COMPACT_CODE.batch_size)
print(f"each autoencoder: {ae_steps:,} steps of {recipes.COMPACT_CODE.batch_size} images")
table(["decoder", "test MSE", "share at init", "share trained", "share / digits' share",
       "train seconds"],
      [[n, ae_mse[n], ae_init_share[n], ae_share[n], ae_share[n] / digits_share, ae_time[n]]
       for n in trained]
      + [[f"transposed, seed {seed}", value, None, None, None,
          ae_time[f"transposed, seed {seed}"]] for seed, value in twin_mse.items()]
      + [[f"PCA, {code_size} components", pca_mse, None, checkerboard_share(pca_recon),
          checkerboard_share(pca_recon) / digits_share, None],
         ["(the test digits themselves)", None, None, digits_share, 1.0, None]])

# %% [markdown]
# Train seconds near 0 mean the weights came from the checkpoint cache. First the noise:
# the same model and recipe from three seeds (0, the table's first line, then 1 and 2).

# %%
seeds_mse = [ae_mse["transposed"], *twin_mse.values()]
seed_spread = (max(seeds_mse) - min(seeds_mse)) / min(seeds_mse)
Markdown(f"From three seeds, the transposed model ended at test MSE "
         f"{', '.join(number(v) for v in seeds_mse)}: a seed-to-seed spread of "
         f"**{seed_spread:.1%}** (largest over smallest, minus one). A gap between two "
         f"single runs smaller than that is a tie.")

# %% [markdown]
# Then the three decoders against each other (the transposed one by the mean of its three
# seeds, the best estimate we have), with that spread as the noise band; each against
# PCA with the same 32 numbers; and their outputs against the digits' own period-2
# energy:

# %%
display(rank({"transposed (mean of its three seeds)": sum(seeds_mse) / 3,
              **{name: ae_mse[name] for name in trained if name != "transposed"}},
             spread=seed_spread))
for name in trained:
    display(compare(f"the {name} decoder", ae_mse[name], f"PCA-{code_size}", pca_mse,
                    spread=seed_spread))
period_two_claim("after training, no decoder paints more period-2 energy than the digits "
                 "have", ae_share)

# %%
from course_utils.viz import show_reconstructions

show(show_reconstructions(test_set.images[one_per_digit],
                          {**{name: r[one_per_digit] for name, r in recon.items()},
                           f"PCA ({code_size})": pca_recon[one_per_digit]},
                          title=f"One test digit of each class, rebuilt from {code_size} "
                                f"numbers"),
     alt=f"One test digit of each class, above its reconstructions by the three decoders "
         f"and by PCA with {code_size} components, with each row's MSE.")

# %% [markdown]
# The reconstructions can look alike while the error maps differ. The residual
# (reconstruction − original) shows what each decoder gets wrong, and its checkerboard
# share says whether the mistakes form a period-2 pattern. White noise, a mistake with
# no structure at all, would score the white-noise share from section 7. The shares of
# the three decoders can differ by only a few per cent, so their order is read with a
# 10% margin.

# %%
residual = {name: r - test_set.images for name, r in recon.items()}
residual_share = {name: checkerboard_share(res) for name, res in residual.items()}
show(show_maps({name: res[example, 0] for name, res in residual.items()},
               "Residual of one test digit (reconstruction − original; shares: mean over the "
               "test digits)", residual_share),
     alt="The residual, reconstruction minus original, of one test digit for each of the "
         "three decoders, each titled with its checkerboard share over the test digits.")
display(rank(residual_share, measure="residual checkerboard share (least periodic mistakes)",
             tie_within=0.1))
claim("the decoders' mistakes have less period-2 energy than white noise",
      {name: (share < noise_share, f"{number(share)} against white noise's {number(noise_share)}")
       for name, share in residual_share.items()})

# %% [markdown]
# ## 11. `align_corners`
#
# Many tutorials' bilinear example passes `align_corners=True`. That changes where the
# new pixels are sampled: with `True` the corner pixels of input and output are aligned
# and the samples in between are spaced (i − 1)/(o − 1) apart, so a ×2 upsampling does not
# place pixels on the half-pixel grid the ×2 implies; with `False` (PyTorch's default)
# pixel centres are mapped, as when the image is treated as a set of pixel areas. Where
# the sample positions fall, for 7 → 14:

# %% tags=["nbval-check-output"]
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
# original? Then the two bilinear stacks trained in section 9, which differ only in
# `align_corners`.

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
compare("the stack with align_corners=False", sr_mse["bilinear Upsample + Conv2d"],
        "the stack with align_corners=True",
        sr_mse["bilinear (align_corners=True) Upsample + Conv2d"], tie_within=0.1)

# %% jupyter={"source_hidden": true} tags=["hide-input"]
assert interp_mse["bilinear, align_corners=False"] < interp_mse["bilinear, align_corners=True"]

# %% [markdown]
# As an interpolator, `align_corners=False` is the better match for the average-pooled
# image: its MSE against the original is lower than with `True`. In a decoder the
# convolution after the upsampling can learn to compensate for either choice, so the
# trained stacks may end closer. This course uses PyTorch's default, `False`, in its
# Upsample + Conv2d decoders, and says so in their docstrings.
#
# ## Worked answers to the challenges
#
# One answer that passes each check (others exist: the checks accept any settings that
# give the right size).

# %%
worked = {"14→28": {"kernel_size": 3, "stride": 2, "padding": 1, "output_padding": 1},
          "7→14": {"kernel_size": 4, "stride": 2, "padding": 1},
          "3→7": {"kernel_size": 3, "stride": 2}}
for challenge, answer in worked.items():
    print(check_settings(challenge, answer))
training_seconds = sum(sr_time.values()) + sum(ae_time.values())
print(f"\ntraining took {training_seconds:.0f} s; the whole notebook "
      f"{time.perf_counter() - notebook_start:.0f} s, using {time.process_time() - cpu_start:.0f} s "
      f"of CPU time on {torch.get_num_threads()} thread(s)")

# %% [markdown]
# ## References
#
# - Augustus Odena, Vincent Dumoulin and Chris Olah, "Deconvolution and Checkerboard
#   Artifacts", *Distill*, 2016 (doi:10.23915/distill.00003). The source of the uneven
#   overlap picture and of the Upsample + Conv2d advice; it looks at image generators
#   (GANs) and at the gradients of classifiers, not at autoencoders trained on digits,
#   and it does not use the Nyquist-share measure of this lesson.
# - Vincent Dumoulin and Francesco Visin, "A guide to convolution arithmetic for deep
#   learning", arXiv:1603.07285, 2016: the symbols (i, k, s, p, d, a) and the diagrams
#   the explorer follows.

# %% [markdown]
# ## Summary
#
# - Conv2d: o = ⌊(i + 2p − d(k − 1) − 1)/s⌋ + 1; ConvTranspose2d: o = (i − 1)s − 2p +
#   d(k − 1) + a + 1. Pooling follows the convolution formula; ⌊input/pool⌋ is only its
#   stride = kernel case.
# - `output_padding` picks one of the input sizes a strided convolution maps to the same
#   output; it must stay below the stride (or dilation).
# - ConvTranspose2d multiplies by the transpose of the convolution's matrix, checked
#   numerically above. It is not an inverse.
# - Untrained transposed convolutions paint a checkerboard: with k = 3, s = 2 because the
#   overlap is uneven, with k = 4 because random weights are unbalanced; both start with
#   more than 30 times the share of nearest Upsample + Conv2d, which starts almost clean.
#   Whether training removes the pattern is measured against the digits' own share of
#   period-2 energy, and depends on the number of steps.
# - Upsample + Conv2d keeps the parameter count and multiplies the decoder's work. In the
#   compact-code autoencoder the three decoders were trained with one recipe and compared
#   with PCA at the same code size, and with each other against the spread between seeds
#   measured in section 10: retraining alone moves an error, so single runs closer than
#   that are a tie.

# %% [markdown]
# ## Exercises
#
# 1. In the explorer, find two different ConvTranspose2d settings that take 7 to 28 in
#    *one* layer. Which one has even overlap?
# 2. Run the comparison on lesson 02's deep model: `recipes.deep_conv(train_set, test_set,
#    latent_channels=4)` (a 4×3×3 code of 36 numbers) against `UpsampleConvAutoencoder(4)`
#    trained with `recipes.DEEP_CONV.train(...)`, and PCA with 36 components. Time it first
#    with a few steps: the decoder table in section 10 tells you why it is slower.
# 3. Train the two Upsample + Conv2d autoencoders with a smaller learning rate
#    (`recipes.Recipe(lr=2e-3, steps=1_250, fast_steps=120)`). Does their error go up or
#    down? Is the compact-code recipe fair to them?
# 4. Measure `checkerboard_share` of the *residuals* of the stacks in section 9. Which
#    upsampler's mistakes are most periodic?
#
# Next: **06 · Parameter comparison**.
