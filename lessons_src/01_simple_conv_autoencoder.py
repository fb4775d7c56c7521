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
# # 01 · A simple convolutional autoencoder
#
# A fully connected autoencoder flattens a 28×28 image into 784 numbers and forgets which
# pixel was next to which. A *convolutional* autoencoder keeps the image as an image: every
# layer holds a stack of 2-D maps. This lesson builds the smallest one of the course, looks
# at every tensor it produces, trains it with a training loop written out line by line,
# and measures it against PCA.
#
# **What you will learn**
# - how data flows through a fully connected and a convolutional autoencoder, with real
#   tensors, and what "translation equivariance" means (an explorer moves a digit and its
#   feature maps);
# - the output-size formulas of convolution and pooling, worked through for this model's
#   layers and checked against PyTorch;
# - the `SimpleConvAutoencoder`: its source, its shapes and where its parameters sit;
# - the training loop itself: batches, forward pass, loss, `zero_grad`, `backward`, `step`,
#   and a test pass; then the course's `train()`, which is that loop plus conveniences;
# - how well the model reconstructs digits, next to PCA;
# - why its code (16×14×14 numbers) is *bigger* than the 28×28-pixel image, and what that
#   means for "compression";
# - what a convolution relies on that a fully connected layer does not, measured by
#   shuffling the pixels (and what that says about "fully connected for tabular data").
#
# **Time:** about 40 minutes: 26 to read, 11 for the code, and under a minute of
# computing on one CPU core the first time (four short trainings of a 225-parameter
# model); two of them are cached, so a second run is quicker. The last cell prints how
# long this run took.
#
# **Prerequisites:** lesson 00 (PCA as the mean digit plus weighted components); PyTorch
# tensors and `nn.Module`.

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

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from IPython.display import Code, Markdown, display
from torch import nn

from course_utils.config import seed_everything
from course_utils.tables import table
from course_utils.verdicts import compare, compare_at, number
from course_utils.viz import show, show_image_rows, use_house_style

notebook_start = time.perf_counter()
use_house_style()  # plots, and tables (DataFrames) with thousands separators
torch.set_printoptions(precision=3, sci_mode=False)

# %% [markdown]
# ## 1 · Two ways to move an image through a network
#
# The difference is often put in one table:
#
# | Type | Data flow |
# |------|-----------|
# | Fully connected | $x \in \mathbb{R}^d \to z \in \mathbb{R}^k \to \hat{x} \in \mathbb{R}^d$ |
# | Convolutional | $X \in \mathbb{R}^{H \times W \times C} \to Z \in \mathbb{R}^{h \times w \times c} \to \hat{X} \in \mathbb{R}^{H \times W \times C}$ |
#
# PyTorch orders the axes as batch × channels × height × width (N×C×H×W), so a batch of
# MNIST digits is N×1×28×28. The next cell loads the data the course's trained models use
# (`recipes.standard_data()`, a fixed subset of MNIST, the same in every lesson) and
# prints how many images it holds and where they came from.

# %%
from course_utils import recipes

train_set, test_set = recipes.standard_data()
print(f"training: {len(train_set):,} images; test: {len(test_set):,} images")
print(f"source:   {train_set.source}")
print(f"offline subset instead of full MNIST: {train_set.is_fallback}")
# where the first test image of each digit sits, for the pictures below
shown = torch.tensor([int(torch.nonzero(test_set.labels == d)[0]) for d in range(10)])

# %% [markdown]
# Now 8 test digits, one each of 0 to 7, go through both kinds of layers, untrained, and
# every shape is printed.

# %% tags=["nbval-check-output"]
x = test_set.images[shown[:8]]  # 8×1×28×28: digits 0 to 7
seed_everything(0)
fc_encoder = nn.Linear(784, 32)
fc_decoder = nn.Linear(32, 784)
conv = nn.Conv2d(1, 16, kernel_size=3, padding=1)
pool = nn.MaxPool2d(kernel_size=2)
up = nn.ConvTranspose2d(16, 1, kernel_size=2, stride=2)

with torch.no_grad():
    flat = x.flatten(1)  # 8×784: the image becomes a list of numbers
    z_fc = fc_encoder(flat)  # 8×32
    x_fc = fc_decoder(z_fc).view(-1, 1, 28, 28)  # 8×784, reshaped back to 8×1×28×28
    maps = conv(x)  # 8×16×28×28: 16 maps, each still 28×28
    z_conv = pool(maps)  # 8×16×14×14
    x_conv = up(z_conv)  # 8×1×28×28

print("fully connected:", " → ".join(
    "×".join(map(str, t.shape)) for t in (x, flat, z_fc, x_fc)))
print("convolutional:  ", " → ".join(
    "×".join(map(str, t.shape)) for t in (x, maps, z_conv, x_conv)))

# %% [markdown]
# Both end where they started, at 8×1×28×28. In the middle, the fully connected code is a
# row of 32 numbers per image; the convolutional code is 16 maps of 14×14, and position
# (row, column) in each map still describes the same region of the digit.
#
# A common claim says that a convolutional autoencoder has *translation invariance*. The
# next cell tests that with real tensors: shift a digit by 2 pixels and by 1 pixel, and
# compare the layers' outputs with shifted copies of the originals (away from the image
# border, where the shift wraps around).

# %% tags=["nbval-check-output"]
def shift(t: torch.Tensor, pixels: int) -> torch.Tensor:
    """Move the content of N×C×H×W maps down and right by ``pixels``."""
    return torch.roll(t, shifts=(pixels, pixels), dims=(2, 3))


inner = (slice(None), slice(None), slice(4, -4), slice(4, -4))  # away from the border
with torch.no_grad():
    conv_then_shift = shift(conv(x), 2)
    shift_then_conv = conv(shift(x, 2))
    code = pool(conv(x))
    code_2 = pool(conv(shift(x, 2)))
    code_1 = pool(conv(shift(x, 1)))
print("conv(shifted image) == shifted conv(image):           ",
      torch.allclose(shift_then_conv[inner], conv_then_shift[inner], atol=1e-6))
print("code of a 2-pixel shift == code moved by 1 position:  ",
      torch.allclose(code_2[inner], shift(code, 1)[inner], atol=1e-6))
print("code of a 1-pixel shift == the code itself:           ",
      torch.allclose(code_1[inner], code[inner], atol=1e-6))
