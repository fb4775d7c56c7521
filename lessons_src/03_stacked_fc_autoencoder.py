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
# # 03 · The stacked fully connected autoencoder
#
# Lessons 01 and 02 kept images as images. This one flattens them: a *stacked* (deep,
# fully connected) autoencoder squeezes the 784 pixels through layers of 512, 256 and 128
# numbers down to a code of 32, and mirrors that back up. Before ReLU, BatchNorm and Adam,
# such models were trained one layer at a time (*greedy layer-wise pretraining*); we race
# that old method against plain end-to-end training.
#
# **What you will learn**
# - the `DeepAutoencoder` (784→512→256→128→32), its parameters and its 24.5× compression;
# - how it compares with PCA keeping the same 32 numbers, and what decides who wins
#   (Dropout, the number of training steps), measured;
# - why Dropout, a cure for overfitting, hurts this autoencoder;
# - what single hidden units respond to, layer by layer (an explorer), and whether deeper
#   layers group the digits "more abstractly", measured three ways;
# - greedy layer-wise pretraining against end-to-end training, at equal passes over the
#   images and at equal time.
#
# **Time:** about 30 minutes: 22 to read, 7 for the code, and about a minute of computing
# on one CPU core the first time (five trainings; the two recipe models load from the cache
# on later runs), longer on a busy core.
#
# **Prerequisites:** lessons 00 and 01; `nn.Linear`, `nn.BatchNorm1d`, `nn.Dropout`; PCA
# as lesson 00 showed it (the mean digit plus weighted components).

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
import copy
import inspect
import time

import matplotlib.pyplot as plt
import torch
from IPython.display import Code, Markdown, display

from course_utils.config import budget, is_fast, seed_everything
from course_utils.metrics import linear_probe_accuracy, mse, pca_baseline
from course_utils.models import DeepAutoencoder
from course_utils.recipes import FC, deep_fc, standard_data
from course_utils.summary import compare_models, parameter_table
from course_utils.tables import table
from course_utils.training import evaluate, reconstruct, train
from course_utils.verdicts import claim, compare, compare_at, number, regularizer
from course_utils.viz import show, show_reconstructions, use_house_style

use_house_style()
notebook_start, notebook_cpu = time.perf_counter(), time.process_time()
train_set, test_set = standard_data()
print(train_set)
print(test_set)
print(f"mode: {'FAST' if is_fast() else 'learner'}")

# %% [markdown]
# ## The model
#
# Here is `DeepAutoencoder` as `course_utils` defines it. Each hidden layer is
# `Linear → ReLU → BatchNorm1d → Dropout`, normalising *after* the ReLU, and the code
# layer ends with a ReLU too. This is the stacked autoencoder as many tutorials write it,
# with Dropout 0.2 after every hidden layer; the course's recipe switches Dropout off
# (`dropout=0.0`), and this lesson measures why. Two choices of the course: the encoder
# starts with `nn.Flatten()` and the decoder ends with `nn.Unflatten`, so the model takes
# and returns 1×28×28 images like every model of the course; and `forward` returns only
# the reconstruction: the code is one `model.encode(x)` away.

# %%
Code(inspect.getsource(DeepAutoencoder), language="python")

# %% [markdown]
# The layers it builds (here with Dropout 0.2), with every parameter counted. Each
# `Linear(a, b)` holds a·b weights and b biases; each BatchNorm a scale and a shift per
# unit. Dropout has no parameters, so the count is the same without it.

# %% tags=["nbval-check-output"]
seed_everything(0)
model_shape = DeepAutoencoder(dropout=0.2)
print(model_shape.encoder)
parameter_table(model_shape)

# %% [markdown]
# Where does "24.5×" come from? The code has 32 numbers for 784 pixels; `course_utils.summary`
# counts them from the model itself:

# %% tags=["nbval-check-output"]
with torch.no_grad():
    sizes = [a.shape[1] for a in model_shape.eval().get_layer_outputs(torch.zeros(2, 1, 28, 28))]
print("widths after each ReLU of the encoder:", sizes)
print(f"compression: 784 / {sizes[-1]} = {784 / sizes[-1]}")
compare_models({"DeepAutoencoder": model_shape})

