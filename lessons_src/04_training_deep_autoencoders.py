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
# Part 4 of the lesson plan trains its deep autoencoder with gradient clipping and lists
# four techniques for deep networks in a table: gradient clipping ("always for deep
# networks"), batch normalization, dropout and learning-rate schedules. The second seed
# text adds a choice of loss: mean squared error or binary cross-entropy. This lesson
# turns each row into a small controlled experiment: one change, everything else fixed,
# curves and a table of results.
#
# **What you will learn**
# - what gradient clipping does, what the gradient norms of this model look like, and when
#   clipping changes anything (and when it does nothing at all);
# - what BatchNorm and Dropout do to training and to the gap between training and test error;
# - four learning-rate schedules (constant, step, one-cycle, plateau) side by side;
# - MSE vs binary cross-entropy, compared on the same yardstick, and why their loss values
#   cannot be compared directly.
#
# **Time:** about a minute and a half of computing: 95 s for its 14 short trainings,
# measured with `benchmarks/bench_notebooks.py` on one CPU thread with a 60,000-image
# training set (MNIST's size; real MNIST could not be downloaded where the course was
# built, so the offline stand-in was enlarged to 60,000 images). The last cell prints how long your run took. FAST mode takes seconds.
# **Prerequisites:** lesson 03 (the `DeepAutoencoder`), and what an optimizer step is.

# %%
import inspect
import math
import time

import matplotlib.pyplot as plt
import torch
from IPython.display import Code

from course_utils.config import budget, is_fast, seed_everything
from course_utils.metrics import mse
from course_utils.models import DeepAutoencoder
from course_utils.recipes import standard_data
from course_utils.summary import Table
from course_utils.training import cached_train, evaluate, reconstruct, train
from course_utils.viz import plot_history, use_house_style

notebook_start, notebook_cpu = time.perf_counter(), time.process_time()
torch.set_num_threads(1)  # the time estimate above is for one core
train_set, test_set = standard_data()
train_small = train_set.subset(budget(full=5_000, fast=1_000))
epochs = budget(full=5, fast=3)
mean_image_mse = mse(train_small.images.mean(0, keepdim=True).expand_as(test_set.images),
                     test_set.images)
print(train_small)
print(test_set)
print(f"mode: {'FAST' if is_fast() else 'learner'}; {epochs} epochs per run")
print(f"baseline: predicting the mean training image gives test MSE {mean_image_mse:.4f}")

# %% [markdown]
# ## The training loop
#
# Every run below goes through the course's one training loop, `course_utils.training.train`.
# Its options are the techniques of this lesson: `clip_grad_norm`, `scheduler`, `loss`,
# `optimizer`. For every batch it measures the gradient's total L2 norm *before* clipping
# and keeps each epoch's mean and largest value (`History.grad_norm`, `grad_norm_max`).
# Here is the heart of it:

# %%
from course_utils import training

Code(inspect.getsource(training.gradient_norm), language="python")

# %% [markdown]
# `torch.nn.utils.clip_grad_norm_` rescales *all* gradients together when their total
# norm exceeds `max_norm`, so the step keeps its direction and only its length is capped.
# Below the threshold it changes nothing.
#
# A small helper runs one configuration and collects what the tables need: the recorded
# training loss (measured in training mode, with Dropout active), the test MSE and the
# MSE on the training images in eval mode, and the gradient norms. Runs are cached
# (`cached_train`), so a second run of the notebook is quick.

# %%
done = {}  # runs already made in this notebook, by their full settings


def run(name, *, batchnorm=True, dropout=0.2, **settings):
    """Train a fresh DeepAutoencoder(batchnorm, dropout) with ``settings``; return its results.

    A configuration that was already run (under any name) is reused, not trained again.
    """
    settings = {"epochs": epochs, "batch_size": 64, "lr": 1e-3, "seed": 0, "loss": "mse",
                "optimizer": "adam", "scheduler": None, "clip_grad_norm": None, **settings}
    key = repr(sorted({"batchnorm": batchnorm, "dropout": dropout, **settings}.items()))
    if key in done:
        return done[key]
    seed_everything(0)
    model = DeepAutoencoder(batchnorm=batchnorm, dropout=dropout)
    history = cached_train(model, f"04_{name}", train_small, test_set, **settings)
    results = {"model": model, "history": history,
            "test_mse": evaluate(model, test_set, loss="mse"),
            "train_mse": evaluate(model, train_small, loss="mse"),
            "grad_max": max(history.grad_norm_max, default=float("nan"))}
    done[key] = results
    return results