print("code of a 1-pixel shift == code moved by 1 position:  ",
      torch.allclose(code_1[inner], shift(code, 1)[inner], atol=1e-6))

# %% [markdown]
# So the convolution is translation **equivariant**: shift the input and its output shifts
# with it, exactly. That is what weight sharing buys: the same 3×3 weights are applied at
# every position. It is not *invariance*: the code of a shifted digit is a shifted code,
# not the same code, and a 1-pixel shift, which the 2×2 pooling cannot follow, gives a
# code that matches neither. The next cell measures how much each code changes under a
# 1-pixel shift, the convolutional one and the fully connected one.

# %%
def relative_change(a: torch.Tensor, b: torch.Tensor) -> float:
    """‖a − b‖ / ‖b‖: how much a differs from b, as a share of b's size."""
    return float((a - b).norm() / b.norm())


with torch.no_grad():
    fc_change = relative_change(fc_encoder(shift(x, 1).flatten(1)), fc_encoder(x.flatten(1)))
conv_change = relative_change(code_1, code)
print(f"1-pixel shift: the conv code changes by {conv_change:.0%}, "
      f"the fully connected code by {fc_change:.0%} (relative L2 change)")

# %% [markdown]
# Neither code stays the same under a 1-pixel shift. Where a convolutional network does
# become (nearly) invariant, it is through many pooling stages, or by training for it; the
# claim is better read as "equivariant, by construction". Section 5 lets you move a digit
# yourself and watch the trained model's feature maps follow it.
#
# ## 2 · How big is each layer's output?
#
# Two formulas are usually given. For a convolution with input size $i$, kernel $k$,
# stride $s$ and padding $p$:
#
# $$o = \left\lfloor \frac{i + 2p - k}{s} \right\rfloor + 1$$
#
# and for max pooling, $o = \lfloor i / \text{pool\_size} \rfloor$. `course_utils.arithmetic`
# implements the general form PyTorch uses (with dilation $d$, which is 1 here):

# %%
from course_utils import arithmetic

Code(inspect.getsource(arithmetic.conv_output_size), language="python")

# %% [markdown]
# Pooling uses the *same* formula as convolution, with the stride defaulting to the
# kernel size. The short rule $\lfloor i / \text{pool\_size} \rfloor$ is the special
# case stride = kernel and no padding. The next cell works the formulas through for the
# model's own layers (marked ★) and for a few others, next to the size a real PyTorch
# layer gives for a 1×1×i×i input.

# %% tags=["nbval-check-output"]
def pytorch_size(layer: nn.Module, channels: int, size: int) -> int:
    """The height PyTorch's own layer produces for a channels×size×size input."""
    with torch.no_grad():
        return int(layer(torch.zeros(1, channels, size, size)).shape[-1])


def conv_row(name: str, i: int, k: int, s: int, p: int) -> list:
    ours = arithmetic.conv_output_size(i, k, s, p)
    theirs = pytorch_size(nn.Conv2d(1, 1, k, s, p), 1, i)
    return [name, i, f"⌊({i} + 2·{p} − {k}) / {s}⌋ + 1", ours, "", theirs]


def pool_row(name: str, i: int, k: int, s: int) -> list:
    ours = arithmetic.pool_output_size(i, k, s)
    theirs = pytorch_size(nn.MaxPool2d(k, s), 1, i)
    return [name, i, f"⌊({i} − {k}) / {s}⌋ + 1", ours, f"⌊{i}/{k}⌋ = {i // k}", theirs]


size_table = table(
    ["layer", "input", "formula", "course_utils", "short pool rule", "PyTorch"], [
        conv_row("★ Conv2d k=3 s=1 p=1", 28, 3, 1, 1),
        pool_row("★ MaxPool2d k=2 s=2", 28, 2, 2),
        conv_row("Conv2d k=3 s=1 p=0", 28, 3, 1, 0),
        conv_row("Conv2d k=5 s=1 p=2", 28, 5, 1, 2),
        conv_row("Conv2d k=3 s=2 p=1", 28, 3, 2, 1),
        conv_row("Conv2d k=3 s=2 p=1", 27, 3, 2, 1),
        pool_row("MaxPool2d k=2 s=2", 7, 2, 2),
        pool_row("MaxPool2d k=3 s=2", 28, 3, 2),
    ])
size_table

# %% jupyter={"source_hidden": true} tags=["hide-input"]
# the formula and PyTorch give the same size in every row
assert (size_table["course_utils"] == size_table["PyTorch"]).all(), "course_utils and PyTorch disagree"

# %% [markdown]
# The formula and PyTorch agree in every row. Three things to read off the table:
#
# - a 3×3 kernel with padding 1 keeps the size (28 → 28), which is why the model can pool
#   straight afterwards; without padding the map shrinks by 2 (28 → 26);
# - stride 2 halves the size, and both 27 and 28 go to 14: information about the exact
#   input size is lost, which is what `output_padding` restores in lesson 02;
# - the short pooling rule $\lfloor i/\text{pool\_size} \rfloor$ is right for the model's
#   2×2 pooling, but wrong as soon as stride ≠ kernel: 3×3 pooling with stride 2 gives 13,
#   not ⌊28/3⌋ = 9.
#
# The decoder goes back up with one transposed convolution (lesson 05 is all about it). Its
# size formula is $o = (i - 1)s - 2p + k + a$, with $a$ the output padding:

# %% tags=["nbval-check-output"]
i, k, s, p, a = 14, 2, 2, 0, 0
ours = arithmetic.conv_transpose_output_size(i, k, s, p, a)
theirs = pytorch_size(nn.ConvTranspose2d(1, 1, k, s, p, a), 1, i)
print(f"★ ConvTranspose2d k={k} s={s}: ({i} − 1)·{s} − 2·{p} + {k} + {a} = {ours}; "
      f"PyTorch gives {theirs}")
assert ours == theirs == 28

# %% [markdown]
# A 2×2 kernel with stride 2 paints each input position onto its own 2×2 block of the
# output, with no overlap: 14 positions → 28 pixels, exactly.
#
# ## 3 · The model
#
# Here is the model as `course_utils` defines it. It follows the contract every model of
# the course shares, set by the base class `Autoencoder` (its source comes next):
# `encode(x)` gives the code, `decode(z)` the image, and `forward(x)` the reconstruction.

# %%
from course_utils.models import SimpleConvAutoencoder
from course_utils.models.base import Autoencoder

