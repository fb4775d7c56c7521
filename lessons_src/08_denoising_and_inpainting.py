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
# Gaussian blur, a median filter, a projection onto a few principal components (PCA), and,
# for holes, pasting in the average digit or letting the surroundings seep in.
#
# **What you will learn**
# - how to train a denoising autoencoder (corrupted input, clean target) with one argument;
# - how to measure image quality with PSNR and SSIM, and what their numbers mean;
# - how to give classical filters a fair chance (settings tuned on training images), and
#   at which noise levels the autoencoder beats them, and at which it does not;
# - what an autoencoder trained only on clean digits does with a noisy one;
# - how to train and score an inpainting model, counting only the pixels that were hidden.
#
# **Time:** about 20 minutes to read. The computing takes two to three minutes on a free
# CPU core the first time (four small models train from scratch), longer on a busy one; a
# second run loads the models from the checkpoint cache. The last code cell prints this
# run's times.
#
# **Prerequisites:** lessons 01–02 (the `DeepConvAutoencoder`), lesson 04 (the training
# loop, learning-rate schedules).

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
# The course's standard digits, with two limits: the models train on at most a few thousand
# of them (their recipe below makes four passes over that many), and every method is
# scored on the same few hundred test digits, because SSIM, one of the two quality
# measures, is computed image by image, which is slow.

# %%
import copy
import functools
import inspect
import time

import matplotlib.pyplot as plt
import torch
from IPython.display import Code, display

from course_utils.applications import (
    fixed_gaussian_noise,
    fixed_salt_and_pepper,
    gaussian_noise_mix,
    mask_boxes,
    masked_mse_per_image,
    pca_projection,
    salt_and_pepper_mix,
    tune_filter,
)
from course_utils.config import budget, seed_everything
from course_utils.data import random_box_mask
from course_utils.filters import (
    fill_by_diffusion,
    fill_with_mean_image,
    gaussian_blur,
    median_filter,
)
from course_utils.metrics import pca_baseline, psnr, psnr_per_image, ssim, ssim_per_image
from course_utils.models import DeepConvAutoencoder
from course_utils.recipes import Recipe, standard_data
from course_utils.summary import count_parameters
from course_utils.tables import table
from course_utils.training import cached_train, reconstruct
from course_utils.viz import show_image_rows, use_house_style

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
# `course_utils.data` has the corruptions (the `fixed_…` versions used here live in
# `course_utils.applications`). **Gaussian noise** adds a random number with
# standard deviation σ to every pixel (then clips to [0, 1]); **salt-and-pepper noise** sets a
# share of the pixels to pure black or pure white. The next cell shows both at several
# strengths on the same test digits. The `fixed_…` versions draw the same noise every time
# (a fixed seed), so every method below is scored on identical noisy images.

# %%
sigmas = [0.1, 0.2, 0.3, 0.4, 0.5]  # Gaussian noise levels
amounts = [0.05, 0.1, 0.2, 0.3]  # shares of pixels hit by salt and pepper
examples = clean[:8]  # 8×1×28×28
rows = {"clean": examples}
rows |= {f"Gaussian σ={s}": fixed_gaussian_noise(examples, s) for s in (0.1, 0.3, 0.5)}
rows |= {f"salt & pepper {a:.0%}": fixed_salt_and_pepper(examples, a) for a in (0.1, 0.3)}
show_image_rows(rows, title="The same test digits under increasing noise")
plt.show()

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
# erases detail that weak noise leaves intact. To give each baseline its best shot, the
# next cell tunes it *on training images* at every noise level (the blur's width, the
# median's window, PCA's number of components), exactly as the autoencoders are trained on
# training images, and keeps the setting with the best PSNR. One PCA fit serves every k,
# because principal components are nested: the best k-dimensional subspace is spanned by
# the first k of them.

# %%
blur_widths = [0.5, 0.75, 1.0, 1.5, 2.0]
median_sizes = [3, 5]
pca_sizes = [16, 32, 64, 128, 256]
pca = pca_baseline(train_set.images, 576)  # 576 components: see the code size below
tuning_images = train_set.images[:300]
noise_kinds = {"Gaussian": (sigmas, fixed_gaussian_noise),
               "salt & pepper": (amounts, fixed_salt_and_pepper)}
