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
# # 04 · Training deep autoencoders
#
# Tutorials on deep autoencoders often train with gradient clipping and give a table of
# techniques for deep networks, like this one:
#
# | Technique | Purpose | When to use |
# |---|---|---|
# | Gradient clipping | Prevents exploding gradients | Always for deep networks |
# | Batch normalization | Stabilizes training | Standard for 3+ layers |
# | Dropout | Regularization against overfitting | When capacity exceeds data complexity |
# | Learning-rate scheduling | Adapts the learning rate during training | For fine-tuning convergence |
# | Mixed precision (bfloat16) | Faster training, less memory | When the hardware computes bfloat16 |
#
# A second choice comes up as often: the loss, mean squared error or binary
# cross-entropy. This lesson turns each row, and the loss, into a small controlled
# experiment on the `DeepAutoencoder` of lesson 03: one change, everything else fixed,
# curves and a table of results; at the end, the table again with what we measured.
#
# **What you will learn**
# - what gradient clipping does, how large this model's gradients really are, and when
#   clipping changes anything;
# - what BatchNorm and Dropout do to training and to the gap between training and test error;
# - four learning-rate schedules (constant, step, cosine, one-cycle) side by side;
# - MSE vs binary cross-entropy, compared on the same yardstick, and why their loss values
#   cannot be compared directly;
# - mixed precision: what `precision="bf16"` does, and when it is faster.
#
# **Time:** about 30 minutes to read and run; the trainings take about two minutes on
# one CPU core (the last cell prints how long they took on yours).
#
# **Prerequisites:** lesson 03 (the `DeepAutoencoder`), and what an optimizer step is.

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

# %%
import inspect
import time

import matplotlib.pyplot as plt
import torch
from IPython.display import Code

from course_utils.config import budget, is_fast, seed_everything
from course_utils.losses import bce_floor
from course_utils.metrics import mse, pca_baseline
from course_utils.models import DeepAutoencoder
from course_utils.recipes import FC, Recipe, standard_data
from course_utils.tables import table
from course_utils.training import cached_train, evaluate, reconstruct, train
from course_utils.viz import plot_history, show_reconstructions, use_house_style

use_house_style()
notebook_start, notebook_cpu = time.perf_counter(), time.process_time()
train_set, test_set = standard_data()
train_small = train_set.subset(budget(full=4_000, fast=1_500))
print(train_small)
print(test_set)
print(f"mode: {'FAST' if is_fast() else 'learner'}")

# %% [markdown]
# Every run of this lesson trains a fresh `DeepAutoencoder` on the same images with the
# same short recipe, and changes one thing. The recipe is the course's recipe for fully
# connected models (Adam, learning rate 1e-3, cosine schedule, batches of 64) with fewer
# steps, so that all of the lesson's trainings (the last cell counts them) fit in a few
# minutes. Beside every table: PCA
# with the same 32 numbers per image, and the mean training image, which needs no code.