Code(inspect.getsource(SimpleConvAutoencoder), language="python")

# %%
Code(inspect.getsource(Autoencoder), language="python")

# %% [markdown]
# `trace_shapes` runs one blank image through the model and records what every layer
# outputs (without the batch axis) and how many parameters it owns.

# %% tags=["nbval-check-output"]
from course_utils.arithmetic import trace_shapes

seed_everything(0)
model = SimpleConvAutoencoder()
trace_shapes(model, (1, 28, 28)).to_frame()

# %% [markdown]
# [`torchinfo`](https://github.com/TylerYep/torchinfo) is the tool most PyTorch users
# reach for to see the same thing. Its `summary` runs a batch of one image through the
# model too. It shows the same shapes and parameter counts, with the batch axis kept
# (the leading 1) and with the containers (`Sequential`, the encoder and the decoder) as
# rows of their own, which tells you how the model is organised. Its footer adds a count
# of multiply-adds per image (lesson 06 counts those) and memory estimates.

# %%
from torchinfo import summary

print(summary(model, input_size=(1, 1, 28, 28), col_names=("output_size", "num_params"),
              verbose=0))

# %% [markdown]
# Where are the parameters? Each of the 16 filters is a 1×3×3 kernel plus a bias; the
# transposed convolution has a 2×2 kernel from each of the 16 channels to the single
# output channel, plus one bias. The next cell lists the weight shapes, works the count
# out by hand, and counts a single fully connected layer for scale.

# %% tags=["nbval-check-output"]
from course_utils.summary import count_parameters, parameter_table

encoder_count = 16 * (1 * 3 * 3) + 16
decoder_count = 16 * 1 * (2 * 2) + 1
display(parameter_table(model))
print(f"by hand: encoder 16·(1·3·3) + 16 = {encoder_count};  "
      f"decoder 16·1·(2·2) + 1 = {decoder_count};  total {encoder_count + decoder_count}")
print(f"for scale: one Linear layer from 784 pixels to a single number has "
      f"{count_parameters(nn.Linear(784, 1))} parameters")
assert count_parameters(model) == encoder_count + decoder_count

# %% [markdown]
# The whole model has 225 parameters, fewer than the 785 of one fully connected layer
# from the 784 pixels to a *single* number: the convolution reuses the same 3×3 weights at
# every position.
#
# ## 4 · Training
#
# ### The recipe
#
# The course trains its standard models with shared *recipes*, so every lesson that
# needs this model gets the same weights (and a later lesson loads them in a fraction of a
# second). A recipe fixes the optimizer's learning rate and schedule, the batch size, and
# how many optimizer *steps* to take; the number of passes over the data (epochs) follows
# from the size of the training set, so the wait is the same whatever the data.

# %%
settings = recipes.SIMPLE_CONV.settings(len(train_set))
print(recipes.SIMPLE_CONV)
print(f"for {len(train_set):,} training images:", settings)

# %% [markdown]
# ### The training loop, written out
#
# Training is one short loop, repeated. For every *epoch* (one pass over the training
# images), shuffle the images, cut them into batches, and for every batch:
#
# 1. **forward**: run the batch through the model to get its reconstruction;
# 2. **loss**: measure how far the reconstruction is from the batch itself: for an
#    autoencoder the input is its own target, and the loss here is the mean squared error
#    per pixel (MSE);
# 3. **`optimizer.zero_grad()`**: clear the gradients left from the previous step
#    (PyTorch *adds* new gradients to old ones unless told otherwise);
# 4. **`loss.backward()`**: compute the gradient of the loss with respect to every
#    parameter (backpropagation);
# 5. **`optimizer.step()`**: move every parameter a small step against its gradient. Adam,
#    the optimizer here, scales each step by running averages of past gradients.
#
# After each epoch, a **test pass** measures the error on test images the model never
# trains on, in *evaluation mode* (`model.eval()`, which matters for layers such as
# Dropout and BatchNorm that behave differently while training) and under
# `torch.no_grad()` (no gradients needed, so it is faster and uses less memory). The
# recipe also lowers the learning rate along a cosine curve, from `lr` to 0 over all
# steps (`scheduler.step()` after each step). The next cell is that loop, with the recipe's
# settings, and the same seed the recipe uses.

# %%
train_x, test_x = train_set.images, test_set.images  # N×1×28×28 each, values in [0, 1]
epochs, batch_size = settings["epochs"], settings["batch_size"]
steps_per_epoch = math.ceil(len(train_x) / batch_size)

seed_everything(0)  # the same initial weights as the recipe's model
hand_model = SimpleConvAutoencoder()
optimizer = torch.optim.Adam(hand_model.parameters(), lr=settings["lr"])
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs * steps_per_epoch)
generator = torch.Generator().manual_seed(0)  # the shuffling, repeatable
step_losses, test_losses = [], []
loop_start = time.perf_counter()

for epoch in range(epochs):
    hand_model.train()  # training mode
    order = torch.randperm(len(train_x), generator=generator)  # a new shuffle every epoch
    for start in range(0, len(train_x), batch_size):
        batch = train_x[order[start:start + batch_size]]  # B×1×28×28 (B = 64; the last is smaller)
        reconstruction = hand_model(batch)  # B×1×28×28: the forward pass
        loss = F.mse_loss(reconstruction, batch)  # the input is its own target; a number
        optimizer.zero_grad()  # forget the previous step's gradients
        loss.backward()  # gradients of the loss for all 225 parameters
        optimizer.step()  # move each parameter against its gradient
        scheduler.step()  # the next step is a little smaller (cosine schedule)
        step_losses.append(loss.item())
    hand_model.eval()  # evaluation mode for the test pass
    with torch.no_grad():  # no gradients: faster, less memory
        test_losses.append(F.mse_loss(hand_model(test_x), test_x).item())  # N×1×28×28 in and out
    epoch_mean = sum(step_losses[-steps_per_epoch:]) / steps_per_epoch
    print(f"epoch {epoch + 1}/{epochs}: mean loss over the epoch's batches {epoch_mean:.5f}, "
          f"test loss {test_losses[-1]:.5f}")
loop_seconds = time.perf_counter() - loop_start

# %% [markdown]
# The mean loss over an epoch's batches mixes the model's early, worse steps with its
# later ones, while it was still changing; it is a progress signal, not a training
# error to set beside the test error. To compare the two, measure both with the finished
# model (this section does, a little further on). The loss of every step, and the test
# loss after each epoch:

# %%
fig, ax = plt.subplots(figsize=(7, 3.6))
ax.plot(range(1, len(step_losses) + 1), step_losses, lw=0.8, label="training loss of each batch")
ax.plot([steps_per_epoch * (e + 1) for e in range(epochs)], test_losses, "o--", color="C1",
        label="test loss after each epoch")
ax.set_yscale("log")
ax.set_xlabel("optimizer step")
ax.set_ylabel("MSE per pixel (log scale)")
ax.set_title("The loop written out: loss at every step")
ax.legend(fontsize=8)
fig.tight_layout()
show(fig, alt=f"Training loss of each of the {len(step_losses)} optimizer steps on a log "
     f"scale, falling from {number(step_losses[0])} to {number(step_losses[-1])}, with the "
     f"test loss after each of the {epochs} epochs marked on the curve.")

# %%
Markdown(f"The loss of a batch falls from {number(step_losses[0])} at the first step to "
         f"{number(step_losses[-1])} at the last, {step_losses[0] / step_losses[-1]:.0f}× "
         f"lower; the test loss after the last epoch is {number(test_losses[-1])}.")

# %% [markdown]
# ### `train()`: the same loop, with more around it
#
# Every other lesson trains with `course_utils.training.train`. Its heart is
# `train_one_epoch`, the body of the loop above:

# %%
from course_utils.training import train, train_one_epoch

Code(inspect.getsource(train_one_epoch), language="python")

# %% [markdown]
# The same five steps: `objective(model, inputs, x)` runs the forward pass and computes
# the loss with the clean images `x` as targets. Around it, `train()` adds what the
# lessons need and a learner should not have to retype:
#
# - a **progress bar** over all batches;
# - **losses, optimizers and schedules by name** (`loss="bce"`, `optimizer="sgd"`,
#   `scheduler="cosine"`, …), and an `objective` for models that need more than a
#   reconstruction loss (the VAE of lesson 10);
# - **gradient clipping** (`clip_grad_norm=`), and the gradient norm of every step,
#   recorded (lesson 04);
# - **corrupted inputs** with clean targets (`corrupt=`), the denoising autoencoder of
#   lesson 08;
# - **speed**: mixed precision (where the processor computes in bfloat16 natively, the
#   forward and backward passes run in it; `precision=`), and the memory layout each model
#   runs fastest in;
# - a **`History`** of per-epoch numbers (losses, learning rate, gradient norms, seconds),
#   and an early stop, with a warning, if the loss stops being a number;
# - and, through `cached_train` and the recipes, **the cache**: *load if present, else
#   train*, keyed by the architecture, the data and every setting.
#
# Same seed, same shuffles, same number of steps, same schedule: `train()` with the
# recipe's settings should reproduce the loop written out. The next cell runs it in
# float32, as the loop above computed, and compares the two models' test errors.

# %%
from course_utils.training import evaluate

seed_everything(0)
check_model = SimpleConvAutoencoder()
check_history = train(check_model, train_set, test_set, **settings, precision="fp32")
hand_mse, check_mse = evaluate(hand_model, test_x), evaluate(check_model, test_x)
compare("the hand-written loop", hand_mse, "train()", check_mse, tie_within=0.01)

# %% jupyter={"source_hidden": true} tags=["hide-input"]
# the same computation, up to the order of floating-point sums, at every data size
assert abs(hand_mse - check_mse) <= 0.001 * check_mse, (hand_mse, check_mse)

# %% [markdown]
# They agree: `train()` is this loop. The course's model comes from the recipe's function,
# which calls `train()` through the cache, so later lessons load the same weights:

# %%
Code(inspect.getsource(recipes.simple_conv), language="python")

# %%
model, history = recipes.simple_conv(train_set, test_set)
print(history)
Markdown(f"The recipe's model trained in **{history.precision}** (bfloat16 only where the "
         f"processor computes it natively; {torch.get_num_threads()} CPU thread(s) now). Its "
         f"test MSE, {number(evaluate(model, test_x))}, is "
         f"{100 * abs(evaluate(model, test_x) / hand_mse - 1):.1f}% from the hand-written "
         f"loop's. From here on the lesson uses this model, `model`.")

# %% [markdown]
# ### Test digits it never saw
#
# First, the comparison the epoch averages could not give: the finished model's error on
# its training images and on the test images, both measured the same way (`evaluate`
# runs the model in evaluation mode over every image).

# %%
train_mse, test_mse = evaluate(model, train_x), evaluate(model, test_x)
compare("the training set", train_mse, "the test set", test_mse, measure="MSE",
        tie_within=0.10)

# %% jupyter={"source_hidden": true} tags=["hide-input"]
# 225 parameters cannot memorise thousands of digits: training and test errors stay close
assert abs(train_mse - test_mse) <= 0.2 * test_mse, (train_mse, test_mse)

# %% [markdown]
# A model with 225 parameters has no room to memorise thousands of digits: its errors on
# digits it trained on and on digits it never saw are close. Here are test digits and
# what came back:

# %%
from course_utils.training import reconstruct
from course_utils.viz import show_reconstructions

recon = reconstruct(model, test_x)  # N×1×28×28
show(show_reconstructions(test_x[shown], {"SimpleConvAutoencoder": recon[shown]},
                          title="Test digits and their reconstructions"),
     alt="One test digit of each kind, 0 to 9, above the SimpleConvAutoencoder's "
         "reconstructions, which are close copies, slightly softer at the edges of the strokes.")

# %% [markdown]
# Did training help at all? The next cell measures the same model before training (same
# seed, so the same initial weights) and the simplest baseline, the mean training image.
# PCA, the baseline every other reconstruction in the course stands beside, needs a
# section of its own here (section 7), because of this model's code size.

# %%
from course_utils.metrics import mse

seed_everything(0)
untrained_mse = evaluate(SimpleConvAutoencoder(), test_x)
ae_mse = test_mse
mean_mse = mse(train_x.mean(0, keepdim=True).expand_as(test_x), test_x)
print(f"test MSE before training:  {untrained_mse:.5f}")
print(f"test MSE after training:   {ae_mse:.5f}")
compare("the trained model", ae_mse, "the mean training image", mean_mse)

# %% jupyter={"source_hidden": true} tags=["hide-input"]
assert ae_mse < mean_mse < untrained_mse, "training should beat the mean image"

