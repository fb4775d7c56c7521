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
# judged against how much retraining alone moves the result; at the end, the table again
# with what we measured.
#
# **What you will learn**
# - how much a result moves when only the random seed changes, and why every comparison
#   needs that number;
# - what gradient clipping does, how large this model's gradients really are, and when
#   clipping changes anything;
# - what BatchNorm and Dropout do to training and to the gap between training and test
#   error, and why "BatchNorm reduces internal covariate shift" is contested;
# - four learning-rate schedules (constant, step, cosine, one-cycle) over three seeds;
# - MSE vs binary cross-entropy, compared on the same yardstick, and why BCE must be
#   computed from logits: a saturated float32 Sigmoid has no gradient;
# - mixed precision: what `precision="bf16"` does, and when it is faster.
#
# **Time:** about 35 minutes: 20 to read, 8 for the code, 5 for the two explorers, and
# about a minute and a half of computing on one CPU core the first time (the trainings
# are cached, so a second run takes well under a minute). The last cell prints how long
# it took on yours.
#
# **Prerequisites:** lesson 03 (the `DeepAutoencoder`), and what an optimizer step is.

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
import inspect
import math
import time
import warnings

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from IPython.display import Code, Markdown, display

from course_utils.config import budget, is_fast, seed_everything
from course_utils.losses import bce_floor
from course_utils.metrics import mse, pca_baseline
from course_utils.models import DeepAutoencoder
from course_utils.recipes import FC, Recipe, standard_data
from course_utils.tables import table
from course_utils.training import cached_train, evaluate, reconstruct, train
from course_utils.verdicts import compare, compare_at, number, rank, regularizer
from course_utils.viz import plot_series, show, show_reconstructions, use_house_style

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
# steps, so that all of the lesson's trainings fit in about two minutes. Beside every
# table: PCA with the same 32 numbers per image, and the mean training image, which needs
# no code at all.

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
# A small helper trains one configuration and measures what the comparisons need: the
# test error and the error on the model's own training images, both in eval mode
# (`evaluate`), and the gradient norms. Runs are cached (`cached_train`), so a second run
# of the notebook is quick; a run asked for twice in this notebook is trained once.

# %%
done = {}  # the runs made in this notebook, by name


def run(name, *, batchnorm=True, dropout=0.0, seed=0, **changes):
    """Train a fresh DeepAutoencoder(batchnorm, dropout) from ``seed`` with the short recipe
    plus ``changes``; return the model, its history and its errors."""
    key = name if seed == 0 else f"{name}_seed{seed}"
    if key not in done:
        seed_everything(seed)  # the same seed, the same initial weights
        model = DeepAutoencoder(batchnorm=batchnorm, dropout=dropout)
        history = cached_train(model, f"04_{key}", train_small, test_set,
                               **{**base_settings, "seed": seed, **changes})
        finite = [g for g in history.grad_norm_max if math.isfinite(g)]
        done[key] = {"model": model, "history": history,
                     "test_mse": evaluate(model, test_set),  # eval mode
                     "train_mse": evaluate(model, train_small),  # eval mode, its own images
                     "grad_mean": sum(history.grad_norm) / len(history.grad_norm),
                     "grad_max": max(finite, default=math.nan),
                     "grad_last": history.grad_norm[-1]}
    return done[key]


# %% jupyter={"source_hidden": true} tags=["hide-input"]
def results_table(runs, title, extra=()):
    """One row per run, then the two baselines; ``extra`` adds (column, function of a run)."""
    columns = ["run", "train MSE (eval mode)", "test MSE", "mean grad norm", "largest grad norm",
               "seconds", *[column for column, _ in extra]]
    rows = [[name, r["train_mse"], r["test_mse"], r["grad_mean"], r["grad_max"],
             r["history"].total_seconds, *[value(r) for _, value in extra]]
            for name, r in runs.items()]
    rows += [[baseline, None, value, None, None, None, *[None for _ in extra]]
             for baseline, value in [("PCA, 32 components", pca_mse),
                                     ("the mean training image", mean_image_mse)]]
    return table(columns, rows, title=title)


def spread_of(values):
    """Seed-to-seed spread: (largest − smallest) / smallest."""
    return (max(values) - min(values)) / min(values)