def results_table(runs, title, extra=()):
    """One row per run: final recorded training loss, test MSE, largest gradient norm, seconds."""
    columns = ["run", "train loss (recorded)", "test MSE", "largest grad norm", "seconds",
               *[e[0] for e in extra]]
    rows = [[name, r["history"].final_train_loss, r["test_mse"], r["grad_max"],
             r["history"].total_seconds, *[e[1](r) for e in extra]] for name, r in runs.items()]
    return Table(columns, rows, title=title)


# %% [markdown]
# ## 1. Gradient clipping
#
# **With the seed's setting.** The seed clips every step to `max_norm=1.0`. We train the
# standard model (Adam, learning rate 1e-3) with and without it and look at the gradient
# norms that clipping would act on.

# %%
clip_runs = {"Adam, no clipping": run("adam_noclip"),
             "Adam, clip at 1.0 (seed)": run("adam_clip1", clip_grad_norm=1.0)}
print(results_table(clip_runs, "Gradient clipping with the seed's threshold"))
largest = max(r["grad_max"] for r in clip_runs.values())
same = (clip_runs["Adam, no clipping"]["history"].train_loss
        == clip_runs["Adam, clip at 1.0 (seed)"]["history"].train_loss)
print(f"\nThe largest gradient norm of any step was {largest:.3f}, "
      f"{'below' if largest < 1 else 'above'} the threshold of 1.0; the two runs' losses are "
      f"{'identical' if same else 'different'}.")

# %%
assert largest < 1.0 and same, "with a mean-per-pixel MSE, this model's gradients stay below 1"

# %% [markdown]
# So with this model and a per-pixel mean loss, the seed's clipping never triggers: every
# step's gradient norm is far below 1, and the clipped run is the unclipped run, step for
# step. That is not a bug in clipping; it shows that a threshold only means something
# relative to the gradient norms you actually have (a loss *summed* over pixels instead
# of averaged would make them 784 times larger).
#
# **A setting where it matters.** Clipping is meant for rare, huge gradients. To provoke
# them, switch to plain SGD with momentum at a far too high learning rate (100), and to
# binary cross-entropy (section 5): its gradient does not fade when the output Sigmoid
# saturates, as MSE's does, so a bad step can produce a large gradient. We keep BatchNorm,
# drop Dropout, and clip at 0.05, a threshold a little above the typical norms of this
# setting. A third run lowers the learning rate instead of clipping.

# %%
sgd = dict(optimizer="sgd", loss="bce", batchnorm=True, dropout=0.0)
hot_runs = {"SGD lr 100, no clipping": run("sgd100_noclip", lr=100.0, **sgd),
            "SGD lr 100, clip at 0.05": run("sgd100_clip", lr=100.0, clip_grad_norm=0.05, **sgd),
            "SGD lr 20, no clipping": run("sgd20_noclip", lr=20.0, **sgd)}
print(results_table(hot_runs, "SGD with momentum, BCE loss, BatchNorm on, no Dropout",
                    extra=[("mean grad norm, last epoch",
                            lambda r: r["history"].grad_norm[-1])]))

# %%
use_house_style()
fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4))
for i, (name, r) in enumerate({**clip_runs, **hot_runs}.items()):
    h = r["history"]
    xs = range(1, h.epochs + 1)
    left.plot(xs, h.grad_norm_max, color=f"C{i}", marker="o", ms=3, label=f"{name} (max)")
    left.plot(xs, [max(g, 1e-12) for g in h.grad_norm], color=f"C{i}", ls="--",
              label=f"{name} (mean)")
    if name in hot_runs:
        right.plot(xs, h.test_loss, color=f"C{i}", marker="o", ms=3, label=name)
left.axhline(1.0, color="grey", ls=":", label="seed's threshold 1.0")
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
# The next cell puts the three runs on one yardstick (test MSE, beside the mean image)
# and compares the unclipped run's largest gradient with the clipped run's typical one.