# %% [markdown]
# Untrained, the model paints a grey haze over the whole image, the black background
# included: worse than drawing the mean digit every time. Trained, it beats the mean
# image.
#
# ## 5 · The trained feature maps move with the digit
#
# Section 1 showed with an untrained layer that a convolution is *equivariant*: move the
# input and its maps move with it. The trained model's first layer has learned filters
# that respond to strokes and edges, which makes the maps easier to read. The explorer
# below moves a test digit sideways by −4 to +4 pixels (on a canvas six pixels wider on
# each side, so the digit is never cut off) and shows one channel of the first layer's
# feature maps, the same channel for the digit where it was, moved by the same amount,
# and the pooled maps that form the code.
#
# Move the shift slider and watch two numbers: the feature maps stay at 0.0% from the
# unmoved maps moved by the same amount (equivariance), while the pooled maps follow only
# even shifts, by whole cells; at odd shifts they fall between cells and change.

# %%
from course_utils.widgets.shift import first_of_each_digit, shift_explorer

shift_explorer(model, first_of_each_digit(test_x, test_set.labels))

# %% [markdown]
# Is the pooled code at least *less* sensitive to a shift than the feature maps? The next
# cell measures, over the first 200 test digits, how much the digit's pixels, the first
# layer's feature maps and the pooled code change when the digit moves by 1 to 4 pixels
# (relative L2 change, all 16 channels, on the same wider canvas).

# %%
from course_utils.widgets.shift import move, on_canvas

digits = on_canvas(test_x[:200])  # 200×1×28×40
with torch.no_grad():
    feature_maps = model.encoder[:2](digits)  # 200×16×28×40: Conv2d + ReLU
    pooled_code = model.encoder(digits)  # 200×16×14×20: then MaxPool2d
    shift_rows = []
    for pixels in (1, 2, 3, 4):
        moved = move(digits, pixels)
        shift_rows.append([pixels, relative_change(moved, digits),
                           relative_change(model.encoder[:2](moved), feature_maps),
                           relative_change(model.encoder(moved), pooled_code)])
shift_table = table(["shift (pixels)", "digit", "feature maps", "pooled code"],
                    shift_rows, title="Relative change when 200 test digits move sideways")
shift_table

# %%
one_pixel = shift_table.iloc[0]
Markdown(f"A one-pixel shift changes the digit's pixels by "
         f"{one_pixel['digit']:.0%}, the feature maps by "
         f"{one_pixel['feature maps']:.0%} and the pooled code by {one_pixel['pooled code']:.0%}; "
         f"a four-pixel shift changes the code by {shift_table.iloc[3]['pooled code']:.0%}.")

# %% jupyter={"source_hidden": true} tags=["hide-input"]
# what the next paragraph says, at every data size: pooling damps a 1-pixel shift a
# little, and larger shifts change the code by more
assert one_pixel["pooled code"] < one_pixel["feature maps"] < one_pixel["digit"]
assert shift_table["pooled code"].iloc[3] > shift_table["pooled code"].iloc[0]

# %% [markdown]
# Pooling makes the code a little less sensitive to a one-pixel shift than the feature
# maps are, and the feature maps less than the pixels; but every shift still changes the
# code by a large fraction of its size, and more for larger shifts. One 2×2 pooling buys
# tolerance to a pixel or so, not invariance.
#
# ## 6 · A code bigger than the image
#
# An autoencoder is usually drawn with a narrow middle. This one is wide: the next cell
# counts the numbers in and out of the encoder, and the bytes, if you stored them.

# %% tags=["nbval-check-output"]
from course_utils.summary import compression_ratio, latent_size

with torch.no_grad():
    z = model.encode(torch.zeros(1, 1, 28, 28))
pixels = 28 * 28
code_numbers = latent_size(model)
print(f"input: 1×28×28 = {pixels} numbers; code: {'×'.join(map(str, z.shape[1:]))} = "
      f"{code_numbers:,} numbers")
print(f"compression ratio (input ÷ code): {compression_ratio(model):.2f}, i.e. the code is "
      f"{code_numbers / pixels:.0f}× larger")
print(f"as stored data: an MNIST image is {pixels} bytes (uint8), its code "
      f"{code_numbers * 4:,} bytes (float32), {code_numbers * 4 // pixels}× more")
assert code_numbers == 16 * 14 * 14 and compression_ratio(model) < 1

# %% [markdown]
# So this model does not compress at all: it *re-describes* each image with 4× as many
# numbers (16× as many bytes). Its code is **overcomplete**. Nothing in its shape forces
# it to find what digits have in common, which is what a bottleneck is for.
#
# How much of those numbers is actually used? ReLU followed by max pooling sets many
# entries to exactly zero, and a code computed from an image holds nothing the image
# did not. The next cell measures both on the test codes: the share of zeros, and how
# many directions hold 99% of the codes' variance, next to the same count for the raw
# pixels.

# %%
from course_utils.training import encode_all


def directions_for(share: float, rows: torch.Tensor) -> int:
    """How many principal directions hold ``share`` of the variance of the rows of N×D data."""
    centred = rows - rows.mean(0, keepdim=True)
    variances = torch.linalg.svdvals(centred) ** 2
    cumulative = torch.cumsum(variances, 0) / variances.sum()
    return int(torch.searchsorted(cumulative, share)) + 1


codes = encode_all(model, test_x).flatten(1)  # N×3,136
zeros = float((codes == 0).float().mean())
code_dirs = directions_for(0.99, codes)
pixel_dirs = directions_for(0.99, test_x.flatten(1))
print(f"{len(codes):,} test codes of {codes.shape[1]:,} numbers: {zeros:.0%} of all entries are 0")
print(f"99% of the variance lies in {code_dirs} directions for the codes, {pixel_dirs} for "
      f"the pixels")
Markdown(f"The code has **{codes.shape[1] / pixels:.0f}× as many numbers** as the image, but "
         f"its variation spreads over only **{code_dirs / pixel_dirs:.1f}× as many "
         f"directions** ({code_dirs} against {pixel_dirs}).")

# %% jupyter={"source_hidden": true} tags=["hide-input"]
# invariant: the number of directions grows far less than the number of code numbers
assert code_dirs / pixel_dirs < 0.5 * codes.shape[1] / pixels

