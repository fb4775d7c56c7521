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
#   curves and the AUROC;
# - why a model that reconstructs its own digit better is not automatically a better
#   detector (measured);
# - how the code's shape matters: a flat code against lesson 02's 4×3×3 grid code;
# - how to use the encoder as a feature extractor: a linear probe (logistic regression on
#   frozen codes) and k-means clustering, scored after matching clusters to digits.
#
# **Time:** about 20 minutes to read. The computing takes about two minutes on a free
# CPU core the first time (thirteen small models train), longer on a busy one; a second
# run loads the models from the checkpoint cache. The last code cell prints this run's
# times.
#
# **Prerequisites:** lessons 01–02 (`DeepConvAutoencoder`, PCA as a baseline), lesson 06
# (code sizes and the flat-code model).

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
# ## Setup
#
# The course's standard training digits, and a fixed number of test digits to score on.

# %%
import inspect
import time

import matplotlib.pyplot as plt
import numpy as np
import torch
from IPython.display import Code, display
from sklearn.decomposition import PCA
from sklearn.metrics import roc_curve

from course_utils import recipes
from course_utils.applications import (
    kmeans_clusters,
    nearest_neighbour_distance,
    one_class_scores,
    reconstruction_errors,
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
from course_utils.viz import show_image_rows, use_house_style

notebook_start, notebook_cpu = time.perf_counter(), time.process_time()
use_house_style()  # plots, and tables (DataFrames) with thousands separators

train_set, test_set = recipes.standard_data()
eval_set = test_set.subset(budget(full=1_000, fast=300))
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
# The recipe: Adam at a learning rate of 5e-3, annealed to zero by a cosine schedule, in
# batches of 32, for the number of steps printed below, on up to a fixed number of images
# of the digit (the next cell prints how many). Each model is cached as
# `09_one_class_<digit>`.

# %%
ONE_CLASS = Recipe(lr=5e-3, steps=400, fast_steps=40)
per_digit = budget(full=1_000, fast=150)
digits = list(range(10))
normal_sets = {d: train_set.where(lambda y, d=d: y == d).subset(per_digit) for d in digits}
pixels, ae, pca = "raw pixels (nearest neighbour)", "autoencoder", f"PCA ({code_size})"

results, one_class_models, one_class_pcas, histories = {}, {}, {}, {}
for d in digits:
    seed_everything(0)
    one_class_models[d] = FlatConvAutoencoder(code_size)
    histories[f"digit {d}"] = ONE_CLASS.train(one_class_models[d], f"09_one_class_{d}",
                                              normal_sets[d], None)
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
display(table(["normal class", *detector_names], auroc_rows,
              title=f"One-class AUROC on {len(eval_set):,} test digits "
                    f"(1 = perfect, 0.5 = chance)"))
ae_wins = [d for d in digits if results[d].auroc[ae] > results[d].auroc[pca]]
print(f"the autoencoder beats PCA on {len(ae_wins)} of {len(digits)} digits {ae_wins}; "
      f"mean AUROC: autoencoder {mean_auroc[ae]:.3f}, PCA {mean_auroc[pca]:.3f}, "
      f"raw pixels {mean_auroc[pixels]:.3f}")

# %% [markdown]
# The two baselines that learn nothing, or almost nothing, are strong: the next cell checks
# that PCA's and the raw pixels' AUROC is above 0.7 for every digit and above 0.9 on
# average. The autoencoder's numbers depend on how long it trained, so they are printed
# rather than checked: the line above the check says how often it beat PCA. The digits
# differ a lot, too: some are easy for every detector, and some are hard for all three.

# %%
for name in (pca, pixels):
    assert min(results[d].auroc[name] for d in digits) > 0.7, name
    assert mean_auroc[name] > 0.9, name
print(f"lowest AUROC over the digits: " + ", ".join(
    f"{name} {min(results[d].auroc[name] for d in digits):.3f}" for name in detector_names))

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
plt.show()

# %% [markdown]
# ## What decides who wins?
#
# A reconstruction-based detector flags what it reconstructs badly. To beat PCA, the
# autoencoder must reconstruct new images of *its own* digit better than PCA does, and the
# other digits not equally well. The next table measures the first part, digit by digit:
# the mean reconstruction error of each detector on its own training images, on new
# (test) images of its digit, and on the anomalies.

# %%
train_errors = {d: {ae: float(reconstruction_errors(one_class_models[d], s.images).mean()),
                    pca: float(reconstruction_errors(one_class_pcas[d], s.images).mean())}
                for d, s in normal_sets.items()}
display(table(["normal class", "AE: training", "PCA: training", "AE: new normal",
               "PCA: new normal", "AE: anomalies", "PCA: anomalies"],
              [[f"digit {d}", train_errors[d][ae], train_errors[d][pca],
                results[d].mean_score(ae, anomalies=False),
                results[d].mean_score(pca, anomalies=False),
                results[d].mean_score(ae, anomalies=True),
                results[d].mean_score(pca, anomalies=True)] for d in digits],
              title="Mean reconstruction MSE per image"))
fits_training = [d for d in digits if train_errors[d][ae] < train_errors[d][pca]]
fits_new = [d for d in digits if results[d].mean_score(ae, anomalies=False)
            < results[d].mean_score(pca, anomalies=False)]
print(f"the autoencoder copies its own training images better than PCA for {len(fits_training)} "
      f"of {len(digits)} digits, and new images of its digit better for {len(fits_new)} "
      f"of {len(digits)}")
for name in (ae, pca):
    growth = np.mean([results[d].mean_score(name, anomalies=False) / train_errors[d][name] - 1
                      for d in digits])
    print(f"{name}: the error on new images of the digit is {growth:.0%} above the error on "
          f"its training images (mean over the digits)")

# %% [markdown]
# The lines above are the first part of the answer. With a few hundred images of one digit
# and this many steps, the autoencoder copies even its own training images better than PCA
# only for the digits counted, and the last two lines say how much each detector's error
# grows from the images it saw to new ones. One reason to expect a larger growth for the
# autoencoder: it has more freedom than PCA to fit the particular images it saw (124,069
# parameters, printed at the top; PCA fits 36 directions of 784 numbers each). A detector
# that copies new normal digits no better than PCA has little to gain over it.
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
display(table(["detector", "new normal MSE", "anomaly MSE", "AUROC"],
              [[name, focus_result.mean_score(name, anomalies=False),
                focus_result.mean_score(name, anomalies=True), focus_result.auroc[name]]
               for name in focus_detectors if name != pixels],
              title=f"Normal class: digit {focus}"))


def lower_by(name: str, *, anomalies: bool) -> float:
    """How much lower the longer-trained model's mean error is than the first model's."""
    return 1 - (focus_result.mean_score(name, anomalies=anomalies)
                / focus_result.mean_score(short, anomalies=anomalies))


print(f"twice the steps: the error on new normal digits {lower_by(long_, anomalies=False):.0%} "
      f"lower, on anomalies {lower_by(long_, anomalies=True):.0%} lower; AUROC "
      f"{focus_result.auroc[short]:.3f} → {focus_result.auroc[long_]:.3f} "
      f"(PCA {focus_result.auroc[pca]:.3f})")
learned = [name for name in focus_detectors if name != pixels]
best_copier = min(learned, key=lambda n: focus_result.mean_score(n, anomalies=False))
best_detector = max(learned, key=focus_result.auroc.get)
print(f"the best copier of new {focus}s: {best_copier}; the best detector: {best_detector}")
grid_vs_flat = ("worse" if focus_result.mean_score(grid_name, anomalies=False)
                > focus_result.mean_score(short, anomalies=False) else "better")
print(f"with the same steps, the 4×3×3 grid code copies new {focus}s {grid_vs_flat} than the "
      f"flat code")

# %% [markdown]
# The printed lines answer the question for this digit. Training longer lowers the error
# on new images of the digit, and on the anomalies as well (the first line says by how
# much each, and how far the AUROC moved): a detector gains only from the *gap* between the
# two. The grid-code line compares two codes of the same 36 numbers, trained for the same
# steps, that differ only in shape.
#
# Set the "new normal MSE" column beside the AUROC column: the line naming the best copier
# and the best detector says whether they are the same model. They need not be: the AUROC
# depends on how the *whole* distribution of scores of each anomaly digit sits against the
# normal digit's, not on a mean error.
#
# Which anomalies are hard? The next cell splits the AUROC by anomaly digit: for each
# other digit, the chance that one of its images scores above a normal image.

# %%
def auroc_against(name: str, other: int) -> float:
    """AUROC of detector ``name`` on the focus digit's test images against one other digit."""
    keep = (eval_set.labels == focus) | (eval_set.labels == other)
    return auroc(focus_result.scores[name][keep], (eval_set.labels[keep] == other).long())


others = [d for d in digits if d != focus]
by_digit = {name: [auroc_against(name, o) for o in others] for name in focus_detectors}
ink = [float(eval_set.images[eval_set.labels == d].mean()) for d in others]  # mean pixel value
display(table(["detector", *(f"vs {o}" for o in others)],
              [[name, *values] for name, values in by_digit.items()]
              + [["mean ink of that digit", *ink]],
              title=f"AUROC of digit {focus} against each other digit"))
focus_ink = float(eval_set.images[eval_set.labels == focus].mean())
print(f"mean ink of the normal digit {focus}: {focus_ink:.3f}; the digit with the least ink "
      f"is {others[int(np.argmin(ink))]} ({min(ink):.3f})")
hardest = {name: others[int(np.argmin(values))] for name, values in by_digit.items()}
print("hardest anomaly digit for each detector: "
      + ", ".join(f"{name}: {o}" for name, o in hardest.items()))
gaps = {o: by_digit[pca][i] - by_digit[short][i] for i, o in enumerate(others)}
worst = max(gaps, key=gaps.get)
print(f"the autoencoder ({ONE_CLASS.steps} steps) trails PCA most against digit {worst}: "
      f"{by_digit[short][others.index(worst)]:.3f} vs {by_digit[pca][others.index(worst)]:.3f}")

# %% [markdown]
# A mean squared error over all 784 pixels is small for a digit with little ink, whatever
# the model: a thin digit has little to get wrong. The table's last row and the first
# line under it measure the ink (the mean pixel value) of every digit: compare the
# least-inked digit with each detector's hardest anomaly digit, named on the second line
# (look at that digit in the pictures below). An AUROC below 0.5 against one digit means
# its images score *lower* than the normal digit's own. No detector here learns what an
# anomaly is; each only measures how closely it can reproduce an image from what it
# knows of the normal digit. The third line says against which digit the autoencoder's
# reproduction gives an anomaly away least clearly compared with PCA's.
#
# The scores of one detector, as histograms: reconstruction errors of the normal test
# digits against those of the anomalies, for the autoencoder trained on the focus digit.
# Where the two overlap, no threshold can separate them.

# %%
fig, ax = plt.subplots(figsize=(7, 3.5))
err = results[focus].scores[ae].numpy()
odd = results[focus].is_anomaly.numpy().astype(bool)
bins = np.linspace(0, np.quantile(err, 0.99), 40)
ax.hist(err[~odd], bins=bins, alpha=0.6, density=True, label=f"digit {focus} (normal)")
ax.hist(err[odd], bins=bins, alpha=0.6, density=True, label="other digits (anomalies)")
ax.set_xlabel("reconstruction error (MSE per pixel)")
ax.set_ylabel("density")
ax.set_title(f"Anomaly scores of the digit-{focus} autoencoder (test digits)")
ax.legend(fontsize=8)
fig.tight_layout()
plt.show()

# %% [markdown]
# What the model does to its own digit and to the others: the top row is one test image
# of each digit, the rows below are the reconstructions by the autoencoder and by PCA,
# both fitted on the focus digit. Anomalies come out bent towards the digit the model
# knows; that lost detail is the reconstruction error that flags them.

# %%
picks = torch.cat([(eval_set.labels == d).nonzero()[:1, 0] for d in digits])
show_image_rows({"test image": eval_set.images[picks],
                 f"digit-{focus} autoencoder": reconstruct(one_class_models[focus],
                                                           eval_set.images[picks]),
                 f"digit-{focus} PCA": one_class_pcas[focus].reconstruct(eval_set.images[picks])},
                title=f"Detectors fitted on digit {focus}, applied to every digit",
                column_titles=[f"digit {d}" for d in digits])
plt.show()

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
# The three feature sets. The probe and k-means use a fixed number of labelled training
# digits (the next cell prints it), so their cost does not grow with the data set:

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
display(table(["features", "linear probe accuracy", "k-means clustering accuracy"],
              [[name, probe_accuracy[name], cluster_accuracy[name]] for name in features],
              title="Features for classification (with labels) and clustering (without)"))
code_name, pca_name, raw_name = list(features)[2], list(features)[1], list(features)[0]
for test, scores in [("linear probe", probe_accuracy), ("k-means", cluster_accuracy)]:
    print(f"{test}: best features: {max(scores, key=scores.get)}; autoencoder code against "
          f"raw pixels {scores[code_name] - scores[raw_name]:+.1%}, against PCA "
          f"{scores[code_name] - scores[pca_name]:+.1%}")

# %%
for name in features:
    assert probe_accuracy[name] > 0.8, name
    assert cluster_accuracy[name] < probe_accuracy[name] - 0.15, name

# %% [markdown]
# Checked above: every feature set gives a linear probe above 80% accuracy, and for every
# feature set k-means, which never sees a label, groups the digits far less accurately
# (by more than 15 points) than the probe, which does. Which features win each test is
# printed above the check. The autoencoder's code was trained to
# reconstruct, not to separate digits, and k-means looks for round, equally sized groups,
# which digits in none of these spaces form.
#
# A picture of the codes: the next cell projects the test digits' 36-number codes to 2-D
# with PCA and colours them by their true digit.

# %%
codes_2d = PCA(n_components=2, random_state=0).fit_transform(features[code_name][1].numpy())
fig, ax = plt.subplots(figsize=(6.5, 5.5))
scatter = ax.scatter(codes_2d[:, 0], codes_2d[:, 1], c=eval_set.labels.numpy(), cmap="tab10",
                     s=6, alpha=0.7)
ax.legend(*scatter.legend_elements(), title="digit", fontsize=7, loc="best")
ax.set_xlabel("first principal direction of the codes")
ax.set_ylabel("second principal direction")
ax.set_title(f"Autoencoder codes ({code_size} numbers) of test digits, projected to 2-D")
fig.tight_layout()
plt.show()

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
#   k-means runs on a 36-number code trained only to reconstruct, from a few thousand digits
#   and a short budget.

# %% [markdown]
# ## Summary
#
# - **Anomaly detection**: a model fitted on one digit reconstructs that digit better than
#   the others, so its reconstruction error ranks anomalies (AUROC per digit in the table,
#   ROC curves below it). PCA with the same 36 numbers, and even the distance to the
#   nearest normal training image, are strong detectors on digits (AUROC above 0.7 for
#   every digit, asserted); how often the autoencoder beat PCA is printed.
# - **What decides who wins**: a detector needs a *gap* between the errors of normal
#   digits and of anomalies. Trained on a few hundred images of one digit, the
#   autoencoder copied new images of its digit better than PCA only for the digits
#   counted, and copied them less well than its training images; training longer lowers
#   the error on the anomalies too, not only on the normal digit. A better copier is not
#   necessarily a better detector (the focus-digit lines say whether they coincided), and
#   a digit with little ink has little to get wrong, so it looks normal to a detector that
#   scores by mean squared error.
# - **The shape of the code**: at 36 numbers, lesson 02's grid code and the flat code
#   differ as copiers and as detectors; the focus-digit table and lines say how.
# - **Features**: every feature set gives a linear probe above 80% accuracy, and k-means
#   without labels falls more than 15 points short of it (both asserted). Whether the
#   36-number code beats the 784 pixels and PCA is printed in the verdict lines.
#
# ## Exercises
#
# 1. Change `code_size` to 144 and rerun part 1. Does a bigger code help or hurt anomaly
#    detection? Compare the columns of the reconstruction-error table (training images,
#    new normal images, anomalies) with those of the 36-number run to explain why.
# 2. Score anomalies with a *denoising* autoencoder (lesson 08). In the part 1 loop,
#    replace `ONE_CLASS.train(...)` by `cached_train(one_class_models[d],
#    f"09_denoising_{d}", normal_sets[d], None, corrupt=functools.partial(gaussian_noise_mix,
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
