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
# # 07 · Visualization
#
# A trained autoencoder is a pile of numbers until you look inside. This lesson looks at
# the models of lessons 01–03 from every side: what each stage of the deep conv encoder
# sees, what its first filters look like, how a fully connected encoder's activations
# change layer by layer, where the codes of different digits land, which images are
# neighbours in code space, and what lies *between* two codes.
#
# **What you will learn**
# - the lesson plan's `visualize_feature_maps` and `visualize_hierarchical_features`, as
#   tested functions in `course_utils.viz`, applied to trained models;
# - feature maps at each stage of the deep conv autoencoder, for several digits;
# - the learned first-layer filters;
# - 2-D maps of the codes (PCA and t-SNE), coloured by digit, and what each map can and
#   cannot tell you;
# - nearest neighbours in code space, measured against pixel space;
# - interpolation between two digits in code space, decoded to images;
# - every model's reconstructions of the same digits, side by side with PCA.
#
# **Time:** under a minute on one CPU core when lessons 01–03 ran first (their trained
# models are loaded from the checkpoint cache); about 2 minutes when this notebook has to
# train them itself (measured: about 90 s of CPU time on one thread). The first code cell
# says which happened.
# **Prerequisites:** lessons 01–03; lesson 06 helps for the code sizes.

# %% [markdown]
# ## The trained models
#
# `course_utils.recipes` holds one recipe per standard model, the same ones lessons 01–04
# use: *load if present, else train*. The next cell asks for four of them and says, for
# each, whether it came from the cache or was trained now.

# %%
import inspect
import time

import matplotlib.pyplot as plt
import torch
from IPython.display import Code
from torch import nn

from course_utils import recipes
from course_utils.config import budget
from course_utils.latent import (
    embed_2d,
    encoder_outputs,
    interpolate,
    nearest_neighbours,
    neighbour_label_agreement,
)
from course_utils.metrics import mse, pca_baseline
from course_utils.summary import Table, count_parameters, latent_size
from course_utils.training import encode_all, reconstruct

notebook_start = time.perf_counter()
cpu_start = time.process_time()
train_set, test_set = recipes.standard_data()
print(train_set)
print(test_set)

models = {}
for name, recipe in [("simple conv", recipes.simple_conv), ("deep conv", recipes.deep_conv),
                     ("FC", recipes.fc), ("deep FC", recipes.deep_fc)]:
    start = time.perf_counter()
    model, history = recipe(train_set, test_set)
    took = time.perf_counter() - start
    cached = took < 0.5 * history.total_seconds
    models[name] = model
    print(f"{name:12s} {'loaded from the cache' if cached else 'trained now':22s} in {took:5.1f} s "
          f"({history.epochs} epochs, final test loss {history.final_test_loss:.5f})")

# %% [markdown]
# Their sizes, for reference: the code size is how many numbers `encode` gives per image.

# %%
# NBVAL_CHECK_OUTPUT
print(Table(["model", "class", "parameters", "code shape", "code size"],
            [[name, type(m).__name__, count_parameters(m),
              "×".join(map(str, m.encode(test_set.images[:1]).shape[1:])), latent_size(m)]
             for name, m in models.items()]))

# %% [markdown]
# ## Feature maps at each stage of the deep conv encoder
#
# The lesson plan's `visualize_feature_maps` runs the whole encoder and shows the first 16
# maps of its *output*: for the deep model, 3×3 squares, too small to read. Here
# `encoder_outputs` keeps the output of every stage (after each max pooling), so we see
# the image at 14×14, 7×7 and 3×3. Its source:

# %%
Code(inspect.getsource(encoder_outputs), language="python")

# %% [markdown]
# The shapes, for one image:

# %%
# NBVAL_CHECK_OUTPUT
deep_conv = models["deep conv"]
for label, maps in encoder_outputs(deep_conv, test_set.images[:1]).items():
    print(label, "->", tuple(maps.shape))

# %% [markdown]
# Now three test digits, each as its input row and then the first eight channels of
# each stage. Each map has its own colour scale (bright = the highest value in that map).

# %%
from course_utils.viz import show_feature_maps