# %% [markdown]
# The count of code numbers grows far more than the number of directions they vary in.
# The code is a redundant, spread-out description of the image, not a richer one.
#
# ## 7 · Against PCA
#
# PCA, as lesson 00 showed, rebuilds a digit as the mean digit plus $k$ weighted
# components; it is the best *linear* autoencoder: for a code of $k$ numbers, no linear
# encoder and decoder reconstruct the training images with a smaller squared error. It is
# the baseline every reconstruction in this course stands beside, at the same code size.
#
# PCA needs a code **at most as long as the image**: there are only 784 directions in a
# 784-pixel space. The next cell asks `course_utils.metrics.pca_baseline` for PCA at the
# autoencoder's code size, and shows its answer.

# %%
from course_utils.metrics import pca_baseline

try:
    pca_baseline(train_set.images, code_numbers)
except ValueError as error:
    print(f"ValueError: {error}")

# %% [markdown]
# And PCA with all 784 components is *lossless*: it just rotates the pixel axes, and
# rotating back gives every image exactly, digit or not. PCA's components are also
# *nested*: the first $k$ components of a fit with all 784 are PCA with $k$ components.
# So the next cell fits PCA once and reads off its test error at 40 sizes from 1 to 784.

# %%
import numpy as np

pca_full = pca_baseline(train_set.images, pixels)  # all 784 components


def pca_reconstruct(images: torch.Tensor, k: int, fit=pca_full) -> torch.Tensor:
    """Encode with the first k principal directions of a PCA fit, decode, clip to [0, 1]."""
    basis = torch.as_tensor(fit.pca.components_[:k], dtype=torch.float32)  # k×784
    mean_digit = torch.as_tensor(fit.pca.mean_, dtype=torch.float32)  # 784
    z = (images.flatten(1) - mean_digit) @ basis.T  # N×k: the code
    return (z @ basis + mean_digit).clamp(0, 1).view_as(images)  # mean + weighted components


pca_errors: dict[int, float] = {}


def pca_test_mse(k: int) -> float:
    """Test MSE of PCA with k components (computed once per k)."""
    if k not in pca_errors:
        pca_errors[k] = mse(pca_reconstruct(test_x, k), test_x)
    return pca_errors[k]


sizes = sorted({int(k) for k in np.geomspace(1, pixels, 40).round()})  # 1 … 784, log-spaced
pca_mse = {k: pca_test_mse(k) for k in sizes}
print(f"PCA-784 test MSE: {pca_test_mse(pixels):.1e} (zero up to rounding)")

# %% jupyter={"source_hidden": true} tags=["hide-input"]
assert pca_test_mse(pixels) < 1e-8 < ae_mse, "PCA-784 is lossless; the overcomplete AE is not"


def smallest_k_matching(error: float) -> int:
    """The fewest PCA components whose test MSE is at most ``error``: a bisection, since
    PCA's error falls as k grows (PCA-0 is the mean image, PCA-784 is exact)."""
    low, high = 0, pixels
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (low, middle) if pca_test_mse(middle) <= error else (middle, high)
    return high

# %% [markdown]
# Now the comparison. PCA cannot be set to the autoencoder's code size, so the next cell
# asks the opposite question: *how many PCA components give the same test error as the
# autoencoder's 16×14×14 numbers?* (A hidden helper, `smallest_k_matching`, finds the
# answer by bisection, since PCA's error falls as components are added.) The table puts it
# beside PCA at a few other sizes.

# %%
k_match = smallest_k_matching(ae_mse)
rows = [["mean training image", 0, mean_mse]]
rows += [[f"PCA, {k} component{'s' if k > 1 else ''}", k, pca_test_mse(k)]
         for k in sorted({4, 16, 64, k_match, pixels})]
rows += [["SimpleConvAutoencoder", code_numbers, ae_mse]]
display(table(["model", "numbers per image", "test MSE"], rows))
Markdown(f"PCA needs **{k_match} components** to reach the autoencoder's test error "
         f"(PCA-{k_match}: {number(pca_test_mse(k_match))}, PCA-{k_match - 1}: "
         f"{number(pca_test_mse(k_match - 1))}; autoencoder: {number(ae_mse)}): the "
         f"autoencoder's code uses **{code_numbers / k_match:.0f}× more numbers** for the "
         f"same error.")

# %% jupyter={"source_hidden": true} tags=["hide-input"]
# invariant: PCA matches the overcomplete code with far fewer numbers than the code has
assert k_match < pixels < code_numbers

# %% [markdown]
# The same comparison as a curve: PCA's test error at every size it can keep, and the
# autoencoder as one point at its own code size.

# %%
fig, ax = plt.subplots(figsize=(7, 4))
ax.plot(sizes[:-1], [pca_mse[k] for k in sizes[:-1]], marker=".",
        label=f"PCA, 1 to {pixels - 1} components")
ax.scatter([code_numbers], [ae_mse], color="C1", zorder=3,
           label=f"SimpleConvAutoencoder ({code_numbers:,} numbers)")
ax.axhline(ae_mse, color="C1", ls="--", lw=1)
ax.axvline(pixels, color="grey", ls=":", lw=1)
ax.text(pixels * 1.05, ax.get_ylim()[1] * 0.5, f"{pixels} pixels:\nPCA-{pixels} is exact",
        fontsize=8)
ax.set_xscale("log")
ax.set_yscale("log")
ax.set_xlabel("numbers per image in the code (log scale)")
ax.set_ylabel("test MSE per pixel (log scale)")
ax.set_title("Reconstruction error against code size: PCA and the simple autoencoder")
ax.legend(fontsize=8)
fig.tight_layout()
show(fig, alt=f"PCA's test error falling steadily as components are added, from 1 to "
     f"{pixels - 1}, on log scales; the autoencoder is a single point at {code_numbers:,} "
     f"numbers, and its error, drawn as a dashed line, crosses the PCA curve near "
     f"{k_match} components.")

# %% [markdown]
# Where the dashed line meets the PCA curve is the size PCA needs for the autoencoder's
# error. Side by side, the same test digits through the autoencoder and through PCA with
# that number of components:

# %%
show(show_reconstructions(test_x[shown], {
    "SimpleConvAutoencoder": recon[shown],
    f"PCA, {k_match} comp.": pca_reconstruct(test_x[shown], k_match),
}, title=f"Autoencoder ({code_numbers:,} numbers) and PCA ({k_match} numbers)"),
    alt=f"One test digit of each kind above two rows of reconstructions, by the "
        f"autoencoder and by PCA with {k_match} components; both are close copies of the "
        f"digits, with about the same error.")