# %% [markdown]
# ## 0. How much does retraining alone move the error?
#
# Before comparing techniques, measure the noise. The same recipe trained from another
# seed starts from other random weights and sees the batches in another order, and ends
# at a slightly different error. A difference between two runs smaller than that says
# nothing about the technique. We train the lesson's reference run (Adam, cosine
# schedule) from three seeds:

# %%
reference = {seed: run("adam", seed=seed) for seed in (0, 1, 2)}
reference_mse = [r["test_mse"] for r in reference.values()]
SPREAD = spread_of(reference_mse)
results_table({f"Adam, cosine, seed {s}": r for s, r in reference.items()},
              "The reference run from three seeds")

# %%
display(Markdown(
    f"Three seeds ended at test MSE {', '.join(number(v) for v in reference_mse)}: a "
    f"seed-to-seed spread of **{SPREAD:.1%}** (largest over smallest, minus one). Every "
    f"verdict below that compares two single runs calls a gap within this spread a tie."))

# %% [markdown]
# ## 1. Gradient clipping
#
# **With a threshold of 1.0**, a common default. We train the model (Adam) with and
# without `clip_grad_norm=1.0` and compare the threshold with the gradient norms it acts
# on: the mean over all steps (the typical step) and the largest single step.

# %%
plain, clipped = run("adam"), run("adam_clip1", clip_grad_norm=1.0)
clip_runs = {"Adam, no clipping": plain, "Adam, clip at 1.0": clipped}
epochs_over = sum(g > 1.0 for g in plain["history"].grad_norm_max)
results_table(clip_runs, "Gradient clipping at 1.0 (Adam)")

# %%
display(Markdown(
    f"Without clipping, the gradient norm was {number(plain['grad_mean'])} on a typical step "
    f"and {number(plain['grad_max'])} at most: the threshold 1.0 is "
    f"{1.0 / plain['grad_mean']:.0f}× the typical step, and {epochs_over} of the "
    f"{plain['history'].epochs} epochs had a step above it."))
compare("clipping at 1.0", clipped["test_mse"], "no clipping", plain["test_mse"], spread=SPREAD)

# %% jupyter={"source_hidden": true} tags=["hide-input"]
assert plain["grad_mean"] < 0.5, plain["grad_mean"]

# %% [markdown]
# A threshold only means something relative to the gradient norms you actually have,
# which is why `train` records them. With a loss averaged over pixels, a typical step of
# this model is far below 1; only the largest steps, early in training, come near it or
# pass it.
# Adam divides each step by a running average of the gradients' size, so a single large
# gradient moves it little anyway. A loss *summed* over pixels instead of averaged would
# make every norm 784 times larger, and the same threshold would cap every step
# (exercise 1).
#
# **A setting where it matters.** Clipping is meant for rare, huge gradients. To provoke
# them, switch to plain SGD with momentum at a far too high learning rate (100), with
# binary cross-entropy as the loss (section 5 explains it). Three runs: no clipping,
# clipping at 0.05, and a ten times lower learning rate instead of clipping.

# %%
sgd = dict(optimizer="sgd", loss="bce")
with warnings.catch_warnings():  # a run that stops early says so in the table below
    warnings.simplefilter("ignore", RuntimeWarning)
    hot_runs = {"SGD lr 100, no clipping": run("sgd100", lr=100.0, **sgd),
                "SGD lr 100, clip at 0.05": run("sgd100_clip", lr=100.0, clip_grad_norm=0.05,
                                                **sgd),
                "SGD lr 10, no clipping": run("sgd10", lr=10.0, **sgd)}
exploded, capped, slower = hot_runs.values()
results_table(hot_runs, "SGD with momentum, BCE loss (test error measured as MSE)",
              extra=[("epochs run", lambda r: r["history"].epochs)])

# %%
stopped = exploded["history"].stopped_early or "no early stop"
display(Markdown(
    f"Without clipping, the largest gradient norm reached {number(exploded['grad_max'])} "
    f"(the threshold is 0.05), and the run lasted "
    f"{exploded['history'].epochs} of {base_settings['epochs']} epochs ({stopped})."))
display(compare("SGD at lr 100 with clipping", capped["test_mse"], "the mean training image",
                mean_image_mse, spread=SPREAD))
