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
# the course's trained models from every side: what each stage of the deep conv encoder
# sees, what its first filters look like and how far training moved them, how a fully
# connected encoder's activations change layer by layer, where the codes of different
# digits land, which images are neighbours in code space, what lies *between* two codes,
# and how each model's reconstructions compare with PCA's.
#
# **What you will learn**
# - `visualize_feature_maps` and `visualize_hierarchical_features`, two plots most
#   autoencoder tutorials write, as tested functions in `course_utils.viz`, applied to
#   trained models, each with a number that says what the picture shows;
# - feature maps at each stage of the deep conv autoencoder, with an explorer to pick the
#   digit and the stage, and how much each stage still looks like the input;
# - the learned first-layer filters beside their random starting values;
# - active and dead units in a fully connected encoder;
# - 2-D maps of the codes (PCA and t-SNE), coloured by digit, and what each map can and
#   cannot tell you;
# - nearest neighbours in code space, measured against pixel space;
# - interpolation between two digits in code space against a pixel blend, with a slider;
# - every model's reconstructions beside PCA with the same code size, and how to tell
#   underfitting from overfitting when a model loses to PCA.
#
# **Time:** about 30 minutes: 17 to read, 8 for the code and the two explorers, and about
# a minute of computing on one CPU core when earlier lessons have trained its five models
# (they come from the checkpoint cache); about four minutes more when this notebook has to
# train them itself. The first code cell tells you whether they were cached; the last one
# reports the measured time.
#
# **Prerequisites:** lessons 01–03; lesson 06 helps for the code sizes.

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
# ## The trained models
#
# `course_utils.recipes` holds one recipe per standard model, the same ones the earlier
# lessons use: *load if present, else train*. The next cell asks for five of them (the
# compact-code model is the course's small-code conv autoencoder: two convolutions and one
# Linear layer down to 32 numbers) and says, for each, whether it came from the cache or
# was trained now.

# %%
import inspect
import time

import matplotlib.pyplot as plt
import torch
from IPython.display import Code, Markdown, display
from torch import nn

from course_utils import recipes
from course_utils.config import budget, seed_everything
from course_utils.latent import (
    embed_2d,
    encoder_outputs,
    filter_change,
    input_resemblance,
    interpolate,
    nearest_neighbours,
    neighbour_label_agreement,
)
from course_utils.metrics import mse, pca_baseline
from course_utils.summary import count_parameters, latent_size
from course_utils.tables import table
from course_utils.training import encode_all, evaluate, reconstruct
from course_utils.verdicts import compare, number, overfitting, rank
from course_utils.viz import show, use_house_style

use_house_style()
notebook_start, cpu_start = time.perf_counter(), time.process_time()
train_set, test_set = recipes.standard_data()
print(train_set)
print(test_set)

standard = {  # name: (the function that loads or trains it, its recipe)
    "simple conv": (recipes.simple_conv, recipes.SIMPLE_CONV),
    "deep conv": (recipes.deep_conv, recipes.DEEP_CONV),
    "FC": (recipes.fc, recipes.FC),
    "deep FC": (recipes.deep_fc, recipes.FC),
    "compact code": (recipes.compact_code, recipes.COMPACT_CODE),
}
models, histories, training_seconds = {}, {}, 0.0
for name, (load_or_train, _) in standard.items():
    start = time.perf_counter()
    models[name], histories[name] = load_or_train(train_set, test_set)
    took = time.perf_counter() - start
    cached = took < 0.5 * histories[name].total_seconds
    training_seconds += took
    print(f"{name:12s} {'loaded from the cache' if cached else 'trained now':22s} in {took:5.1f} s "
          f"({histories[name].epochs} epochs)")

# %% [markdown]
# Their sizes, for reference: the code size is how many numbers `encode` gives per image.

# %% tags=["nbval-check-output"]
table(["model", "class", "parameters", "code shape", "code size"],
      [[name, type(m).__name__, count_parameters(m),
        "×".join(map(str, m.encode(test_set.images[:1]).shape[1:])), latent_size(m)]
       for name, m in models.items()])