digits = [0, 4, 7]
picked = [int((test_set.labels == d).nonzero()[0]) for d in digits]
rows = {}
for d, index in zip(digits, picked):
    image = test_set.images[index : index + 1]  # 1×1×28×28
    rows[f"digit {d}: input"] = image[0]
    for label, maps in encoder_outputs(deep_conv, image).items():
        stage = label.split(": ")[-1]
        rows[f"digit {d}: {stage}"] = maps[0]  # C×H×W
show_feature_maps(rows, max_maps=8, title="Deep conv encoder: feature maps after each stage "
                  "(first 8 channels)")
plt.show()

# %% [markdown]
# At 14×14 most maps still look like the digit, each channel picking out some kind of
# stroke, edge or background; a channel that stays dark for every digit is unused. At
# 7×7 the maps respond to parts of the digit; at 3×3 they are a coarse layout that only
# the decoder can read. The lesson plan's version showed only that last, 3×3 stage.
#
# ## The learned first-layer filters
#
# The first convolution of each conv model has 16 kernels of 3×3 on the single input
# channel. One colour scale for all of them, red positive and blue negative.

# %%
from course_utils.viz import show_filters

show_filters(deep_conv.encoder[0].weight, title="Deep conv autoencoder: first-layer filters (3×3)")
plt.show()
show_filters(models["simple conv"].encoder[0].weight,
             title="Simple conv autoencoder: first-layer filters (3×3)")
plt.show()

# %% [markdown]
# A 3×3 kernel can only be a small edge, gradient or blob detector. Look for oriented
# differences (red on one side, blue on the other): that is what an edge detector looks
# like; a kernel of one sign everywhere is a blob (brightness) detector. Training starts
# from random kernels, so with a short budget some still look like noise.
#
# ## Fully connected activations, layer by layer
#
# The lesson plan's `visualize_hierarchical_features` shows the stacked FC encoder's
# activation after every ReLU, each vector folded into a square. `show_activations` does
# the same for several digits (the square layout is only a way to fit a vector on the
# page: neighbouring cells are not related features).

# %%
from course_utils.viz import show_activations

deep_fc = models["deep FC"]
images = test_set.images[picked]  # 3×1×28×28
activations = encoder_outputs(deep_fc, images, after=(nn.ReLU,))
show_activations(images, activations, reconstruct(deep_fc, images),
                 row_labels=[f"digit {d}" for d in digits],
                 title="Deep FC autoencoder: encoder activations after each ReLU")
plt.show()

# %% [markdown]
# How many units are active? The next cell measures, over the test images, the share of
# activations that are exactly zero after each ReLU, and how many units never switch on.

# %%
all_activations = encoder_outputs(deep_fc, test_set.images, after=(nn.ReLU,))
rows = []
for label, values in all_activations.items():
    rows.append([label, f"{(values == 0).double().mean():.1%}",
                 int(((values > 0).sum(0) == 0).sum()), values.shape[1]])
print(Table(["layer", "zeros", "units never active", "units"], rows))

# %% [markdown]
# The last row is the 32-number code: it ends in a ReLU (as in the lesson plan), so some
# of its numbers are zero for most images, and any unit that is never active is a wasted
# code dimension.
#
# ## The latent space in two dimensions
#
# Codes have 32 (deep FC) or 576 (deep conv) numbers. To draw them we squeeze them to two
# numbers per image, two ways:
#
# - **PCA**: the two directions along which the codes vary most; a linear projection, so
#   distances on the page are (shrunken) distances in code space.
# - **t-SNE**: places images so that neighbours in code space stay neighbours on the page;
#   clusters are meaningful, but their sizes and the gaps between them are not.
#
# On a subset of test images, small enough for t-SNE to be quick:

# %%
from course_utils.viz import plot_latent_map, use_house_style

subset = test_set.subset(budget(full=1_000, fast=300))
codes = {name: encode_all(models[name], subset) for name in ("deep conv", "deep FC")}
use_house_style()
fig, axes = plt.subplots(2, 2, figsize=(11, 9))
for row, (name, z) in enumerate(codes.items()):
    for col, method in enumerate(("pca", "tsne")):
        points = embed_2d(z, method, seed=0)
        axis = "PC" if method == "pca" else "t-SNE "
        plot_latent_map(points, subset.labels, ax=axes[row][col],
                        title=f"{name} codes ({latent_size(models[name])} numbers), "
                              f"{'PCA' if method == 'pca' else 't-SNE'}",
                        xlabel=f"{axis}1", ylabel=f"{axis}2")