display(compare("SGD at lr 100 without clipping", exploded["test_mse"],
                "the mean training image", mean_image_mse, spread=SPREAD))
compare("clipping at lr 100", capped["test_mse"], "a ten times lower learning rate",
        slower["test_mse"], spread=SPREAD)

# %% jupyter={"source_hidden": true} tags=["hide-input"]
assert capped["test_mse"] < mean_image_mse, "with clipping, lr 100 trains"
assert not exploded["test_mse"] < mean_image_mse, "without clipping, lr 100 does not"

# %% [markdown]
# Without clipping, a few huge steps throw the network off, and it does not recover: it
# does not end below the mean image. With clipping the same learning rate trains,
# because every step is capped at a length of about `lr × 0.05` (more with momentum's
# memory). The third run is the other cure, a lower learning rate.
#
# **The same run with BCE computed on the Sigmoid's output.** Many tutorials write the
# loss as `F.binary_cross_entropy(model(x), x)`, on the output *after* the decoder's
# Sigmoid. The course computes it from the logits, the values before the Sigmoid
# (section 5 shows why). Here is the unclipped run at lr 100 with the other form:

# %%
def bce_on_output(model, inputs, targets):
    """BCE on the Sigmoid's output, as F.binary_cross_entropy takes it (not from logits)."""
    return F.binary_cross_entropy(model(inputs), targets)


# Saturation sets in over about a hundred steps: in FAST mode (the course's own tests, one
# pass) this run gets four passes, in learner mode the same as every run.
silenced = run("sgd100_on_output", lr=100.0, optimizer="sgd", objective=bce_on_output,
               epochs=budget(full=base_settings["epochs"], fast=4))
with torch.no_grad():
    outputs = silenced["model"](test_set.images[:200])  # N×1×28×28, after the Sigmoid
saturated = float(((outputs == 0) | (outputs == 1)).float().mean())
results_table({"SGD lr 100, BCE on the output": silenced},
              "The unclipped run, with BCE computed on the Sigmoid's output")

# %%
display(Markdown(
    f"With BCE on the output, the gradient norm fell to {number(silenced['grad_last'])} in "
    f"the last epoch, and **{saturated:.2%}** of the output pixels of 200 test images are "
    f"exactly 0 or 1 in float32."))
compare("SGD at lr 100, BCE on the output", silenced["test_mse"], "the mean training image",
        mean_image_mse, spread=SPREAD)

# %% jupyter={"source_hidden": true} tags=["hide-input"]
assert saturated > 0.5, f"{saturated:.1%} of the output pixels saturated"

# %% [markdown]
# With BCE on the output, the same run ends another way: most outputs saturate, exactly 0
# or 1 in float32, where the Sigmoid's gradient is exactly 0, so the huge steps go quiet
# instead of growing. The model sits wrong and cannot learn. Neither ending is training;
# clipping, or a sane learning rate, is the cure in both. The next figure shows the
# gradient norms of the runs so far, epoch by epoch.

# %%
fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4))
for i, (name, r) in enumerate({**clip_runs, **hot_runs,
                               "SGD lr 100, BCE on the output": silenced}.items()):
    h = r["history"]
    xs = range(1, h.epochs + 1)
    left.plot(xs, h.grad_norm_max, color=f"C{i}", marker="o", ms=3, label=f"{name} (largest)")
    left.plot(xs, [max(g, 1e-12) for g in h.grad_norm], color=f"C{i}", ls="--",
              label=f"{name} (mean)")
    if r is not plain and r is not clipped:
        right.plot(xs, h.test_loss,
                   color=f"C{i}", marker="o", ms=3, label=name)
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
show(fig, alt="Left: gradient norms per epoch, largest step and mean, of the Adam runs and "
              "the SGD runs, on a log scale with the thresholds 1.0 and 0.05 marked. Right: "
              "the test loss of the SGD runs per epoch.")

# %% [markdown]
# **Verdict on "always for deep networks".** Clipping is a safety net against rare huge
# steps, and it saved the SGD run. With Adam and a mean loss, the typical step is far
# below a threshold of 1.0, so clipping there can only touch the rare largest steps.
# Whether it does anything depends on the threshold relative to your gradient norms, so
# record them, as `train` does.
#
# ## 2. BatchNorm on vs off
#
# Same model, so only BatchNorm changes; two learning rates for Adam, because
# normalisation is often said to allow a higher one.