# %% [markdown]
# ## Feature maps at each stage of the deep conv encoder
#
# A typical `visualize_feature_maps` runs the whole encoder and shows the first 16 maps of
# its *output*: for the deep model, 3×3 squares, too small to read. Here `encoder_outputs`
# keeps the output of every stage (after each max pooling), so we see the image at
# 14×14, 7×7 and 3×3. Its source:

# %%
Code(inspect.getsource(encoder_outputs), language="python")

# %% [markdown]
# The shapes, for one image:

# %% tags=["nbval-check-output"]
deep_conv = models["deep conv"]
for label, maps in encoder_outputs(deep_conv, test_set.images[:1]).items():
    print(label, "->", tuple(maps.shape))

# %% [markdown]
# Now three test digits, each as its input row and then the first eight channels of
# each stage. Each map has its own colour scale (bright = the highest value in that map),
# so compare *where* a map lights up, not how bright it is.

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
show(show_feature_maps(rows, max_maps=8, title="Deep conv encoder: feature maps after each "
                       "stage (first 8 channels)"),
     alt="Three test digits (0, 4 and 7), each followed by the first eight feature maps of "
         "the deep conv encoder's three stages: 14×14 maps that trace the digit or its "
         "edges, then coarser 7×7 and 3×3 maps.")

# %% [markdown]
# The explorer below holds one test digit of each class. Move **digit** to see every
# stage of that digit (the first eight channels each; this works on the course site
# too); with a running kernel, pick a **stage** to see all of its channels. Look for
# channels that trace the strokes at 14×14, and for how little of the digit's shape is
# left to see at 3×3.

# %%
from course_utils.widgets.features import feature_explorer, one_per_digit

per_class = one_per_digit(test_set.labels)  # the first test image of each digit 0–9
feature_explorer(deep_conv, test_set.images[per_class], test_set.labels[per_class], digit=7)

# %% [markdown]
# A number makes the pictures precise over all test images: `input_resemblance`
# correlates each channel's map with the input, shrunk to the map's size (1: the map is
# the image, −1: its negative, 0: no relation). The table counts, per stage, the channels
# that are constant over every test image (they carry nothing) and the channels that
# follow the ink closely (|correlation| above 0.5), and gives the median |correlation| of
# the channels that are not constant.

# %%
stages = encoder_outputs(deep_conv, test_set.images)  # label → N×C×h×w
rows, medians = [], []
for label, maps in stages.items():
    resemblance = input_resemblance(maps, test_set.images)  # one value per channel
    varies = maps.transpose(0, 1).flatten(1).std(dim=1) > 0  # False: a constant channel
    medians.append(float(resemblance[varies].abs().median()))
    rows.append([label.split(": ")[-1], maps.shape[1], int((~varies).sum()),
                 int((resemblance.abs() > 0.5).sum()), medians[-1]])
table(["stage", "channels", "constant channels", "channels with |correlation| > 0.5",
       "median |correlation| (not constant)"], rows)

# %%
first, code = medians[0], medians[-1]
least = ("the code follows the ink least of the three stages" if code == min(medians) else
         f"a middle stage follows it less still in this run ({min(medians):.2f})")
display(Markdown(f"The median |correlation| falls from **{first:.2f}** at the first stage to "
                 f"**{code:.2f}** at the code: {least}."))

# %% jupyter={"source_hidden": true} tags=["hide-input"]
assert code < first, medians

# %% [markdown]
# A map that traces the edges of strokes scores lower than a copy of the strokes, so these
# numbers say how much a stage still follows the ink, not how useful it is. The last stage
# is the code, a coarse 3×3 layout that only the decoder can read.
#
# ## The learned first-layer filters
#
# The first convolution of each conv model has 16 kernels of 3×3 on the single input
# channel. Training starts from random kernels, so the question is what training did to
# them. The figure shows each model's filters at initialisation (rebuilt with the same
# seed the recipe uses) and after training, on one colour scale per model: red positive,
# blue negative.

# %%
from course_utils.models import DeepConvAutoencoder, FlatConvAutoencoder, SimpleConvAutoencoder


def first_conv_weight(model: nn.Module) -> torch.Tensor:
    """The weight (out×in×k×k) of the first Conv2d in the model's encoder."""
    conv = next(m for m in model.encoder.modules() if isinstance(m, nn.Conv2d))
    return conv.weight.detach()