fig.suptitle(f"Codes of {len(subset):,} test images in two dimensions, coloured by digit")
fig.tight_layout()
plt.show()

# %% [markdown]
# No label was used in training, yet images of the same digit tend to land near each
# other, most visibly in the t-SNE maps. PCA shows only the two strongest directions of
# a 32- or 576-number code, so its clusters overlap; t-SNE separates them more, but it is
# built to do exactly that. The next section measures the same thing without a picture.
#
# ## Nearest neighbours in code space
#
# A number instead of a picture: for each test image in the subset, is its nearest other
# image (Euclidean distance) the same digit? We compare the codes of every model with
# the raw pixels and with PCA codes of 32 numbers.

# %%
pca_32 = pca_baseline(train_set.images, 32)
spaces = {"pixels (784)": subset.images, "PCA (32)": pca_32.encode(subset.images)}
for name, model in models.items():
    spaces[f"{name} code ({latent_size(model):,})"] = encode_all(model, subset)
agreement = {name: neighbour_label_agreement(z, subset.labels) for name, z in spaces.items()}
print(Table(["space", "nearest neighbour is the same digit"],
            [[name, f"{value:.1%}"] for name, value in agreement.items()]))
best = max(agreement, key=agreement.get)
print(f"best: {best} ({agreement[best]:.1%}); chance would be about 10%")

# %%
conv_space = f"deep conv code ({latent_size(deep_conv):,})"
assert agreement[conv_space] > 0.3, "the deep conv code keeps digits together"
assert agreement["pixels (784)"] > 0.3, "pixels keep digits together"
print("checked: in the deep conv code space and in pixel space, an image's nearest neighbour "
      "is the same digit far more often than chance")
dead = {name: int((z.flatten(1).std(0) == 0).sum()) for name, z in spaces.items()}
print(Table(["space", "numbers per image", "constant over these images"],
            [[name, z[0].numel(), dead[name]] for name, z in spaces.items()]))

# %% [markdown]
# Codes differ in how well they keep digits apart, and a number that never changes
# carries nothing. In pixel space and in the conv codes, constant numbers are mostly
# positions at the blank border of every digit. In the FC codes they are *dead units*:
# the encoders end with a ReLU, and a unit that outputs zero for every image is a lost
# code dimension. The conv check is an assert because it holds with any reasonable
# training; the other rows depend on the training budget.
#
# Neighbours as images: four test digits (left column), and their five nearest training
# images, found in the deep conv code space and in pixel space.

# %%
from course_utils.viz import show_image_rows

bank = train_set.subset(budget(full=5_000, fast=1_000))
queries = test_set.images[picked + [int((test_set.labels == 2).nonzero()[0])]]
bank_codes = encode_all(deep_conv, bank)
query_codes = encode_all(deep_conv, queries)
by_code = nearest_neighbours(query_codes, bank_codes, k=5)
by_pixels = nearest_neighbours(queries, bank.images, k=5)
rows = {}
for i, query in enumerate(queries):
    rows[f"query {i}: deep conv code"] = torch.cat([query[None], bank.images[by_code[i]]])
    rows[f"query {i}: pixels"] = torch.cat([query[None], bank.images[by_pixels[i]]])
show_image_rows(rows, column_titles=["query", *[f"neighbour {k + 1}" for k in range(5)]],
                title=f"Nearest training images ({len(bank):,}) in code space and in pixel space")
plt.show()

# %% [markdown]
# ## Walking between two digits
#
# Take two test digits, encode both, and decode the codes on the straight line between
# them. `interpolate` returns the path:

# %%
Code(inspect.getsource(interpolate), language="python")

# %% [markdown]
# The first row blends the two *images* pixel by pixel (a cross-fade); the other rows
# decode points on the line between the two *codes* of each model.

# %%
from course_utils.viz import show_interpolation