# %%
bn_runs = {}
for lr in (1e-3, 1e-2):
    for bn in (True, False):
        name = "adam" if (bn and lr == 1e-3) else f"bn{int(bn)}_lr{lr:g}"
        bn_runs[f"BatchNorm {'on' if bn else 'off'}, lr {lr:g}"] = run(name, batchnorm=bn, lr=lr)
results_table(bn_runs, "BatchNorm on vs off (Adam)",
              extra=[("mean grad norm, last epoch", lambda r: r["grad_last"])])

# %%
fig = plot_series({name: r["history"].test_loss for name, r in bn_runs.items()},
                  title="BatchNorm on vs off: test error per epoch", xlabel="epoch",
                  ylabel="test MSE per pixel", log_y=True)
show(fig, alt="Test error per epoch of the four runs with BatchNorm on and off at learning "
              "rates 1e-3 and 1e-2, on a log scale.")
compare_at("BatchNorm", "no BatchNorm",
           {f"at lr {lr:g}": (bn_runs[f"BatchNorm on, lr {lr:g}"]["test_mse"],
                              bn_runs[f"BatchNorm off, lr {lr:g}"]["test_mse"])
            for lr in (1e-3, 1e-2)}, spread=SPREAD)

# %% [markdown]
# One thing BatchNorm does that the table cannot hide: the model computes differently in
# training (statistics of the batch) and in evaluation (running averages), so a loss
# recorded during training and an error measured afterwards come from two slightly
# different functions. That is why every training error in this lesson is measured again
# in eval mode.
#
# **Why does BatchNorm help?** The paper that introduced it (Ioffe and Szegedy, 2015)
# explained it by *internal covariate shift*: as earlier layers learn, the distribution of
# each layer's inputs keeps changing, and normalising those inputs would spare later
# layers from chasing a moving target. That explanation is contested. Santurkar, Tsipras,
# Ilyas and Madry (2018) added random noise *after* each BatchNorm layer, so that the
# inputs of the next layer shifted more than without BatchNorm, and the network still
# trained about as well as with plain BatchNorm; they also measured the shift and found
# that BatchNorm does not necessarily reduce it. Their account: BatchNorm makes the loss
# landscape smoother, so gradients stay predictive over a longer step, which lets larger
# learning rates work. This lesson measures what BatchNorm does to the error at two
# learning rates, not why: its numbers can neither confirm nor refute either account.
#
# ## 3. Dropout on vs off
#
# Dropout zeroes a random 20% of the hidden units at every training step, so the network
# cannot rely on any single unit. It is meant to fight *overfitting*: a test error well
# above the same model's training error, both measured in eval mode (Dropout off).

# %%
without_d, with_d = run("adam"), run("dropout02", dropout=0.2)
drop_runs = {"no Dropout": without_d, "Dropout 0.2": with_d}
results_table(drop_runs, "Dropout on vs off (Adam, BatchNorm on)",
              extra=[("recorded train loss (train mode)", lambda r: r["history"].final_train_loss),
                     ("test − train MSE", lambda r: r["test_mse"] - r["train_mse"])])

# %%
regularizer("Dropout", with_train=with_d["train_mse"], with_test=with_d["test_mse"],
            without_train=without_d["train_mse"], without_test=without_d["test_mse"],
            spread=SPREAD)

# %% jupyter={"source_hidden": true} tags=["hide-input"]
assert with_d["history"].final_train_loss > with_d["train_mse"], "recorded > eval-mode error"

# %% [markdown]
# Two lessons here. First, a *recorded* training loss is not the model's training error:
# it is averaged over an epoch while the weights change, and measured in training mode,
# with units dropped when Dropout is on. With Dropout it is higher than the same images'
# error in eval mode (the table's recorded column against its eval-mode column), which
# is why the gap above uses the eval-mode error. Second, Dropout is a cure for
# overfitting; lesson 03 measured what it costs an autoencoder, whose code must carry
# every detail of the image to the decoder.
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

# %% [markdown]
# Schedules can end within a few per cent of each other, less than a seed-to-seed spread,
# and one run each would then not settle their order. So each schedule is trained from
# the same three seeds (cosine is the reference run of section 0):