fresh = {"simple conv": SimpleConvAutoencoder, "deep conv": DeepConvAutoencoder,
         "compact code": FlatConvAutoencoder}
filters = {}
for name, build in fresh.items():
    seed_everything(0)  # the recipes seed 0 before they build a model
    filters[name] = (first_conv_weight(build()), first_conv_weight(models[name]))  # 16×1×3×3

fig, axes = plt.subplots(2 * len(filters), 16, figsize=(12, 1.0 * 2 * len(filters) + 0.8))
for r, (name, pair) in enumerate(filters.items()):
    limit = float(torch.cat(pair).abs().max())
    for k, (when, weights) in enumerate(zip(("initial", "trained"), pair)):
        for c, ax in enumerate(axes[2 * r + k]):
            ax.imshow(weights[c, 0], cmap="RdBu_r", vmin=-limit, vmax=limit)
            ax.set_xticks([])
            ax.set_yticks([])
        axes[2 * r + k][0].set_ylabel(f"{name}\n{when}", rotation=0, ha="right", va="center",
                                      fontsize=8)
fig.suptitle("First-layer filters (3×3) at initialisation and after training")
fig.tight_layout()
show(fig, alt="The sixteen 3×3 first-layer filters of the simple conv, deep conv and "
              "compact-code models, each model's initial filters in one row and its trained "
              "filters below, red positive and blue negative.")

# %% [markdown]
# Look at each pair of rows: where a trained filter resembles the one above it, training
# changed it little. `filter_change` measures this: the size of the change divided by the
# size of the initial filter (0: unchanged; 1: a change as large as the start). The table
# also gives the rank of the 16 initial filters, read as a 16×9 matrix.

# %%
rows = []
for name, (initial, trained) in filters.items():
    change = filter_change(trained, initial)  # one value per filter
    rank_0 = int(torch.linalg.matrix_rank(initial.flatten(1)))
    rows.append([name, len(change), float(change.min()), float(change.median()),
                 float(change.max()), float(change.median()) < 0.5, rank_0])
table(["model", "filters", "change: smallest", "median", "largest",
       "median below half its start", "rank of the initial filters"], rows)

# %% jupyter={"source_hidden": true} tags=["hide-input"]
assert all(row[-1] == 9 for row in rows)

# %% [markdown]
# A first layer whose median filter changed by less than half its size (the table's
# second-to-last column) is still mostly its random start plus a correction, and looks
# random in the figure. It need not hurt: 16 random 3×3 filters have rank 9, so before
# the ReLU they keep every direction of a 3×3 patch, and the layers after them can still
# learn what they need. Whether a trained filter is an edge detector (red on one side,
# blue on the other) or a blob detector (one sign everywhere) is something to read off
# the figure, filter by filter: nothing forces a first layer to look like either.
#
# ## Fully connected activations, layer by layer
#
# A typical `visualize_hierarchical_features` shows the stacked FC encoder's activation
# after every ReLU, each vector folded into a square. `show_activations` does the same for
# several digits (the square layout is only a way to fit a vector on the page:
# neighbouring cells are not related features).

# %%
from course_utils.viz import show_activations

deep_fc = models["deep FC"]
images = test_set.images[picked]  # 3×1×28×28
activations = encoder_outputs(deep_fc, images, after=(nn.ReLU,))
show(show_activations(images, activations, reconstruct(deep_fc, images),
                      row_labels=[f"digit {d}" for d in digits],
                      title="Deep FC autoencoder: encoder activations after each ReLU"),
     alt="For test digits 0, 4 and 7: the input, the deep FC encoder's activations after each "
         "ReLU folded into squares (512, 256, 128 and 32 units), and the reconstruction.")

# %% [markdown]
# How many units are active? Over the test images: the share of activations that are
# exactly zero after each ReLU, and how many units never switch on for any test image
# (*dead* units: a ReLU whose input is negative for every image).

# %%
from course_utils.activations import dead_units

all_activations = encoder_outputs(deep_fc, test_set.images, after=(nn.ReLU,))
dead_rows = [[label, float((values == 0).double().mean()), int(dead_units(values).sum()),
              values.shape[1]] for label, values in all_activations.items()]
