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
# - feature maps at each stage of the deep conv autoencoder, and how much each stage
#   still looks like the input;
# - the learned first-layer filters beside their random starting values;
# - active and dead units in a fully connected encoder;
# - 2-D maps of the codes (PCA and t-SNE), coloured by digit, and what each map can and
#   cannot tell you;
# - nearest neighbours in code space, measured against pixel space;
# - interpolation between two digits in code space, decoded to images;
# - every model's reconstructions beside PCA with the same code size, and how to find out
#   why a model loses to PCA.
#
# **Time:** about a minute on one CPU core when earlier lessons have trained its five
# models (they are loaded from the checkpoint cache); about 3 minutes when this notebook
# has to train them itself. The first code cell says which happened; the last one prints
# the measured time.
#
# **Prerequisites:** lessons 01–03; lesson 06 helps for the code sizes.

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
from IPython.display import Code, display
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
from course_utils.training import encode_all, reconstruct
from course_utils.viz import use_house_style

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
          f"({histories[name].epochs} epochs, final test loss {histories[name].final_test_loss:.5f})")

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
show_feature_maps(rows, max_maps=8, title="Deep conv encoder: feature maps after each stage "
                  "(first 8 channels)")
plt.show()

# %% [markdown]
# In the figure, the 14×14 maps are either copies of the digit (brighter on its strokes
# or on their edges) or blank; the deeper maps are harder to read. A number makes this
# precise over all test images: `input_resemblance` correlates each channel's map with
# the input, shrunk to the map's size (1: the map is the image, −1: its negative, 0: no
# relation). The table counts, per stage, the channels that are constant over every test
# image (they carry nothing) and the channels that follow the ink closely (|correlation|
# above 0.5), and gives the median |correlation| of the channels that are not constant.

# %%
stages = encoder_outputs(deep_conv, test_set.images)  # label → N×C×h×w
rows, medians = [], []
for label, maps in stages.items():
    resemblance = input_resemblance(maps, test_set.images)  # one value per channel
    varies = maps.transpose(0, 1).flatten(1).std(dim=1) > 0  # False: a constant channel
    medians.append(float(resemblance[varies].abs().median()))
    rows.append([label.split(": ")[-1], maps.shape[1], int((~varies).sum()),
                 int((resemblance.abs() > 0.5).sum()), medians[-1]])
display(table(["stage", "channels", "constant channels", "channels with |correlation| > 0.5",
               "median |correlation| (not constant)"], rows))
first, code = medians[0], medians[-1]
print(f"median |correlation|: {' → '.join(f'{m:.2f}' for m in medians)}; the code stage "
      f"follows the ink {'less' if code < first else 'no less'} than the first stage")

# %% [markdown]
# The printed line compares the first stage with the code. A map that traces the edges
# of strokes scores lower than a copy of the strokes, so these numbers say how much a
# stage still follows the ink, not how useful it is. The last stage is the code, a
# coarse 3×3 layout that only the decoder can read.
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
plt.show()

# %% [markdown]
# Look at each pair of rows: where a trained filter resembles the one above it, training
# changed it little. `filter_change` measures this: the size of the change divided by the
# size of the initial filter (0: unchanged; 1: a change as large as the start). The cell
# also gives the rank of the 16 initial filters, read as a 16×9 matrix.

# %%
rows = []
for name, (initial, trained) in filters.items():
    change = filter_change(trained, initial)  # one value per filter
    rank = int(torch.linalg.matrix_rank(initial.flatten(1)))
    rows.append([name, len(change), float(change.min()), float(change.median()),
                 float(change.max()), rank])
display(table(["model", "filters", "change: smallest", "median", "largest",
               "rank of the initial filters"], rows))
for name, count, _, median, _, _ in rows:
    share = "less than half" if median < 0.5 else "more than half"
    print(f"{name:12s} the median filter changed by {median:.0%} of its initial size: "
          f"{share} of it")

# %% [markdown]
# A first layer whose filters changed by less than half their size is still mostly its
# random start plus a correction, and looks random in the figure; the printed lines say
# which models that holds for in this run. It need not hurt: 16 random 3×3 filters have
# rank 9 (the table), so before the ReLU they keep every direction of a 3×3 patch, and
# the layers after them can still learn what they need. Whether a trained filter is an
# edge detector (red on one side, blue on the other) or a blob detector (one sign
# everywhere) is something to read off the figure, filter by filter: nothing forces a
# first layer to look like either.
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
show_activations(images, activations, reconstruct(deep_fc, images),
                 row_labels=[f"digit {d}" for d in digits],
                 title="Deep FC autoencoder: encoder activations after each ReLU")
plt.show()

# %% [markdown]
# How many units are active? The next cell measures, over the test images, the share of
# activations that are exactly zero after each ReLU, and how many units never switch on
# for any test image (*dead* units: a ReLU whose input is negative for every image).

# %%
from course_utils.activations import dead_units