# %%
SCHEDULES = ("constant", "step", "cosine", "onecycle")
sched_runs = {name: [run("adam" if name == "cosine" else f"sched_{name}", scheduler=name,
                         seed=seed) for seed in (0, 1, 2)]
              for name in SCHEDULES}
sched_mean = {name: sum(r["test_mse"] for r in runs) / 3 for name, runs in sched_runs.items()}
sched_spread = {name: spread_of([r["test_mse"] for r in runs]) for name, runs in sched_runs.items()}
table(["schedule", "test MSE, seed 0", "seed 1", "seed 2", "mean", "spread", "final lr"],
      [[name, *(r["test_mse"] for r in runs), sched_mean[name], f"{sched_spread[name]:.1%}",
        runs[0]["history"].lr[-1]] for name, runs in sched_runs.items()],
      title="Learning-rate schedules (Adam, peak lr 1e-3), three seeds each")

# %%
fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4))
for name, runs in sched_runs.items():
    h = runs[0]["history"]
    left.plot(range(1, h.epochs + 1), h.lr, marker="o", ms=3, label=name)
    right.plot(range(1, h.epochs + 1), h.test_loss, marker="o", ms=3, label=f"{name} (seed 0)")
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
show(fig, alt="Left: the learning rate at the end of each epoch under the four schedules, on "
              "a log scale. Right: the test error per epoch of each schedule's first seed, "
              "with PCA-32's error as a dotted line.")
schedule_spread = max(sched_spread.values())
rank(sched_mean, measure="mean test MSE over three seeds", spread=schedule_spread, runs=3)

# %% jupyter={"source_hidden": true} tags=["hide-input"]
assert all(r["test_mse"] > pca_mse for runs in sched_runs.values() for r in runs)

# %% [markdown]
# The noise band of that ranking is the largest spread of one schedule over its three
# seeds. Keep the budget in mind when you read it: every run ends above the dotted PCA-32
# line, so none is a finished model, and a schedule that lowers the rate gives up some of
# the progress a full-size step would make (the left plot shows how far each one lowered
# it). Schedules that anneal to a small rate are meant for the end of a run that has
# flattened out, which is why the course's full recipes use cosine; one-cycle also spends
# its first part warming up. Exercise 4 doubles the steps and adds a schedule that lowers
# the rate when the loss stalls (`"plateau"`).
#
# ## 5. MSE vs binary cross-entropy
#
# Both losses reach their minimum when the reconstruction equals the image, but they
# weigh mistakes differently: cross-entropy treats each pixel value as a probability and
# punishes confident mistakes (predicting 0.01 for an ink pixel) much harder.
#
# **One pixel first.** The decoder's last layer computes a *logit* a for every pixel,
# and its Sigmoid turns it into the pixel value x̂ = σ(a). A confidently wrong pixel:
# a = 20 (so x̂ is almost 1) where the image is black (x = 0). The gradient of the loss
# with respect to a is how hard training pushes that pixel back, computed here in float32
# as training does, with BCE on the Sigmoid's output and BCE from the logit:

# %%
a = torch.tensor([20.0], requires_grad=True)  # one logit
x = torch.zeros(1)  # the target pixel: background
x_hat = torch.sigmoid(a)
on_output = torch.autograd.grad(F.binary_cross_entropy(x_hat, x), a)[0]
from_logits = torch.autograd.grad(F.binary_cross_entropy_with_logits(a, x), a)[0]
print(f"σ(20) in float32: {x_hat.item()!r} (exactly 1.0: {x_hat.item() == 1.0})")
print(f"gradient with BCE on the output:  {on_output.item()}")
print(f"gradient with BCE from the logit: {from_logits.item()}")

# %% jupyter={"source_hidden": true} tags=["hide-input"]
assert x_hat.item() == 1.0 and on_output.item() == 0.0 and from_logits.item() == 1.0