# %% [markdown]
# ## Training, beside PCA with 32 components
#
# The course trains this model with the recipe `course_utils.recipes.FC`: Adam, a cosine
# schedule that lowers the learning rate to zero, MSE, a fixed number of optimizer
# steps. Here is the recipe and what it means for our training set:

# %%
settings = FC.settings(len(train_set))
steps = settings["epochs"] * -(-len(train_set) // FC.batch_size)
print(FC)
print(f"{len(train_set):,} training images in batches of {FC.batch_size}: "
      f"{settings['epochs']} passes over them, {steps:,} optimizer steps")

# %% [markdown]
# We train it twice with that recipe: once as the course builds it (no Dropout), once
# with Dropout 0.2 after every hidden layer. The first run trains and saves the weights;
# later runs, and later lessons, load them. Then we fit PCA keeping 32 numbers per image
# on the same training images: PCA is the best *linear* autoencoder with a 32-number
# code, so it is the bar a deep, non-linear model has to clear.

# %%
model, history = deep_fc(train_set, test_set)  # dropout=0.0, the course's recipe
print("no Dropout:  ", history)
model_dropout, history_dropout = deep_fc(train_set, test_set, dropout=0.2)
print("Dropout 0.2: ", history_dropout)

# %% [markdown]
# The next cell measures every model on the test images *and* on its own training images,
# both in eval mode (Dropout off, BatchNorm with its running averages), so that the two
# numbers are measured by the same function. The mean training image, a "model" with no
# code at all, is the floor any model must beat. Two trainings of the same model from
# different random starts end a few percent apart (lesson 05 measures how far), so this
# lesson counts a gap of 5% or less as a tie.

# %%
NOISE = 0.05  # relative gaps up to this are ties
pca = pca_baseline(train_set.images, 32)
mean_image = train_set.images.mean(dim=0, keepdim=True)


def mean_image_mse(images):
    return mse(mean_image.expand_as(images), images)


errors = {  # name → (training-set MSE, test MSE), both in eval mode
    "DeepAutoencoder, no Dropout": (evaluate(model, train_set), evaluate(model, test_set)),
    "DeepAutoencoder, Dropout 0.2": (evaluate(model_dropout, train_set),
                                     evaluate(model_dropout, test_set)),
    "PCA, 32 components": (pca.mse(train_set.images), pca.mse(test_set.images)),
    "the mean training image (no code)": (mean_image_mse(train_set.images),
                                          mean_image_mse(test_set.images)),
}
(train_plain, ae_mse), (train_drop, dropout_mse), (pca_train, pca_mse), (_, mean_mse) = (
    errors.values())
table(["method (32 numbers per image)", "train MSE", "test MSE", "test − train"],
      [[name, tr, te, te - tr] for name, (tr, te) in errors.items()],
      title=f"{len(train_set):,} training images, {len(test_set):,} test images")

# %%
display(compare("the autoencoder without Dropout", ae_mse, "PCA-32", pca_mse, tie_within=NOISE))
display(compare("the autoencoder with Dropout 0.2", dropout_mse, "PCA-32", pca_mse,
                tie_within=NOISE))
display(Markdown(f"PCA-32 keeps {pca.explained_variance:.1%} of the training images' "
                 f"variance. The mean training image, with no code at all, scores "
                 f"{number(mean_mse)} on the test images."))

# %% [markdown]
# The reconstructions, side by side, each row with its own MSE on these ten images:

# %%
originals = test_set.images[:10]
fig = show_reconstructions(originals,
                           {"no Dropout": reconstruct(model, originals),
                            "Dropout 0.2": reconstruct(model_dropout, originals),
                            "PCA-32": pca.reconstruct(originals)},
                           title="Test images and their reconstructions from 32 numbers")
show(fig, alt="Ten test digits above their reconstructions from 32 numbers: by the "
              "autoencoder without Dropout, with Dropout 0.2, and by PCA-32, each row with "
              "its MSE.")

# %% [markdown]
# ## Why Dropout hurts an autoencoder
#
# Dropout zeroes a random 20% of the hidden units at every training step. It is a cure
# for *overfitting*: a model that fits its training images much better than new ones,
# seen as a test error well above the training error. The "test − train" column of the
# table measures exactly that, and Dropout can only ever win back that gap. What it did
# here, read from the four numbers:

# %%
assert train_drop > 1.3 * train_plain, "Dropout raises the training images' own error a lot"
regularizer("Dropout 0.2", with_train=train_drop, with_test=dropout_mse,
            without_train=train_plain, without_test=ae_mse, tie_within=NOISE)

# %% [markdown]
# Whatever the gap did, Dropout raised the error on the training images themselves, by
# more than 30% on every data set the course runs (the cell asserts it). An autoencoder's
# whole job is to push as much of each image as it can through 32 numbers. With Dropout,
# any unit may vanish at any step, so the network has to spread what it knows redundantly
# over many units and cannot rely on any single one to carry a detail: it fits *every*
# image worse, training images included. Dropout can only pay for itself where a model
# overfits by more than that cost, and an autoencoder squeezed through a narrow code
# rarely does.

# %% [markdown]
# ## Is the recipe's budget enough?
#
# Before concluding anything from "autoencoder against PCA", ask whether the autoencoder
# had a fair chance. Two things could hold it back:
#
# - **overfitting**: it would fit its training images much better than new ones, and
#   more training would widen that gap without helping on new images;
# - **too few steps**: the test error would still be falling when the schedule ran out.
#
# The next cell tests the second directly: it takes a copy of the trained model and gives
# it as many steps again, with a second cosine cycle (learning rate back up to the
# recipe's, then down to zero).

# %%
more_steps = copy.deepcopy(model)
history_more = train(more_steps, train_set, test_set, **settings)
more_mse = evaluate(more_steps, test_set)
more_train_mse = evaluate(more_steps, train_set)
table(["training", "train MSE", "test MSE", "test − train"],
      [[f"the recipe ({steps:,} steps)", train_plain, ae_mse, ae_mse - train_plain],
       [f"the recipe, then as many steps again ({2 * steps:,})", more_train_mse, more_mse,
        more_mse - more_train_mse],
       ["PCA, 32 components", pca_train, pca_mse, pca_mse - pca_train]],
      title="DeepAutoencoder without Dropout: twice the steps")

# %%
assert more_mse < ae_mse, "twice the steps lower the test error"
display(compare(f"the autoencoder trained for {2 * steps:,} steps", more_mse,
                f"the recipe's model ({steps:,} steps)", ae_mse, tie_within=NOISE))
display(compare("the autoencoder trained twice as long", more_mse, "PCA-32", pca_mse,
                tie_within=NOISE))

# %% [markdown]
# The extra steps lowered the error on new images, on every data set the course runs (the
# assert checks it). So whatever the gap between training and test error did, the model
# was still improving on images it never trained on when the recipe's schedule ran out:
# what held it back at the recipe's budget was the number of steps, not overfitting. With
# over a million parameters and a learning rate annealed to zero by the end of a short
# schedule, that is no surprise. The recipe's steps are a budget chosen to keep the lesson
# short; other learning rates at the same budget are exercise 3. A deep autoencoder *can* be much
# better than PCA with far more data and training: the References at the end give a
# published result and how its setting differs.
#
# ## What the layers do
#
# A common description of stacked autoencoders says each layer captures "increasingly
# abstract features": the first layer low-level features such as edges and textures, the
# next parts and patterns, the code a high-level representation. This section states that
# claim as things we can measure, and measures them.
#
# First what the layers look like: `get_layer_outputs` returns the encoder's activation
# after every ReLU. For one test image of six different digits, each activation vector is
# laid out as a near-square grid (blank cells are padding); each column shares one colour
# scale.

# %%
from course_utils.activations import (class_similarity, dead_units, layer_activations,
                                      show_layer_activations)

Code(inspect.getsource(DeepAutoencoder.get_layer_outputs), language="python")

# %%
digits = [0, 1, 2, 3, 7, 8]
rows = [int((test_set.labels == d).nonzero()[0]) for d in digits]
fig = show_layer_activations(model, test_set.images[rows], labels=digits,
                             title="Encoder activations for six test digits (DeepAutoencoder)")
show(fig, alt="Six test digits (0, 1, 2, 3, 7, 8), one per row: the input, the activations of "
              "the four encoder layers laid out as grids of units, and the reconstruction.")

# %% [markdown]
# A fully connected layer has no notion of where a pixel is, so its units come in no
# meaningful order, and a grid of activations cannot show edges or parts. One unit at a
# time can. The explorer below measures every unit of every layer on the test digits and
# shows, for the unit you pick, the test digits that drive it hardest, the mean of its
# strongest digits, and what it weighs in the input: for a first-layer unit, its 784 input
# weights as a 28×28 image (orange positive, purple negative); for a deeper unit, the
# first-layer weights summed along every path that reaches it through the `Linear` layers
# and BatchNorm scales, a linear sketch that ignores the ReLUs.

# %%
from course_utils.widgets.units import (UnitAtlas, digit_selectivity, pixel_selectivity,
                                        unit_explorer)

atlas = UnitAtlas.measure(model, test_set.images, test_set.labels)
unit_explorer(atlas)

# %% [markdown]
# What to try: step through the first-layer units and ask whether any of them looks like
# an edge detector, a small local stroke, or rather like a blurred whole digit; then do the
# same in layer 4, the code, and compare how often a unit's strongest digits are all the
# same digit. The speckled frame around most first-layer weight images has a plain cause,
# which the next cell checks: a pixel that no training digit ever inks gives its weights a
# gradient of exactly zero, so Adam never moves them from their random starting values.

# %%
never_inked = train_set.images.flatten(1).amax(dim=0) == 0  # 784: blank in every image
seed_everything(0)
initial = DeepAutoencoder(dropout=0.0).encoder[1].weight.detach()  # the recipe's start
trained_weights = model.encoder[1].weight.detach().cpu()
assert torch.equal(trained_weights[:, never_inked], initial[:, never_inked])
assert not torch.equal(trained_weights[:, ~never_inked], initial[:, ~never_inked])
display(Markdown(
    f"{int(never_inked.sum())} of the 784 pixels are blank in all {len(train_set):,} "
    f"training images; every first-layer weight on them is still exactly its initial value."))

# %% [markdown]
# Now the claim, as three measurements, each at the input pixels and after every layer:
#
# - **digit selectivity**: for each unit, its strongest test digits (the top 5% of the
#   test set), and the share of them that are its most common digit; averaged over the
#   layer's units (units that are 0 for every digit left out). 1.0 would mean every unit
#   answers to a single digit; a unit blind to the digit would score about what a random
#   sample of that size scores. The pixels, each treated as a unit, are the yardstick.
# - **grouping**: the mean *centred* cosine similarity of pairs of test images of the same
#   digit minus that of pairs of different digits. Centred means each unit's mean over the
#   test images is subtracted first. That matters: every ReLU output and every pixel is
#   ≥ 0, so uncentred vectors all point into one corner of the space and even unrelated
#   images look alike, by an amount that depends on each layer's offset, not on the digit.
#   After centring, 0 means "no more alike than two images picked at random".
# - **linear probe**: a logistic regression trained on the training images'
#   representations to name the digit, scored on the test images: how *linearly* readable
#   the digit is.
#
# The autoencoder never saw a label; these measurements use the labels only to judge it.

# %%
probe_set = train_set.subset(budget(full=4_000, fast=1_500))
test_acts = atlas.activations  # [N×512, N×256, N×128, N×32], measured for the explorer
probe_acts = layer_activations(model, probe_set.images)
layers = {"input pixels (784)": (probe_set.images.flatten(1), test_set.images.flatten(1))}
layers.update({f"layer {i + 1} ({t.shape[1]} units)": (p, t)
               for i, (p, t) in enumerate(zip(probe_acts, test_acts))})
selectivity = [pixel_selectivity(test_set.images, test_set.labels)] + [
    row["purity"] for row in digit_selectivity(atlas)]
hierarchy_rows, uncentred_between = [], {}
for (name, (probe_features, test_features)), purity in zip(layers.items(), selectivity):
    within, between = class_similarity(test_features, test_set.labels, centred=True)
    uncentred_between[name] = class_similarity(test_features, test_set.labels)[1]
    accuracy = linear_probe_accuracy(probe_features, probe_set.labels, test_features,
                                     test_set.labels)
    hierarchy_rows.append([name, purity, within, between, within - between, accuracy])
hierarchy = table(["representation", "digit selectivity", "same digit (centred)",
                   "different digits (centred)", "grouping: same − different",
                   "linear probe accuracy"], hierarchy_rows,
                  title="Does each layer represent the digit better than the one before?")
hierarchy

# %%
names = hierarchy["representation"].tolist()
measures = {"digit selectivity": hierarchy["digit selectivity"].tolist(),
            "grouping": hierarchy["grouping: same − different"].tolist(),
            "linear probe accuracy": hierarchy["linear probe accuracy"].tolist()}


def path(values: list[float]) -> str:
    """Pixels → layer 1 → … → code, as numbers."""
    return " → ".join(number(v) for v in values)


assert all(v > measures["grouping"][0] for v in measures["grouping"][1:]), (
    "every layer groups the digits more tightly than the raw pixels")
assert all(v > measures["digit selectivity"][0] for v in measures["digit selectivity"][1:]), (
    "every layer's units are more digit-selective than single pixels")
display(claim("each layer represents the digit better than the one before", {
    measure: (all(b > a for a, b in zip(values, values[1:])),
              f"{path(values)}, highest at {names[values.index(max(values))]}")
    for measure, values in measures.items()}))
display(Markdown(
    f"Uncentred, two images of *different* digits would have scored "
    f"{number(uncentred_between[names[0]])} at the pixels and "
    f"{number(uncentred_between[names[1]])} at layer 1 (on a scale where 1 is identical): "
    f"that is the shared offset of non-negative features, which centring removes."))

# %% [markdown]
# Two things hold on every data set the course runs on (the cell asserts them): after
# every layer, images of one digit are grouped more tightly than in the raw pixels, and
# units respond more selectively to one digit than single pixels do. So the encoder does
# reorganise the digits by what they show. "Each layer more abstract than the one before"
# is a stronger claim: it needs every measure to rise at every layer, and the claim's
# verdict, computed from this run's numbers, names the measures that do and where each
# one peaks. Two reasons to expect it to falter near the code: an autoencoder is trained
# to reconstruct pixels, not to name digits, so nothing pushes its code to make the digit
# easy to read; and a 32-number code must also keep the slant, the thickness and the style of each stroke. As for "edges and
# textures" in the first layer: the explorer shows what its units weigh, and lesson 07
# looks at the filters of the convolutional models, where "edge" has a place to live.
#
# ## A ReLU on the code
#
# The encoder ends `nn.Linear(128, 32), nn.ReLU()`, so every code number is ≥ 0, and any
# code number whose input is negative comes out as exactly 0. A unit that is 0 for
# *every* image would carry no information at all. The next cell counts both.

# %%
codes = test_acts[-1]  # N×32, the code of every test image
n_dead = int(dead_units(codes).sum())
assert codes.min() >= 0
display(Markdown(
    f"Of the {codes.numel():,} code numbers of the {len(codes):,} test images, "
    f"{float((codes == 0).float().mean()):.0%} are exactly 0; {n_dead} of the "
    f"{codes.shape[1]} code units are 0 for every test image."))

# %% [markdown]
# Each exact zero is room the code does not use for that image: a zero says only "this
# unit's input was negative", not by how much. Ending the encoder with a plain `Linear`
# (no activation) lets every code number take any value; exercise 1 measures what that
# changes.
#
# ## Greedy layer-wise pretraining, measured
#
# The method was used before ReLU, BatchNorm and Adam: Hinton and Salakhutdinov (2006)
# pretrained a deep autoencoder one layer at a time, each layer as a restricted Boltzmann
# machine, and Bengio and colleagues (2007) showed that shallow autoencoders can take
# the place of those machines (both in the References). In its autoencoder form, for
# our model: train a shallow autoencoder 784→512→784, freeze it, train 512→256→512 on
# its codes, and so on inwards; then stack the layers and fine-tune the whole model end
# to end. `course_utils.pretraining` does exactly that on our `DeepAutoencoder`. First
# it cuts the model into its shallow autoencoders:

# %%
from course_utils.pretraining import layer_stages, pretrain_layerwise

Code(inspect.getsource(layer_stages), language="python")

# %% tags=["nbval-check-output"]
for k, stage in enumerate(layer_stages(DeepAutoencoder(dropout=0.0)), start=1):
    print(f"stage {k}: {stage.in_features} → {stage.out_features} → {stage.in_features}"
          f"   encoder {[type(m).__name__ for m in stage.encoder]}"
          f"   decoder {[type(m).__name__ for m in stage.decoder]}")

# %% [markdown]
# Then it trains the stages one after the other, each on the codes of the frozen stages
# before it. Each stage is an ordinary autoencoder for the course's `train` loop:

# %%
Code(inspect.getsource(pretrain_layerwise), language="python")

# %% [markdown]
# **A fair race.** The end-to-end contestant is the model we already trained with the
# recipe. The layer-wise contestant starts from the same random weights and gets the same
# number of passes over the training images: a share of them for each of the four
# stages, the rest for fine-tuning the stacked model. Every phase uses the recipe's
# learning rate, batch size and cosine schedule. A pass through one stage costs less
# arithmetic than a pass through the whole model, so the race is judged twice: at equal
# passes, and at equal time (the end-to-end model's test error after about as many
# seconds of training as the whole layer-wise run took).

# %%
n_stages = len(layer_stages(model))
total_passes = history.epochs  # the recipe's passes, all end to end
epochs_per_stage = total_passes // (n_stages + 1)
fine_tune_epochs = total_passes - n_stages * epochs_per_stage
race = dict(lr=FC.lr, batch_size=FC.batch_size, scheduler=FC.scheduler, seed=0)


def passes(n):
    return f"{n} pass{'' if n == 1 else 'es'}"


seed_everything(0)
layerwise = DeepAutoencoder(dropout=0.0)
stage_histories = pretrain_layerwise(layerwise, train_set, epochs_per_stage=epochs_per_stage,
                                     **race)
pretrained_only_mse = evaluate(layerwise, test_set)
fine_tune = train(layerwise, train_set, test_set, epochs=fine_tune_epochs, **race)
layerwise_mse = evaluate(layerwise, test_set)
layerwise_seconds = sum(h.total_seconds for h in [*stage_histories, fine_tune])

table(["training", "passes over the images", "training seconds", "test MSE"],
      [["layer-wise: pretrained stages only", n_stages * epochs_per_stage,
        sum(h.total_seconds for h in stage_histories), pretrained_only_mse],
       ["layer-wise: pretrained, then fine-tuned", total_passes, layerwise_seconds,
        layerwise_mse],
       ["end to end (the recipe)", total_passes, history.total_seconds, ae_mse],
       ["PCA, 32 components", None, None, pca_mse],
       ["the mean training image", None, None, mean_mse]],
      title=f"{n_stages} stages × {passes(epochs_per_stage)} + {passes(fine_tune_epochs)} of "
            f"fine-tuning, against {passes(total_passes)} end to end")

# %% [markdown]
# The end-to-end run's seconds are those recorded when it was trained, possibly in an
# earlier run that left its weights in the cache; on a busier or quieter machine they
# differ, which is one reason to read the equal-time verdict as approximate.

# %%
elapsed, at_same_time, same_time_epoch = 0.0, history.test_loss[-1], history.epochs
for epoch, (seconds, test_loss) in enumerate(zip(history.seconds, history.test_loss), start=1):
    elapsed += seconds
    if elapsed >= layerwise_seconds:
        at_same_time, same_time_epoch = test_loss, epoch
        break
race_verdict = compare_at("end-to-end training", "layer-wise pretraining", {
    f"at equal passes ({total_passes})": (ae_mse, layerwise_mse),
    f"at equal time (end to end after {passes(same_time_epoch)}, "
    f"{sum(history.seconds[:same_time_epoch]):.0f} s, against {layerwise_seconds:.0f} s)":
        (at_same_time, layerwise_mse),
}, tie_within=NOISE)
race_verdict

# %% [markdown]
# The curves tell the story of each run. On the left, every stage's own reconstruction
# loss (stage 1 reconstructs pixels, the later stages reconstruct codes, so their scales
# differ). On the right, the whole model's test MSE against passes over the images: the
# layer-wise model only becomes a whole model after its last stage, so its curve starts
# there.

# %%
fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4))
stages = layer_stages(layerwise)
for k, (h, stage) in enumerate(zip(stage_histories, stages)):
    first_pass = k * epochs_per_stage
    left.plot(range(first_pass + 1, first_pass + h.epochs + 1), h.train_loss, marker="o",
              ms=3, label=f"stage {k + 1} ({stage.in_features} → {stage.out_features})")