# %%
SHORT = Recipe(lr=1e-3, steps=315, fast_steps=30, batch_size=64)
base_settings = SHORT.settings(len(train_small))
steps_per_run = base_settings["epochs"] * -(-len(train_small) // SHORT.batch_size)
pca_mse = pca_baseline(train_small.images, 32).mse(test_set.images)
mean_image_mse = mse(train_small.images.mean(0, keepdim=True).expand_as(test_set.images),
                     test_set.images)
print(f"each run: {base_settings['epochs']} passes over {len(train_small):,} images, "
      f"{steps_per_run:,} optimizer steps ({steps_per_run / FC.steps:.0%} of the full recipe's "
      f"{FC.steps:,}); {base_settings}")
print(f"baselines on the test images: PCA-32 {pca_mse:.4f}, the mean training image "
      f"{mean_image_mse:.4f}")

# %% [markdown]
# ## The training loop
#
# Every run goes through the course's one training loop, `course_utils.training.train`.
# Its options are the techniques of this lesson: `clip_grad_norm`, `scheduler`, `loss`,
# `optimizer`, `precision`. For every batch it measures the gradient's total L2 norm
# *before* clipping and keeps each epoch's mean and largest value (`History.grad_norm`,
# `grad_norm_max`). Here is the part that measures and clips:

# %%
from course_utils import training

Code(inspect.getsource(training.gradient_norm), language="python")

# %% [markdown]
# `torch.nn.utils.clip_grad_norm_` rescales *all* gradients together when their total
# norm exceeds `max_norm`, so the step keeps its direction and only its length is capped.
# Below the threshold it changes nothing.
#
# A small helper runs one configuration and collects what the tables need: the recorded
# training loss (measured in training mode, averaged over the last epoch's batches), the
# MSE on the test images and on the training images, both in eval mode, and the gradient
# norms. Runs are cached (`cached_train`), so a second run of the notebook is quick.

# %%
done = {}  # runs already made in this notebook, by their full settings


def run(name, *, batchnorm=True, dropout=0.0, **changes):
    """Train a fresh DeepAutoencoder(batchnorm, dropout) with the short recipe plus ``changes``.

    A configuration that was already run (under any name) is reused, not trained again.
    """
    settings = {**base_settings, **changes}
    key = repr(sorted({"batchnorm": batchnorm, "dropout": dropout, **settings}.items()))
    if key not in done:
        seed_everything(0)
        model = DeepAutoencoder(batchnorm=batchnorm, dropout=dropout)
        history = cached_train(model, f"04_{name}", train_small, test_set, **settings)
        done[key] = {"model": model, "history": history,
                     "test_mse": evaluate(model, test_set, loss="mse"),
                     "train_mse": evaluate(model, train_small, loss="mse"),
                     "grad_mean": sum(history.grad_norm) / len(history.grad_norm),
                     "grad_max": max(history.grad_norm_max)}
    return done[key]


def results_table(runs, title, extra=()):
    """One row per run, then the two baselines; ``extra`` adds (column, function of a run)."""
    columns = ["run", "train loss (recorded)", "test MSE", "mean grad norm", "largest grad norm",
               "seconds", *[column for column, _ in extra]]
    rows = [[name, r["history"].final_train_loss, r["test_mse"], r["grad_mean"], r["grad_max"],
             r["history"].total_seconds, *[value(r) for _, value in extra]]
            for name, r in runs.items()]
    rows += [[baseline, None, value, None, None, None, *[None for _ in extra]]
             for baseline, value in [("PCA, 32 components", pca_mse),
                                     ("the mean training image", mean_image_mse)]]
    return table(columns, rows, title=title)


# %% [markdown]
# ## 1. Gradient clipping
#
# **With a threshold of 1.0**, a common default. We train the model (Adam) with and
# without `clip_grad_norm=1.0` and look at the gradient norms that clipping acts on.

# %%
clip_runs = {"Adam, no clipping": run("adam"),
             "Adam, clip at 1.0": run("adam_clip1", clip_grad_norm=1.0)}
results_table(clip_runs, "Gradient clipping at 1.0 (Adam)")

# %% [markdown]
# The next cell compares the threshold with the norms this model actually has: the mean
# over all steps (the typical step) and the largest single step.

# %%
plain, clipped = clip_runs.values()
typical, largest = plain["grad_mean"], plain["grad_max"]
epochs_over = sum(g > 1.0 for g in plain["history"].grad_norm_max)
print(f"gradient norm without clipping: {typical:.3f} on average, {largest:.2f} at most")
print(f"the threshold 1.0 is {1.0 / typical:.0f}× the average norm and "
      f"{1.0 / largest:.2f}× the largest one")
print(f"epochs with at least one step above 1.0: {epochs_over} of {plain['history'].epochs}")
difference = clipped["test_mse"] - plain["test_mse"]
print(f"test MSE: {plain['test_mse']:.4f} without clipping, {clipped['test_mse']:.4f} with it "
      f"({'identical' if difference == 0 else f'{difference:+.4f}'})")

# %% [markdown]
# So a threshold only means something relative to the gradient norms you actually have,
# which is why `train` records them. With a loss averaged over pixels, a typical step of
# this model is far below 1 (the ratio is printed above); whether any step reached the
# threshold, and what capping it changed, is printed too. Adam divides each step by a
# running average of the gradients' size, so a single large gradient moves it little
# anyway. A loss *summed* over pixels instead of averaged would make every norm 784
# times larger, and the same threshold would cap every step (exercise 1).
#
# **A setting where it matters.** Clipping is meant for rare, huge gradients. To provoke
# them, switch to plain SGD with momentum at a far too high learning rate (100), and to
# binary cross-entropy (section 5): its gradient does not fade when the output Sigmoid
# saturates, as MSE's does, so a bad step can produce a large gradient. We clip at 0.05
# (the next cells compare that threshold with the norms measured). A third run lowers
# the learning rate instead of clipping.

# %%
sgd = dict(optimizer="sgd", loss="bce")
hot_runs = {"SGD lr 100, no clipping": run("sgd100", lr=100.0, **sgd),
            "SGD lr 100, clip at 0.05": run("sgd100_clip", lr=100.0, clip_grad_norm=0.05, **sgd),
            "SGD lr 10, no clipping": run("sgd10", lr=10.0, **sgd)}
results_table(hot_runs, "SGD with momentum, BCE loss (test error measured as MSE)",
              extra=[("mean grad norm, last epoch", lambda r: r["history"].grad_norm[-1])])

# %%
fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4))
for i, (name, r) in enumerate({**clip_runs, **hot_runs}.items()):
    h = r["history"]
    xs = range(1, h.epochs + 1)
    left.plot(xs, h.grad_norm_max, color=f"C{i}", marker="o", ms=3, label=f"{name} (largest)")
    left.plot(xs, [max(g, 1e-12) for g in h.grad_norm], color=f"C{i}", ls="--",
              label=f"{name} (mean)")
    if name in hot_runs:
        right.plot(xs, h.test_loss, color=f"C{i}", marker="o", ms=3, label=name)