best = {}  # (kind, level) → {"blur": σ_blur, "median": window, "PCA": k}
for kind, (levels, corrupt) in noise_kinds.items():
    for level in levels:
        noisy = corrupt(tuning_images, level, seed=123)  # not the test noise (seed 0)
        best[kind, level] = {
            "blur": tune_filter(gaussian_blur, blur_widths, noisy, tuning_images),
            "median": tune_filter(median_filter, median_sizes, noisy, tuning_images),
            "PCA": tune_filter(functools.partial(pca_projection, pca), pca_sizes, noisy,
                               tuning_images),
        }
table(["noise", "level", "blur σ_blur", "median window", "PCA components"],
      [[kind, level, s["blur"], s["median"], s["PCA"]] for (kind, level), s in best.items()],
      title="Settings tuned on training images (best PSNR)")

# %% [markdown]
# Each row is one noise level. As the noise grows, the tuned blur never gets narrower and
# PCA keeps fewer components: stronger noise calls for stronger smoothing. The median
# filter keeps its smallest window, 3×3, at every level.
#
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
# | inpainting model | clean digit with a random 10×10 square set to 0 | clean digit |
#
# Each denoiser is **one model trained on a mix of strengths**, not one model per level;
# it then faces every level in the tables below. The corruption is passed to the training
# loop as `corrupt=`, which damages each batch's inputs and keeps its targets clean:

# %%
Code(inspect.getsource(gaussian_noise_mix), language="python")

# %% [markdown]
# The architecture's size (this output is checked by the test suite):

# %% tags=["nbval-check-output"]
probe_model = DeepConvAutoencoder(latent_channels=64)
code_shape = tuple(probe_model.encode(torch.zeros(1, 1, 28, 28)).shape[1:])
code_size = int(torch.tensor(code_shape).prod())
print(f"DeepConvAutoencoder(64): {count_parameters(probe_model):,} parameters")
print(f"code: {'×'.join(map(str, code_shape))} = {code_size} numbers for 784 pixels")

# %% [markdown]
# All four models get the same recipe: Adam at a learning rate of 5e-3, annealed to zero
# by a cosine schedule, in batches of 32, for the number of steps printed below. Same
# architecture, same data, same number of steps: only the corruption differs.
# `cached_train` trains each model the first time and saves its weights in `checkpoints/`;
# later runs load them in a fraction of a second (the file name carries a digest of every
# setting, so changing one retrains).

# %%
DENOISING = Recipe(lr=5e-3, steps=500, fast_steps=100)
settings = DENOISING.settings(len(train_set))
corruptions = {
    "plain autoencoder": None,
    "Gaussian denoiser": functools.partial(gaussian_noise_mix, low=0.1, high=0.5),
    "salt-and-pepper denoiser": functools.partial(salt_and_pepper_mix, low=0.05, high=0.3),
    "inpainting model": functools.partial(mask_boxes, box_size=10),
}
models, histories = {}, {}
for label, corrupt in corruptions.items():
    seed_everything(0)
    models[label] = DeepConvAutoencoder(latent_channels=64)
    histories[label] = cached_train(models[label], f"08_{label.replace(' ', '_')}", train_set,
                                    corrupt=corrupt, **settings)