left.set_yscale("log")
left.set_xlabel("passes over the training images")
left.set_ylabel("stage training loss (MSE of its own input)")
left.set_title("Layer-wise pretraining, stage by stage")
left.legend(fontsize=8)
pretrain_passes = n_stages * epochs_per_stage
right.plot(range(1, total_passes + 1), history.test_loss, marker="o", ms=3,
           label="end to end (the recipe)")
right.plot(range(pretrain_passes, total_passes + 1), [pretrained_only_mse, *fine_tune.test_loss],
           marker="s", ms=3, label="layer-wise, then fine-tuned")
right.axhline(pca_mse, color="grey", ls=":", label="PCA-32")
right.axvline(pretrain_passes, color="grey", lw=0.8)
right.set_yscale("log")
right.set_xlabel("passes over the training images")
right.set_ylabel("test MSE per pixel (whole model)")
right.set_title("Same passes: layer-wise vs end to end")
right.legend(fontsize=8)
for ax in fig.axes:
    ax.xaxis.get_major_locator().set_params(integer=True)
fig.tight_layout()
show(fig, alt="Left: each pretraining stage's training loss per pass, on a log scale. Right: "
              "the whole model's test error per pass for end-to-end training and for the "
              "layer-wise model from the end of pretraining on, with PCA-32 as a line.")