left.axhline(1.0, color="grey", ls=":", label="threshold 1.0")
left.axhline(0.05, color="grey", ls="-.", label="threshold 0.05")
left.set_yscale("log")
left.set_xlabel("epoch")
left.set_ylabel("gradient L2 norm before clipping")
left.set_title("Gradient norms per epoch (largest step and mean)")
left.legend(fontsize=7)
right.set_yscale("log")
right.set_xlabel("epoch")
right.set_ylabel("test BCE per pixel")
right.set_title("Test loss of the SGD runs (BCE)")
right.legend(fontsize=7)
for ax in fig.axes:
    ax.xaxis.get_major_locator().set_params(integer=True)
fig.tight_layout()
plt.show()

# %% [markdown]
# The next cell reads the three SGD runs: how the threshold compares with their norms,
# and where each ended against the mean image.

# %%
stuck, capped, slower = hot_runs.values()
print(f"unclipped lr 100: largest gradient norm {stuck['grad_max']:.2f} "
      f"({stuck['grad_max'] / 0.05:.0f}× the threshold); last epoch's mean norm "
      f"{stuck['history'].grad_norm[-1]:.1e}; test MSE {stuck['test_mse']:.4f}")
print(f"clipped lr 100: mean norm {capped['grad_mean']:.3f}, so the threshold 0.05 is "
      f"{0.05 / capped['grad_mean']:.1f}× the typical step and caps the larger ones; "
      f"test MSE {capped['test_mse']:.4f}")
print(f"unclipped lr 10: test MSE {slower['test_mse']:.4f}")
print(f"the mean training image: {mean_image_mse:.4f}")
assert stuck["test_mse"] > mean_image_mse, "the unclipped network ends worse than the mean image"
assert capped["test_mse"] < mean_image_mse, "with clipping, the same learning rate trains"

# %% [markdown]
# What the runs show: without clipping, a few huge steps early on throw the network into
# a state where its output is saturated and it learns next to nothing: its gradients fade
# towards zero (the last epoch's mean norm above), and it ends worse than the mean image.
# With clipping the same learning rate trains, because every step is capped at a length
# of about `lr × 0.05` (more with momentum's memory). The third run shows the other cure,
# a lower learning rate; the table shows which of the two cures ended lower.
#
# **Verdict on "always for deep networks".** Clipping is a safety net against rare huge
# steps, and it saved the SGD run. With Adam and a mean loss, what it did to this model
# is the first comparison's last line. Whether it does anything depends on the threshold
# relative to your gradient norms, so record them, as `train` does; the last cell of the
# lesson lists every run that had a step above 1.0.
#
# ## 2. BatchNorm on vs off
#
# Same model, so only BatchNorm changes; two learning rates for Adam, because
# normalisation is often said to allow a higher one.