table(["layer", "share of zeros", "units never active", "units"], dead_rows)

# %% [markdown]
# The last row is the 32-number code. It ends in a ReLU, so each image's code has some
# zeros (the share of zeros); a unit that is zero for *every* image would be a code
# number the decoder never receives. A dead unit in a hidden layer is lost width; a dead
# unit in the code is a lost code number.
#
# ## The latent space in two dimensions
#
# Codes have 576 (deep conv) or 32 (deep FC, compact code) numbers. To draw them we
# squeeze them to two numbers per image, two ways:
#
# - **PCA**: the two directions along which the codes vary most; a linear projection, so
#   distances on the page are (shrunken) distances in code space.
# - **t-SNE**: places images so that neighbours in code space stay neighbours on the page;
#   clusters are meaningful, but their sizes and the gaps between them are not.
#
# On a subset of test images, small enough for t-SNE to be quick:

# %%
from course_utils.viz import plot_latent_map

subset = test_set.subset(budget(full=1_000, fast=300))
mapped = ("deep conv", "deep FC", "compact code")
fig, axes = plt.subplots(len(mapped), 2, figsize=(11, 4.3 * len(mapped)))
for row, name in enumerate(mapped):
    z = encode_all(models[name], subset)
    for col, method in enumerate(("pca", "tsne")):
        axis = "PC" if method == "pca" else "t-SNE "
        plot_latent_map(embed_2d(z, method, seed=0), subset.labels, ax=axes[row][col],
                        title=f"{name} ({latent_size(models[name])} numbers), "
                              f"{'PCA' if method == 'pca' else 't-SNE'}",
                        xlabel=f"{axis}1", ylabel=f"{axis}2")
fig.suptitle(f"Codes of {len(subset):,} test images in two dimensions, coloured by digit")
fig.tight_layout()
show(fig, alt=f"Codes of {len(subset):,} test images of the deep conv, deep FC and "
              "compact-code models drawn in two dimensions, by PCA (left) and t-SNE (right), "
              "each point coloured by its digit.")

# %% [markdown]
# No label was used in training, yet in the t-SNE maps images of the same digit gather in
# groups. The PCA maps show only the two strongest directions of a 32- or 576-number
# code, so the digits overlap there; t-SNE separates them more, but it is built to do
# exactly that. The next section measures the same thing without a picture.
#
# ## Nearest neighbours in code space
#
# A number instead of a picture: for each test image in the subset, is its nearest other
# image (Euclidean distance) the same digit? We compare the codes of every model with the
# raw pixels and with PCA codes of 32 numbers. The table also counts the numbers that are
# constant over these images: they carry nothing.

# %%
pcas = {}  # code size → PCA fitted on the training images, fitted once


def pca_with(size: int):
    """PCA with ``size`` components, fitted on the training images (kept for reuse)."""
    if size not in pcas:
        pcas[size] = pca_baseline(train_set.images, size)
    return pcas[size]


spaces = {"pixels": subset.images, "PCA": pca_with(32).encode(subset.images)}
for name, model in models.items():
    spaces[name] = encode_all(model, subset)  # N×(code shape)
agreement = {name: neighbour_label_agreement(z, subset.labels) for name, z in spaces.items()}
constant = {name: int((z.flatten(1).std(0) == 0).sum()) for name, z in spaces.items()}
display(table(["space", "numbers per image", "constant over these images",
               "nearest neighbour is the same digit"],
              [[name, z[0].numel(), constant[name], agreement[name]]
               for name, z in spaces.items()]))
rank(agreement, measure="share of images whose nearest neighbour is the same digit",
     lower_is_better=False, tie_within=0.02)

# %% [markdown]
# The ranking counts gaps within 2% of each other as ties: with a thousand images, a
# share near 90% moves by about a point either way from one sample of images to another.
# With ten digits, chance would be about 10%, so every space here keeps digits together.
# Two things hold at every data size the course runs, and the next cell checks them: in
# pixel space an image's nearest neighbour is the same digit at least 75% of the time,
# and the deep conv code keeps neighbours together about as well as the pixels do
# (within 2 points).

