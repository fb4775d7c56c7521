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
# # 08 · Denoising and inpainting
#
# Two applications of autoencoders: removing noise from an image, and filling a hole in
# it. Both come from one small change to training: the model sees a *damaged* image at its
# input, and its loss compares the output with the *clean* image. Every result here is
# measured on held-out digits and set beside the simple tools you would try first: a
# Gaussian blur, a median filter, a projection onto a few principal components (PCA, the
# baseline of every lesson), and, for holes, pasting in the average digit or letting the
# surroundings seep in.
#
# **What you will learn**
# - how to train a denoising autoencoder (corrupted input, clean target) with one argument;
# - how to measure image quality with PSNR and SSIM, and what their numbers mean;
# - how to give classical filters a fair chance (settings tuned on training images), and
#   at which noise levels the autoencoder beats them, and at which it does not;
# - what an autoencoder trained only on clean digits does with a noisy one, and the part
#   BatchNorm plays in it;
# - how to mark a hole so that the model, and you, can see it, and how to score a fill on
#   the hidden pixels only.
#
# **Time:** about 35 minutes: reading, the code, and a minute or two of computing on one
# free CPU core the first time, longer on a busy one (four small models train; a second
# run loads them from the checkpoint cache in a fraction of a second).
#
# **Prerequisites:** lessons 01–02 (the `DeepConvAutoencoder`, PCA as a baseline), lesson
# 04 (the training loop, learning-rate schedules).

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
# The course's standard digits, with two limits: the models train on 4,000 of them (1,500
# in FAST mode), and every method is scored on the same 300 test digits (100 in FAST
# mode), because SSIM, one of the two quality measures, is computed image by image, which
# is slow.

# %%
import copy
import inspect
import time

import torch
from IPython.display import Code, display

from course_utils.applications import (
    DENOISING,
    HOLE_FILL,
    denoising_corruptions,
    fixed_box_mask,
    fixed_noise,
    gaussian_noise_mix,
    hole_box,
    masked_mse_per_image,
    pca_projection,
    train_denoisers,
    tune_baselines,
)
from course_utils.config import budget
from course_utils.filters import (
    fill_by_diffusion,
    fill_with_mean_image,
    gaussian_blur,
    median_filter,
)
from course_utils.metrics import pca_baseline, psnr, psnr_per_image, ssim, ssim_per_image
from course_utils.models import DeepConvAutoencoder
from course_utils.recipes import standard_data
from course_utils.summary import count_parameters
from course_utils.tables import table
from course_utils.training import reconstruct
from course_utils.verdicts import compare, compare_at, rank
from course_utils.viz import outline_boxes, plot_series, show, show_image_rows, use_house_style
from course_utils.widgets.denoise import (
    EXPLORER_DIGITS,
    inpaint_explorer,
    noise_explorer,
    prepare_noise,
)

notebook_start, notebook_cpu = time.perf_counter(), time.process_time()
use_house_style()  # plots, and tables (DataFrames) with thousands separators

train_set, test_set = standard_data()
train_set = train_set.subset(budget(full=4_000, fast=1_500))
eval_set = test_set.subset(budget(full=300, fast=100))
clean = eval_set.images  # N×1×28×28, values in [0, 1]
print(f"images from: {train_set.source}")
print(f"training: {len(train_set):,} digits; evaluation: {len(eval_set):,} test digits")

# %% [markdown]
# ## Two kinds of noise
#
# **Gaussian noise** adds a random number with standard deviation σ to every pixel (then
# clips to [0, 1]); **salt-and-pepper noise** sets a share of the pixels to pure black or
# pure white. `fixed_noise` draws the same noise every time (a fixed seed), so every method
# below is scored on identical noisy images. The same test digits at several strengths:

# %%
levels = {"Gaussian": [0.1, 0.2, 0.3, 0.4, 0.5],     # σ of the noise
          "salt & pepper": [0.05, 0.1, 0.2, 0.3]}   # share of pixels hit
sigmas, amounts = levels["Gaussian"], levels["salt & pepper"]
examples = clean[:8]  # 8×1×28×28
rows = {"clean": examples}
rows |= {f"Gaussian σ={s}": fixed_noise("Gaussian", examples, s) for s in (0.1, 0.3, 0.5)}
rows |= {f"salt & pepper {a:.0%}": fixed_noise("salt & pepper", examples, a)
         for a in (0.1, 0.3)}
