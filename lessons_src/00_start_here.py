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
# - the data: what MNIST is, and what happens when it cannot be downloaded;
# - your first autoencoder, trained to a first reconstruction in under a minute.
#
# **Time:** about 5 minutes. **Prerequisites:** Python and a little PyTorch (tensors, `nn.Module`).

# %% [markdown]
# ## How the course works
#
# | # | lesson | what it covers |
# |---|---|---|
# | 00 | start here | this notebook |
# | 01 | simple conv autoencoder | convolution and pooling sizes, a 225-parameter model |
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
# good results, about three minutes per notebook on one CPU core. Setting the environment
# variable `COURSE_FAST=1` runs the *same code* with fewer epochs and images; the course's
# test suite uses it to run every notebook in a few minutes. Notebooks never branch on the
# mode themselves: they ask `budget(full=..., fast=...)` for a number.

# %% [markdown]
# ## Is your machine ready?
#
# The next cell prints the versions that matter, the device PyTorch will use, and how
# many CPU threads it has. No GPU is needed anywhere in this course.

# %%
import platform
import sys

import matplotlib
import sklearn
import torch
import torchvision

import course_utils
from course_utils.config import budget, data_dir, display_path, is_fast, pick_device, seed_everything

print(f"Python        {platform.python_version()}")
print(f"PyTorch       {torch.__version__}")
print(f"torchvision   {torchvision.__version__}")
print(f"scikit-learn  {sklearn.__version__}")
print(f"matplotlib    {matplotlib.__version__}")
print(f"course_utils  {course_utils.__version__}")
print(f"device        {pick_device()}")
print(f"CPU threads   {torch.get_num_threads()}")
print(f"mode          {'FAST (COURSE_FAST=1)' if is_fast() else 'learner'}")
print(f"data folder   {display_path(data_dir())}")

# %% [markdown]
# ## The data
#
# MNIST is 70,000 handwritten digits, 28×28 pixels in shades of grey: 60,000 for training
# and 10,000 for testing. `load_mnist` downloads it once through torchvision and returns
# it as tensors: `images` is N×1×28×28 with values in [0, 1], `labels` are the digits.
#
# **Offline?** If the download fails (no internet, a firewall) or you set
# `COURSE_OFFLINE=1`, the loader falls back to a stand-in that ships with scikit-learn:
# 1,797 real handwritten digits, 8×8 pixels each, enlarged to 28×28 and shown in a few
# slightly shifted and rotated copies. It prints one loud warning saying why. Everything in
# the course still runs, but the numbers differ from real MNIST, and `source` always says
# which one you have.

# %%
from course_utils.data import load_mnist

train_set = load_mnist("train")
test_set = load_mnist("test")
print(train_set)
print(test_set)
print("images:", tuple(train_set.images.shape), train_set.images.dtype,
      f"values in [{train_set.images.min():.1f}, {train_set.images.max():.1f}]")
print("labels:", tuple(train_set.labels.shape), train_set.labels.dtype)
print("using the offline stand-in:", train_set.is_fallback)

# %%
import matplotlib.pyplot as plt

from course_utils.viz import show_images

first_of_each = [int((train_set.labels == d).nonzero()[0]) for d in range(10)]
show_images(train_set.images[first_of_each], labels=[f"digit {d}" for d in range(10)],
            title=f"One training image of each digit ({train_set.name}, {len(train_set):,} images)")
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

from IPython.display import Code

from course_utils.models import SimpleConvAutoencoder

Code(inspect.getsource(SimpleConvAutoencoder), language="python")

# %% [markdown]
# We train it for a few epochs with the course's training loop (`course_utils.training.train`),
# and time it. `seed_everything(0)` makes the initial weights and the shuffling repeatable.

# %%
import time

from course_utils.training import reconstruct, train

seed_everything(0)
model = SimpleConvAutoencoder()
epochs = budget(full=2, fast=1)
first_train = train_set.subset(budget(full=12_000, fast=3_000))
start = time.perf_counter()
history = train(model, first_train, test_set, epochs=epochs, batch_size=32, lr=1e-2)
elapsed = time.perf_counter() - start
print(history)
print(f"trained on {len(first_train):,} images for {epochs} epoch(s) in {elapsed:.1f} s")

# %% [markdown]
# The top row shows test digits the model never saw; the row below shows what came out
# of the decoder, with the row's mean squared error (MSE) per pixel.

# %%
from course_utils.viz import show_reconstructions

originals = test_set.images[:10]
show_reconstructions(originals, {"SimpleConvAutoencoder": reconstruct(model, originals)},
                     title="Your first reconstructions (test images)")
plt.show()

# %% [markdown]
# Is that error good? Every reconstruction number in this course comes with a baseline.
# The simplest one is to predict the *average training image* for every input; a better
# one, PCA, appears from lesson 01 on.

# %%
from course_utils.metrics import mse

mean_image = first_train.images.mean(dim=0, keepdim=True).expand_as(test_set.images)
model_mse = mse(reconstruct(model, test_set), test_set.images)
mean_mse = mse(mean_image, test_set.images)
print(f"test MSE, SimpleConvAutoencoder:   {model_mse:.4f}")
print(f"test MSE, the mean training image: {mean_mse:.4f}")
print(f"the autoencoder's error is {mean_mse / model_mse:.1f}× smaller")
assert model_mse < mean_mse, "the autoencoder should beat the mean image"
assert elapsed < 60, "the first reconstruction should take under a minute"

# %% [markdown]
# ## Summary
#
# - The course is twelve notebooks on one small library, `course_utils`; each lesson
#   shows the library's source where the code is the point.
# - `load_mnist` gives tensors and tells you where they came from; offline, a clearly
#   announced stand-in takes MNIST's place.
# - A 225-parameter convolutional autoencoder already copies digits far better than the
#   mean image, after seconds of training (numbers above).
# - `COURSE_FAST=1` runs everything quickly for testing; learner mode is the default.
#
# ## Exercises
#
# 1. Train the model for more epochs (change `epochs`). How does the test MSE change?
# 2. Set `COURSE_OFFLINE=1` before starting JupyterLab and re-run: what does the warning say?
# 3. Show reconstructions of *training* images instead of test images. Are they better?
#
# Next: **01 · Simple convolutional autoencoder**.
