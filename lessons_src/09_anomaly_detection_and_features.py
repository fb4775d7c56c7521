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
# # 09 · Anomaly detection and features
#
# Two more applications of autoencoders, both built on one idea: an autoencoder trained
# on some data learns *that data's* regularities.
#
# - **Anomaly detection.** Train on one digit only. The model should copy that digit well
#   and the other digits badly, so its reconstruction error becomes an anomaly score.
# - **Feature extraction and dimensionality reduction.** The code `z = encode(x)` is a short
#   description of an image. Is it a better input for a classifier, or for clustering,
#   than the raw pixels or PCA?
#
# Every autoencoder here gets a code of 36 numbers and a recipe that suits it, and every
# number is set beside the same two baselines: PCA with 36 components, and the raw pixels.
# Where the autoencoder loses, the lesson measures why.
#
# **What you will learn**
# - one-class anomaly detection by reconstruction error, scored digit by digit with ROC
#   curves and the AUROC, and what choosing a threshold costs on either side;
# - why a model that reconstructs its own digit better is not automatically a better
#   detector (measured);
# - how the code's shape matters: a flat code against lesson 02's 4×3×3 grid code;
# - how to use the encoder as a feature extractor: a linear probe (logistic regression on
#   frozen codes) and k-means clustering, scored after matching clusters to digits.
#
# **Time:** about 30 minutes: reading, the code, and a minute or two of computing on one
# free CPU core the first time, longer on a busy one (thirteen small models train; a
# second run loads them from the checkpoint cache).
#
# **Prerequisites:** lessons 01–02 (`DeepConvAutoencoder`, PCA as a baseline), lesson 06
# (code sizes and the flat-code model).

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
# ## Setup
#
# The course's standard digits: on full MNIST a fixed subset of 12,000 training and 2,000
# test digits (`recipes.standard_data`), on the offline subset its 4,000 and 1,000. Every
# step below works on these subsets and on fixed slices of them, named where they are
# taken, so that nothing here, the nearest-neighbour search, k-means or the linear probe,
# needs more than seconds on one CPU core.

# %%
import inspect
import time

import matplotlib.pyplot as plt
import numpy as np
import torch
from IPython.display import Code, Markdown, display
from sklearn.decomposition import PCA
from sklearn.metrics import roc_curve

from course_utils import recipes
from course_utils.applications import (
    ONE_CLASS,
    kmeans_clusters,
    nearest_neighbour_distance,
    one_class_scores,
    reconstruction_errors,
    train_one_class,
)
from course_utils.config import budget, seed_everything
from course_utils.metrics import (
    auroc,
    clustering_accuracy,
    linear_probe_accuracy,
    pca_baseline,
)
from course_utils.models import DeepConvAutoencoder, FlatConvAutoencoder
from course_utils.recipes import Recipe
from course_utils.summary import count_parameters, latent_size
from course_utils.tables import table
from course_utils.training import encode_all, reconstruct
from course_utils.verdicts import compare, compare_at, number, rank
from course_utils.viz import show, show_image_rows, use_house_style
from course_utils.widgets.anomaly import AnomalyData, anomaly_explorer

notebook_start, notebook_cpu = time.perf_counter(), time.process_time()
use_house_style()  # plots, and tables (DataFrames) with thousands separators

train_set, test_set = recipes.standard_data()
eval_set = test_set.subset(budget(full=2_000, fast=300))
print(f"images from: {train_set.source}")
print(f"training: {len(train_set):,} digits; scoring: {len(eval_set):,} test digits")

# %% [markdown]
# ## Two autoencoders with a 36-number code
#
# The main model is the course's flat-code autoencoder (lessons 02 and 06): two stride-2
# convolutions, then one Linear layer down to the code, so every code number can describe
# the whole digit. For comparison, lesson 02's `DeepConvAutoencoder` with 4 code channels
# keeps its code as a 4×3×3 grid: also 36 numbers, each computed from one region of the
# digit. PCA gets the same 36 numbers.

# %% tags=["nbval-check-output"]
code_size = 36
for model in (FlatConvAutoencoder(code_size), DeepConvAutoencoder(latent_channels=4)):
    print(f"{type(model).__name__}: {count_parameters(model):,} parameters, code "
          f"{'×'.join(map(str, model.encode(torch.zeros(1, 1, 28, 28)).shape[1:]))} = "
          f"{latent_size(model)} numbers per 784-pixel image "
          f"({784 / latent_size(model):.1f}× fewer)")