# %% [markdown]
# One thing holds whatever the winner, and the next cell checks it: fine-tuning the
# stacked model improves on the pretrained stack, whose layers were never trained
# *together*.

# %%
assert layerwise_mse < pretrained_only_mse, "fine-tuning should improve the stacked model"
display(Markdown(
    f"Each stage's training loss after its last pass: "
    + ", ".join(number(h.train_loss[-1]) for h in stage_histories)
    + f". The stacked model's test MSE: {number(pretrained_only_mse)} before fine-tuning, "
      f"{number(layerwise_mse)} after; end to end {number(ae_mse)}; the mean image "
      f"{number(mean_mse)}."))

# %% [markdown]
# The old argument for pretraining was that deep networks of sigmoid units, trained by
# plain gradient descent from random weights, barely learned at all. This race asks the
# question again with ReLU, BatchNorm and Adam, at one budget and one split of the passes,
# and judges it twice, because layer-wise passes are cheaper. The verdict can differ
# between the two judgements and between data sets: with more training images the same
# number of steps makes fewer passes, and the split gives each stage fewer of them.
# Whether another budget or another split gives another winner is exercise 2.

# %% [markdown]
# ## Summary
#
# - `DeepAutoencoder` compresses 784 pixels into 32 numbers (24.5×); its parameters are
#   counted layer by layer.
# - A reconstruction number means little alone: beside PCA with the same 32 numbers and
#   the mean image, the table shows where the model stands.
# - Dropout 0.2 raised the error on the training images themselves: an autoencoder that
#   must squeeze each image through a narrow code has no spare capacity to regularise.
# - When a deep model loses to PCA, check its budget before its architecture: training
#   and test errors measured the same way, and a run with more steps, tell underfitting
#   from overfitting. Here twice the steps lowered the test error.
# - "Deeper layers are more abstract" was measured, not assumed, with centred
#   similarities, digit selectivity and a linear probe: every layer groups digits better
#   than the pixels do; whether every measure also rises from each layer to the next is
#   this run's verdict.
# - Greedy layer-wise pretraining and end-to-end training were raced at equal passes and
#   at equal time.
#
# This run's verdicts, in one place:

# %% jupyter={"source_hidden": true} tags=["hide-input"]
display(compare("the autoencoder (recipe, no Dropout)", ae_mse, "PCA-32", pca_mse,
                tie_within=NOISE))
display(compare("the autoencoder trained twice as long", more_mse, "PCA-32", pca_mse,
                tie_within=NOISE))
display(race_verdict)
trainings = [history, history_dropout, history_more, *stage_histories, fine_tune]
display(Markdown(
    f"As squared error per image (× 784 pixels): autoencoder {784 * ae_mse:.1f} "
    f"({784 * more_mse:.1f} with twice the steps), PCA-32 {784 * pca_mse:.1f}. Training time "
    f"recorded by `train()`: {sum(h.total_seconds for h in trainings):.0f} s (the two recipe "
    f"models load from the cache after their first run). This run: "
    f"{time.perf_counter() - notebook_start:.0f} s of wall-clock time, "
    f"{time.process_time() - notebook_cpu:.0f} s of CPU time."))

# %% [markdown]
# ## References
#
# - G. E. Hinton and R. R. Salakhutdinov, "Reducing the dimensionality of data with
#   neural networks", *Science* 313 (5786), 504–507, 2006. The source of pretraining a
#   deep autoencoder layer by layer before fine-tuning it. On MNIST they report an
#   average squared error per test image of 3.00 for a 784-1000-500-250-30
#   autoencoder, against 13.87 for PCA with 30 components. Their setting differs from
#   ours: logistic units pretrained as restricted Boltzmann machines, a first layer of
#   1,000 units, all 60,000 training images and far longer training. This run's numbers
#   on the same scale (per-pixel MSE × 784) close the summary.
# - Y. Bengio, P. Lamblin, D. Popovici and H. Larochelle, "Greedy layer-wise training of
#   deep networks", *Advances in Neural Information Processing Systems 19* (NIPS 2006),
#   153–160, 2007. Greedy pretraining with shallow autoencoders in place of restricted
#   Boltzmann machines, the form this lesson races. Their setting differs from ours:
#   sigmoid units, and deep networks pretrained to be fine-tuned as classifiers rather
#   than as autoencoders.