# %% [markdown]
# On paper both forms have the same gradient, σ(a) − x = 1. In float32, σ(20) is rounded
# to exactly 1.0 (float32 keeps about 7 significant digits, and σ(20) = 1 − 2·10⁻⁹). From
# there on, the Sigmoid's own gradient, σ(a)(1 − σ(a)), is exactly 0, and so is the
# gradient of anything computed on its output: BCE on the output gives 0, BCE from the
# logit gives 1. This happens for every a above about 16.6; near a = −28, PyTorch's guard
# against dividing by zero shrinks the output form's gradient too.
# `binary_cross_entropy_with_logits` computes log σ(a) directly from a, so it never
# passes through the rounded value. That is why every model of the course has a
# `logits(x)` method (its output before the final Sigmoid) and why `loss="bce"` uses it,
# while `forward(x)` still returns images in [0, 1].
#
# With MSE the gradient with respect to a is 2(x̂ − x)·x̂(1 − x̂): the Sigmoid's slope
# multiplies it even on paper, and that slope is tiny wherever the output is near 0 or 1,
# which is most of an MNIST image (the background).
#
# **Try it.** Move the logit and the target pixel. At target 0, push a past 15 and watch
# BCE on the output go flat, its loss jump to PyTorch's cap of 100 and its gradient drop
# to 0, while BCE from logits keeps a gradient of 1; MSE's gradient fades long before.
# At target 1, look near a = −30.

# %%
from course_utils.widgets.losses import loss_explorer

loss_explorer()

# %% [markdown]
# **Two models.** To compare the losses fairly we train one model with each and measure
# **both on the same yardstick**, the test MSE (and the test BCE).

# %%
mse_run, bce_run = run("adam"), run("bce", loss="bce")
loss_runs = {"trained with MSE": mse_run, "trained with BCE": bce_run}
floor = float(bce_floor(test_set.images).mean()) / test_set.images[0].numel()
bce_of = {name: evaluate(r["model"], test_set, loss="bce") for name, r in loss_runs.items()}
results_table(loss_runs, "MSE vs BCE (Adam)",
              extra=[("test BCE", lambda r: evaluate(r["model"], test_set, loss="bce"))])

# %%
display(compare("the model trained with BCE", bce_run["test_mse"], "the model trained with MSE",
                mse_run["test_mse"], measure="test MSE", spread=SPREAD))
display(compare("the model trained with BCE", bce_of["trained with BCE"],
                "the model trained with MSE", bce_of["trained with MSE"], measure="test BCE",
                spread=SPREAD))
Markdown(f"The BCE run's gradients stayed alive to the end: a mean norm of "
         f"{number(bce_run['grad_last'])} in its last epoch. The smallest possible test BCE, "
         f"a perfect copy, is {number(floor)} per pixel; the smallest possible MSE is 0.")

# %% jupyter={"source_hidden": true} tags=["hide-input"]
assert floor > 0

# %% [markdown]
# **Why the loss values themselves cannot be compared.** MSE is a squared difference,
# 0 for a perfect copy. BCE, −[x·log x̂ + (1−x)·log(1−x̂)], is in nats, and for a grey pixel
# (x strictly between 0 and 1) even the perfect prediction x̂ = x costs the pixel's
# entropy, so a perfect copy of these images still scores a positive floor. A BCE of 0.1
# and an MSE of 0.01 say nothing about which model is better; only a shared yardstick
# does (test MSE here; PSNR or SSIM elsewhere).

# %%
originals = test_set.images[:10]
fig = show_reconstructions(originals, {name: reconstruct(r["model"], originals)
                                       for name, r in loss_runs.items()},
                           title="Test images, reconstructed by models trained with MSE and "
                                 "with BCE")
show(fig, alt="Ten test digits, each above its reconstruction by the model trained with MSE "
              "and by the model trained with BCE, with each row's MSE.")

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
# precision. These two runs are timed afresh every time (not loaded from the cache).

# %%
precision_set = train_small.subset(budget(full=1_600, fast=320))
precision_runs = {}
for precision in ("fp32", "bf16"):
    seed_everything(0)
    model = DeepAutoencoder(dropout=0.0)  # as every run of this lesson but Dropout's own
    history = train(model, precision_set, test_set, **{**base_settings, "epochs": 4, "lr": 3e-3},
                    precision=precision)
    precision_runs[precision] = {"history": history, "test_mse": evaluate(model, test_set),
                                 "seconds": history.total_seconds / history.epochs}
table(["precision", "seconds per epoch", "test MSE"],
      [[p, r["seconds"], r["test_mse"]] for p, r in precision_runs.items()],
      title=f"4 passes over {len(precision_set):,} images, DeepAutoencoder")