# %% [markdown]
# ## Part 1 · One-class anomaly detection
#
# For one digit at a time (the "normal" class):
#
# 1. train the autoencoder on training images of that digit only;
# 2. fit PCA with 36 components on the same images;
# 3. score every test digit, of every class, by its reconstruction error; the raw-pixel
#    baseline scores it by its distance to the nearest normal training image;
# 4. measure how well each score separates the normal digit from the other nine.
#
# The measure is the **AUROC**, the area under the ROC curve: the chance that a randomly
# picked anomaly scores higher than a randomly picked normal image. 0.5 is a coin toss,
# 1.0 a perfect ranking, and no threshold has to be chosen. The scoring code:

# %%
Code(inspect.getsource(reconstruction_errors) + "\n\n"
     + inspect.getsource(nearest_neighbour_distance), language="python")

# %% [markdown]
# The recipe, `ONE_CLASS`: Adam at a learning rate of 5e-3, annealed to zero by a cosine
# schedule, in batches of 32, for about 400 steps (40 in FAST mode), on 1,000 training
# images of the digit (150 in FAST mode; the offline subset has 400 of each). The same
# 1,000 images are the raw-pixel detector's reference set. The loop that trains one model
# per digit:

# %%
Code(inspect.getsource(train_one_class), language="python")

# %%
per_digit = budget(full=1_000, fast=150)
digits = list(range(10))
normal_sets = {d: train_set.where(lambda y, d=d: y == d).subset(per_digit) for d in digits}
pixels, ae, pca = "raw pixels (nearest neighbour)", "autoencoder", f"PCA ({code_size})"

one_class_models, one_class_histories = train_one_class(normal_sets, code_size)
histories = {f"digit {d}": h for d, h in one_class_histories.items()}
results, one_class_pcas = {}, {}
for d in digits:
    one_class_pcas[d] = pca_baseline(normal_sets[d].images, code_size)
    detectors = {ae: one_class_models[d], pca: one_class_pcas[d],
                 pixels: lambda x, d=d: nearest_neighbour_distance(normal_sets[d].images, x)}
    results[d] = one_class_scores(d, detectors, eval_set.images, eval_set.labels)
sizes = [len(s) for s in normal_sets.values()]
print(f"{len(digits)} detectors of each kind; training images per digit: {min(sizes)} to "
      f"{max(sizes)}; {histories['digit 0'].epochs * -(-sizes[0] // ONE_CLASS.batch_size)} "
      f"steps for digit 0")

# %% [markdown]
# The AUROC of every detector, digit by digit:

# %%
detector_names = [ae, pca, pixels]
auroc_rows = [[f"digit {d}", *(results[d].auroc[n] for n in detector_names)] for d in digits]
mean_auroc = {n: float(np.mean([results[d].auroc[n] for d in digits])) for n in detector_names}
auroc_rows.append(["mean", *mean_auroc.values()])
table(["normal class", *detector_names], auroc_rows,
      title=f"One-class AUROC on {len(eval_set):,} test digits (1 = perfect, 0.5 = chance)")

# %% [markdown]
# Which detector is best? First on average over the ten digits, then the autoencoder
# against each baseline digit by digit. (AUROCs within 1% of each other count as a tie:
# with at most about 200 normal test digits per class, one test set does not settle a
# smaller gap.)

# %%
display(rank(mean_auroc, measure="mean AUROC over the ten digits", lower_is_better=False,
             tie_within=0.01))
for baseline in (pca, pixels):
    display(compare_at("the autoencoder", baseline,
                       {f"on digit {d}": (results[d].auroc[ae], results[d].auroc[baseline])
                        for d in digits},
                       measure="AUROC", lower_is_better=False, tie_within=0.01))

# %% [markdown]
# The two baselines that learn nothing, or almost nothing, are strong: PCA's and the raw
# pixels' AUROC is above 0.7 for every digit and above 0.9 on average (the hidden cell
# checks it on every data size the course runs). The digits differ a lot, too: some are
# easy for every detector, and some are hard for all three. The hardest normal digit of
# each detector:

# %% jupyter={"source_hidden": true} tags=["hide-input"]
for name in (pca, pixels):
    assert min(results[d].auroc[name] for d in digits) > 0.7, name
    assert mean_auroc[name] > 0.9, name