# %%
bn_runs = {}
for lr in (1e-3, 1e-2):
    for bn in (True, False):
        bn_runs[f"BatchNorm {'on' if bn else 'off'}, lr {lr:g}"] = run(
            f"bn{int(bn)}_lr{lr:g}", batchnorm=bn, lr=lr)
results_table(bn_runs, "BatchNorm on vs off (Adam)")

# %%
plot_history({k: r["history"] for k, r in bn_runs.items()}, log_scale=True,
             title="BatchNorm on vs off: training (solid) and test (dashed) loss")
plt.show()
for lr in (1e-3, 1e-2):
    on, off = (bn_runs[f"BatchNorm {s}, lr {lr:g}"]["test_mse"] for s in ("on", "off"))
    print(f"lr {lr:g}: BatchNorm {'helped' if on < off else 'did not help'} "
          f"(test MSE {on:.4f} with, {off:.4f} without)")
best_bn = min(bn_runs, key=lambda k: bn_runs[k]["test_mse"])
print(f"lowest test MSE: {best_bn} ({bn_runs[best_bn]['test_mse']:.4f})")

# %% [markdown]
# The printed lines say whether BatchNorm helped at each learning rate. One thing
# BatchNorm does that the table cannot hide: the model computes differently in training
# (statistics of the batch) and in evaluation (running averages), so its recorded
# training loss and its test error are measured by two slightly different functions.
#
# ## 3. Dropout on vs off
#
# Dropout zeroes a random 20% of the hidden units at every training step, so the network
# cannot rely on any single unit. It is meant to fight *overfitting*, a training error
# much lower than the test error. We measure both errors the same way (eval mode, Dropout
# off) and look at the gap.

# %%
drop_runs = {"no Dropout": run("adam"), "Dropout 0.2": run("dropout02", dropout=0.2)}
results_table(drop_runs, "Dropout on vs off (Adam, BatchNorm on)",
              extra=[("train MSE (eval mode)", lambda r: r["train_mse"]),
                     ("test − train MSE", lambda r: r["test_mse"] - r["train_mse"])])

# %%
without_d, with_d = drop_runs.values()
for name, r in drop_runs.items():
    print(f"{name}: recorded training loss {r['history'].final_train_loss:.4f} = "
          f"{r['history'].final_train_loss / r['train_mse']:.2f}× the same images' error in "
          f"eval mode; test − train gap {r['test_mse'] - r['train_mse']:+.4f}")
print(f"test MSE: {with_d['test_mse']:.4f} with Dropout, {without_d['test_mse']:.4f} without: "
      f"Dropout {'helped' if with_d['test_mse'] < without_d['test_mse'] else 'did not help'}")
relative_gap = (without_d["test_mse"] - without_d["train_mse"]) / without_d["test_mse"]
print(f"without Dropout, the test error is {relative_gap:.0%} above the training error: "
      + ("the model barely overfits at this budget, so Dropout has little to prevent"
         if relative_gap < 0.1 else "the model overfits, which is what Dropout is for"))

# %% [markdown]
# Two lessons here. First, a *recorded* training loss is not the model's training error:
# it is averaged over an epoch while the weights change, and measured in training mode,
# with units dropped when Dropout is on. The first two lines above compare it with the
# eval-mode error of the same images, with and without Dropout. Compare errors in eval
# mode. Second, Dropout is a cure for overfitting, and lesson 03 measured why it costs an
# autoencoder more than it saves; the gap printed above says how much overfitting there
# was to cure at this budget.
#
# ## 4. Learning-rate schedules
#
# Four ways to set the learning rate over the run, all starting from Adam at 1e-3:
# **constant**; **step** (× 0.3 after each third of the epochs, rounded up); **cosine**
# (down to zero along a half cosine, per batch: the course's recipes use it);
# **one-cycle** (warm up to 1e-3, then anneal to almost 0, per batch). Here is the code
# that builds them:

# %%
Code(inspect.getsource(training.make_scheduler), language="python")

# %%
sched_runs = {name: run("adam" if name == "cosine" else f"sched_{name}", scheduler=name)
              for name in ("constant", "step", "cosine", "onecycle")}
results_table(sched_runs, "Learning-rate schedules (Adam, peak lr 1e-3)",
              extra=[("final lr", lambda r: r["history"].lr[-1])])

# %%
fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4))
for name, r in sched_runs.items():
    h = r["history"]
    left.plot(range(1, h.epochs + 1), h.lr, marker="o", ms=3, label=name)
    right.plot(range(1, h.epochs + 1), h.test_loss, marker="o", ms=3, label=name)