# %% [markdown]
# ## Exercises
#
# 1. Replace the final `nn.ReLU()` of the encoder with nothing: after `seed_everything(0)`
#    and `linear_code = DeepAutoencoder(dropout=0.0)`, set
#    `linear_code.encoder = linear_code.encoder[:-1]`, then train it with the recipe,
#    `FC.train(linear_code, "deep_fc_linear_code", train_set, test_set)`. How many code
#    numbers are 0 now, and does the test MSE change?
# 2. Run the race with a different split of the passes (more per stage, fewer for
#    fine-tuning), or with half the recipe's passes. Does the winner stay the same, at
#    equal passes and at equal time?
# 3. Train a fresh `DeepAutoencoder(dropout=0.0)` (after `seed_everything(0)`) with the
#    recipe at learning rates 3e-4 and 3e-3
#    (`dataclasses.replace(FC, lr=3e-3).train(model, "deep_fc_lr3e-3", train_set, test_set)`).
#    Does either beat 1e-3 at the same number of steps?
# 4. Pretrain `DeepAutoencoder(dropout=0.2)` layer by layer. Does Dropout help or hurt
#    layer-wise pretraining?
# 5. Build the unit explorer for the model with Dropout 0.2
#    (`unit_explorer(UnitAtlas.measure(model_dropout, test_set.images, test_set.labels))`)
#    and compare its digit selectivity with `digit_selectivity`: does Dropout make units
#    more or less selective?
#
# Next: **04 · Training deep autoencoders**, where clipping, BatchNorm, Dropout, learning
# rate schedules, the choice of loss and mixed precision each get their own experiment.