# %%
hardest_normal = {name: min(digits, key=lambda d: results[d].auroc[name])
                  for name in detector_names}
Markdown("; ".join(f"{name}: digit {d}, AUROC {number(results[d].auroc[name])}"
                   for name, d in hardest_normal.items()) + ".")

# %% [markdown]
# The ROC curves behind those numbers: every threshold on a score gives one point (the
# share of anomalies caught against the share of normal digits wrongly flagged). The
# further a curve bends towards the top-left corner, the better.

# %%
fig, axes = plt.subplots(2, 5, figsize=(14, 6), sharex=True, sharey=True)
for ax, d in zip(axes.flat, digits):
    for name in detector_names:
        fpr, tpr, _ = roc_curve(results[d].is_anomaly.numpy(), results[d].scores[name].numpy())
        ax.plot(fpr, tpr, label=f"{name.split(' (')[0]} {results[d].auroc[name]:.3f}")
    ax.plot([0, 1], [0, 1], ls=":", color="grey")
    ax.set_title(f"normal = digit {d}")
    ax.legend(fontsize=7, loc="lower right", title="AUROC", title_fontsize=7)
for ax in axes[1]:
    ax.set_xlabel("false positive rate")
for ax in axes[:, 0]:
    ax.set_ylabel("true positive rate")
fig.suptitle("ROC curves of the three detectors, one panel per normal digit (test digits)")
fig.tight_layout()
show(fig, alt="Ten panels, one per normal digit, each with the ROC curves of the autoencoder, "
              "PCA and the raw-pixel detector and their AUROC in the legend; most curves hug "
              "the top-left corner, and the three detectors' curves lie close together.")

# %% [markdown]
# ## What decides who wins?
#
# A reconstruction-based detector flags what it reconstructs badly. To beat PCA, the
# autoencoder must reconstruct new images of *its own* digit better than PCA does, and the
# other digits not equally well. The next table measures the first part, digit by digit:
# the mean reconstruction error of each detector on its own training images, on new
# (test) images of its digit, and on the anomalies. All are measured in eval mode, as
# the scores are.

# %%
train_errors = {d: {ae: float(reconstruction_errors(one_class_models[d], s.images).mean()),
                    pca: float(reconstruction_errors(one_class_pcas[d], s.images).mean())}
                for d, s in normal_sets.items()}
table(["normal class", "AE: training", "PCA: training", "AE: new normal", "PCA: new normal",
       "AE: anomalies", "PCA: anomalies"],
      [[f"digit {d}", train_errors[d][ae], train_errors[d][pca],
        results[d].mean_score(ae, anomalies=False), results[d].mean_score(pca, anomalies=False),
        results[d].mean_score(ae, anomalies=True), results[d].mean_score(pca, anomalies=True)]
       for d in digits],
      title="Mean reconstruction MSE per image")

# %% [markdown]
# The autoencoder against PCA as a copier, digit by digit: on the images it was trained
# on, and on new images of its digit.

# %%
display(compare_at("the autoencoder", pca,
                   {f"on digit {d}": (train_errors[d][ae], train_errors[d][pca]) for d in digits},
                   measure="mean MSE on its own training images", tie_within=0.02))
display(compare_at("the autoencoder", pca,
                   {f"on digit {d}": (results[d].mean_score(ae, anomalies=False),
                                   results[d].mean_score(pca, anomalies=False)) for d in digits},
                   measure="mean MSE on new images of its digit", tie_within=0.02))
growth = {name: float(np.mean([results[d].mean_score(name, anomalies=False)
                               / train_errors[d][name] - 1 for d in digits]))
          for name in (ae, pca)}
compare("the autoencoder", growth[ae], pca, growth[pca],
        measure="growth of the error from training images to new ones (mean over the digits)",
        tie_within=0.05)

# %% [markdown]
# An autoencoder has more freedom than PCA to fit the particular images it saw (124,069
# parameters, counted at the top; PCA fits 36 directions of 784 numbers each), so one
# might expect its error to grow more from training images to new ones; the comparison of
# growths just made tests that expectation. Either way, a detector that copies new normal
# digits no better than PCA has little to gain over it.
#
# Would more training fix it? The next cell takes the digit where the autoencoder trails
# PCA most and trains two more models on it: the same autoencoder for twice the steps, and
# lesson 02's `DeepConvAutoencoder(4)` (its 4×3×3 grid code, at the learning rate of lesson
# 02's recipe) for the same steps as the first.