left.set_yscale("log")
left.set_xlabel("epoch")
left.set_ylabel("learning rate (end of epoch)")
left.set_title("Learning rate per epoch")
left.legend(fontsize=8)
right.axhline(pca_mse, color="grey", ls=":", label="PCA-32")
right.set_yscale("log")
right.set_xlabel("epoch")
right.set_ylabel("test MSE per pixel")
right.set_title("Test error per epoch")
right.legend(fontsize=8)
for ax in fig.axes:
    ax.xaxis.get_major_locator().set_params(integer=True)
fig.tight_layout()
plt.show()
ranking = sorted(sched_runs, key=lambda k: sched_runs[k]["test_mse"])
print("final test MSE, best first: "
      + ", ".join(f"{k} {sched_runs[k]['test_mse']:.4f}" for k in ranking))

# %% [markdown]
# The curves and the ranking show which schedule ended lowest in this run. Keep the
# budget in mind when you read it: every run ends above the dotted PCA-32 line, so none
# is a finished model, and a schedule that lowers the rate gives up some of the progress
# a full-size step would make (the left plot shows how far each one lowered it).
# Schedules that anneal to a small rate are meant for the end of a run that has
# flattened out, which is why the course's full recipes use cosine; one-cycle also
# spends its first part warming up. Exercise 4 doubles the steps and adds a schedule
# that lowers the rate when the loss stalls (`"plateau"`).
#
# ## 5. MSE vs binary cross-entropy
#
# Both losses reach their minimum when the reconstruction equals the image, but they
# weigh mistakes differently: cross-entropy treats each pixel value as a probability and
# punishes confident mistakes (predicting 0.01 for an ink pixel) much harder. To compare
# them fairly we train one model with each and measure **both on the same yardstick**,
# the test MSE.

# %%
loss_runs = {"trained with MSE": run("adam"), "trained with BCE": run("bce", loss="bce")}
floor = float(bce_floor(test_set.images).mean()) / test_set.images[0].numel()
results_table(loss_runs, "MSE vs BCE (Adam); 'train loss' is each run's own loss",
              extra=[("test BCE", lambda r: evaluate(r["model"], test_set, loss="bce"))])

# %%
mse_run, bce_run = loss_runs.values()
bce_of_mse_run = evaluate(mse_run["model"], test_set, loss="bce")
bce_of_bce_run = evaluate(bce_run["model"], test_set, loss="bce")
print(f"on the MSE yardstick: {mse_run['test_mse']:.4f} trained with MSE, "
      f"{bce_run['test_mse']:.4f} trained with BCE: the model trained with "
      f"{'MSE' if mse_run['test_mse'] < bce_run['test_mse'] else 'BCE'} is better")
print(f"on the BCE yardstick: {bce_of_mse_run:.4f} trained with MSE, {bce_of_bce_run:.4f} "
      f"trained with BCE: the model trained with "
      f"{'MSE' if bce_of_mse_run < bce_of_bce_run else 'BCE'} is better")
print(f"the smallest possible test BCE (a perfect copy): {floor:.4f} per pixel; "
      f"the smallest possible MSE: 0")

# %% [markdown]
# **Why the loss values themselves cannot be compared.** MSE is a squared difference,
# 0 for a perfect copy. BCE, −[x·log x̂ + (1−x)·log(1−x̂)], is in nats, and for a grey pixel
# (x strictly between 0 and 1) even the perfect prediction x̂ = x costs the pixel's
# entropy, so a perfect copy of these images still scores the positive floor printed
# above. A BCE of 0.1 and an MSE of 0.01 say nothing about which model is better; only
# a shared yardstick does (test MSE here; PSNR or SSIM elsewhere).
#
# **Why the two losses train differently.** The decoder ends with a Sigmoid, x̂ = σ(a).
# With BCE, the gradient of the loss with respect to a is simply x̂ − x. With MSE it is
# 2(x̂ − x)·x̂(1 − x̂): the Sigmoid's slope x̂(1 − x̂) multiplies it, and that slope is tiny
# wherever the output is near 0 or 1, which is most of an MNIST image (the background).
# So for the same error, BCE pushes harder on pixels that are confidently wrong; which
# loss ends lower on each yardstick at this budget is what the lines above print.