# %% jupyter={"source_hidden": true} tags=["hide-input"]
pixels, conv = agreement["pixels"], agreement["deep conv"]
assert pixels > 0.75, f"pixel-space agreement {pixels:.1%}"
assert conv > pixels - 0.02, f"deep conv code {conv:.1%} vs pixels {pixels:.1%}"

# %% [markdown]
# Constant numbers mean different things in different spaces. In pixel space they are
# border pixels that are blank in every digit. In a conv code they are positions or
# channels that never respond (at the blank border, or where a ReLU never fires). In an
# FC code that ends in a ReLU they are dead units: code numbers the decoder never
# receives.
#
# Neighbours as images: four test digits (left column), and their five nearest training
# images, found in the compact-code space (32 numbers) and in pixel space (784).

# %%
from course_utils.viz import show_image_rows

bank = train_set.subset(budget(full=5_000, fast=1_000))
queries = test_set.images[picked + [int((test_set.labels == 2).nonzero()[0])]]  # 4×1×28×28
compact_model = models["compact code"]
by_code = nearest_neighbours(encode_all(compact_model, queries),
                             encode_all(compact_model, bank), k=5)  # 4×5 indices
by_pixels = nearest_neighbours(queries, bank.images, k=5)
rows = {}
for i, query in enumerate(queries):
    rows[f"query {i}: compact code"] = torch.cat([query[None], bank.images[by_code[i]]])
    rows[f"query {i}: pixels"] = torch.cat([query[None], bank.images[by_pixels[i]]])
show(show_image_rows(rows, column_titles=["query", *[f"neighbour {k + 1}" for k in range(5)]],
                     title=f"Nearest training images ({len(bank):,}) in code space and in "
                           f"pixel space"),
     alt="Four test digits (0, 4, 7 and 2), each with its five nearest training images, once "
         "by the compact-code model's 32-number codes and once by raw pixels.")
query_labels = test_set.labels[picked + [int((test_set.labels == 2).nonzero()[0])]]
same = {space: int((bank.labels[found] == query_labels[:, None]).sum())
        for space, found in (("the compact code", by_code), ("pixels", by_pixels))}
Markdown("Neighbours that are the query's digit: "
         + "; ".join(f"by {space}, {count} of {by_code.numel()}" for space, count in same.items())
         + ". Four queries are only an illustration; the agreement table measures the same "
           "thing over a thousand.")

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
rows = {"pixel blend": interpolate(a, b, steps)}  # 8×1×28×28
for name in ("deep conv", "FC", "deep FC", "compact code"):
    model = models[name]
    with torch.no_grad():
        z_a, z_b = model.encode(a[None])[0], model.encode(b[None])[0]
        rows[name] = model.decode(interpolate(z_a, z_b, steps))  # 8×1×28×28
show(show_interpolation(rows, title="From a 1 to a 7: pixel blend vs decoded points on the "
                        "line between codes"),
     alt="Eight steps from a test 1 to a test 7: the pixel cross-fade in the first row, then "
         "the decoded points between the two codes of the deep conv, FC, deep FC and "
         "compact-code models.")

# %% [markdown]
# A pixel blend shows both digits at once, one fading in as the other fades out.
# Decoding along the line between codes gives whatever the decoder makes of the points in
# between. A plain autoencoder does not promise that every point between two codes
# decodes to a digit (lesson 10's VAE is trained for that).
#
# The explorer puts the same walk on a slider. Move **t** from 0 to 1 and compare each
# row with the pixel blend in its first image: does a stroke of the 1 bend or move into
# the 7, or does it fade while the other appears? At t = 0 and t = 1 each model shows its
# reconstructions of the two digits, not the digits themselves. On the course site
# **t** works for this pair; with a running kernel, **from** and **to** choose any two of
# ten test digits (one per class), and the frames are recomputed.

# %%
from course_utils.widgets.interpolation import interpolation_explorer

walkers = {name: models[name] for name in ("deep conv", "FC", "deep FC", "compact code")}
interpolation_explorer(walkers, test_set.images[per_class], test_set.labels[per_class],
                       start=1, end=7)

# %% [markdown]
# ## Every model's reconstructions, beside PCA
#
# One test digit of each class through every model, each followed by PCA with the same
# code size. The simple conv model's code (16×14×14 = 3,136 numbers) is larger than the
# image, so there is no PCA to match it: PCA with all 784 components copies an image
# exactly.