# %%
focus = max(digits, key=lambda d: results[d].auroc[pca] - results[d].auroc[ae])
short, long_ = f"autoencoder, {ONE_CLASS.steps} steps", f"autoencoder, {2 * ONE_CLASS.steps} steps"
grid_name = f"DeepConvAutoencoder(4), {ONE_CLASS.steps} steps"
challengers = {
    long_: (FlatConvAutoencoder(code_size), "09_one_class_longer",
            Recipe(lr=5e-3, steps=2 * ONE_CLASS.steps, fast_steps=2 * ONE_CLASS.fast_steps)),
    grid_name: (DeepConvAutoencoder(latent_channels=4), "09_one_class_grid",
                Recipe(lr=recipes.DEEP_CONV.lr, steps=ONE_CLASS.steps,
                       fast_steps=ONE_CLASS.fast_steps)),
}
focus_detectors = {short: one_class_models[focus], pca: one_class_pcas[focus]}
for label, (model, name, recipe) in challengers.items():
    seed_everything(0)  # the same initial weights as the first model of this shape
    histories[label] = recipe.train(model, f"{name}_{focus}", normal_sets[focus], None)
    focus_detectors[label] = model
focus_detectors[pixels] = lambda x: nearest_neighbour_distance(normal_sets[focus].images, x)
focus_result = one_class_scores(focus, focus_detectors, eval_set.images, eval_set.labels)
learned = [name for name in focus_detectors if name != pixels]
table(["detector", "new normal MSE", "anomaly MSE", "AUROC"],
      [[name, focus_result.mean_score(name, anomalies=False),
        focus_result.mean_score(name, anomalies=True), focus_result.auroc[name]]
       for name in learned],
      title=f"Normal class: digit {focus}")

# %% [markdown]
# Twice the steps, against the first model: its errors, on new images of the digit and on
# the anomalies, then its AUROC.

# %%
def mean_errors(name: str) -> tuple[float, float]:
    return (focus_result.mean_score(name, anomalies=False),
            focus_result.mean_score(name, anomalies=True))


display(compare_at("the model trained twice as long", "the first model",
                   {"on new normal digits": (mean_errors(long_)[0], mean_errors(short)[0]),
                    "on the anomalies": (mean_errors(long_)[1], mean_errors(short)[1])},
                   measure="mean reconstruction MSE", tie_within=0.02))
display(compare("the model trained twice as long", focus_result.auroc[long_],
                "the first model", focus_result.auroc[short], measure="AUROC",
                lower_is_better=False, tie_within=0.01))

# %% jupyter={"source_hidden": true} tags=["hide-input"]
for longer, first in zip(mean_errors(long_), mean_errors(short)):
    assert longer < first, (longer, first)  # on new normal digits, then on the anomalies

# %% [markdown]
# Training twice as long lowers the error on new images of the digit *and* on the
# anomalies (checked in the hidden cell). A detector gains only from the *gap* between the
# two errors, and longer training lowers both, so it need not buy a better detector.
#
# Next, two codes of the same 36 numbers, trained for the same steps, that differ only in
# shape:

# %%
display(compare("the 4×3×3 grid code", mean_errors(grid_name)[0], "the flat code",
                mean_errors(short)[0], measure="mean MSE on new normal digits",
                tie_within=0.02))
display(compare("the 4×3×3 grid code", focus_result.auroc[grid_name], "the flat code",
                focus_result.auroc[short], measure="AUROC", lower_is_better=False,
                tie_within=0.01))
best_copier = min(learned, key=lambda n: focus_result.mean_score(n, anomalies=False))
best_detector = max(learned, key=focus_result.auroc.get)
Markdown(f"Of the four learned detectors, the best copier of new {focus}s is **{best_copier}**; "
         f"the best detector is **{best_detector}**.")

# %% [markdown]
# The best copier and the best detector need not be the same model: the AUROC depends on
# how the *whole* distribution of scores of each anomaly digit sits against the normal
# digit's, not on a mean error.
#
# Which anomalies are hard? The next cell splits the AUROC by anomaly digit: for each
# other digit, the chance that one of its images scores above a normal image, with the
# ink of each digit (its mean pixel value) in the last row.