# %%
stuck, clipped, slower = (hot_runs[k]["test_mse"] for k in hot_runs)
spike = hot_runs["SGD lr 100, no clipping"]["grad_max"]
typical = hot_runs["SGD lr 100, clip at 0.05"]["history"].grad_norm[-1]
print(Table(["run", "test MSE"], [[k, r["test_mse"]] for k, r in hot_runs.items()]
            + [["the mean training image", mean_image_mse]]))
print(f"\nunclipped: largest gradient norm {spike:.2f}, {spike / typical:.0f}× the clipped "
      f"run's typical norm ({typical:.3f}); its last epoch's mean gradient norm: "
      f"{hot_runs['SGD lr 100, no clipping']['history'].grad_norm[-1]:.1e}")
assert spike > 0.05, "the unclipped run has gradient spikes above the threshold"
assert stuck > mean_image_mse, "the dead network is worse than predicting the mean image"
assert clipped < mean_image_mse and clipped < 0.5 * stuck, "with clipping, the network trains"

# %% [markdown]
# What the runs show: without clipping, a few huge steps early on (the largest gradient
# norm above) throw the network into a state where its output is saturated and it learns
# next to nothing: its gradients fade towards zero (the last epoch's norm above), and it
# ends worse than the mean image.
# With clipping at 0.05 the same learning rate trains, because every step's gradient is
# capped, so a step moves the weights by about `lr × 0.05` at most (somewhat more with
# momentum's memory). The third run shows the other cure, a lower learning rate; compare
# its test MSE with the clipped run's in the table.
#
# **Verdict on "always for deep networks".** For the seed's model, with Adam and a mean
# loss, the seed's clipping is a no-op: not needed, not harmful. Some other runs of this
# lesson do have a few steps above 1.0 (the last cell lists them), where clipping at 1.0
# would trim those steps. Clipping is a safety net against rare huge steps, and it saved
# the run above; whether it does anything depends on the threshold relative to your
# gradient norms, so record them, as `train` does.
#
# ## 2. BatchNorm on vs off
#
# Same model, Dropout off in both, so only BatchNorm changes; two learning rates for
# Adam, because normalisation is often said to allow a higher one.

# %%
bn_runs = {}
for lr in (1e-3, 1e-2):
    for bn in (True, False):
        bn_runs[f"BatchNorm {'on' if bn else 'off'}, lr {lr:g}"] = run(
            f"bn{int(bn)}_lr{lr:g}", batchnorm=bn, dropout=0.0, lr=lr)
print(results_table(bn_runs, "BatchNorm on vs off (Adam, no Dropout)"))
plot_history({k: r["history"] for k, r in bn_runs.items()}, log_scale=True,
             title="BatchNorm on vs off: training (solid) and test (dashed) loss")
plt.show()
best_bn = min(bn_runs, key=lambda k: bn_runs[k]["test_mse"])
print(f"lowest test MSE: {best_bn} ({bn_runs[best_bn]['test_mse']:.4f})")
for lr in (1e-3, 1e-2):
    on, off = (bn_runs[f"BatchNorm {s}, lr {lr:g}"]["test_mse"] for s in ("on", "off"))
    print(f"lr {lr:g}: BatchNorm {'helped' if on < off else 'did not help'} "
          f"(test MSE {on:.4f} with, {off:.4f} without)")

# %% [markdown]
# Read the two comparisons above. Note one thing BatchNorm does that the table cannot
# hide: with BatchNorm the model computes differently in training (statistics of the
# batch) and in evaluation (running averages), so its recorded training loss and its test
# error are measured by two slightly different functions.
#
# ## 3. Dropout on vs off
#
# Dropout zeroes a random 20% of the hidden units at every training step, so the network
# cannot rely on any single unit. It is meant to fight *overfitting*, a training error
# much lower than the test error. We measure both errors the same way (eval mode, Dropout
# off) and look at the gap.

# %%
drop_runs = {"Dropout 0.2 (seed)": run("drop02", dropout=0.2),
             "no Dropout": run("drop0", dropout=0.0)}
gap = ("test − train MSE (eval mode)", lambda r: r["test_mse"] - r["train_mse"])
print(results_table(drop_runs, "Dropout on vs off (Adam lr 1e-3, BatchNorm on)",
                    extra=[("train MSE (eval mode)", lambda r: r["train_mse"]), gap]))
plot_history({k: r["history"] for k, r in drop_runs.items()}, log_scale=True,
             title="Dropout on vs off: training (solid) and test (dashed) loss")