# %% [markdown]
# ## 8 · Does an overcomplete code just copy?
#
# With a code 4× larger than the image, the easiest solution is not to learn "digits" at
# all but to learn to *copy*: an approximate identity. PCA with fewer components than
# pixels cannot do that: it can only rebuild images made of the digit directions it
# kept. A copier reconstructs images unlike anything it was trained on.
#
# The next cell tests both on two kinds of image neither saw in training: inverted digits
# (white background, 1 − x) and uniform random noise. For reference, it also shows the
# error of predicting each set's own mean image.

# %%
generator = torch.Generator().manual_seed(0)
unusual = {
    "test digits": test_x,
    "inverted digits (1 − x)": 1 - test_x,
    "uniform noise": torch.rand(len(test_x), 1, 28, 28, generator=generator),
}
rows, unusual_mse = [], {}
for name, images in unusual.items():
    own_mean = mse(images.mean(0, keepdim=True).expand_as(images), images)
    unusual_mse[name] = (evaluate(model, images), mse(pca_reconstruct(images, k_match), images),
                         own_mean)
    rows.append([name, *unusual_mse[name][:2], mse(pca_reconstruct(images, pixels), images),
                 own_mean])
display(table(["images", "autoencoder", f"PCA-{k_match}", f"PCA-{pixels}", "their mean image"],
              rows, title="Test MSE on images unlike the training digits"))
ae_inverted, pca_inverted, mean_inverted = unusual_mse["inverted digits (1 − x)"]
ae_noise, pca_noise, mean_noise = unusual_mse["uniform noise"]
display(compare("the autoencoder", ae_inverted, f"PCA-{k_match}", pca_inverted,
                measure="MSE on inverted digits"))
display(compare("the autoencoder", ae_noise, "the mean image", mean_noise,
                measure="MSE on uniform noise"))
Markdown(f"On uniform noise the autoencoder's error is **{ae_noise / ae_mse:.1f}×** its error "
         f"on test digits; on inverted digits, {ae_inverted / ae_mse:.1f}×.")

# %% jupyter={"source_hidden": true} tags=["hide-input"]
# what the next paragraphs say, at every data size
assert pca_inverted > mean_inverted, "PCA cannot draw inverted digits"
assert ae_inverted < 0.1 * pca_inverted, "the autoencoder copies inverted digits"
assert ae_noise > max(ae_mse, ae_inverted), "noise is the hardest to copy"

# %%
inverted = unusual["inverted digits (1 − x)"][shown]
show(show_reconstructions(inverted, {
    "autoencoder": reconstruct(model, inverted),
    f"PCA-{k_match}": pca_reconstruct(inverted, k_match),
}, title="Inverted digits, never seen in training"),
    alt=f"Ten inverted digits, dark strokes on a white background; the autoencoder returns "
        f"close copies, while PCA with {k_match} components keeps the strokes but paints a "
        f"black frame around every digit, with grey smudges inside.")

# %% [markdown]
# PCA with the autoencoder's error on ordinary digits fails on inverted ones, worse than
# predicting their mean image: it can only draw digits (in the pictures it paints the
# white border dark, as every training digit has it). The autoencoder copies the inverted
# digits with an error many times smaller than PCA's: it has learned something closer to
# a local copy than a model of digits, because its code is large enough that it never had
# to choose what to keep.
#
# Noise is where the copy is weakest: the autoencoder's error there is higher than on
# digits or on inverted digits. Every noise pixel is independent of its neighbours, and a
# 2×2 max pooling lets four pixels in while each of the 16 channels keeps only a maximum,
# so the "identity" is approximate; how close training brings it is exercise 3.
#
# This is why autoencoders used for *features* or *compression* need a bottleneck (lesson
# 02), noise (lesson 08) or a penalty (lesson 10): without one, a big enough code is free
# to copy.
#
# ## 9 · What a convolution relies on: neighbouring pixels
#
# The table that compares the two kinds of autoencoder often ends with a row "best for:
# tabular data (fully connected), image data (convolutional)". Tabular data are columns
# such as age, income and postcode: their order means nothing, and column 3 is no more
# related to column 4 than to column 40. A convolution assumes the opposite: that
# neighbouring inputs belong together, and that the same small pattern can appear
# anywhere.
#
# A fixed shuffle of the 784 pixel positions turns digits into exactly that kind of data:
# the same information, with the neighbourhoods destroyed. The next cell shuffles every
# image the same way and checks what a fully connected layer makes of it: with its weight
# columns shuffled the same way, it computes *exactly* the same code, so the order of
# its inputs cannot matter to it.

# %%
pixel_order = torch.randperm(pixels, generator=torch.Generator().manual_seed(0))


def shuffle_pixels(images: torch.Tensor) -> torch.Tensor:
    """The same fixed shuffle of the 784 pixel positions for every N×1×28×28 image."""
    return images.flatten(1)[:, pixel_order].view_as(images)


shuffled_fc = nn.Linear(784, 32)
with torch.no_grad():
    shuffled_fc.weight.copy_(fc_encoder.weight[:, pixel_order])  # 32×784, columns shuffled
    shuffled_fc.bias.copy_(fc_encoder.bias)
    same = torch.allclose(shuffled_fc(shuffle_pixels(x).flatten(1)), fc_encoder(x.flatten(1)),
                          atol=1e-5)
print("fully connected layer, shuffled pixels and shuffled weights: the same code:", same)

# %% [markdown]
# So whatever a fully connected autoencoder (or PCA, which is linear) can learn from
# digits, it can learn from shuffled digits. The convolutional model is a different
# matter. The next cell trains a fresh `SimpleConvAutoencoder` on the shuffled images with
# the same recipe (or loads it from the cache), and fits PCA on them too.

# %%
from course_utils.training import cached_train

shuffled_train, shuffled_test = shuffle_pixels(train_x), shuffle_pixels(test_x)
seed_everything(0)
shuffled_model = SimpleConvAutoencoder()
shuffled_history = cached_train(shuffled_model, "simple_conv_shuffled_pixels", shuffled_train,
                                shuffled_test, **settings)