# %%
def auroc_against(name: str, other: int) -> float:
    """AUROC of detector ``name`` on the focus digit's test images against one other digit."""
    keep = (eval_set.labels == focus) | (eval_set.labels == other)
    return auroc(focus_result.scores[name][keep], (eval_set.labels[keep] == other).long())


others = [d for d in digits if d != focus]
by_digit = {name: [auroc_against(name, o) for o in others] for name in focus_detectors}
ink = {d: float(eval_set.images[eval_set.labels == d].mean()) for d in digits}
table(["detector", *(f"vs {o}" for o in others)],
      [[name, *values] for name, values in by_digit.items()]
      + [["mean ink of that digit", *(ink[o] for o in others)]],
      title=f"AUROC of digit {focus} against each other digit")

# %%
hardest = {name: others[int(np.argmin(values))] for name, values in by_digit.items()}
least_ink = min(others, key=ink.get)
Markdown(f"The digit with the least ink is **{least_ink}** (mean pixel value "
         f"{number(ink[least_ink])}, against {number(ink[focus])} for the normal digit "
         f"{focus}). The hardest anomaly digit of each detector: "
         + ", ".join(f"{name}: **{o}** (AUROC {number(by_digit[name][others.index(o)])})"
                     for name, o in hardest.items()) + ".")

# %% [markdown]
# A mean squared error over all 784 pixels is small for a digit with little ink, whatever
# the model: a thin digit has little to get wrong. The 1 is the thinnest digit of all
# (checked in the hidden cell), so a detector that scores by mean squared error gives 1s
# low scores however unlike the normal digit they are. An AUROC below 0.5 against one
# digit means its images score *lower* than the normal digit's own. No detector here
# learns what an anomaly is; each only measures how closely it can reproduce an image from
# what it knows of the normal digit.

# %% jupyter={"source_hidden": true} tags=["hide-input"]
assert min(digits, key=ink.get) == 1, ink

# %% [markdown]
# ### Try it: set the threshold
#
# An AUROC needs no threshold, but a detector in use does: every image scoring at or
# above it is flagged. The explorer shows, for one normal digit, the scores of the normal
# test digits (blue) and of the anomalies (orange), the threshold as a dashed line, its
# point on the ROC curve, both rates, and the digits it gets wrong. On the page the
# slider steps the threshold of the autoencoder of the digit examined above through eleven
# quantiles of the normal digits' scores; with a running kernel, pick any digit and
# detector and move the threshold freely. Lower the threshold until few anomalies are
# missed and look at the false alarms it buys: are they digits you would call odd? Raise
# it and look at the misses: which digits slip through?

# %%
anomaly_data = AnomalyData.from_results(results, eval_set.images, eval_set.labels)
anomaly_explorer(anomaly_data, site_digit=focus, site_detector=ae)

# %% [markdown]
# What the model does to its own digit and to the others: the top row is one test image
# of each digit, the rows below are the reconstructions by the autoencoder and by PCA,
# both fitted on the focus digit. Anomalies come out blurred, several bent towards the
# digit the model knows; that lost detail is the reconstruction error that flags them.

# %%
picks = torch.cat([(eval_set.labels == d).nonzero()[:1, 0] for d in digits])
fig = show_image_rows(
    {"test image": eval_set.images[picks],
     f"digit-{focus} autoencoder": reconstruct(one_class_models[focus], eval_set.images[picks]),
     f"digit-{focus} PCA": one_class_pcas[focus].reconstruct(eval_set.images[picks])},
    title=f"Detectors fitted on digit {focus}, applied to every digit",
    column_titles=[f"digit {d}" for d in digits])
show(fig, alt=f"One test image of each digit 0 to 9, above its reconstruction by the "
              f"autoencoder and by PCA fitted on digit {focus} only; the other digits come "
              f"out blurred, several of them bent towards a {focus}.")

# %% [markdown]
# ## Part 2 · The code as features
#
# Now one autoencoder trained on *all* digits, without labels: the course's compact-code
# recipe (`recipes.compact_code`) with a 36-number code. Its encoder turns each image into
# 36 numbers. Are they good features? Two tests, each against the raw pixels (784
# numbers) and PCA (36 numbers):
#
# - **linear probe**: a logistic regression trained on the features of labelled training
#   digits, scored on the test digits. It measures how *linearly* the features separate
#   the digits;
# - **k-means** with 10 clusters, no labels at all, scored by *clustering accuracy*: each
#   cluster is matched to one digit (the Hungarian algorithm picks the matching that makes
#   the most images right), then the share of correctly grouped images is counted.