all_activations = encoder_outputs(deep_fc, test_set.images, after=(nn.ReLU,))
rows = [[label, float((values == 0).double().mean()), int(dead_units(values).sum()),
         values.shape[1]] for label, values in all_activations.items()]
display(table(["layer", "share of zeros", "units never active", "units"], rows))
for label, _, dead, units in rows:
    verdict = f"{dead} of {units} units are dead" if dead else "no dead unit"
    print(f"{label}: {verdict}")

# %% [markdown]
# The last row is the 32-number code. It ends in a ReLU, so each image's code has some
# zeros (the share in the table); a unit that is zero for *every* image would be a code
# number the decoder never receives. The printed lines say where dead units are in this
# run; a dead unit in a hidden layer is lost width, a dead unit in the code is a lost
# code number.
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
plt.show()

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
best = max(agreement, key=agreement.get)
print(f"best: {best} ({agreement[best]:.1%}); with ten digits, chance would be about 10%")
print(f"32 numbers per image: compact code {agreement['compact code']:.1%}, "
      f"PCA {agreement['PCA']:.1%}, deep FC {agreement['deep FC']:.1%}")

# %% [markdown]
# Two claims about these spaces are checked by the next cell: in pixel space, an image's nearest neighbour is the same digit at
# least 80% of the time; and the deep conv code keeps neighbours together about as well
# as the pixels do (within 2 points). The other rows depend on how long each model
# trained, so they are printed, not checked.

# %%
pixels, conv = agreement["pixels"], agreement["deep conv"]
assert pixels > 0.8, f"pixel-space agreement {pixels:.1%}"
assert conv > pixels - 0.02, f"deep conv code {conv:.1%} vs pixels {pixels:.1%}"
print(f"checked: pixels {pixels:.1%} (> 80%), deep conv code {conv:.1%} "
      f"(at least pixels − 2 points)")
for name, count in constant.items():
    if count:
        print(f"{name}: {count} of {spaces[name][0].numel():,} numbers never change")

# %% [markdown]
# Constant numbers mean different things in different spaces. In pixel space they are
# border pixels that are blank in every digit. In a conv code they are positions or
# channels that never respond (at the blank border, or where a ReLU never fires). In an
# FC code that ends in a ReLU they are dead units: code numbers the decoder never
# receives. The last lines above list where they are in this run.
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
show_image_rows(rows, column_titles=["query", *[f"neighbour {k + 1}" for k in range(5)]],
                title=f"Nearest training images ({len(bank):,}) in code space and in pixel space")
plt.show()
query_labels = test_set.labels[picked + [int((test_set.labels == 2).nonzero()[0])]]
for space, found in (("compact code", by_code), ("pixels", by_pixels)):
    same = int((bank.labels[found] == query_labels[:, None]).sum())
    print(f"{space:12s} {same} of {found.numel()} neighbours are the query's digit")

# %% [markdown]
# Four queries are only an illustration; the agreement table above measures the same
# thing over every image of the subset.
#
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
show_interpolation(rows, title="From a 1 to a 7: pixel blend vs decoded points on the line "
                   "between codes")
plt.show()

# %% [markdown]
# A pixel blend shows both digits at once, one fading in as the other fades out.
# Decoding along the line between codes gives whatever the decoder makes of the points in
# between: compare the rows, and look for a stroke that moves or bends instead of fading.
# A plain autoencoder does not promise that every point between two codes decodes to a
# digit (lesson 10's VAE is trained for that).
#
# ## Every model's reconstructions, beside PCA
#
# One test digit of each class through every model, each followed by PCA with the same
# code size. The simple conv model's code (16×14×14 = 3,136 numbers) is larger than the
# image, so there is no PCA to match it: PCA with all 784 components copies an image
# exactly.

# %%
from course_utils.viz import show_reconstructions

one_per_digit = torch.cat([(test_set.labels == d).nonzero()[:1, 0] for d in range(10)])
originals = test_set.images[one_per_digit]  # 10×1×28×28
recons, results, errors = {}, [], {}
for name, model in models.items():
    size = latent_size(model)
    recons[f"{name} ({size:,})"] = reconstruct(model, originals)
    model_mse = errors[name] = mse(reconstruct(model, test_set), test_set.images)
    if size <= 784:
        recons[f"PCA ({size:,})"] = pca_with(size).reconstruct(originals)
        pca_mse = pca_with(size).mse(test_set.images)
        ratio = pca_mse / model_mse
        verdict = (f"autoencoder {ratio:.1f}× lower" if ratio > 1
                   else f"PCA {1 / ratio:.1f}× lower")
        results.append([name, size, model_mse, pca_mse, verdict])
    else:
        results.append([name, size, model_mse, None, "no PCA: the code is larger than the image"])
show_reconstructions(originals, recons, count=10,
                     title="One test digit per class through every model (code size) and PCA "
                           "at the same size")
plt.show()
reconstruction_table = table(["model", "code size", f"test MSE ({len(test_set):,} images)",
                              "PCA, same size", "lower error"], results)