plt.show()

# %%
with_d, without_d = drop_runs["Dropout 0.2 (seed)"], drop_runs["no Dropout"]
recorded_over_eval = with_d["history"].final_train_loss / with_d["train_mse"]
print(f"with Dropout, the loss recorded during training is {recorded_over_eval:.1f}× the "
      f"same images' error in eval mode")
print(f"train/test gap: {with_d['test_mse'] - with_d['train_mse']:+.4f} with Dropout, "
      f"{without_d['test_mse'] - without_d['train_mse']:+.4f} without")
print(f"test MSE: {with_d['test_mse']:.4f} with Dropout, {without_d['test_mse']:.4f} without: "
      f"Dropout {'helped' if with_d['test_mse'] < without_d['test_mse'] else 'did not help'}")
assert recorded_over_eval > 1, "the training-mode loss (Dropout on) is above the eval-mode error"
relative_gap = (without_d["test_mse"] - without_d["train_mse"]) / without_d["test_mse"]
print(f"without Dropout, the test error is {relative_gap:+.0%} off the training error: "
      + ("the model barely overfits at this budget, so Dropout has little to prevent"
         if relative_gap < 0.1 else "the model overfits, which is what Dropout is for"))

# %% [markdown]
# Two lessons here. First, the *recorded* training loss of a model with Dropout is not
# its training error: it is measured with units dropped, so it can even sit above the
# test loss, the opposite of what overfitting looks like. Compare errors in eval mode.
# Second, Dropout is a cure for overfitting; the seed's table says to use it "when
# capacity exceeds data complexity". Whether this model overfits at this budget is what
# the gap printed above says, and the test MSEs say whether Dropout paid off here.
#
# ## 4. Learning-rate schedules
#
# Four ways to set the learning rate over the run, all starting from Adam at 3e-3:
# constant; **step** (× 0.3 after each third of the epochs, rounded up);
# **one-cycle** (warm up to 3e-3, then anneal to almost 0, per batch); **plateau** (× 0.3
# when the monitored loss has not improved for two epochs in a row: `patience=1`). Here
# is the code that builds them:

# %%
Code(inspect.getsource(training.make_scheduler), language="python")

# %%
sched_runs = {name: run(f"sched_{name}", lr=3e-3, scheduler=name)
              for name in ("constant", "step", "onecycle", "plateau")}
print(results_table(sched_runs, "Learning-rate schedules (Adam, peak lr 3e-3)",
                    extra=[("final lr", lambda r: r["history"].lr[-1])]))
use_house_style()
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
right.set_yscale("log")
right.set_xlabel("epoch")
right.set_ylabel("test MSE per pixel")
right.set_title("Test error per epoch")
right.legend(fontsize=8)
for ax in fig.axes:
    ax.xaxis.get_major_locator().set_params(integer=True)
fig.tight_layout()
plt.show()
best_sched = min(sched_runs, key=lambda k: sched_runs[k]["test_mse"])
print(f"lowest final test MSE: {best_sched} ({sched_runs[best_sched]['test_mse']:.4f}); "
      f"constant: {sched_runs['constant']['test_mse']:.4f}")
print(f"step: the learning rate was multiplied by 0.3 every {max(1, math.ceil(epochs / 3))} epoch(s)")
if len(set(sched_runs["plateau"]["history"].lr)) == 1:
    print("plateau never lowered the learning rate: the test loss never stalled for two "
          "epochs, so it ran exactly like constant")

# %% [markdown]
# The curves and the table show which schedule ended lowest in this run. Two cautions.
# With only a few epochs, "step" and "plateau" have little room to act, and one-cycle
# spends its first part warming up. And `train` lets "plateau" watch the *test* loss when
# a test set is given, which is convenient in a lesson but is a small leak: in a real
# project, hold out a separate validation set for decisions like this one.
#
# ## 5. MSE vs binary cross-entropy
#
# Both losses reach their minimum when the reconstruction equals the image, but they
# weigh mistakes differently: cross-entropy treats each pixel value as a probability and
# punishes confident mistakes (predicting 0.01 for an ink pixel) much harder. To compare
# them fairly we train one model with each and measure **both on the same yardstick**,
# the test MSE.