# %%
Code(inspect.getsource(linear_probe_accuracy) + "\n\n" + inspect.getsource(clustering_accuracy),
     language="python")

# %% [markdown]
# The autoencoder and PCA, each with its reconstruction error on the test digits (the
# usual check: a reconstruction number always has PCA beside it):

# %%
feature_model, feature_history = recipes.compact_code(train_set, test_set, code_size=code_size)
histories["features"] = feature_history
pca_features = pca_baseline(train_set.images, code_size)
table(["model", "test MSE"],
      [[f"autoencoder ({code_size}), {feature_history.epochs} epochs",
        feature_history.final_test_loss], [pca, pca_features.mse(test_set.images)]],
      title=f"Reconstruction of {len(test_set):,} test digits")

# %% [markdown]
# The three feature sets. The probe and k-means use a fixed slice of 4,000 labelled
# training digits (1,500 in FAST mode), whatever the size of the training set, so their
# cost stays at seconds; the encoder and PCA were fitted on all the training digits.

# %%
probe_set = train_set.subset(budget(full=4_000, fast=1_500))
features = {
    "raw pixels (784)": (probe_set.images.flatten(1), eval_set.images.flatten(1)),
    f"PCA ({code_size})": (pca_features.encode(probe_set.images),
                           pca_features.encode(eval_set.images)),
    f"autoencoder code ({code_size})": (encode_all(feature_model, probe_set),
                                        encode_all(feature_model, eval_set)),
}
for name, (train_x, test_x) in features.items():
    print(f"{name:24s} training {tuple(train_x.shape)}, test {tuple(test_x.shape)}")

# %% [markdown]
# The linear probe is trained on the training digits' features and scored on the test
# digits; k-means clusters the training digits' features, with labels used only for the
# score:

# %%
probe_accuracy = {name: linear_probe_accuracy(train_x, probe_set.labels, test_x,
                                              eval_set.labels)
                  for name, (train_x, test_x) in features.items()}
cluster_accuracy = {name: clustering_accuracy(kmeans_clusters(train_x, 10, seed=0),
                                              probe_set.labels)
                    for name, (train_x, _) in features.items()}
table(["features", "linear probe accuracy", "k-means clustering accuracy"],
      [[name, probe_accuracy[name], cluster_accuracy[name]] for name in features],
      title="Features for classification (with labels) and clustering (without)")

# %% [markdown]
# The rankings. Accuracies within 1% of each other count as a tie for the probe (with the
# 2,000 test digits of full MNIST, one standard error of an accuracy near 90% is about 0.7
# points; with fewer test digits it is larger), and
# within 3% for k-means, whose result moves with its random starting centres:

# %%
display(rank(probe_accuracy, measure="linear probe accuracy", lower_is_better=False,
             tie_within=0.01))
display(rank(cluster_accuracy, measure="k-means clustering accuracy", lower_is_better=False,
             tie_within=0.03))

# %% [markdown]
# Every feature set gives a linear probe above 80% accuracy, and for every feature set
# k-means, which never sees a label, groups the digits far less accurately (by more than
# 15 points) than the probe, which does (both checked in the hidden cell). The
# autoencoder's code was trained to reconstruct, not to separate digits, and k-means looks
# for round, equally sized groups, which digits in none of these spaces form.

# %% jupyter={"source_hidden": true} tags=["hide-input"]
for name in features:
    assert probe_accuracy[name] > 0.8, name
    assert cluster_accuracy[name] < probe_accuracy[name] - 0.15, name

# %% [markdown]
# A picture of the codes: the test digits' 36-number codes projected to 2-D with PCA and
# coloured by their true digit.

# %%
code_name = f"autoencoder code ({code_size})"
codes_2d = PCA(n_components=2, random_state=0).fit_transform(features[code_name][1].numpy())
fig, ax = plt.subplots(figsize=(6.5, 5.5))
scatter = ax.scatter(codes_2d[:, 0], codes_2d[:, 1], c=eval_set.labels.numpy(), cmap="tab10",
                     s=6, alpha=0.7)