# %%
from course_utils.viz import show_reconstructions

originals = test_set.images[per_class]  # 10×1×28×28
recons, results, errors = {}, [], {}
for name, model in models.items():
    size = latent_size(model)
    recons[f"{name} ({size:,})"] = reconstruct(model, originals)
    errors[name] = evaluate(model, test_set)
    if size <= 784:
        recons[f"PCA ({size:,})"] = pca_with(size).reconstruct(originals)
        results.append([name, size, errors[name], pca_with(size).mse(test_set.images)])
    else:
        results.append([name, size, errors[name], None])
show(show_reconstructions(originals, recons, count=10,
                          title="One test digit per class through every model (code size) and "
                                "PCA at the same size"),
     alt="Ten test digits, one per class, in the top row; below, each model's reconstruction "
         "followed by PCA's at the same code size (simple conv has no PCA row: its code is "
         "larger than the image).")
table(["model", "code size", f"test MSE ({len(test_set):,} images)", "PCA, same size"], results)

# %% [markdown]
# An autoencoder is nonlinear and PCA is the best *linear* code, so at the same code size
# an autoencoder that has learned well should do at least as well as PCA. One verdict per
# model, from the table:

# %%
for name, size, model_mse, pca_mse in results:
    if pca_mse is None:
        display(Markdown(f"**No PCA for {name}**: its code of {size:,} numbers is larger than "
                         f"the 784-pixel image."))
    else:
        display(compare(f"the {name} model", model_mse, f"PCA-{size}", pca_mse))

# %% [markdown]
# ## Why a model loses to PCA: underfitting or overfitting?
#
# Where a model loses, something is measurably in its way. Three things to measure, for
# every model that lost:
#
# - **dead code numbers**: code numbers that never change carry nothing, so the model
#   uses a smaller code than it seems to have;
# - **underfitting**: the model rebuilds even *its own training images* worse than PCA
#   rebuilds them. It has not finished learning: more steps, or a recipe that suits it
#   better, should lower its error;
# - **overfitting**: the model's error on new test images is well above *its own* error on
#   its training images. Both are measured the same way, with `evaluate` in eval mode
#   (never the training loss a `History` records, which is an average over an epoch
#   taken in train mode while the weights were still changing).
#
# PCA's own two errors are in the table too. PCA with a few dozen components can hardly
# memorise thousands of training images, so the gap between its training and test error
# shows how much the test images differ from the training images, a yardstick for the
# models' gaps. A fourth reason is a code so large that PCA is nearly exact: then the
# autoencoder's error comes from its layers and its training, not from its code size.