# %%
originals = test_set.images[:10]
show_reconstructions(originals,
                     {name: reconstruct(r["model"], originals) for name, r in loss_runs.items()},
                     title="Test images, reconstructed by models trained with MSE and with BCE")
plt.show()

# %% [markdown]
# ## 6. Mixed precision (bfloat16)
#
# `train(..., precision="bf16")` runs the forward and backward passes under bfloat16
# *autocast*: matrix products and convolutions compute in bfloat16, a 16-bit format with
# float32's range but only 2 to 3 significant decimal digits, while the weights, the optimizer
# and the loss stay in float32 (hence *mixed*). Where the hardware multiplies bfloat16
# numbers natively, that roughly halves memory traffic and can make those products much
# faster. Where it does not, PyTorch emulates bfloat16 with float32 arithmetic plus
# conversions, which is usually slower. `course_utils.training.native_bf16` asks the
# hardware:

# %%
from course_utils.training import native_bf16, resolve_precision

cpu = torch.device("cpu")
print(f"native bfloat16 on this CPU: {native_bf16(cpu)}")
print(f'precision="auto" here means: {resolve_precision("auto", cpu)}')

# %% [markdown]
# The experiment: the same model, seed, images and steps, once in float32 and once in
# bfloat16, timed per epoch. It is kept short, since emulated bfloat16 can be slow, so it
# uses a learning rate of 3e-3 instead of the short recipe's 1e-3, enough for the model to
# learn something in 4 passes: two models that have not learned would say little about
# precision, and the last line under the table compares both with the mean image. These
# two runs are timed afresh every time (not loaded from the cache).

# %%
precision_set = train_small.subset(budget(full=1_600, fast=320))
precision_runs = {}
for precision in ("fp32", "bf16"):
    seed_everything(0)
    model = DeepAutoencoder(dropout=0.0)  # as every run of this lesson but Dropout's own
    history = train(model, precision_set, test_set, **{**base_settings, "epochs": 4, "lr": 3e-3},
                    precision=precision)
    precision_runs[precision] = {"history": history, "test_mse": evaluate(model, test_set)}
table(["precision", "seconds per epoch", "test MSE"],
      [[p, r["history"].total_seconds / r["history"].epochs, r["test_mse"]]
       for p, r in precision_runs.items()],
      title=f"4 passes over {len(precision_set):,} images, DeepAutoencoder")

# %%
fp32, bf16 = (precision_runs[p] for p in ("fp32", "bf16"))
speed = fp32["history"].total_seconds / bf16["history"].total_seconds
print(f"bfloat16 was {speed:.2f}× as fast as float32 here "
      f"({'faster' if speed > 1 else 'slower'}); native bfloat16: {native_bf16(cpu)}")
print(f"test MSE: {fp32['test_mse']:.4f} in float32, {bf16['test_mse']:.4f} in bfloat16 "
      f"({abs(bf16['test_mse'] - fp32['test_mse']) / fp32['test_mse']:.1%} apart)")
learned = max(fp32["test_mse"], bf16["test_mse"]) < mean_image_mse
print(f"both below the mean image's {mean_image_mse:.4f}: {learned}; after so few steps this "
      f"compares the arithmetic, not two finished models")

# %% [markdown]
# So mixed precision is a property of the hardware more than of the model. On a GPU from
# the Ampere generation on, or a CPU with AVX512-BF16 or AMX instructions, it can make the
# large matrix products faster and halves the memory their inputs take; on hardware
# without it, bfloat16 is emulated and slower. The capability check above says which
# case this machine is. Even with native support, a small model with small batches may
# gain little, because much of its time goes into work that bfloat16 does not shorten
# (this lesson does not measure that case). The
# course's default, `precision="auto"`, uses bfloat16 only where `native_bf16` is true
# and float32 everywhere else, so you never pay for emulation. The test MSEs above show
# how much the shorter arithmetic changed the result of this short run; the weights
# themselves stay in float32 either way.

# %% [markdown]
# ## Summary
#
# The table of techniques from the top of the lesson, with what this lesson measured
# beside each claim (the verdicts are computed from the runs above):

# %%
def better(a, b):
    return "helped" if a < b else "did not help"