steps = 8
a = test_set.images[int((test_set.labels == 1).nonzero()[0])]  # 1×28×28
b = test_set.images[int((test_set.labels == 7).nonzero()[0])]
rows = {"pixel blend": interpolate(a, b, steps)}
for name in ("deep conv", "FC", "deep FC"):
    model = models[name]
    with torch.no_grad():
        z_a, z_b = model.encode(a[None])[0], model.encode(b[None])[0]
        rows[f"{name} code"] = model.decode(interpolate(z_a, z_b, steps))
show_interpolation(rows, title="From a 1 to a 7: pixel blend vs decoded points on the line "
                   "between codes")
plt.show()

# %% [markdown]
# A pixel blend shows both digits at once, one fading in as the other fades out.
# Decoding along the line between codes gives whatever the decoder makes of the points in
# between: compare the rows, and see whether a stroke moves or bends instead of fading.
# A plain autoencoder does not promise that every point between two codes decodes to a
# digit (lesson 10's VAE is trained for that).
#
# ## Every model's reconstructions, side by side
#
# The same ten test digits through every model, each followed by PCA with the same code
# size. The simple conv model's code (16×14×14 = 3,136 numbers) is larger than the image,
# so there is no PCA to match it: PCA with all 784 components copies an image exactly.

# %%
from course_utils.viz import show_reconstructions

originals = test_set.images[:10]
recons = {}
full_rows = []
for name, model in models.items():
    size = latent_size(model)
    recons[f"{name} ({size:,})"] = reconstruct(model, originals)
    model_mse = mse(reconstruct(model, test_set), test_set.images)
    if size <= 784:
        pca = pca_baseline(train_set.images, size)
        recons[f"PCA ({size:,})"] = pca.reconstruct(originals)
        full_rows.append([name, size, f"{model_mse:.2e}", f"{pca.mse(test_set.images):.2e}"])
    else:
        full_rows.append([name, size, f"{model_mse:.2e}", "0 (784 components copy exactly)"])
show_reconstructions(originals, recons, count=10,
                     title="Ten test digits through every model (code size) and PCA at the same size")
plt.show()
print(Table(["model", "code size", f"test MSE ({len(test_set):,} images)", "PCA, same size"],
            full_rows))

# %% [markdown]
# The row labels give the error on these ten digits; the table gives it on the whole test
# subset, beside PCA. Whether a model beats PCA at its own code size depends on the
# training budget and on the data: the offline stand-in is made of smooth, enlarged 8×8
# digits, on which PCA is very strong.

# %%
elapsed = time.perf_counter() - notebook_start
cpu_seconds = time.process_time() - cpu_start
print(f"this notebook ran in {elapsed:.0f} s and used {cpu_seconds:.0f} s of CPU time "
      f"({torch.get_num_threads()} thread(s))")

# %% [markdown]
# ## Summary
#
# - `encoder_outputs` + `show_feature_maps` show every stage of a conv encoder; maps go
#   from stroke detectors at 14×14 to a coarse 3×3 layout.
# - First-layer filters are 3×3 edge and blob detectors (`show_filters`).
# - FC activations (`show_activations`) are vectors, not images; the share of zeros and
#   never-active units is a number worth checking (table above).
# - 2-D maps (PCA, t-SNE) show digits gathering without labels; nearest-neighbour
#   agreement measures the same thing without a picture.
# - Interpolating codes is not a pixel cross-fade; what lies between codes is whatever the
#   decoder makes of it.
#
# ## Exercises
#
# 1. Show the feature maps of the 14×14 stage for a digit shifted by 4 pixels
#    (`torch.roll(image, 4, dims=-1)`). Do the maps shift too (equivariance)?
# 2. Run `sklearn.manifold.TSNE(perplexity=5)` and `TSNE(perplexity=50)` on the same codes
#    (`embed_2d` uses 30). How much do the clusters change? What does that say about
#    reading t-SNE plots?
# 3. Find the test image whose nearest neighbour in code space is a *different* digit.
#    Show both: is the mistake understandable?
# 4. Interpolate between two images of the *same* digit. Is the path smoother?
#
# Next: **08 · Denoising and inpainting**.