pca_shuffled = pca_baseline(shuffled_train, pixels)  # all 784 components, as before
shuffled_ae_mse = evaluate(shuffled_model, shuffled_test)
shuffled_pca_mse = mse(pca_reconstruct(shuffled_test, k_match, pca_shuffled), shuffled_test)
display(table(["images", "SimpleConvAutoencoder", f"PCA-{k_match}"], [
    ["digits", ae_mse, pca_test_mse(k_match)],
    ["shuffled pixels", shuffled_ae_mse, shuffled_pca_mse],
], title="Test MSE, each model trained and tested on the same kind of image"))
display(Markdown(f"Shuffling the pixels multiplies the convolutional autoencoder's test error "
                 f"by **{shuffled_ae_mse / ae_mse:.1f}** and changes PCA's by "
                 f"{100 * abs(shuffled_pca_mse / pca_test_mse(k_match) - 1):.2f}%."))
compare_at("the convolutional autoencoder", f"PCA-{k_match}", {
    "on digits": (ae_mse, pca_test_mse(k_match)),
    "on shuffled pixels": (shuffled_ae_mse, shuffled_pca_mse),
}, tie_within=0.05)

# %% jupyter={"source_hidden": true} tags=["hide-input"]
# invariants: a shuffle changes nothing for PCA, and costs the convolution its advantage
assert same
assert abs(shuffled_pca_mse - pca_test_mse(k_match)) <= 0.001 * pca_test_mse(k_match)
assert shuffled_ae_mse > 2 * ae_mse and shuffled_ae_mse > shuffled_pca_mse

# %%
back = torch.argsort(pixel_order)  # the inverse shuffle, to look at the results


def unshuffle(images: torch.Tensor) -> torch.Tensor:
    return images.flatten(1)[:, back].view_as(images)


shuffled_shown = shuffled_test[shown]
show(show_image_rows({
    "what the models see": shuffled_shown,
    "autoencoder,\nput back in order": unshuffle(reconstruct(shuffled_model, shuffled_shown)),
    f"PCA-{k_match},\nput back in order": unshuffle(
        pca_reconstruct(shuffled_shown, k_match, pca_shuffled)),
}, title="Trained and tested on shuffled pixels"),
    alt=f"Top row: ten test digits with their pixels shuffled, which look like scattered "
        f"dots. Below, the reconstructions put back in the original pixel order: the "
        f"convolutional autoencoder's are grainy digits with broken strokes and specks in the "
        f"background; PCA with {k_match} components gives clean digits, as good as on "
        f"unshuffled images.")

# %% [markdown]
# PCA's error does not change: it never used the pixels' order. The convolutional
# autoencoder's error rises several-fold, from level with PCA (by construction: section 7
# chose PCA's size to match it) to well behind it: its small kernels now see pixels that
# have nothing to do with each other. Everything that
# makes a convolution good at images comes from neighbourhoods; where the data have none,
# as in tabular data, a fully connected model gives nothing away and a convolution has
# nothing to use. That is the sense in which the claim holds. Whether an autoencoder is
# the best tool for a given table at all is another question, which this course does not
# measure.
#
# ## Summary
#
# - A convolutional autoencoder keeps images as N×C×H×W maps; its layers are translation
#   *equivariant* (exactly, in section 1 and in the explorer of section 5), not invariant
#   as is often said; one 2×2 pooling damps a one-pixel shift a little, no more.
# - Output sizes: $\lfloor (i + 2p - k)/s \rfloor + 1$ for convolution *and* pooling; the
#   short rule $\lfloor i/\text{pool\_size}\rfloor$ holds only when stride = kernel.
#   Transposed convolution: $(i-1)s - 2p + k + a$. All agree with PyTorch.
# - Training is one loop: shuffle, batch, forward, loss against the input itself,
#   `zero_grad`, `backward`, `step`, then a test pass in eval mode under `no_grad`.
#   `train()` is that loop plus a progress bar, schedules, clipping, mixed precision, a
#   history and the cache; both reach the same test error.
# - Compare training and test errors measured the same way, after training; the
#   per-epoch average of the training loss is a progress signal.
# - `SimpleConvAutoencoder` has a 16×14×14 code, 4× the 784 pixels: it does not compress.
# - PCA cannot keep more components than pixels, and with all 784 it is lossless; the
#   autoencoder's larger code is not, and its test error matches PCA with far fewer
#   components (section 7). On inverted digits it behaves like a copier, not a model of
#   digits (section 8).
# - Shuffle the pixels and PCA (or any fully connected layer) loses nothing, while the
#   convolution loses its advantage: it lives on neighbourhoods, which tabular data lack.
#
# ## Exercises
#
# 1. Change `channels` in `SimpleConvAutoencoder(channels=4)`: the code becomes 4×14×14 =
#    784 numbers, exactly the image size. Predict the parameter count, then check it with
#    `count_parameters`. Train it with `train(model, train_set, test_set, **settings)`:
#    how does its test error compare with the 16-channel model and with PCA?
# 2. Use the table in section 2 to design an encoder that maps 28×28 to 7×7 with two
#    stride-2 convolutions instead of pooling. Check your sizes with `trace_shapes` and
#    with `torchinfo.summary`.
# 3. Train a fresh model for more epochs with the recipe's other settings:
#    `seed_everything(0)`, `model = SimpleConvAutoencoder()`, then
#    `train(model, train_set, test_set, **{**settings, "epochs": 30})`. Re-run every cell
#    from "Test digits it never saw" on (they recompute `test_mse`, `ae_mse` and `recon`,
#    which the later sections use). How many PCA components does it match now? Does the
#    error on noise fall too?
# 4. Change the loop written out: drop `optimizer.zero_grad()` and run it again. What
#    happens to the loss, and why? (Gradients now pile up from step to step.) Then put it
#    back and try `lr=3e-3` and `lr=3e-2` in place of the recipe's `1e-2`: which ends
#    lower after the same number of steps? Why can a model this small take such large
#    steps?
#
# Next: **02 · A deep convolutional autoencoder**, with a real bottleneck.

# %%
print(f"this notebook ran in {time.perf_counter() - notebook_start:.0f} s with "
      f"{torch.get_num_threads()} CPU thread(s); training took {loop_seconds:.0f} s (the loop "
      f"written out), {check_history.total_seconds:.0f} s (train() in float32), then "
      f"{history.total_seconds:.0f} s (the recipe) and {shuffled_history.total_seconds:.0f} s "
      f"(shuffled pixels), these two in this run or in an earlier one if their weights came "
      f"from the cache")