show(show_image_rows(rows, title="The same test digits under increasing noise"),
     alt="Eight test digits, clean in the top row, then with Gaussian noise of σ 0.1, 0.3 "
         "and 0.5 and with salt and pepper on 10% and 30% of the pixels; the digits stay "
         "readable to the eye in every row.")

# %% [markdown]
# At σ = 0.5 the digits are still visible to you, although noise with a standard
# deviation of half the pixel range was added to every pixel. The job: get back the clean
# row from the noisy ones.
#
# ## Measuring quality: PSNR and SSIM
#
# - **PSNR** (peak signal-to-noise ratio) is the mean squared error on a log scale:
#   10·log10(1 / MSE) for pixels in [0, 1]. Higher is better; +3 dB halves the error.
# - **SSIM** (structural similarity) compares local means, contrasts and correlations
#   in small Gaussian windows; 1 means identical. It cares about strokes and edges rather
#   than raw pixel error.
#
# Both come from `course_utils.metrics`; SSIM is scikit-image's:

# %%
Code(inspect.getsource(psnr_per_image) + "\n\n" + inspect.getsource(ssim_per_image),
     language="python")

# %% [markdown]
# ## The classical baselines
#
# - A **Gaussian blur** averages each pixel with its neighbours: noise averages out, and
#   so do sharp edges.
# - A **median filter** takes the median of each 3×3 (or 5×5) square, which ignores a few
#   extreme values: the textbook cure for salt-and-pepper noise.
# - A **PCA projection** keeps only the first k principal components of the clean training
#   digits: what digits have in common survives, most of the noise does not.
#
# The blur and the median are SciPy's, applied image by image:

# %%
Code(inspect.getsource(gaussian_blur) + "\n\n" + inspect.getsource(median_filter),
     language="python")

# %% [markdown]
# A filter's strength must suit the noise: smoothing that removes strong noise also
# erases detail that weak noise leaves intact. To give each baseline its best shot,
# `tune_baselines` tunes it *on training images* at every noise level (the blur's width,
# the median's window, PCA's number of components), exactly as the autoencoders are
# trained on training images, and keeps the setting with the best PSNR. One PCA fit serves
# every k, because principal components are nested: the best k-dimensional subspace is
# spanned by the first k of them.

# %%
Code(inspect.getsource(tune_baselines), language="python")

# %%
pca = pca_baseline(train_set.images, 576)  # 576 components: the autoencoders' code size
best = tune_baselines(train_set.images[:300], levels, pca)
table(["noise", "level", "blur σ_blur", "median window", "PCA components"],
      [[kind, level, s["blur"], s["median"], s["PCA"]] for (kind, level), s in best.items()],
      title="Settings tuned on training images (best PSNR)")

# %% [markdown]
# Each row is one noise level. For Gaussian noise, the stronger the noise, the wider the
# tuned blur (or the same) and the fewer components PCA keeps (or the same): stronger
# noise calls for stronger smoothing. (The hidden cell below checks both trends.)

# %% jupyter={"source_hidden": true} tags=["hide-input"]
# Checked on every data size the course runs: stronger Gaussian noise never gets a
# narrower blur or more PCA components.
tuned_blur = [best["Gaussian", s]["blur"] for s in sigmas]
tuned_pca = [best["Gaussian", s]["PCA"] for s in sigmas]
assert tuned_blur == sorted(tuned_blur), tuned_blur
assert tuned_pca == sorted(tuned_pca, reverse=True), tuned_pca

# %% [markdown]
# ## One architecture, four training sets
#
# Every autoencoder in this lesson is lesson 02's `DeepConvAutoencoder` with 64 code
# channels (a 64×3×3 code). Only what it sees during training differs:
#
# | model | input during training | target |
# |---|---|---|
# | plain autoencoder | clean digit | clean digit |
# | Gaussian denoiser | clean + Gaussian noise, σ drawn per image in [0.1, 0.5] | clean digit |
# | salt-and-pepper denoiser | clean + salt & pepper, share per image in [5%, 30%] | clean digit |
# | inpainting model | clean digit with a random 10×10 square painted grey (0.5) | clean digit |
#
# Each denoiser is **one model trained on a mix of strengths**, not one model per level;
# it then faces every level in the tables below. The inpainting model's hole is painted
# mid grey, not black: black (0) is the background's value, so a black hole on the
# background looks like background, and one on a stroke looks like a gap in the stroke;
# neither you nor the model could tell where the hole is. Grey is neither ink nor
# background.
#
# The corruption is passed to the training loop as `corrupt=`, which damages each batch's
# inputs and keeps its targets clean. The four corruptions, one of them in full, and the
# loop that trains the four models:

# %%
Code(inspect.getsource(denoising_corruptions) + "\n\n" + inspect.getsource(gaussian_noise_mix)
     + "\n\n" + inspect.getsource(train_denoisers), language="python")

# %% [markdown]
# The architecture's size (this output is checked by the test suite):

# %% tags=["nbval-check-output"]
probe_model = DeepConvAutoencoder(latent_channels=64)
code_shape = tuple(probe_model.encode(torch.zeros(1, 1, 28, 28)).shape[1:])
code_size = int(torch.tensor(code_shape).prod())
print(f"DeepConvAutoencoder(64): {count_parameters(probe_model):,} parameters")
print(f"code: {'×'.join(map(str, code_shape))} = {code_size} numbers for 784 pixels")

# %% [markdown]
# All four models get the same recipe, `DENOISING`: Adam at a learning rate of 5e-3,
# annealed to zero by a cosine schedule, in batches of 32, for about 500 steps (100 in
# FAST mode). Same architecture, same start, same data, same number of steps: only the
# corruption differs. `cached_train` trains each model the first time and saves its
# weights in `checkpoints/`; later runs load them in a fraction of a second (the file name
# carries a digest of every setting, so changing one retrains).

# %%
models, histories = train_denoisers(train_set, denoising_corruptions(hole_fill=HOLE_FILL))
settings = DENOISING.settings(len(train_set))
steps = settings["epochs"] * -(-len(train_set) // settings["batch_size"])
table(["model", "steps", "epochs", "seconds"],
      [[label, steps, h.epochs, h.total_seconds] for label, h in histories.items()],
      title="Training: every model the same recipe")

# %% [markdown]
# ## How well can each model copy a clean digit?
#
# Before any noise: PSNR and SSIM of each model's output for the *clean* test digits,
# beside PCA with the same code size (576 numbers). A denoiser has to rebuild the digit
# from its code, so this is the best it does with a perfect input.

# %%
copies = {label: reconstruct(models[label], clean) for label in list(models)[:3]}
copies[f"PCA, {code_size} components"] = pca.reconstruct(clean)
table(["model", "PSNR (dB)", "SSIM"],
      [[label, psnr(out, clean), ssim(out, clean)] for label, out in copies.items()],
      title="Copying clean test digits")

# %% [markdown]
# PCA with 576 of 784 dimensions is almost a copy machine: it keeps nearly everything, and
# for that very reason it would also keep nearly all the noise. That is why the PCA
# *denoiser* keeps far fewer components. The autoencoders copy clean digits far less
# exactly than PCA-576 (the hidden cell checks it: at least 10 dB lower PSNR); lesson 02
# measured why: this model's 3×3 grid code gains little from more channels, while PCA at
# 576 components is nearly lossless.

# %% jupyter={"source_hidden": true} tags=["hide-input"]
pca_copy = psnr(copies[f"PCA, {code_size} components"], clean)
for label in list(models)[:3]:
    assert psnr(copies[label], clean) < pca_copy - 10, label

# %% [markdown]
# A denoiser's output can be no better than its copy of a clean digit. At weak noise, the
# noisy input itself may already be closer to the clean digit than that. Here is the
# weakest Gaussian noise, σ = 0.1, against the plain autoencoder's copy of the clean
# digits:

# %%
weak_noise_psnr = psnr(fixed_noise("Gaussian", clean, sigmas[0]), clean)
compare("the noisy input", weak_noise_psnr, "the plain autoencoder's clean copy",
        psnr(copies["plain autoencoder"], clean), measure="PSNR (dB)", lower_is_better=False,
        tie_within=0.01)

# %% [markdown]
# When the noise is weaker than the model's own copying error, there is little for a
# denoiser to win. (Throughout this lesson, PSNR or SSIM values within 1% of each other,
# about 0.2 dB at 20 dB, count as a tie: 300 test digits and one training run do not
# settle a smaller gap.)
#
# ## Gaussian noise: every method at every level
#
# The next cell corrupts the evaluation digits at each σ (seed 0, so the numbers repeat),
# runs every method with its tuned setting, and tabulates the mean PSNR and SSIM against
# the clean digits.

# %%
CLASSICAL = ("Gaussian blur (tuned)", "median filter (tuned)", "PCA projection (tuned)")


def denoised(kind: str, level: float, noisy: torch.Tensor, denoiser: str) -> dict:
    """Every method's output for the noisy images: label → N×1×28×28."""
    setting = best[kind, level]
    return {
        "noisy input": noisy,
        "Gaussian blur (tuned)": gaussian_blur(noisy, setting["blur"]),
        "median filter (tuned)": median_filter(noisy, setting["median"]),
        "PCA projection (tuned)": pca_projection(pca, noisy, setting["PCA"]),
        "plain autoencoder": reconstruct(models["plain autoencoder"], noisy),
        denoiser: reconstruct(models[denoiser], noisy),
    }


def evaluate_all(kind: str, denoiser: str) -> dict[str, dict[str, list[float]]]:
    """PSNR and SSIM of every method at every level: metric → method → one value per level."""
    results: dict[str, dict[str, list[float]]] = {"PSNR": {}, "SSIM": {}}
    for level in levels[kind]:
        noisy = fixed_noise(kind, clean, level)
        for method, out in denoised(kind, level, noisy, denoiser).items():
            results["PSNR"].setdefault(method, []).append(psnr(out, clean))
            results["SSIM"].setdefault(method, []).append(ssim(out, clean))
    return results


def results_table(results: dict, metric: str, columns: list[str], title: str):
    return table(["method", *columns],
                 [[method, *values] for method, values in results[metric].items()], title=title)


gaussian = evaluate_all("Gaussian", "Gaussian denoiser")
gaussian_columns = [f"σ={s}" for s in sigmas]
display(results_table(gaussian, "PSNR", gaussian_columns, "PSNR in dB (higher is better)"))
display(results_table(gaussian, "SSIM", gaussian_columns, "SSIM (1 = identical)"))

# %% [markdown]
# The same numbers as curves against the noise level:

# %%
def show_against_level(results: dict, kind: str, xlabel: str, title: str) -> None:
    for metric in ("PSNR", "SSIM"):
        fig = plot_series(results[metric], title=f"{title}: {metric}", xlabel=xlabel,
                          ylabel=metric + (" in dB" if metric == "PSNR" else ""),
                          x=levels[kind])
        show(fig, alt=f"{metric} of every method against the {kind} noise level on the test "
                      f"digits, one line per method: the noisy input, the tuned blur, median "
                      f"and PCA, the plain autoencoder and the denoiser.")


show_against_level(gaussian, "Gaussian", "Gaussian noise σ", "Denoising Gaussian noise")

# %% [markdown]
# Who wins, level by level? The denoiser against the best of the three tuned classical
# methods at each level (named in brackets), then against the noisy input it was given:

# %%
def against_best_classical(results: dict, columns: list[str], denoiser: str, metric: str):
    pairs = {}
    for i, column in enumerate(columns):
        winner = max(CLASSICAL, key=lambda m: results[metric][m][i])
        name = winner.split(" (")[0].replace(" projection", "")
        pairs[f"at {column} ({name})"] = (results[metric][denoiser][i],
                                          results[metric][winner][i])
    return compare_at(f"the {denoiser}", "the best tuned classical method", pairs,
                      measure=metric + (" in dB" if metric == "PSNR" else ""),
                      lower_is_better=False, tie_within=0.01)


def against_input(results: dict, columns: list[str], method: str):
    pairs = {f"at {c}": (results["PSNR"][method][i], results["PSNR"]["noisy input"][i])
             for i, c in enumerate(columns)}
    return compare_at(f"the {method}", "the noisy input", pairs, measure="PSNR in dB",
                      lower_is_better=False, tie_within=0.01)


salt_columns = [f"{a:.0%} hit" for a in amounts]
display(against_best_classical(gaussian, gaussian_columns, "Gaussian denoiser", "PSNR"))
display(against_best_classical(gaussian, gaussian_columns, "Gaussian denoiser", "SSIM"))
display(against_input(gaussian, gaussian_columns, "Gaussian denoiser"))

# %% [markdown]
# As σ grows, the noisy input, the filters and PCA lose many dB; the denoiser, which
# learned what digits look like, loses the fewest of all (checked in the hidden cell), so
# its margin over the input, the filters and PCA is wider at the strongest noise than at
# the weakest.
# The loss from the weakest to the strongest noise:

# %%
lost = {method: values[0] - values[-1] for method, values in gaussian["PSNR"].items()
        if method != "plain autoencoder"}
rank(lost, measure=f"PSNR lost from σ={sigmas[0]} to σ={sigmas[-1]} (dB)", tie_within=0.01)

# %% [markdown]
# At the strongest noise, σ = 0.5, the denoiser's PSNR is more than 5 dB above the noisy
# input's and above the tuned blur's, the tuned median filter's and the plain
# autoencoder's; its SSIM is above the noisy input's, the blur's and the plain
# autoencoder's. The hidden cell checks these on every data size the course runs.

# %% jupyter={"source_hidden": true} tags=["hide-input"]
last = len(sigmas) - 1
dae_psnr, dae_ssim = (gaussian[m]["Gaussian denoiser"][last] for m in ("PSNR", "SSIM"))
assert dae_psnr > gaussian["PSNR"]["noisy input"][last] + 5.0
for method in ("Gaussian blur (tuned)", "median filter (tuned)", "plain autoencoder"):
    assert dae_psnr > gaussian["PSNR"][method][last], method
for method in ("noisy input", "Gaussian blur (tuned)", "plain autoencoder"):
    assert dae_ssim > gaussian["SSIM"][method][last], method
assert min(lost, key=lost.get) == "Gaussian denoiser", lost

# %% [markdown]
# Here is what that looks like at σ = 0.3 and 0.5, one row per method:

# %%
def method_rows(kind: str, level: float, denoiser: str) -> dict:
    outputs = denoised(kind, level, fixed_noise(kind, examples, level), denoiser)
    setting = best[kind, level]
    names = {"Gaussian blur (tuned)": f"blur σ_blur={setting['blur']}",
             "median filter (tuned)": f"median {setting['median']}×{setting['median']}",
             "PCA projection (tuned)": f"PCA k={setting['PCA']}"}
    return {"clean": examples} | {names.get(m, m): out for m, out in outputs.items()}


for s in (0.3, 0.5):
    show(show_image_rows(method_rows("Gaussian", s, "Gaussian denoiser"),
                         title=f"Gaussian noise σ={s}: every method on the same test digits"),
         alt=f"Eight test digits with Gaussian noise of σ {s}, and below them the output of "
             f"the tuned blur, median filter and PCA projection, the plain autoencoder and "
             f"the Gaussian denoiser, one row each.")

# %% [markdown]
# ## What a plain autoencoder does with noise
#
# The plain autoencoder has the same architecture, data and training steps as the
# denoiser; it has just never seen noise. A noisy digit is unlike anything it was trained
# on. Does it clean it up, pass the noise through, or make it worse? Its PSNR beside the
# noisy input it was given, level by level:

# %%
against_input(gaussian, gaussian_columns, "plain autoencoder")

# %% [markdown]
# Its rows in the pictures above show where its error comes from: it removes much of the
# speckle, but paints a regular, blocky pattern of grey and white into the black
# background, strongest at σ = 0.5. The next cell counts white
# background (background pixels of the clean digit, below 0.1, that come out above 0.5)
# and tests one suspect: BatchNorm. In eval mode each BatchNorm layer normalises with the
# mean and variance it stored during training, that is, on clean digits. Noise changes
# those statistics. Running a *copy* of the same weights in training mode makes BatchNorm
# use the current batch's own statistics instead (a diagnosis, not a fix: the output of
# one image would then depend on the others in its batch).

# %%
def false_white(out: torch.Tensor) -> float:
    """Share of the clean digits' background pixels (< 0.1) that come out white (> 0.5)."""
    background = clean < 0.1
    return float(((out > 0.5) & background).sum() / background.sum())


plain = models["plain autoencoder"]
batch_statistics = copy.deepcopy(plain).train()  # a copy: a forward pass in training mode
diagnosis = {}                                    # updates BatchNorm's stored statistics
for s in (0.1, 0.3, 0.5):
    noisy = fixed_noise("Gaussian", clean, s)
    with torch.no_grad():
        own = batch_statistics(noisy)
    diagnosis[s] = {"noisy input": noisy, "plain, stored statistics": reconstruct(plain, noisy),
                    "plain, the batch's statistics": own,
                    "Gaussian denoiser": reconstruct(models["Gaussian denoiser"], noisy)}
table(["σ", "output", "PSNR (dB)", "white background"],
      [[s, name, psnr(out, clean), false_white(out)]
       for s, outputs in diagnosis.items() for name, out in outputs.items()],
      title="The plain autoencoder with its stored BatchNorm statistics and with the batch's own")

# %% [markdown]
# With the batch's own statistics instead of the stored ones:

# %%
def diagnosis_pairs(first: str, second: str, measure) -> dict:
    return {f"at σ = {s}": (measure(out[first]), measure(out[second]))
            for s, out in diagnosis.items()}


batch_name = "the plain autoencoder on the batch's statistics"
stored_name = "the plain autoencoder on its stored statistics"
by_psnr = diagnosis_pairs("plain, the batch's statistics", "plain, stored statistics",
                          lambda out: psnr(out, clean))
by_white = diagnosis_pairs("plain, the batch's statistics", "plain, stored statistics",
                           false_white)
display(compare_at(batch_name, stored_name, by_psnr, measure="PSNR in dB",
                   lower_is_better=False, tie_within=0.01))
display(compare_at(batch_name, stored_name, by_white, measure="share of white background",
                   tie_within=0.1))

# %% [markdown]
# Where the batch's statistics win, the blocky pattern came from BatchNorm's stored
# statistics meeting inputs unlike the ones they were measured on. And the plain autoencoder with
# its batch's statistics, against the denoiser:

# %%
compare_at("the Gaussian denoiser", "the plain autoencoder on the batch's statistics",
           diagnosis_pairs("Gaussian denoiser", "plain, the batch's statistics",
                           lambda out: psnr(out, clean)),
           measure="PSNR in dB", lower_is_better=False, tie_within=0.01)

# %% [markdown]
# The denoiser was trained on noisy inputs, so its stored statistics are those of noisy
# digits, and it learned which part of its input to ignore. At the two strongest levels
# it beats the plain autoencoder, as used (stored statistics), in PSNR and in SSIM
# (checked in the hidden cell). An autoencoder removes what it was trained to remove: the
# corruption used in training *is* the specification of the task.

# %% jupyter={"source_hidden": true} tags=["hide-input"]
for i in (-2, -1):  # the two strongest noise levels
    for metric in ("PSNR", "SSIM"):
        assert gaussian[metric]["Gaussian denoiser"][i] > gaussian[metric]["plain autoencoder"][i]

# %% [markdown]
# ## Salt-and-pepper noise
#
# The same comparison for salt and pepper, with the salt-and-pepper denoiser. This is
# the median filter's home ground.

# %%
salt = evaluate_all("salt & pepper", "salt-and-pepper denoiser")
display(results_table(salt, "PSNR", salt_columns, "PSNR in dB (higher is better)"))
display(results_table(salt, "SSIM", salt_columns, "SSIM (1 = identical)"))
show_against_level(salt, "salt & pepper", "share of pixels hit by salt and pepper",
                   "Denoising salt and pepper")

# %% [markdown]
# The denoiser against the best tuned classical method at each share of hit pixels, in
# PSNR and in SSIM, then against its input; last, the plain autoencoder against its input:

# %%
display(against_best_classical(salt, salt_columns, "salt-and-pepper denoiser", "PSNR"))
display(against_best_classical(salt, salt_columns, "salt-and-pepper denoiser", "SSIM"))
display(against_input(salt, salt_columns, "salt-and-pepper denoiser"))
display(against_input(salt, salt_columns, "plain autoencoder"))

# %% [markdown]
# At the strongest level, 30% of pixels hit, the salt-and-pepper denoiser beats the noisy
# input, the plain autoencoder and the tuned blur (checked in the hidden cell). What the
# methods do to the digits:

# %% jupyter={"source_hidden": true} tags=["hide-input"]
last = len(amounts) - 1
for method in ("noisy input", "plain autoencoder", "Gaussian blur (tuned)"):
    assert salt["PSNR"]["salt-and-pepper denoiser"][last] > salt["PSNR"][method][last], method

# %%
show(show_image_rows(method_rows("salt & pepper", 0.3, "salt-and-pepper denoiser"),
                     title="Salt and pepper on 30% of pixels: every method, same test digits"),
     alt="Eight test digits with salt and pepper on 30% of the pixels, and below them the "
         "output of the tuned blur, median filter and PCA projection, the plain autoencoder "
         "and the salt-and-pepper denoiser, one row each.")

# %% [markdown]
# ### Try it: noise against denoisers
#
# The explorer runs the lesson's methods on the first 48 evaluation digits. On the page,
# the slider steps through every noise kind and level, with each method at its tuned
# setting, the best PSNR marked. With a running kernel, pick any method and strength: at
# weak Gaussian noise, widen the blur or the median's window and watch the PSNR fall as
# the strokes blur; at strong noise, compare the denoiser's strokes with the median
# filter's.

# %%
denoisers = {"Gaussian": models["Gaussian denoiser"],
             "salt & pepper": models["salt-and-pepper denoiser"]}
noise_explorer(prepare_noise(clean[:EXPLORER_DIGITS], denoisers, levels, pca, best))

# %% [markdown]
# ## Inpainting: filling a hole
#
# Now the damage is a missing 10×10 square, painted grey (0.5) and placed at random in
# each image; the inpainting model was trained above on holes made the same way. A fair
# score counts **only the hidden pixels**: elsewhere, copying the input is trivially
# right. Two fills learn nothing:
#
# - the **mean image**: the average training digit's pixels, pasted into the hole;
# - **diffusion** (a blur-based fill): blur the image, copy the blurred values into the
#   hole only, and repeat, so the surroundings seep in.

# %%
Code(inspect.getsource(fill_by_diffusion), language="python")

# %% [markdown]
# The evaluation digits get their own fixed holes. Each autoencoder's output is used
# inside the hole only, and the known pixels are kept (this does not change the score,
# which counts the hole only, but it is what you would show a user). Two more rows set the
# scale: the hole left as it is (grey), and the hole painted black, the background's
# value.

# %%
masked, mask = fixed_box_mask(clean, 10, fill=HOLE_FILL, seed=0)
hole = mask.bool()  # N×1×28×28, True inside the hidden square
mean_image = train_set.images.mean(dim=0)  # 1×28×28
fills = {
    "left grey (the input)": masked,
    "painted black (0)": masked.masked_fill(hole, 0.0),
    "mean training image": fill_with_mean_image(masked, mask, mean_image),
    "diffusion (blur) fill": fill_by_diffusion(masked, mask, sigma=1.0, steps=50),
    "plain autoencoder": torch.where(hole, reconstruct(models["plain autoencoder"], masked),
                                     masked),
    "inpainting model": torch.where(hole, reconstruct(models["inpainting model"], masked),
                                    masked),
}
has_ink = (clean * mask).flatten(1).sum(dim=1) > 1.0  # holes that hid part of a stroke
hole_mse = {name: masked_mse_per_image(filled, clean, mask) for name, filled in fills.items()}
table(["fill", "MSE in the hole", "PSNR in the hole (dB)", "MSE, holes on ink"],
      [[name, float(err.mean()), float(10 * torch.log10(1 / err.mean())),
        float(err[has_ink].mean())] for name, err in hole_mse.items()],
      title=f"Inpainting a random 10×10 hole ({len(clean)} test digits, "
            f"{int(has_ink.sum())} of the holes on ink)")

# %%
fig = show_image_rows({"clean": examples} | {name: filled[:8] for name, filled in fills.items()},
                      title="Inpainting a random 10×10 hole (test digits), the hole outlined")
show(outline_boxes(fig, [hole_box(m) for m in mask[:8]]),
     alt="Eight test digits, each with its 10×10 hole outlined in orange: clean, with the "
         "hole painted grey, painted black, filled with the mean image, by diffusion, by the "
         "plain autoencoder and by the inpainting model.")

# %% [markdown]
# The inpainting model against every other fill, by the mean squared error inside the hole:

# %%
rank({name: float(err.mean()) for name, err in hole_mse.items()}, measure="MSE in the hole",
     tie_within=0.05)

# %% [markdown]
# The inpainting model fills the hole better than leaving it grey or black and better
# than the plain autoencoder, which was never trained on holes (checked in the hidden
# cell). Where it beats the mean image and diffusion too, it is because it knows what
# digits look like: a stroke that enters the hole must leave it somewhere. Diffusion only
# knows that images are smooth, and the mean image knows nothing about *this* digit. A
# model that is unsure where a stroke goes hedges with a faint blur, which is what squared
# error rewards: look for it in the inpainting row above.

# %% jupyter={"source_hidden": true} tags=["hide-input"]
model_hole = float(hole_mse["inpainting model"].mean())
for name in ("left grey (the input)", "painted black (0)", "plain autoencoder"):
    assert model_hole < float(hole_mse[name].mean()), name

# %% [markdown]
# ### Try it: move the hole
#
# The same 10×10 hole in every digit, its position yours to choose. On the page the slider
# moves it through five positions; with a running kernel, the row and column sliders put it
# anywhere. Errors are the mean squared error inside the hole over 48 test digits. Look for
# where the model's fill follows a stroke through the hole and where it hedges with grey
# blur, and for the positions on the empty border, where every fill is close to right.

# %%
inpaint_explorer(clean[:EXPLORER_DIGITS], models["inpainting model"])

# %% [markdown]
# The times of this run:

# %%
print(f"this notebook ran in {time.perf_counter() - notebook_start:.0f} s "
      f"({time.process_time() - notebook_cpu:.0f} s of CPU time) with "
      f"{torch.get_num_threads()} CPU thread(s); training its {len(histories)} models took "
      f"{sum(h.total_seconds for h in histories.values()):.0f} s (in this run, or in an "
      f"earlier one for weights that came from the cache)")

# %% [markdown]
# ## Summary
#
# - A denoising or inpainting autoencoder is an ordinary autoencoder trained with damaged
#   inputs and clean targets: one `corrupt=` argument to the training loop.
# - Scored fairly (filters tuned on training images, the same test noise for every
#   method), the Gaussian denoiser loses the fewest dB of all methods as the noise grows,
#   and at the strongest noise it beats the noisy input by more than 5 dB, and the tuned
#   blur, the tuned median filter and the plain autoencoder. At weak noise its own copying
#   error holds it back; the verdicts level by level say where it overtakes the best
#   classical method on these digits.
# - An autoencoder trained on clean digits was never told what noise is. Part of what goes
#   wrong is BatchNorm: its statistics, stored on clean digits, do not fit noisy ones. At
#   strong noise the denoiser beats it: the corruption used in training defines the task.
# - For salt and pepper the median filter is the specialist, strong at low shares of hit
#   pixels; at 30% the salt-and-pepper denoiser beats the noisy input, the blur and the
#   plain autoencoder.
# - For inpainting, mark the hole with a value that is neither ink nor background, and
#   score only the hidden pixels. The trained model beats leaving the hole as it is and
#   the plain autoencoder.
#
# ## Exercises
#
# 1. Train the four models for 1,500 steps instead of 500: run
#    `import course_utils.applications as apps` and
#    `apps.DENOISING = Recipe(lr=5e-3, steps=1_500, fast_steps=100)` (`Recipe` comes from
#    `course_utils.recipes`) before `train_denoisers`. How does each model's PSNR on clean
#    digits change, and does the denoiser now beat the noisy input at σ = 0.1?
# 2. Train a Gaussian denoiser on σ = 0.5 only: `train_denoisers(train_set, {"denoiser
#    0.5": functools.partial(gaussian_noise_mix, low=0.5, high=0.5)})`, and test it at
#    every level. What does a mismatch between training and test noise cost?
# 3. Give the Gaussian denoiser a tighter code (`DeepConvAutoencoder(latent_channels=8)`,
#    72 numbers; copy the loop of `train_denoisers` and change the model). Does a
#    bottleneck help or hurt denoising, at weak and at strong noise?
# 4. Train the inpainting model with black holes: `denoising_corruptions(hole_fill=0.0)`,
#    and test it on black holes (`fixed_box_mask(clean, 10, fill=0.0)`). How much of its
#    advantage over diffusion does it keep, on holes over ink and on holes over background?
# 5. Make the holes 14×14 (`box_size=14`, for training and for the test masks). Which
#    fill suffers most?
#
# Next: **09 · Anomaly detection and features**.