reconstruction_table

# %% [markdown]
# An autoencoder is nonlinear and PCA is the best *linear* code, so at the same code size
# an autoencoder that has learned well should do at least as well as PCA. Where a model
# loses, something is measurably in its way. The next cell looks at each model that lost
# in this run, for three reasons: code numbers that never change (dead units), an error on
# its own training images that is above PCA's error on the same images (the model
# *underfits*: it has not learned even the images it trained on as well as PCA does), and
# a code so large that PCA is nearly exact. A model that rebuilds its training images
# better than PCA but loses on the test images *overfits*.

# %%
def steps_taken(name: str) -> int:
    """Optimizer steps the model was trained for: epochs × batches per epoch."""
    batch_size = standard[name][1].batch_size
    return histories[name].epochs * -(-len(train_set) // batch_size)


losers = [row[0] for row in results if row[3] is not None and row[3] < row[2]]
for name in losers:
    model = models[name]
    size = latent_size(model)
    pca = pca_with(size)
    pca_mse = pca.mse(test_set.images)
    train_error = mse(reconstruct(model, train_set), train_set.images)
    pca_train_error = pca.mse(train_set.images)
    print(f"{name} ({size} numbers): test MSE {errors[name]:.4f}, PCA {pca_mse:.3g}")
    dead = int((encode_all(model, test_set).flatten(1).std(0) == 0).sum())
    if dead:
        live = pca_with(size - dead).mse(test_set.images)
        print(f"  {dead} of its {size} code numbers never change: it uses {size - dead}; "
              f"PCA with {size - dead} components scores {live:.3g}")
    on_train = f"on its training images {train_error:.4g}, PCA {pca_train_error:.3g}"
    if train_error > pca_train_error:
        print(f"  {on_train}: it underfits in its {steps_taken(name):,} training steps")
    else:
        print(f"  {on_train}: better than PCA on the images it trained on, worse on new "
              f"ones (its own test error is {errors[name] - train_error:+.4f} above its "
              f"training error): it overfits")
    if pca.explained_variance > 0.999:
        print(f"  PCA with {size} components keeps {pca.explained_variance:.3%} of the "
              f"variance: a code this large can hold the digits almost exactly")
if "compact code" not in losers:
    print(f"\nthe compact-code model beats PCA with {latent_size(compact_model)} numbers in "
          f"{steps_taken('compact code'):,} training steps (the deep FC model had "
          f"{steps_taken('deep FC'):,})")

# %% [markdown]
# Each printed reason is a measurement. Dead code units come from a ReLU at the end of
# an encoder: it can switch a code number off for every image, and nothing revives it.
# Underfitting means the model has not finished learning: even its own training images
# are rebuilt worse than PCA rebuilds them; more steps, or a recipe that suits the model
# better, should lower its error. Overfitting means it rebuilds its training images better
# than PCA but new ones worse: it has learned its training set more than digits in
# general; more training images are the usual cure (exercise 5 asks what more steps do
# instead). And a code
# nearly as large as the image is no bottleneck at all: PCA keeps almost everything, and
# the autoencoder's error comes from its layers and its training, not from its code size.

# %%
elapsed = time.perf_counter() - notebook_start
cpu_seconds = time.process_time() - cpu_start
print(f"getting the models took {training_seconds:.0f} s; the whole notebook ran in "
      f"{elapsed:.0f} s and used {cpu_seconds:.0f} s of CPU time "
      f"({torch.get_num_threads()} thread(s))")

# %% [markdown]
# ## Summary
#
# - `encoder_outputs` + `show_feature_maps` show every stage of a conv encoder, and
#   `input_resemblance` measures how much each stage's maps still follow the ink.
# - First-layer filters are best read beside their initial values: `filter_change` says
#   how far training moved them. A first layer can do its job while staying close to
#   random.
# - FC activations (`show_activations`) are vectors, not images; the share of zeros and
#   dead units are numbers worth checking (table above).
# - 2-D maps (PCA, t-SNE) show digits gathering without labels; nearest-neighbour
#   agreement measures the same thing without a picture.
# - Interpolating codes is not a pixel cross-fade; what lies between codes is whatever the
#   decoder makes of it.
# - A reconstruction error means little without PCA at the same code size beside it; when
#   an autoencoder loses, look for dead code units, underfitting and overfitting.

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
# 4. Interpolate between two images of the *same* digit. Is the path smoother?
# 5. Train the deep FC model for four times the steps:
#    `recipes.Recipe(lr=1e-3, steps=5_000, fast_steps=500, batch_size=64).train(model, ...)`
#    on a fresh `DeepAutoencoder(dropout=0.0)` (`from course_utils.models import
#    DeepAutoencoder`; call `seed_everything(0)` first). Measure its error on the training
#    images and on the test images, as the cell above does: does the gap between them
#    grow or shrink, and does it beat PCA with 32 components on the test images then?
#
# Next: **08 · Denoising and inpainting**.