clip_effect = ("no step reached 1.0, identical result" if epochs_over == 0 else
               f"{epochs_over} of {plain['history'].epochs} epochs had a step above 1.0; "
               f"test MSE {difference:+.4f}")
bn_on, bn_off = bn_runs["BatchNorm on, lr 0.001"], bn_runs["BatchNorm off, lr 0.001"]
measured = [
    ["Gradient clipping", "Always for deep networks",
     f"Adam, clip 1.0: {clip_effect}; SGD lr 100: {stuck['test_mse']:.3f} without, "
     f"{capped['test_mse']:.3f} with clipping at 0.05"],
    ["Batch normalization", "Standard for 3+ layers",
     f"{better(bn_on['test_mse'], bn_off['test_mse'])} at lr 1e-3 "
     f"({bn_on['test_mse']:.4f} vs {bn_off['test_mse']:.4f} without)"],
    ["Dropout", "When capacity exceeds data complexity",
     f"{better(with_d['test_mse'], without_d['test_mse'])} "
     f"({with_d['test_mse']:.4f} vs {without_d['test_mse']:.4f} without)"],
    ["Learning-rate scheduling", "For fine-tuning convergence",
     "best first: " + ", ".join(f"{k} {sched_runs[k]['test_mse']:.4f}" for k in ranking)],
    ["Mixed precision (bf16)", "When the hardware computes bfloat16",
     f"native here: {native_bf16(cpu)}; {speed:.2f}× the speed of float32"],
    ["Loss: MSE vs BCE", "Compare on one yardstick",
     f"test MSE {mse_run['test_mse']:.4f} (MSE) vs {bce_run['test_mse']:.4f} (BCE)"],
]
table(["technique", "claim", "measured here"], measured,
      title=f"{steps_per_run:,} steps per run; PCA-32 {pca_mse:.4f}, mean image "
            f"{mean_image_mse:.4f}")

# %% [markdown]
# - **Gradient clipping**: record gradient norms before choosing a threshold, and compare
#   it with them. It is a safety net against rare huge steps: it rescued SGD at a far too
#   high learning rate; with Adam and a mean loss, the table says what it changed.
# - **BatchNorm**, **Dropout**, **learning-rate schedules**: each was one controlled
#   change; the verdicts above are this run's. A recorded training loss is not a training
#   error: compare in eval mode.
# - **MSE vs BCE**: compare models on one yardstick, never BCE values against MSE values;
#   BCE has a positive floor on grey pixels.
# - **Mixed precision** pays only where the hardware computes bfloat16; `precision="auto"`
#   checks that for you.
#
# The last cell lists the runs that had a step above the threshold 1.0 (where Adam with
# `clip_grad_norm=1.0` would have acted), and how long the lesson's trainings took:

# %%
spiky = {name: r["grad_max"] for name, r in {**clip_runs, **hot_runs, **bn_runs, **drop_runs,
                                                **sched_runs, **loss_runs}.items()
         if r["grad_max"] > 1.0}
print("runs with a step whose gradient norm exceeded 1.0: "
      + ("; ".join(f"{name} (largest {g:.2f})" for name, g in spiky.items()) or "none"))
everything = [*done.values(), *precision_runs.values()]
print(f"{len(everything)} trainings, {sum(r['history'].total_seconds for r in everything):.0f} s "
      f"of training recorded by train() (cached runs load in a fraction of a second)")
print(f"this run: {time.perf_counter() - notebook_start:.0f} s of wall-clock time, "
      f"{time.process_time() - notebook_cpu:.0f} s of CPU time")

# %% [markdown]
# ## Exercises
#
# 1. Write a loss summed over each image's pixels and averaged over the batch
#    (`objective=lambda m, x, y: ((m(x) - y) ** 2).sum() / len(x)`, passed to `run`) and
#    train with Adam and `clip_grad_norm=1.0`: how often does clipping act now? Does it
#    hurt?
# 2. With the setting of section 1 (SGD with momentum, BCE, no clipping), find the
#    largest learning rate between 10 and 100 at which the network still ends below the
#    mean image.
# 3. Train with and without Dropout on only 500 images for more epochs. Does the
#    train/test gap grow, and does Dropout narrow it?
# 4. Add `"plateau"` (× 0.3 when the test loss stops improving) to the schedules, and
#    give them all twice the steps. Does the ranking change?
#
# Next: **05 · Transposed convolution**.