# %%
loss_runs = {"trained with MSE": run("loss_mse", loss="mse"),
             "trained with BCE": run("loss_bce", loss="bce")}
print(results_table(loss_runs, "MSE vs BCE (Adam lr 1e-3); 'train loss' is each run's own loss",
                    extra=[("test BCE", lambda r: evaluate(r["model"], test_set, loss="bce"))]))
x = test_set.images.double().clamp(1e-7, 1 - 1e-7)
bce_floor = float(-(x * x.log() + (1 - x) * (1 - x).log()).mean())
print(f"\nthe smallest possible test BCE (a perfect copy): {bce_floor:.4f}; the smallest MSE: 0")

# %%
mse_run, bce_run = loss_runs["trained with MSE"], loss_runs["trained with BCE"]
print(f"test MSE: {mse_run['test_mse']:.4f} trained with MSE, {bce_run['test_mse']:.4f} "
      f"trained with BCE")
print(f"on the MSE yardstick, the model trained with "
      f"{'MSE' if mse_run['test_mse'] < bce_run['test_mse'] else 'BCE'} is better")
assert bce_floor > 0.01 and bce_run["history"].final_train_loss > mse_run["history"].final_train_loss, \
    "BCE values sit far above MSE values: they are not on the same scale"

# %% [markdown]
# **Why the loss values themselves cannot be compared.** MSE is a squared difference,
# 0 for a perfect copy. BCE, −[x·log x̂ + (1−x)·log(1−x̂)], is in nats, and for a grey pixel
# (x strictly between 0 and 1) even the perfect prediction x̂ = x costs the pixel's
# entropy, so a perfect copy of these images still scores the positive floor printed
# above. A BCE of 0.1 and an MSE of 0.01 say nothing about which model is better; only
# a shared yardstick (test MSE here; PSNR or SSIM elsewhere) does.

# %%
from course_utils.viz import show_reconstructions

originals = test_set.images[:10]
show_reconstructions(originals,
                     {name: reconstruct(r["model"], originals) for name, r in loss_runs.items()},
                     title="Test images, reconstructed by models trained with MSE and with BCE")
plt.show()

# %% [markdown]
# ## Summary
#
# - **Gradient clipping**: record gradient norms before choosing a threshold. For the
#   seed's model with Adam and a mean loss, the seed's `max_norm=1.0` never triggered;
#   with SGD, BCE and a far too high learning rate, clipping (like a lower learning rate)
#   kept the network from dying. "Always for deep networks" is not what the measurements
#   say: it is a safety net, useful when steps can blow up.
# - **BatchNorm**, **Dropout**, **learning-rate schedules**: each was one controlled change;
#   the tables above give the numbers of this run. Dropout's recorded training loss is not
#   a training error; compare in eval mode.
# - **MSE vs BCE**: compare models on one yardstick (test MSE), never BCE values against
#   MSE values; BCE has a positive floor on grey pixels.
#
# All the test MSEs of this run, in one place:

# %%
everything = {**clip_runs, **hot_runs, **bn_runs, **drop_runs, **sched_runs, **loss_runs}
spiky = [k for k, r in everything.items() if r["grad_max"] > 1.0]
print("runs with a step whose gradient norm exceeded the seed's threshold of 1.0:",
      "; ".join(spiky) if spiky else "none")
print(Table(["run", "test MSE", "seconds"],
            [[k, r["test_mse"], r["history"].total_seconds] for k, r in everything.items()],
            title=f"{len(done)} distinct trainings, {epochs} epochs each on "
                  f"{len(train_small):,} images"))
print(f"this run took {time.perf_counter() - notebook_start:.0f} s of wall-clock time and "
      f"{time.process_time() - notebook_cpu:.0f} s of CPU time (cached trainings load in "
      f"a fraction of a second)")

# %% [markdown]
# ## Exercises
#
# 1. Write a loss summed over pixels (`objective=lambda m, x, y: ((m(x) - y) ** 2).sum()`)
#    and train with Adam and `clip_grad_norm=1.0`: does clipping trigger now? Does it hurt?
# 2. Find the largest SGD learning rate at which the plain network still trains without
#    clipping.
# 3. Train with Dropout on only 500 images for more epochs. Does the train/test gap grow,
#    and does Dropout narrow it?
# 4. Give the schedules twice the epochs. Does the ranking change?
#
# Next: **05 · Transposed convolution**.