steps = settings["epochs"] * -(-len(train_set) // settings["batch_size"])
table(["model", "steps", "epochs", "final training loss", "seconds"],
      [[label, steps, h.epochs, h.final_train_loss, h.total_seconds]
       for label, h in histories.items()], title="Training (MSE against the clean digits)")

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
# *denoiser* above keeps far fewer components. The autoencoders copy clean digits far less
# exactly than PCA-576 (lesson 02 measured why: this model's 3×3 grid code gains little
# from more channels, while PCA at 576 components is nearly lossless). The next cell
# compares the plain autoencoder's copy with a noisy input at the weakest noise level.

# %%
weak_noise_psnr = psnr(fixed_gaussian_noise(clean, sigmas[0]), clean)
plain_copy_psnr = psnr(copies["plain autoencoder"], clean)
print(f"the clean digits with Gaussian noise σ={sigmas[0]}: {weak_noise_psnr:.2f} dB; "
      f"the plain autoencoder's copy of the *clean* digits: {plain_copy_psnr:.2f} dB")
print("at the weakest noise, the noisy input is already "
      + ("closer to the clean digit than the autoencoder's copy of it" if weak_noise_psnr
         > plain_copy_psnr else "further from the clean digit than the autoencoder's copy"))

# %% [markdown]
# Keep that comparison in mind for the tables below: when the noise is weaker than the
# model's own copying error, there is little for a denoiser to win.
#
# ## Gaussian noise: every method at every level
#
# The next cell corrupts the evaluation digits at each σ (seed 0, so the numbers repeat),
# runs every method with its tuned setting, and tabulates the mean PSNR and SSIM against
# the clean digits.

# %%
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
    levels, corrupt = noise_kinds[kind]
    results: dict[str, dict[str, list[float]]] = {"PSNR": {}, "SSIM": {}}
    for level in levels:
        for method, out in denoised(kind, level, corrupt(clean, level, seed=0), denoiser).items():
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
def plot_against_level(results: dict, levels: list[float], xlabel: str, title: str) -> None:
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for ax, metric in zip(axes, ("PSNR", "SSIM")):
        for method, values in results[metric].items():
            ax.plot(levels, values, marker="o", ms=4, label=method)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(f"{metric} against the clean digit" + (" (dB)" if metric == "PSNR" else ""))
        ax.set_title(f"{metric} against noise level")
    axes[0].legend(fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    plt.show()


plot_against_level(gaussian, sigmas, "Gaussian noise σ", "Denoising Gaussian noise (test digits)")

# %% [markdown]
# What the table says, level by level, computed from it:

# %%
CLASSICAL = ("Gaussian blur (tuned)", "median filter (tuned)", "PCA projection (tuned)")


def verdicts(results: dict, denoiser: str, labels: list[str]) -> None:
    """One line per level: who wins, and the denoiser against the input and the best filter."""
    for i, label in enumerate(labels):
        psnrs = {method: values[i] for method, values in results["PSNR"].items()}
        ssims = {method: values[i] for method, values in results["SSIM"].items()}
        best_classical = max(CLASSICAL, key=psnrs.get)
        print(f"{label}: best PSNR {max(psnrs, key=psnrs.get)}, best SSIM "
              f"{max(ssims, key=ssims.get)}; the {denoiser} is "
              f"{psnrs[denoiser] - psnrs['noisy input']:+.2f} dB against the noisy input and "
              f"{psnrs[denoiser] - psnrs[best_classical]:+.2f} dB against the best filter "
              f"({best_classical})")


verdicts(gaussian, "Gaussian denoiser", gaussian_columns)
print(f"\nthe Gaussian denoiser's copy of clean digits: "
      f"{psnr(copies['Gaussian denoiser'], clean):.2f} dB; its output at σ={sigmas[0]}: "
      f"{gaussian['PSNR']['Gaussian denoiser'][0]:.2f} dB")
print(f"PSNR lost from σ={sigmas[0]} to σ={sigmas[-1]}: " + ", ".join(
    f"{method} {values[0] - values[-1]:.1f} dB" for method, values in gaussian["PSNR"].items()
    if method != "plain autoencoder"))

# %% [markdown]
# Read the lines from the top. At the weakest noise the denoiser's output is about as
# good as its copy of a *clean* digit: its own copying error holds it back, and the first
# line says whether it still beat the noisy input and the filters. As σ grows, the noisy
# input, the filters and PCA lose many dB, while the denoiser, which learned what digits
# look like, loses few (the last line).
#
# The next cell checks the claim at the strongest noise: there the denoiser's PSNR is
# more than 5 dB above the noisy input's, and above the tuned blur's, the tuned median
# filter's and the plain autoencoder's; its SSIM is above the noisy input's, the blur's
# and the plain autoencoder's. Against PCA the lines above give the verdict.

# %%
last = len(sigmas) - 1
dae_psnr, dae_ssim = (gaussian[m]["Gaussian denoiser"][last] for m in ("PSNR", "SSIM"))
assert dae_psnr > gaussian["PSNR"]["noisy input"][last] + 5.0
for method in ("Gaussian blur (tuned)", "median filter (tuned)", "plain autoencoder"):
    assert dae_psnr > gaussian["PSNR"][method][last], method
for method in ("noisy input", "Gaussian blur (tuned)", "plain autoencoder"):
    assert dae_ssim > gaussian["SSIM"][method][last], method

# %% [markdown]
# Here is what that looks like at σ = 0.3 and 0.5, one row per method:

# %%
def method_rows(kind: str, level: float, denoiser: str) -> dict:
    corrupt = noise_kinds[kind][1]
    outputs = denoised(kind, level, corrupt(examples, level, seed=0), denoiser)
    setting = best[kind, level]
    names = {"Gaussian blur (tuned)": f"blur σ_blur={setting['blur']}",
             "median filter (tuned)": f"median {setting['median']}×{setting['median']}",
             "PCA projection (tuned)": f"PCA k={setting['PCA']}"}
    return {"clean": examples} | {names.get(m, m): out for m, out in outputs.items()}


for s in (0.3, 0.5):
    show_image_rows(method_rows("Gaussian", s, "Gaussian denoiser"),
                    title=f"Gaussian noise σ={s}: every method on the same test digits")
    plt.show()

# %% [markdown]
# ## What a plain autoencoder does with noise
#
# The plain autoencoder has the same architecture, data and training steps as the
# denoiser; it has just never seen noise. A noisy digit is unlike anything it was trained
# on. Does it clean it up, pass the noise through, or make it worse? The next cell sets
# its PSNR beside the noisy input it was given, level by level, with the denoiser for
# comparison.

# %%
for i, s in enumerate(sigmas):
    noisy_psnr = gaussian["PSNR"]["noisy input"][i]
    plain = gaussian["PSNR"]["plain autoencoder"][i]
    dae = gaussian["PSNR"]["Gaussian denoiser"][i]
    print(f"σ={s}: noisy input {noisy_psnr:6.2f} dB | plain autoencoder {plain:6.2f} dB "
          f"({plain - noisy_psnr:+.2f}, {'better' if plain > noisy_psnr else 'worse'} than "
          f"its input) | denoiser {dae:6.2f} dB ({dae - noisy_psnr:+.2f})")
for i in (-2, -1):  # the two strongest noise levels
    for metric in ("PSNR", "SSIM"):
        assert gaussian[metric]["Gaussian denoiser"][i] > gaussian[metric]["plain autoencoder"][i]

# %% [markdown]
# The lines above say, level by level, whether the plain autoencoder's output is closer to
# the clean digit than its noisy input was. Its rows in the pictures above show where its
# error comes from: it removes much of the speckle, but paints blocks of the black
# background pure white, at σ = 0.5 in a regular pattern. The next cell counts white
# background (background pixels of the clean digit, below 0.1, that come out above 0.5)
# and tests one suspect: BatchNorm. In eval
# mode each BatchNorm layer normalises with the mean and variance it stored during
# training, that is, on clean digits. Noise changes those statistics. Running a *copy* of
# the same weights in training mode makes BatchNorm use the current batch's own statistics
# instead (a diagnosis, not a fix: the output of one image would then depend on the others
# in its batch).

# %%
def false_white(out: torch.Tensor) -> float:
    """Share of the clean digits' background pixels (< 0.1) that come out white (> 0.5)."""
    background = clean < 0.1
    return float(((out > 0.5) & background).sum() / background.sum())


plain = models["plain autoencoder"]
batch_statistics = copy.deepcopy(plain).train()  # a copy: a forward pass in training mode
for s in (0.1, 0.3, 0.5):                        # updates BatchNorm's stored statistics
    noisy = fixed_gaussian_noise(clean, s)
    stored = reconstruct(plain, noisy)
    with torch.no_grad():
        own = batch_statistics(noisy)
    denoiser_out = reconstruct(models["Gaussian denoiser"], noisy)
    print(f"σ={s}: noisy input {false_white(noisy):6.2%} of background white | plain autoencoder,"
          f" stored statistics: {psnr(stored, clean):5.2f} dB, {false_white(stored):6.2%} | the "
          f"batch's own statistics: {psnr(own, clean):5.2f} dB, {false_white(own):6.2%} | "
          f"denoiser: {psnr(denoiser_out, clean):5.2f} dB, {false_white(denoiser_out):6.2%}")
    trails = psnr(own, clean) < psnr(denoiser_out, clean)
    print(f"       with its batch's own statistics the plain autoencoder "
          f"{'still trails' if trails else 'does at least as well as'} the denoiser")

# %% [markdown]
# With its stored statistics the plain autoencoder leaves about as much of the background
# white as the noisy input had, only in blocks; with the batch's own statistics the white
# background all but disappears at σ = 0.3 and 0.5, and the PSNR rises by several dB (the
# lines above). The blocks come from BatchNorm's stored statistics meeting inputs unlike
# the ones they were measured on.
#
# Even with the batch's own statistics, the plain autoencoder's PSNR at σ = 0.3 and 0.5
# stays below the denoiser's (in each line, compare the dB after "the batch's own
# statistics" with the dB after "denoiser"). The denoiser was trained on noisy inputs, so
# its stored statistics are those of noisy digits, and it learned which part of its input
# to ignore. An autoencoder removes what it was trained to remove: the corruption used in
# training *is* the specification of the task.
#
# ## Salt-and-pepper noise
#
# The same comparison for salt and pepper, with the salt-and-pepper denoiser. This is
# the median filter's home ground.

# %%
salt = evaluate_all("salt & pepper", "salt-and-pepper denoiser")
salt_columns = [f"{a:.0%} hit" for a in amounts]
display(results_table(salt, "PSNR", salt_columns, "PSNR in dB (higher is better)"))
display(results_table(salt, "SSIM", salt_columns, "SSIM (1 = identical)"))
plot_against_level(salt, amounts, "share of pixels hit by salt and pepper",
                   "Denoising salt-and-pepper noise (test digits)")

# %%
verdicts(salt, "salt-and-pepper denoiser", salt_columns)
for i, a in enumerate(amounts):
    gain = salt["PSNR"]["plain autoencoder"][i] - salt["PSNR"]["noisy input"][i]
    print(f"{a:.0%} hit: the plain autoencoder's output is {abs(gain):.2f} dB "
          f"{'closer to' if gain > 0 else 'further from'} the clean digit than its input")
last = len(amounts) - 1
for method in ("noisy input", "plain autoencoder", "Gaussian blur (tuned)"):
    assert salt["PSNR"]["salt-and-pepper denoiser"][last] > salt["PSNR"][method][last], method

# %%
show_image_rows(method_rows("salt & pepper", 0.3, "salt-and-pepper denoiser"),
                title="Salt and pepper on 30% of pixels: every method on the same test digits")
plt.show()

# %% [markdown]
# The lines above give the verdict at each share of hit pixels; compare the denoiser with
# the median filter in particular, the specialist for this noise. Checked at the strongest
# level (30% of pixels hit): the salt-and-pepper denoiser beats the noisy input, the
# plain autoencoder and the tuned blur. Against the median filter and PCA, the printed
# lines decide.
#
# ## Inpainting: filling a hole
#
# Now the damage is a missing 10×10 square (set to 0), placed at random in each image;
# the inpainting model was trained above with `corrupt=mask_boxes`. A fair score counts
# **only the hidden pixels**: elsewhere, copying the input is trivially right. Two fills
# learn nothing:
#
# - the **mean image**: the average training digit's pixels, pasted into the hole;
# - **diffusion** (a blur-based fill): blur the image, copy the blurred values into the
#   hole only, and repeat, so the surroundings seep in.

# %%
Code(inspect.getsource(fill_by_diffusion), language="python")

# %% [markdown]
# The evaluation digits get their own fixed holes. Each autoencoder's output is used
# inside the hole only, and the known pixels are kept (this does not change the score,
# which counts the hole only, but it is what you would show a user).

# %%
masked, mask = random_box_mask(clean, 10, generator=torch.Generator().manual_seed(0))
hole = mask.bool()  # N×1×28×28, True inside the hidden square
mean_image = train_set.images.mean(dim=0)  # 1×28×28
fills = {
    "left empty (zeros)": masked,
    "mean training image": fill_with_mean_image(masked, mask, mean_image),
    "diffusion (blur) fill": fill_by_diffusion(masked, mask, sigma=1.0, steps=50),
    "plain autoencoder": torch.where(hole, reconstruct(models["plain autoencoder"], masked),
                                     masked),
    "inpainting model": torch.where(hole, reconstruct(models["inpainting model"], masked),
                                    masked),
}
has_ink = (clean * mask).flatten(1).sum(dim=1) > 1.0  # holes that hid part of the digit
hole_mse = {name: masked_mse_per_image(filled, clean, mask) for name, filled in fills.items()}
print(f"{int(has_ink.sum())} of {len(clean)} holes hide part of a digit")
table(["fill", "MSE in the hole", "PSNR in the hole (dB)", "MSE, holes on ink"],
      [[name, float(err.mean()), float(10 * torch.log10(1 / err.mean())),
        float(err[has_ink].mean())] for name, err in hole_mse.items()],
      title="Inpainting a random 10×10 hole (test digits)")

# %%
show_image_rows({"clean": examples} | {name: filled[:8] for name, filled in fills.items()},
                title="Inpainting a random 10×10 hole (test digits)")
plt.show()

# %%
model_hole = float(hole_mse["inpainting model"].mean())
for name in ("left empty (zeros)", "mean training image", "diffusion (blur) fill",
             "plain autoencoder"):
    ratio = float(hole_mse[name].mean()) / model_hole
    print(f"inpainting model against {name}: " + (f"{ratio:.2f}× lower error in the hole"
          if ratio > 1 else f"{1 / ratio:.2f}× HIGHER error in the hole"))
for name in ("left empty (zeros)", "plain autoencoder"):
    assert model_hole < float(hole_mse[name].mean()), name

# %% [markdown]
# Checked by the asserts: the inpainting model fills the hole better than leaving it
# empty and than the plain autoencoder, which was never trained on holes and mostly keeps
# them. Against the mean image and diffusion the printed lines give the verdict. Where
# the model wins, it is because it knows what digits look like: a stroke that enters the
# hole must leave it somewhere. Diffusion only knows that images are smooth, and the mean
# image knows nothing about *this* digit. A model that is unsure where a stroke goes hedges
# with a faint blur, which is what squared error rewards: look for it in the inpainting row
# above.
#
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
#   method), the denoiser loses far fewer dB than the other methods as the noise grows (the
#   "PSNR lost" line): at the strongest Gaussian noise
#   it beats the noisy input, the tuned blur and median filter and the plain autoencoder
#   (asserted; the verdict against PCA is printed). At weak noise its own copying error
#   holds it back, and the printed verdicts say who won there.
# - An autoencoder trained on clean digits was never told what noise is. Part of what goes
#   wrong is BatchNorm: its statistics, stored on clean digits, do not fit noisy ones. The
#   denoiser beats the plain autoencoder at strong noise (asserted): the corruption used in
#   training defines the task.
# - For salt and pepper the median filter is the specialist; the printed verdicts say at
#   which shares of hit pixels the denoiser beat it.
# - For inpainting, score only the hidden pixels. The trained model beats leaving the hole
#   empty and the plain autoencoder (asserted); the verdicts against the mean image and
#   diffusion are printed.
#
# ## Exercises
#
# 1. Train the four models for 1,500 steps instead of 500
#    (`DENOISING = Recipe(lr=5e-3, steps=1_500, fast_steps=100)`). How does each
#    model's PSNR on clean digits change, and does the denoiser now beat the noisy input at
#    σ = 0.1?
# 2. Train a Gaussian denoiser on σ = 0.5 only (`low=0.5, high=0.5`) and test it at every
#    level. What does a mismatch between training and test noise cost?
# 3. Give the Gaussian denoiser a tighter code (`DeepConvAutoencoder(latent_channels=8)`,
#    72 numbers). Does a bottleneck help or hurt denoising, at weak and at strong noise?
# 4. Make the holes 14×14 (`box_size=14`, for training and for the test masks). Which
#    fill suffers most?
#
# Next: **09 · Anomaly detection and features**.