# %%
fp32, bf16 = (precision_runs[p] for p in ("fp32", "bf16"))
display(compare("the bfloat16 run", bf16["seconds"], "the float32 run", fp32["seconds"],
                measure="seconds per epoch", tie_within=0.1))
display(compare("the bfloat16 run", bf16["test_mse"], "the float32 run", fp32["test_mse"],
                spread=SPREAD))
compare("the float32 run", fp32["test_mse"], "the mean training image", mean_image_mse)

# %% [markdown]
# So mixed precision is a property of the hardware more than of the model. On a GPU from
# the Ampere generation on, or a CPU with AVX512-BF16 or AMX instructions, it can make the
# large matrix products faster and halves the memory their inputs take; on hardware
# without it, bfloat16 is emulated and slower. Even with native support, a small model
# with small batches may gain little, because much of its time goes into work that
# bfloat16 does not shorten. The course's
# default, `precision="auto"`, uses bfloat16 only where `native_bf16` is true and float32
# everywhere else, so you never pay for emulation. The weights themselves stay in float32
# either way; after so few steps, the test errors compare the arithmetic, not two
# finished models.

# %% [markdown]
# ## Explore the training curves
#
# Every run of this lesson trained with MSE, as test error per epoch (seed 0). Slide
# `compare` through the preset comparisons: each technique against the reference run
# (Adam, cosine schedule, BatchNorm on). Look at where the curves part: in the first
# epoch, or only at the end? In a running kernel, the checkboxes below pick any curves.

# %%
from course_utils.widgets.losses import training_curves_explorer

curves = {"Adam, cosine (reference)": plain, "clip at 1.0": clipped,
          "BatchNorm off": bn_runs["BatchNorm off, lr 0.001"],
          "BatchNorm off, lr 1e-2": bn_runs["BatchNorm off, lr 0.01"], "Dropout 0.2": with_d,
          "constant": sched_runs["constant"][0], "step": sched_runs["step"][0],
          "one-cycle": sched_runs["onecycle"][0]}
reference_name = "Adam, cosine (reference)"
groups = {"every run": list(curves),
          "clipping": [reference_name, "clip at 1.0"],
          "BatchNorm": [reference_name, "BatchNorm off", "BatchNorm off, lr 1e-2"],
          "Dropout": [reference_name, "Dropout 0.2"],
          "schedules": [reference_name, "constant", "step", "one-cycle"]}
training_curves_explorer({name: r["history"].test_loss for name, r in curves.items()},
                         baselines={"PCA-32": pca_mse, "mean image": mean_image_mse},
                         groups=groups)

# %% [markdown]
# The lesson's trainings, and how long they took:

# %%
everything = [*done.values(), *precision_runs.values()]
print(f"{len(everything)} trainings, {sum(r['history'].total_seconds for r in everything):.0f} s "
      f"of training recorded by train() (cached runs load in a fraction of a second)")
print(f"this run: {time.perf_counter() - notebook_start:.0f} s of wall-clock time, "
      f"{time.process_time() - notebook_cpu:.0f} s of CPU time")

# %% [markdown]
# ## References
#
# - Sergey Ioffe and Christian Szegedy, "Batch Normalization: Accelerating Deep Network
#   Training by Reducing Internal Covariate Shift", ICML 2015. The method, and the
#   internal-covariate-shift explanation.
# - Shibani Santurkar, Dimitris Tsipras, Andrew Ilyas and Aleksander Madry, "How Does
#   Batch Normalization Help Optimization?", NeurIPS 2018. Noise injected after
#   BatchNorm, a measurement of the shift, and the smoother loss landscape as the
#   alternative explanation.
# - Nitish Srivastava, Geoffrey Hinton, Alex Krizhevsky, Ilya Sutskever and Ruslan
#   Salakhutdinov, "Dropout: A Simple Way to Prevent Neural Networks from Overfitting",
#   JMLR 15, 2014.
# - Razvan Pascanu, Tomas Mikolov and Yoshua Bengio, "On the difficulty of training
#   recurrent neural networks", ICML 2013: gradient-norm clipping.
# - Leslie N. Smith and Nicholay Topin, "Super-Convergence: Very Fast Training of Neural
#   Networks Using Large Learning Rates", 2019 (arXiv:1708.07120): the one-cycle schedule.
# - Ilya Loshchilov and Frank Hutter, "SGDR: Stochastic Gradient Descent with Warm
#   Restarts", ICLR 2017: cosine annealing.