# %%
def steps_taken(name: str) -> int:
    """Optimizer steps the model was trained for: epochs × batches per epoch."""
    batch_size = standard[name][1].batch_size
    return histories[name].epochs * -(-len(train_set) // batch_size)


losers = [name for name, size, model_mse, pca_mse in results
          if pca_mse is not None and pca_mse < model_mse]
diagnosis = {}
for name in losers:
    model, size = models[name], latent_size(models[name])
    pca = pca_with(size)
    diagnosis[name] = {
        "size": size, "steps": steps_taken(name),
        "dead": int((encode_all(model, test_set).flatten(1).std(0) == 0).sum()),
        "train": evaluate(model, train_set), "test": errors[name],
        "pca train": pca.mse(train_set.images), "pca test": pca.mse(test_set.images),
        "variance kept": pca.explained_variance,
    }
table(["model", "code size", "steps", "dead code numbers", "training MSE (eval mode)",
       "test MSE", "PCA: training MSE", "PCA: test MSE", "PCA keeps of the variance"],
      [[name, d["size"], d["steps"], d["dead"], d["train"], d["test"], d["pca train"],
        d["pca test"], f"{d['variance kept']:.3%}"] for name, d in diagnosis.items()])

# %% [markdown]
# For each of those models, the two questions as verdicts: does it rebuild its own
# training images as well as PCA does, and does its test error rise far above its
# training error?

# %%
near_exact = {name: d for name, d in diagnosis.items() if d["variance kept"] > 0.999}
for name, d in diagnosis.items():
    display(Markdown(f"**{name}** ({d['size']} numbers, {d['steps']:,} steps, "
                     f"{d['dead']} dead code numbers):"))
    if name in near_exact:  # no bottleneck: PCA is all but exact at this size
        display(Markdown(f"PCA with {d['size']} components keeps {d['variance kept']:.3%} of "
                         f"the variance and rebuilds the test images with an error of "
                         f"{number(d['pca test'])}: a code this large is no bottleneck."))
        continue
    display(compare(f"the {name} model", d["train"], f"PCA-{d['size']}", d["pca train"],
                    measure="MSE on the training images"))
    display(overfitting(f"the {name} model", d["train"], d["test"]))

# %% [markdown]
# Read each pair of verdicts this way. A model that loses to PCA on its own training
# images underfits: it has not learned even the images it trained on as well as a linear
# code, and no regulariser helps it. A model whose test error is far above its training
# error overfits: more training images are the usual cure. A model that beats PCA on its
# training images, loses on the test images, and shows only a small gap between the two
# is close to PCA on both and sits between the two cases: lesson 03 gave the deep FC
# model twice the steps and its test error fell, so at this budget the steps hold it back
# more than memorising does (exercise 5 repeats that measurement here). Dead code numbers
# come from a ReLU at the end of an encoder: it can switch a code number off for every
# image, and nothing revives it. And a code nearly as large as the image (the deep conv
# model's 576 numbers, where PCA keeps almost all the variance) is no bottleneck at all.

# %%
elapsed = time.perf_counter() - notebook_start
cpu_seconds = time.process_time() - cpu_start
Markdown(f"Getting the models took {training_seconds:.0f} s; the whole notebook ran in "
         f"{elapsed:.0f} s and used {cpu_seconds:.0f} s of CPU time "
         f"({torch.get_num_threads()} thread(s)).")

# %% [markdown]
# ## Summary
#
# - `encoder_outputs` + `show_feature_maps` show every stage of a conv encoder, and
#   `input_resemblance` measures how much each stage's maps still follow the ink: the
#   code follows it less than the first stage does.
# - First-layer filters are best read beside their initial values: `filter_change` says
#   how far training moved them. A first layer can do its job while staying close to
#   random.
# - FC activations (`show_activations`) are vectors, not images; the share of zeros and
#   dead units are numbers worth checking.
# - 2-D maps (PCA, t-SNE) show digits gathering without labels; nearest-neighbour
#   agreement measures the same thing without a picture.
# - Interpolating codes is not a pixel cross-fade; what lies between codes is whatever the
#   decoder makes of it.
# - A reconstruction error means little without PCA at the same code size beside it; when
#   an autoencoder loses, look for dead code units, underfitting (its own training images
#   rebuilt worse than PCA rebuilds them) and overfitting (its test error well above its
#   own training error, both in eval mode).

# %% [markdown]
# ## Exercises
#
# 1. Show the feature maps of the 14×14 stage for a digit shifted by 4 pixels
#    (`torch.roll(image, 4, dims=-1)`). Do the maps shift too (equivariance)?
# 2. Run `sklearn.manifold.TSNE(perplexity=5)` and `TSNE(perplexity=50)` on the same codes
#    (`embed_2d` uses 30). How much do the clusters change? What does that say about
#    reading t-SNE plots?
# 3. Find the test images whose nearest neighbour in code space is a *different* digit.
#    Show a few with their neighbours: are the mistakes understandable?
# 4. Interpolate between two images of the *same* digit (in the explorer, or with
#    `interpolate`). Is the path smoother?
# 5. Train the deep FC model for four times the steps:
#    `recipes.Recipe(lr=1e-3, steps=5_000, fast_steps=500, batch_size=64).train(model, ...)`
#    on a fresh `DeepAutoencoder(dropout=0.0)` (`from course_utils.models import
#    DeepAutoencoder`; call `seed_everything(0)` first). Measure its error on the training
#    images and on the test images with `evaluate`, as the cells above do: does the gap
#    between them grow or shrink, and does it beat PCA with 32 components on the test
#    images then?
#
# Next: **08 · Denoising and inpainting**.