ax.legend(*scatter.legend_elements(), title="digit", fontsize=7, loc="best")
ax.set_xlabel("first principal direction of the codes")
ax.set_ylabel("second principal direction")
ax.set_title(f"Autoencoder codes ({code_size} numbers) of test digits, projected to 2-D")
fig.tight_layout()
show(fig, alt="The test digits' autoencoder codes projected to two dimensions, one dot per "
              "digit coloured by its class: some digits gather in their own region, others "
              "overlap, and no ten separate round groups appear.")

# %% [markdown]
# Two of 36 dimensions show only part of the structure the linear probe uses: some digits
# form their own region, others overlap. Nothing here looks like ten round, separate
# blobs, which is what k-means would need.
#
# The times of this run:

# %%
print(f"this notebook ran in {time.perf_counter() - notebook_start:.0f} s "
      f"({time.process_time() - notebook_cpu:.0f} s of CPU time) with "
      f"{torch.get_num_threads()} CPU thread(s); training its {len(histories)} models took "
      f"{sum(h.total_seconds for h in histories.values()):.0f} s (in this run, or in an "
      f"earlier one for weights that came from the cache)")

# %% [markdown]
# ## References
#
# - J. Xie, R. Girshick and A. Farhadi, "Unsupervised Deep Embedding for Clustering
#   Analysis", *Proceedings of the 33rd International Conference on Machine Learning
#   (ICML)*, 2016. On all 70,000 MNIST digits they report a clustering accuracy of 53.5% for
#   k-means on raw pixels (compare the k-means column above) and 84.3% for their method,
#   DEC. DEC is more than k-means on a code: a fully connected autoencoder with a 10-number
#   code, pretrained layer by layer and fine-tuned, whose encoder is then trained further
#   *for clustering*, with a loss that sharpens the cluster assignments. This lesson's
#   k-means runs on a 36-number code trained only to reconstruct, on a slice of a few
#   thousand digits and a short budget.

# %% [markdown]
# ## Summary
#
# - **Anomaly detection**: a model fitted on one digit reconstructs that digit better than
#   the others, so its reconstruction error ranks anomalies. PCA with the same 36 numbers,
#   and even the distance to the nearest normal training image, are strong detectors on
#   digits: AUROC above 0.7 for every digit and above 0.9 on average. An autoencoder has
#   to earn its place against them, digit by digit.
# - **What decides who wins**: a detector needs a *gap* between the errors of normal
#   digits and of anomalies. Training longer lowers the error on the anomalies too, not
#   only on the normal digit, so a better copier is not necessarily a better detector; and
#   a digit with little ink, the 1 above all, has little to get wrong, so it can look
#   normal to a detector that scores by mean squared error.
# - **Thresholds**: a detector in use needs one; lowering it trades misses for false
#   alarms, and the ROC curve is the list of every such trade.
# - **The shape of the code**: at 36 numbers, lesson 02's grid code and the flat code can
#   be compared as copiers and as detectors on the same digit and budget.
# - **Features**: every feature set gives a linear probe above 80% accuracy, and k-means
#   without labels falls more than 15 points short of it.
#
# ## Exercises
#
# 1. Change `code_size` to 144 and rerun part 1. Does a bigger code help or hurt anomaly
#    detection? Compare the columns of the reconstruction-error table (training images,
#    new normal images, anomalies) with those of the 36-number run to explain why.
# 2. Score anomalies with a *denoising* autoencoder (lesson 08). In place of
#    `train_one_class`, train a fresh `FlatConvAutoencoder(code_size)` per digit with
#    `cached_train(model, f"09_denoising_{d}", normal_sets[d], None,
#    corrupt=functools.partial(gaussian_noise_mix,
#    low=0.1, high=0.3), **ONE_CLASS.settings(len(normal_sets[d])))` (import `functools`,
#    `cached_train` from `course_utils.training` and `gaussian_noise_mix` from
#    `course_utils.applications`). Does training on noise widen the gap?
# 3. Score with the code instead of the reconstruction: the distance from a test digit's
#    code to the nearest normal training digit's code. Better or worse than the
#    reconstruction error?
# 4. Run k-means on the codes with 20 clusters instead of 10. `clustering_accuracy`
#    matches clusters to digits one to one, so at most 10 of the 20 clusters can be
#    matched: what happens to its score? Then score the same clusters by giving each one
#    its most common digit (several clusters may share a digit). Why can more clusters
#    than classes score higher under that rule, and why is that rule too kind with many
#    clusters?
#
# Next: **10 · Variants**.