# %% [markdown]
# ## Summary
#
# The table of techniques from the top of the lesson, with what this lesson measured
# beside each claim, each a verdict computed from the runs above:

# %%
verdicts = {
    "Gradient clipping": [
        compare("clipping at 1.0 (Adam)", clipped["test_mse"], "no clipping",
                plain["test_mse"], spread=SPREAD),
        compare("SGD at lr 100 with clipping at 0.05", capped["test_mse"],
                "the mean training image", mean_image_mse, spread=SPREAD)],
    "Batch normalization": [compare("BatchNorm", bn_runs["BatchNorm on, lr 0.001"]["test_mse"],
                                    "no BatchNorm", bn_runs["BatchNorm off, lr 0.001"]["test_mse"],
                                    spread=SPREAD)],
    "Dropout": [compare("Dropout 0.2", with_d["test_mse"], "no Dropout", without_d["test_mse"],
                        spread=SPREAD)],
    "Learning-rate scheduling": [rank(sched_mean, measure="mean test MSE over three seeds",
                                      spread=schedule_spread, runs=3)],
    "Mixed precision (bf16)": [compare("the bfloat16 run", bf16["seconds"], "the float32 run",
                                       fp32["seconds"], measure="seconds per epoch",
                                       tie_within=0.1)],
    "Loss: MSE vs BCE": [compare("training with BCE", bce_run["test_mse"], "training with MSE",
                                 mse_run["test_mse"], spread=SPREAD)],
}
claims = {"Gradient clipping": "Always for deep networks",
          "Batch normalization": "Standard for 3+ layers",
          "Dropout": "When capacity exceeds data complexity",
          "Learning-rate scheduling": "For fine-tuning convergence",
          "Mixed precision (bf16)": "When the hardware computes bfloat16",
          "Loss: MSE vs BCE": "Compare on one yardstick"}
rows = "\n".join(f"| {name} | {claims[name]} | {' '.join(v.text for v in found)} |"
                 for name, found in verdicts.items())
Markdown(f"{steps_per_run:,} steps per run; seed-to-seed spread {SPREAD:.1%}; PCA-32 "
         f"{number(pca_mse)}, the mean image {number(mean_image_mse)}.\n\n"
         f"| technique | claim | measured here |\n|---|---|---|\n{rows}")


# %% [markdown]
# - **Gradient clipping**: record gradient norms before choosing a threshold, and compare
#   it with them. It is a safety net against rare huge steps: it rescued SGD at a far too
#   high learning rate.
# - **BatchNorm**, **Dropout**, **learning-rate schedules**: each was one controlled
#   change, judged against the spread between seeds measured first. A recorded training
#   loss is not a training error: compare in eval mode. "Reduces internal covariate
#   shift" is a contested explanation of BatchNorm, not a measured fact.
# - **MSE vs BCE**: compute BCE from logits, or a saturated Sigmoid silences its
#   gradient; compare models on one yardstick, never BCE values against MSE values; BCE
#   has a positive floor on grey pixels.
# - **Mixed precision** pays only where the hardware computes bfloat16; `precision="auto"`
#   checks that for you.

# %% [markdown]
# ## Exercises
#
# 1. Write a loss summed over each image's pixels and averaged over the batch
#    (`objective=lambda m, x, y: ((m(x) - y) ** 2).sum() / len(x)`, passed to `run`) and
#    train with Adam and `clip_grad_norm=1.0`: how often does clipping act now? Does it
#    hurt?
# 2. With the setting of section 1 (SGD with momentum, BCE, no clipping), find the
#    largest learning rate between 10 and 100 at which the network still ends below the
#    mean image. Is it the same with `objective=bce_on_output`?
# 3. Train with and without Dropout on only 500 images for more epochs. Does the
#    train/test gap (in eval mode) grow, and does Dropout narrow it?
# 4. Add `"plateau"` (× 0.3 when the test loss stops improving) to the schedules, and
#    give them all twice the steps. Does the ranking change, beyond the spread between seeds?
#
# Next: **05 · Transposed convolution**.
