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
# # 10 · Variants: variational, sparse, denoising and stacked autoencoders
#
# Every autoencoder so far was trained for one thing: copy the image through a narrow
# code. The four variants of this lesson keep the encoder–decoder shape and change *what
# training asks for*: a code that is a probability distribution you can sample from
# (variational), a code with most units switched off (sparse), a clean copy of a noisy
# input (denoising), or a network built and trained one stage at a time (stacked).
#
# **What you will learn**
# - the variational autoencoder (VAE): mean and log-variance, the reparameterisation trick,
#   and the ELBO term by term, plotted per epoch; samples from the prior; what the VAE
#   costs in reconstruction against a plain autoencoder of the same code size;
# - to walk a VAE's code space yourself: one dimension of a 20-number code at a time, and
#   every point of a 2-number code, decoded as you move;
# - the sparse autoencoder: an L1 penalty on the code, how sparse the code gets and what
#   it costs across penalty strengths, and what single units draw;
# - the denoising autoencoder as a change in *training*, not in architecture;
# - what "stacked" means, and greedy stage-by-stage training raced against end-to-end
#   training on the same number of steps;
# - one table that puts every variant beside PCA with the same number of code values.
#
# **Time:** about 50 minutes: 30 to read, 10 for the code, 5 for the two explorers, and
# about a minute and a half of computing on one CPU core the first time (ten short
# training runs; the last cell prints how long they took on yours). A second run loads
# the models from the checkpoint cache.
#
# **Prerequisites:** lessons 01–03 (conv autoencoders, the stacked FC autoencoder) and 08
# (denoising); a little probability (a Gaussian, a log-likelihood).

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
# ## Setup: the data and one training recipe
#
# All models in this lesson train on the same images with the same recipe, so the closing
# table compares like with like. The recipe is Adam at a high learning rate that a cosine
# schedule anneals to zero, for a fixed number of optimizer steps: the fast start and the
# slow landing let these small models get far in a short run.

# %%
import inspect
import math
import time

import matplotlib.pyplot as plt
import torch
from IPython.display import Code, Markdown, display

from course_utils.config import seed_everything
from course_utils.data import gaussian_noise
from course_utils.metrics import mse, pca_baseline
from course_utils.recipes import VARIANTS, train_vae, variants_data
from course_utils.summary import count_parameters
from course_utils.tables import table
from course_utils.training import cached_train, encode_all, evaluate, reconstruct
from course_utils.verdicts import compare, number, overfitting
from course_utils.viz import show, show_image_rows, show_reconstructions, use_house_style

use_house_style()
lesson_start, lesson_cpu = time.perf_counter(), time.process_time()
train_set, test_set = variants_data()
x_test = test_set.images  # N×1×28×28, values in [0, 1]
picks = torch.randperm(len(x_test), generator=torch.Generator().manual_seed(0))[:10]  # to look at

SETTINGS = VARIANTS.settings(len(train_set))  # the keyword arguments of train()
STEPS = SETTINGS["epochs"] * math.ceil(len(train_set) / SETTINGS["batch_size"])
training_seconds = {}  # how long each training run took, for the last cell

print(f"{len(train_set):,} training and {len(test_set):,} test images: {train_set.source}")
print(f"every model: {SETTINGS['epochs']} epochs = {STEPS:,} steps of {SETTINGS['batch_size']} "
      f"images, Adam at lr {SETTINGS['lr']:g}, {SETTINGS['scheduler']} schedule to zero, "
      f"loss {SETTINGS['loss'].upper()} unless said otherwise")

# %% [markdown]
# ## 1 · The variational autoencoder
#
# A plain autoencoder sends each image to **one point** `z`. Nothing says what the
# points *between* the training codes decode to, so you cannot pick a random code and
# expect a digit. A VAE sends each image to a **Gaussian** over codes,
# q(z | x) = N(μ(x), σ²(x)), and is trained so that
#
# 1. a code *drawn* from that Gaussian still decodes to the image, and
# 2. every image's Gaussian stays close to one fixed distribution, the prior N(0, I).
#
# Then the prior is covered by codes that decode to digits, and sampling z ~ N(0, I)
# gives new images. The encoder below ends in two linear heads, one for μ and one for
# log σ² (a log, so that any output is a valid variance). `encode(x)` returns μ, so the
# VAE still follows the course contract `encode → decode → forward`. The `hidden` option
# adds a layer on each side of the code; only the 2-D VAE at the end of this section
# uses it.

# %%
from course_utils.models import ConvVAE, FlatConvAutoencoder

Code(inspect.getsource(ConvVAE), language="python")

# %% [markdown]
# Its twin, `FlatConvAutoencoder`, is the same network without the randomness: the same
# convolutions, a flat code of the same size, one head instead of two. The next cell
# traces the VAE's shapes and compares the sizes of the two.

# %% tags=["nbval-check-output"]
from course_utils.arithmetic import trace_shapes
from course_utils.summary import compare_models

LATENT = 20
seed_everything(0)
display(trace_shapes(ConvVAE(LATENT), (1, 28, 28)).to_frame())
twins = {f"FlatConvAutoencoder({LATENT})": FlatConvAutoencoder(LATENT),
         f"ConvVAE({LATENT})": ConvVAE(LATENT)}
display(compare_models(twins))
extra = count_parameters(twins[f"ConvVAE({LATENT})"]) - count_parameters(
    twins[f"FlatConvAutoencoder({LATENT})"])
assert extra == count_parameters(twins[f"ConvVAE({LATENT})"].to_logvar) == 1568 * LATENT + LATENT

# %% [markdown]
# `to_mu` and `to_logvar` sit side by side in the trace because both read the same 1,568
# flattened features. The second head, `to_logvar`, is the whole difference in size:
# 1,568 × 20 weights and 20 biases, 31,380 parameters.
#
# ### The reparameterisation trick
#
# Training needs gradients *through* the sampling step. Drawing z ~ N(μ, σ²) directly is
# not differentiable in μ and σ, but z = μ + σ·ε with ε ~ N(0, I) is: the randomness
# becomes an input, and μ and σ enter through plain arithmetic.

# %%
Code(inspect.getsource(ConvVAE.reparameterize), language="python")

# %% [markdown]
# ### The ELBO, term by term
#
# The VAE maximises the *evidence lower bound* (ELBO) on log p(x). We minimise its
# negative, per image, which has two terms:
#
# $$-\mathrm{ELBO}(x) = \underbrace{\mathbb{E}_{z\sim q(z|x)}\left[-\log p(x\mid z)\right]}_{\text{reconstruction}}
#   + \underbrace{\mathrm{KL}\left(q(z\mid x)\,\|\,\mathcal N(0, I)\right)}_{\text{KL}}$$
#
# - **Reconstruction**, −log p(x | z): the decoder's output is read as one Bernoulli
#   probability per pixel, so this is the **binary cross-entropy summed over the 784
#   pixels** (not averaged), estimated with one sample of z per image. It is in nats per
#   image. `reconstruction_nll` takes either the pixel probabilities or, with
#   `logits=True`, the decoder's output *before* its final Sigmoid, its logits. Training
#   uses the logits: `elbo_terms` reads them with `decoded_logits` and passes
#   `logits=True`, so the loss is computed by `binary_cross_entropy_with_logits`. It is
#   the same number as the cross-entropy of the Sigmoid's output wherever that output is
#   not rounded to exactly 0 or 1, and unlike it, its gradient never vanishes when a
#   float32 Sigmoid saturates (lesson 04 measures both).
# - **KL**: how far the image's Gaussian is from the prior. For Gaussians it has a closed
#   form, per latent dimension ½(μ² + σ² − 1 − log σ²), summed over the dimensions.
#   It is zero only when μ = 0 and σ = 1, i.e. when the code carries no information
#   about the image; every nat of KL is information the code keeps.
#
# The two pull against each other: reconstruction wants precise, image-specific codes;
# KL wants every code to look like the prior. Here is the code of both terms.

# %%
from course_utils import losses

Code(inspect.getsource(losses.kl_divergence) + "\n\n"
     + inspect.getsource(losses.reconstruction_nll) + "\n\n"
     + inspect.getsource(losses.elbo_terms), language="python")

# %% [markdown]
# A quick check of the KL formula, on numbers you can do by hand: the prior itself
# (μ = 0, σ = 1) scores 0; μ = 1 costs ½ nat per dimension; σ = 2 (log σ² = log 4)
# costs ½(4 − 1 − log 4) ≈ 0.807 nats.

# %% tags=["nbval-check-output"]
mu = torch.tensor([[0.0], [1.0], [0.0]])
logvar = torch.tensor([[0.0], [0.0], [math.log(4.0)]])
for m, lv, kl in zip(mu, logvar, losses.kl_divergence(mu, logvar)):
    print(f"mu = {float(m):.1f}, sigma = {math.exp(float(lv) / 2):.1f}:  KL = {float(kl):.3f} nats")

# %% [markdown]
# `train()` accepts any `objective(model, inputs, targets) -> loss`. The VAE's objective
# returns the mean −ELBO over the batch, and also *records* both terms on every call,
# so that after training we can plot each term per epoch (the training history only keeps
# their sum). `train_vae` wraps the course's "load if present, else train" cache and keeps
# the per-epoch terms beside the checkpoint.

# %%
Code(inspect.getsource(losses.VAEObjective.__call__), language="python")

# %% [markdown]
# Now we train the VAE and its plain twin on the same images with the same recipe. The
# twin is trained with binary cross-entropy from its logits too (the mean per pixel; the
# VAE's sum is the same loss times 784), so the *only* difference is the sampling and the
# KL term. We also score an untrained VAE, to see how far training moves the ELBO.

# %%
from course_utils.losses import bce_floor, evaluate_elbo

seed_everything(0)
untrained = evaluate_elbo(ConvVAE(LATENT), x_test)

seed_everything(0)
vae = ConvVAE(LATENT)
vae_history, vae_terms = train_vae(vae, "10_vae_20", train_set, test_set, **SETTINGS)
seed_everything(0)
plain = FlatConvAutoencoder(LATENT)
plain_history = cached_train(plain, "10_plain_20", train_set, test_set, **SETTINGS)
training_seconds.update({"VAE (20-D)": vae_history.total_seconds,
                         "plain twin": plain_history.total_seconds})

# %% [markdown]
# One run says little on its own: trained again from another seed, the same model starts
# from other random weights, sees the batches in another order, and ends at a slightly
# different error. Every comparison of single runs in this lesson needs that number, so
# we train the plain twin twice more, from seeds 1 and 2, and measure the spread of its
# test MSE (mean squared error per pixel). Gaps between single runs within this spread
# are called ties. Three seeds of one model can understate the spread of another (lesson
# 05 measured 2.7% for its compact-code model), so a gap also counts as a tie when it is
# within 3%, whichever of the two bands is wider.

# %%
twin_mse = {0: mse(reconstruct(plain, x_test), x_test)}
for seed in (1, 2):
    seed_everything(seed)
    again = FlatConvAutoencoder(LATENT)
    history = cached_train(again, f"10_plain_20_seed{seed}", train_set, test_set,
                           **{**SETTINGS, "seed": seed})
    training_seconds[f"plain twin, seed {seed}"] = history.total_seconds
    twin_mse[seed] = mse(reconstruct(again, x_test), x_test)
SPREAD = (max(twin_mse.values()) - min(twin_mse.values())) / min(twin_mse.values())
NOISE = {"spread": SPREAD, "tie_within": 0.03}  # what the comparisons below call a tie
display(Markdown(
    f"The plain twin from seeds 0, 1 and 2 ends at test MSE "
    f"{', '.join(number(v, 4) for v in twin_mse.values())}: a seed-to-seed spread of "
    f"**{SPREAD:.1%}** (largest over smallest, minus one)."))

# %% [markdown]
# Do the two models overfit? Each is measured in eval mode on its own training images
# and on the test images: a test error well above the training error would mean the
# model learned its training images rather than digits. (The training losses recorded
# per epoch are no measure of that: they are averaged while the weights were still
# changing.)

# %%
elbo, elbo_train = evaluate_elbo(vae, x_test), evaluate_elbo(vae, train_set.images)
display(overfitting("the VAE", elbo_train["neg_elbo"], elbo["neg_elbo"],
                    measure="−ELBO (nats per image)", **NOISE))
display(overfitting("the plain twin", evaluate(plain, train_set, loss="bce"),
                    evaluate(plain, test_set, loss="bce"), measure="BCE per pixel", **NOISE))

# %% [markdown]
# The next figure shows both terms of the VAE per epoch, on training images (averaged over
# the epoch while the model was still changing) and on test images (after the epoch).

# %%
epochs = range(1, len(vae_terms) + 1)
fig, (ax_rec, ax_kl) = plt.subplots(1, 2, figsize=(10, 3.8))
ax_rec.plot(epochs, [t.train_reconstruction for t in vae_terms], "o-", label="reconstruction (train)")
ax_rec.plot(epochs, [t.test_reconstruction for t in vae_terms], "s--", label="reconstruction (test)")
ax_rec.plot(epochs, [t.test_loss for t in vae_terms], "^:", label="−ELBO = rec. + KL (test)")
ax_rec.set(title="Reconstruction term and −ELBO", xlabel="epoch", ylabel="nats per image")
ax_kl.plot(epochs, [t.train_kl for t in vae_terms], "o-", color="C3", label="KL (train)")
ax_kl.plot(epochs, [t.test_kl for t in vae_terms], "s--", color="C4", label="KL (test)")
ax_kl.set(title="KL term", xlabel="epoch", ylabel="nats per image")
for ax in (ax_rec, ax_kl):
    ax.set_xticks(list(epochs))
    ax.legend(fontsize=8)
fig.suptitle(f"The VAE's two terms per epoch ({LATENT}-D latent)")
fig.tight_layout()
first, last = vae_terms[0], vae_terms[-1]
show(fig, alt=f"Two panels over {len(vae_terms)} epochs: on the left the reconstruction term "
              f"and the −ELBO fall, on training and test images; on the right the KL term "
              f"rises, from {first.test_kl:.1f} to {last.test_kl:.1f} nats on the test images.")
display(Markdown(
    f"From epoch 1 to epoch {len(vae_terms)}, the test reconstruction term fell from "
    f"{first.test_reconstruction:.1f} to {last.test_reconstruction:.1f} nats per image, and "
    f"the KL term rose from {first.test_kl:.1f} to {last.test_kl:.1f}."))

# %% jupyter={"source_hidden": true} tags=["hide-input"]
assert last.test_reconstruction < first.test_reconstruction and last.test_kl > first.test_kl

# %% [markdown]
# The reconstruction term falls as the code learns to carry more about each image, and
# the KL term rises with it, because that information is exactly what the KL term
# counts: a code that says more about its image sits further from the prior.
#
# Now the test ELBO, measured once more with a fixed seed for the sample of z. Beside it,
# the **floor** of the reconstruction term: binary cross-entropy is smallest when the
# output equals the input, and then it equals the entropy of the pixel values, which is
# zero only for pure black-and-white images. Grey pixels keep it above zero however good
# the decoder is, so the floor says how much of the number the data itself explains.

# %%
floor = float(bce_floor(x_test).mean())
grey = float(((x_test > 0.05) & (x_test < 0.95)).float().mean())
display(Markdown(
    f"On the test images the trained VAE's −ELBO is **{elbo['neg_elbo']:.1f} nats** per "
    f"image, against {untrained['neg_elbo']:.1f} untrained. It splits into three parts: "
    f"the floor, **{floor:.1f}** nats, which no decoder can remove ({grey:.1%} of the "
    f"pixels are grey, between 0.05 and 0.95, most of them along the strokes' edges); the "
    f"decoder's own error above it, **{elbo['reconstruction'] - floor:.1f}**; and the KL "
    f"term, **{elbo['kl']:.1f}**, the price of the code: the nats of information per image "
    f"that it keeps."))

# %% jupyter={"source_hidden": true} tags=["hide-input"]
assert elbo["neg_elbo"] < 0.5 * untrained["neg_elbo"], "training should more than halve −ELBO"
assert 0 < floor < elbo["reconstruction"]

# %% [markdown]
# ### What the KL term costs: reconstructions beside the plain twin
#
# The same number of code values per image, the same network; the VAE's codes also have
# to look like N(0, I). The next cell shows test reconstructions of both (the VAE's
# through μ, without sampling) and PCA with as many components, with the MSE per pixel of
# each. PCA minimises exactly this squared error among all *linear* codes of that size,
# which makes it the baseline to beat (lesson 00 shows how it works).

# %%
pca_20 = pca_baseline(train_set.images, LATENT)
recon_vae = reconstruct(vae, x_test)
recon_plain = reconstruct(plain, x_test)
fig = show_reconstructions(x_test[picks], {f"plain AE ({LATENT})": recon_plain[picks],
                                           f"VAE ({LATENT}), via μ": recon_vae[picks],
                                           f"PCA ({LATENT})": pca_20.reconstruct(x_test[picks])},
                           title="The same code size, three ways: random test images")
show(fig, alt=f"Ten random test digits above their reconstructions by the plain autoencoder, "
              f"the VAE and PCA, each with {LATENT} numbers per image; the autoencoders' "
              f"digits are sharper than PCA's, which are blurred, with grey haze around the "
              f"strokes.")
mse_vae, mse_plain, mse_pca_20 = mse(recon_vae, x_test), mse(recon_plain, x_test), pca_20.mse(x_test)
display(compare("the plain twin", mse_plain, "the VAE", mse_vae, **NOISE))
display(compare("the plain twin", mse_plain, f"PCA-{LATENT}", mse_pca_20, **NOISE))
display(compare("the VAE", mse_vae, f"PCA-{LATENT}", mse_pca_20, **NOISE))

# %% jupyter={"source_hidden": true} tags=["hide-input"]
assert mse_plain < mse_vae, "the KL term should cost the VAE some reconstruction error"

# %% [markdown]
# The VAE's error is above its twin's on every data set this course runs on: the KL term
# squeezes information out of the code, so the VAE's outputs are a little blurrier. The
# ratio is what the KL term costs; whether each model beats PCA with as many numbers per
# image is measured beside it.
#
# ### What the KL term buys: sampling from the prior
#
# Decode 10 codes drawn from N(0, I). The VAE was trained so that such codes are typical;
# the plain autoencoder was not. Then we measure why it matters: the spread of each
# model's codes on test images, against the prior's.

# %%
generator = torch.Generator().manual_seed(0)
z_prior = torch.randn(10, LATENT, generator=generator)  # 10×20, z ~ N(0, I)
with torch.no_grad():
    samples_vae = vae.decode(z_prior)
    samples_plain = plain.decode(z_prior)
fig = show_image_rows({"VAE decodes\nz ~ N(0, I)": samples_vae,
                       "plain AE decodes\nthe same z": samples_plain},
                      title="New images from random codes")
show(fig, alt="Two rows of ten images decoded from the same ten random codes: the VAE's "
              "row shows a few clear digits among smudges, some on a grey background; the "
              "plain autoencoder's row shows grey blots that look like no digit.")
codes_vae, codes_plain = encode_all(vae, test_set), encode_all(plain, test_set)  # N×20 each
(vae_std, vae_centre), (plain_std, plain_centre) = (
    (float(c.std(0).mean()), float(c.mean(0).abs().mean())) for c in (codes_vae, codes_plain))
display(Markdown(
    f"Per code dimension, the test codes' standard deviation averages **{vae_std:.2f}** for "
    f"the VAE's μ and **{plain_std:.2f}** for the plain twin (the prior's is 1), and their "
    f"mean is on average **{vae_centre:.2f}** and **{plain_centre:.2f}** away from zero (the "
    f"prior's is 0)."))

# %% jupyter={"source_hidden": true} tags=["hide-input"]
assert abs(vae_std - 1) < abs(plain_std - 1) and vae_centre < plain_centre, \
    "the KL term should keep the VAE's codes nearer the prior than the plain twin's"

# %% [markdown]
# Nothing asked the plain autoencoder's codes to sit where the prior does, and they do
# not: a random N(0, I) code lands somewhere its decoder never saw in training. The VAE's
# codes stay near the prior, so a random code lands among them. Among them is not always
# on a digit: in the VAE's row, some samples are clear digits and others are smudges
# between digits (exercise 2 tries drawing codes nearer the centre).
#
# ### A latent traversal
#
# Which of the dimensions does the VAE use? The KL per dimension says: a dimension whose
# KL is near zero carries no information (its μ is ~0 and σ ~1 for every image), so the
# decoder ignores it. The next grid starts from one test image's μ, and changes one of the
# most used dimensions at a time from −3 to +3 (in units of the prior's σ).

# %%
with torch.no_grad():
    mu_test, logvar_test = vae.encode_distribution(x_test)
    # the KL formula, ½(μ² + σ² − 1 − log σ²), per dimension, averaged over the test images
    kl_per_dim = (0.5 * (mu_test**2 + logvar_test.exp() - 1 - logvar_test)).mean(dim=0)  # 20
order = torch.argsort(kl_per_dim, descending=True)
offsets = torch.linspace(-3, 3, 9)
rows = {}
with torch.no_grad():
    for k in order[:6].tolist():
        z = mu_test[0].repeat(len(offsets), 1)  # 9×20, all the first test image's μ
        z[:, k] = offsets  # vary one dimension
        rows[f"z[{k}]\nKL {float(kl_per_dim[k]):.1f}"] = vae.decode(z)
fig = show_image_rows(rows, title="Latent traversal: one dimension at a time "
                                  "(rows: dimension, its mean KL)",
                      column_titles=[f"{float(s):+.1f}" for s in offsets])
show(fig, alt=f"Six rows of nine decoded images, each row one of the VAE's six dimensions "
              f"with the largest KL set from −3 to +3 while the rest of a test "
              f"{int(test_set.labels[0])}'s code stays fixed: along a row the digit bends, "
              f"thickens, tilts or fades into blots at one end.")
used = int((kl_per_dim > 0.1).sum())
display(Markdown(
    f"**{used} of the {LATENT} dimensions** carry a mean KL above 0.1 nats. The largest is "
    f"{float(kl_per_dim.max()):.2f} nats and the smallest {float(kl_per_dim.min()):.2f}."))

# %% [markdown]
# Each row changes one number of the code; look at what each row changes: the thickness,
# the slant, or which digit it is. A dimension that the VAE does not need can be switched
# off entirely: its KL drops to near zero, and changing it changes nothing. That is
# called *posterior collapse* of the dimension; the count of dimensions above 0.1 nats
# says how many this VAE uses, and the largest and smallest KL how unevenly.
#
# **Try it.** The explorer traverses any dimension from any starting digit. On the page,
# the slider sets the six dimensions with the largest KL to one value at a time, starting
# from a test 3. With a running kernel, pick a start digit and a dimension, move the
# value, and compare how far the image moves (the mean squared difference from the
# digit's own reconstruction) for a dimension near the top of the list and one near the
# bottom.

# %%
from course_utils.widgets.vae import latent_2d_explorer, starting_digits, traversal_explorer

starts = starting_digits(test_set.labels)  # the first test image of each digit 0–9
traversal_explorer(vae, mu_test[starts], test_set.labels[starts], kl_per_dim, start=3)

# %% [markdown]
# ### A 2-D latent: the whole code space in one picture
#
# With only two latent dimensions we can draw everything: every test image's μ as a dot
# coloured by its digit (the labels are used only for colour; the VAE never saw them),
# and the decoder's output on a grid of codes covering the prior.
#
# Two numbers per image leave the decoder all the work of drawing a digit. In `ConvVAE`
# the decoder's convolutions start from numbers that are an affine function of the code:
# enough for twenty numbers, little for two. So the 2-D VAE gets a hidden layer of 64
# ReLU units on each side of its code (`ConvVAE(2, hidden=64)`) and four times the steps,
# at a slightly lower learning rate: the recipe `VAE_2D`, about half a minute of
# computing (exercise 7 trains it without the hidden layer).

# %%
from course_utils.recipes import VAE_2D, vae_2d as train_vae_2d

print(VAE_2D)
vae_2d, vae_2d_history, vae_2d_terms = train_vae_2d(train_set, test_set)
training_seconds["VAE (2-D)"] = vae_2d_history.total_seconds
elbo_2d = evaluate_elbo(vae_2d, x_test)
display(Markdown(
    f"The 2-D VAE's test −ELBO is **{elbo_2d['neg_elbo']:.1f} nats** per image "
    f"(reconstruction {elbo_2d['reconstruction']:.1f} + KL {elbo_2d['kl']:.1f}), against "
    f"{elbo['neg_elbo']:.1f} for the 20-D VAE: two numbers keep {elbo_2d['kl']:.1f} nats "
    f"of information per image, twenty keep {elbo['kl']:.1f}."))

# %% jupyter={"source_hidden": true} tags=["hide-input"]
assert elbo_2d["neg_elbo"] > elbo["neg_elbo"] and elbo_2d["kl"] < elbo["kl"]

# %%
mu_2d = encode_all(vae_2d, test_set)  # N×2
grid = torch.linspace(-2.5, 2.5, 12)
z1_rows, z0_cols = torch.meshgrid(grid.flip(0), grid, indexing="ij")  # z[1] falls down the rows
codes = torch.stack([z0_cols, z1_rows], dim=-1)  # 12×12×2: (z[0], z[1]) at each grid cell
with torch.no_grad():
    tiles = vae_2d.decode(codes.reshape(-1, 2)).view(12, 12, 28, 28)
canvas = tiles.permute(0, 2, 1, 3).reshape(12 * 28, 12 * 28)

fig, (ax_map, ax_grid) = plt.subplots(1, 2, figsize=(12, 5.5))
points = ax_map.scatter(mu_2d[:, 0], mu_2d[:, 1], c=test_set.labels, cmap="tab10", s=6, vmin=-0.5,
                        vmax=9.5)
fig.colorbar(points, ax=ax_map, ticks=range(10), label="digit")
ax_map.set(title="Test images' μ, coloured by digit", xlabel="z[0]", ylabel="z[1]",
           xlim=(-3.5, 3.5), ylim=(-3.5, 3.5))
ax_grid.imshow(canvas, extent=(-2.75, 2.75, -2.75, 2.75), cmap="gray", vmin=0, vmax=1)
ax_grid.grid(False)
ax_grid.set(title="Decoder output on a 12×12 grid of codes", xlabel="z[0]", ylabel="z[1]")
fig.suptitle("The 2-D VAE's latent space")
fig.tight_layout()
show(fig, alt="Left: the test images' 2-D codes as dots coloured by digit, in overlapping "
              "clouds around the origin, some digits in regions of their own. Right: the "
              "decoder's images on a 12 by 12 grid of codes from −2.5 to 2.5, one digit "
              "shape flowing into the next across the grid.")

# %% [markdown]
# Two numbers per image: how much of the digit's identity do they hold? The next cell
# reads the digit from the 2-D code with a 10-nearest-neighbour classifier, beside the
# same classifier on PCA's two numbers, and measures how many codes stay where the prior
# has its mass.

# %%
from sklearn.neighbors import KNeighborsClassifier


def knn_accuracy(train_codes: torch.Tensor, test_codes: torch.Tensor) -> float:
    """Share of test digits whose label the 10 nearest training codes vote for correctly."""
    knn = KNeighborsClassifier(n_neighbors=10).fit(train_codes.numpy(), train_set.labels.numpy())
    return float(knn.score(test_codes.numpy(), test_set.labels.numpy()))


pca_2 = pca_baseline(train_set.images, 2)
knn_vae = knn_accuracy(encode_all(vae_2d, train_set), mu_2d)
knn_pca = knn_accuracy(pca_2.encode(train_set.images), pca_2.encode(x_test))
inside = float(((mu_2d.abs() < 3).all(dim=1)).float().mean())
display(compare("the 2-D VAE", knn_vae, "PCA-2", knn_pca,
                measure="10-nearest-neighbour accuracy", lower_is_better=False))
display(Markdown(f"Guessing would read 10% correctly. **{inside:.1%}** of the test codes lie "
                 f"within ±3 of the origin on both axes, where the prior has 99.5% of its "
                 f"mass."))

# %% jupyter={"source_hidden": true} tags=["hide-input"]
assert inside > 0.9, "the KL term should keep the 2-D codes where the prior has its mass"

# %% [markdown]
# The left map is the code space the KL term shapes: the codes stay where the prior has
# its mass, and the right panel shows that moving through the space changes the output
# gradually. *What* the two numbers describe is the model's choice, not ours: the
# nearest-neighbour scores say how much of it is the digit's identity, for the VAE and
# for PCA's two best linear directions. Two numbers cannot hold every detail, so the
# 2-D VAE's −ELBO is higher than the 20-D one's.
#
# **Try it.** Move a point through the 2-D code space and watch the decoder draw it. On
# the page, the slider walks eleven points on the straight line between the mean codes
# of the two digits whose means lie farthest apart; watch where along the line one digit
# turns into the other, and what the decoder draws where the clouds overlap. With a
# running kernel, the z[0] and z[1] sliders take the ring anywhere: look at how sharp the
# image is near the origin, then take the ring past the dotted circle of radius 3, where
# the prior has almost no mass and few test codes lie, and see whether the decoder still
# draws a digit there (the readout says when no test code lies within 0.5).

# %%
latent_2d_explorer(vae_2d, mu_2d, test_set.labels, x_test)

# %% [markdown]
# ## 2 · The sparse autoencoder
#
# A bottleneck limits *how many* numbers the code has. A sparse autoencoder lets the code
# be wide but pushes most of its units to zero for each image, so each image is described
# by the few units that are on. We add an L1 penalty to the loss:
#
# $$\text{loss} = \text{MSE}(\hat x, x) + \lambda \cdot \operatorname{mean}|z|$$
#
# Two details of `SparseConvAutoencoder` make the penalty honest: the code ends in a ReLU,
# so "off" is an exact zero; and the decoder reads the code through a layer whose
# weight columns are rescaled to length one, so the network cannot dodge the penalty by
# making every code value tiny and the decoder's weights huge.
#
# (The classic alternative to L1 is a *KL sparsity target*: choose a small average
# activation ρ, say 0.05, and penalise KL(ρ ‖ ρ̂ⱼ) for each unit's measured average ρ̂ⱼ. It
# needs activations in [0, 1], e.g. a sigmoid code; exercise 4 asks you to try it.)

# %%
from course_utils.models import SparseConvAutoencoder
from course_utils.models import sparse as sparse_module

Code(inspect.getsource(losses.sparse_objective) + "\n\n"
     + inspect.getsource(sparse_module.near_zero_share), language="python")

# %% [markdown]
# **Measuring sparsity.** We call a code value *near zero* when it is at most 1% of the
# largest value in the same image's code (so the threshold does not depend on the code's
# scale), and report the share of near-zero values, the mean number of *active* units
# per image, and the number of *dead* units: units that are zero for every test image.
# Dead units are not sparsity, they are wasted capacity, and ReLU codes have them even
# without a penalty. The column "live units on for" is the median share of test images a
# living unit is on for: a sparse code in the textbook sense has many living units, each
# on for few images.

# %% tags=["nbval-check-output"]
CODE_SIZE = 64
seed_everything(0)
print(f"SparseConvAutoencoder({CODE_SIZE}): {count_parameters(SparseConvAutoencoder(CODE_SIZE)):,} parameters")

# %% [markdown]
# The next cell trains the same model at several penalty strengths λ (λ = 0 is a plain
# autoencoder with a wide code), with the lesson's recipe and MSE as the reconstruction
# loss, and fills the table; PCA with as many components as the code has units is in its
# title.

# %%
penalties = [0.0, 1e-3, 3e-3]
pca_64 = pca_baseline(train_set.images, CODE_SIZE)
mse_pca_64 = pca_64.mse(x_test)
sparse_models, sparse_rows = {}, []
for weight in penalties:
    seed_everything(0)
    model = SparseConvAutoencoder(CODE_SIZE)
    history = cached_train(model, f"10_sparse_{weight:g}", train_set, test_set,
                           **{**SETTINGS, "loss": "mse"},
                           objective=losses.sparse_objective(weight))
    training_seconds[f"sparse, λ = {weight:g}"] = history.total_seconds
    codes = encode_all(model, test_set)  # N×64, all ≥ 0
    sparse_models[weight] = (model, codes)
    on_rate = (codes > 0).float().mean(dim=0)  # 64: share of test images each unit is on for
    live_rates = on_rate[on_rate > 0]
    sparse_rows.append([weight, mse(reconstruct(model, x_test), x_test),
                        sparse_module.near_zero_share(codes),
                        sparse_module.active_units_per_image(codes),
                        int((on_rate == 0).sum()),
                        float(live_rates.median()) if len(live_rates) else math.nan,
                        float(codes.mean())])
sparse_table = table(["λ (L1 weight)", "test MSE", "near-zero share", "active units / image",
                      "dead units", "live units on for (median share)", "mean |z|"], sparse_rows,
                     title=f"Sparse conv autoencoder, {CODE_SIZE}-unit code (PCA with "
                           f"{CODE_SIZE} components: MSE {mse_pca_64:.4f})")
sparse_table

# %%
fig, ax_err = plt.subplots(figsize=(7, 4))
xs = list(range(len(penalties)))
ax_err.plot(xs, sparse_table["test MSE"], "o-", color="C0", label="test MSE")
ax_err.axhline(mse_pca_64, color="gray", ls="--", label=f"PCA, {CODE_SIZE} components")
ax_err.set(xlabel="L1 weight λ", ylabel="test MSE per pixel",
           title="Sparsity against reconstruction error")
ax_err.set_xticks(xs, [f"{w:g}" for w in penalties])
ax_share = ax_err.twinx()
ax_share.plot(xs, sparse_table["active units / image"], "s--", color="C3",
              label="active units per image")
ax_share.set_ylabel(f"active units per image (of {CODE_SIZE})")
ax_share.grid(False)
handles = ax_err.get_legend_handles_labels()[0] + ax_share.get_legend_handles_labels()[0]
ax_err.legend(handles, [h.get_label() for h in handles], fontsize=8, loc="center left")
fig.tight_layout()
shares, errors = sparse_table["near-zero share"], sparse_table["test MSE"]
active, dead = sparse_table["active units / image"], sparse_table["dead units"]
show(fig, alt=f"Test MSE rising and active units per image falling as the L1 weight grows "
              f"from {penalties[0]:g} to {penalties[-1]:g}: from {active.iloc[0]:.0f} to "
              f"{active.iloc[-1]:.0f} active units of {CODE_SIZE}, with PCA's error as a "
              f"dashed line.")
display(Markdown(
    f"From λ = {penalties[0]:g} to λ = {penalties[-1]:g}, the near-zero share rose from "
    f"{shares.iloc[0]:.1%} to {shares.iloc[-1]:.1%} and the test MSE from "
    f"{errors.iloc[0]:.4f} to {errors.iloc[-1]:.4f}; the dead units went from "
    f"{dead.iloc[0]} to {dead.iloc[-1]} of {CODE_SIZE}."))
display(compare("the λ = 0 model", errors.iloc[0], f"PCA-{CODE_SIZE}", mse_pca_64, **NOISE))

# %% jupyter={"source_hidden": true} tags=["hide-input"]
assert shares.iloc[-1] > shares.iloc[0], "a stronger L1 penalty should switch more of the code off"
assert errors.iloc[-1] > errors.iloc[0], "...and pay for it in reconstruction error"
assert dead.iloc[-1] > dead.iloc[0] and dead.iloc[0] > 0, "dead units even at λ = 0, more at the end"
assert sparse_table["live units on for (median share)"].iloc[-1] > 0.5, "survivors stay on"

# %% [markdown]
# A stronger penalty leaves fewer units active per image and costs reconstruction error.
# Now look at *how* it does that. Even at λ = 0 some units are dead (ReLU codes do that on
# their own), and as λ grows, the penalty kills more units for good, while the survivors
# stay on for most images (the median column). So the L1 penalty here buys a *smaller*
# code more than a *selective* one. Nothing in a plain L1 penalty stops a unit from
# dying: switching a unit off for every image is one way to lower it. A KL sparsity
# target, which fixes each unit's *average* activation, punishes never-on and always-on
# units alike (exercise 4); another remedy is to re-start dead units (exercise 5).
#
# ### What do the sparse units respond to?
#
# Take the middle penalty, and eight of its living units, the ones on most often. The
# first row shows what each unit draws *on its own* (a code with only that unit on, at
# its mean value when active). A unit is never on alone in practice, so the next two rows
# start from the average code of the test images and switch the unit off, then up to its
# largest value; the difference between them is what the unit adds. The last rows show
# the test images that switch it on the most.

# %%
chosen = penalties[len(penalties) // 2]
sparse_model, sparse_codes = sparse_models[chosen]
live = sparse_codes.max(dim=0).values > 0
typical = sparse_codes.sum(dim=0) / (sparse_codes > 0).sum(dim=0).clamp_min(1)  # mean when on
how_often = (sparse_codes > 0).float().mean(dim=0)  # share of test images each unit is on for
units = [k for k in torch.argsort(how_often, descending=True).tolist() if live[k]][:8]
alone = sparse_model.decode_units(typical)  # 64×1×28×28
base = sparse_codes.mean(dim=0).repeat(len(units), 1)  # len(units)×64, the average code
off, high = base.clone(), base.clone()
for row, k in enumerate(units):
    off[row, k] = 0.0
    high[row, k] = sparse_codes[:, k].max()
with torch.no_grad():
    decoded_off, decoded_high = sparse_model.decode(off), sparse_model.decode(high)
top = torch.argsort(sparse_codes[:, units], dim=0, descending=True)[:2]  # 2×len(units)
fig = show_image_rows({"unit alone": alone[units], "average code,\nunit off": decoded_off,
                       "average code,\nunit at its max": decoded_high,
                       **{f"top image {i + 1}": x_test[top[i]] for i in range(2)}},
                      title=f"What single units of the sparse code respond to (λ = {chosen:g})",
                      column_titles=[f"unit {k}\non {how_often[k]:.0%}" for k in units])
shown_on = (float(how_often[units].min()), float(how_often[units].max()))
show(fig, alt=f"Eight columns, one per unit of the λ = {chosen:g} sparse code: the unit "
              f"decoded alone (grey blotches), the average code decoded with the unit off "
              f"and at its largest value, and the two test images that switch it on most.")
display(Markdown(
    f"At λ = {chosen:g}, **{int(live.sum())} of the {CODE_SIZE} units** are alive; the eight "
    f"shown are on for {shown_on[0]:.0%} to {shown_on[1]:.0%} of the test images."))

# %% [markdown]
# Compare the second and third rows: switching one unit from off to its largest value
# changes the average digit in a particular way (a stroke, a loop, a slant), and the top
# images often share that feature. Drawn alone, a unit gives a grey, blotchy image: the
# decoder never saw a code with one unit on. Units that are on for most images are more
# directions of change than parts that are either there or not.

# %% [markdown]
# ## 3 · The denoising autoencoder: a change in training, not in architecture
#
# Lesson 08 (denoising and inpainting) covers this application in depth: noise levels,
# masks, PSNR and SSIM against simple filters. As a *variant*, all that changes is one
# argument of `train`: with `corrupt=`, every batch's inputs are corrupted on the fly
# while the targets stay clean, so the model must learn what digits look like rather than
# copying pixels. Same class, same code size, same recipe as the plain twin above:

# %%
NOISE_STD = 0.4


def add_noise(images: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Gaussian noise with standard deviation NOISE_STD, clipped to [0, 1]."""
    return gaussian_noise(images, NOISE_STD, generator=generator)


add_noise.__qualname__ = f"add_noise(std={NOISE_STD})"  # names the setting in the cache key

seed_everything(0)
denoising = FlatConvAutoencoder(LATENT)
denoising_history = cached_train(denoising, "10_denoising_20", train_set, test_set,
                                 corrupt=add_noise, **SETTINGS)
training_seconds["denoising"] = denoising_history.total_seconds
noisy_test = add_noise(x_test, torch.Generator().manual_seed(1))
recon_dae_noisy = reconstruct(denoising, noisy_test)
recon_plain_noisy = reconstruct(plain, noisy_test)
fig = show_reconstructions(x_test[picks], {f"noisy input (σ = {NOISE_STD})": noisy_test[picks],
                                           "plain AE": recon_plain_noisy[picks],
                                           "denoising AE": recon_dae_noisy[picks]},
                           title="Noisy test images in, compared with the clean originals")
show(fig, alt=f"Ten clean test digits above the same digits with Gaussian noise of standard "
              f"deviation {NOISE_STD}, the plain autoencoder's output for the noisy digits "
              f"(grey, smeared shapes) and the denoising autoencoder's (clean digits).")
mse_noisy, mse_plain_noisy, mse_dae_noisy = (mse(noisy_test, x_test), mse(recon_plain_noisy, x_test),
                                             mse(recon_dae_noisy, x_test))
mse_dae_clean = mse(reconstruct(denoising, x_test), x_test)
display(compare("the denoising autoencoder", mse_dae_noisy, "the plain twin", mse_plain_noisy,
                measure="MSE on noisy inputs (against the clean images)", **NOISE))
display(compare("doing nothing (the noisy input)", mse_noisy, "the plain twin", mse_plain_noisy,
                measure="MSE on noisy inputs (against the clean images)"))
display(compare("the plain twin", mse_plain, "the denoising autoencoder", mse_dae_clean,
                measure="test MSE on clean inputs", **NOISE))

# %% jupyter={"source_hidden": true} tags=["hide-input"]
assert mse_dae_noisy < mse_plain_noisy, "training with corrupt= should help on noisy inputs"
assert mse_noisy < mse_plain_noisy, "the plain model should make noisy inputs worse"
assert mse_dae_noisy < mse_noisy, "the denoising model should remove noise"
assert mse_dae_clean > mse_plain, "denoising training should cost some error on clean inputs"

# %% [markdown]
# The plain autoencoder was never shown noise, and noisy inputs throw it off so far that
# its output is further from the clean image than the noisy input itself: doing nothing
# would have been better. The denoising one, identical in every weight shape, removes
# most of the noise. It pays for that on *clean* inputs, which its training never showed
# it: there its error is above the plain twin's.

# %% [markdown]
# ## 4 · Stacked autoencoders
#
# "Stacked" means built from layers stacked on layers, and in lesson 03 it meant two
# things: the 784 → 512 → 256 → 128 → 32 architecture, and the historical way to train
# it, **greedy layer-wise pretraining**. Hinton and Salakhutdinov (2006) pretrained a
# deep autoencoder one layer at a time, each layer as a restricted Boltzmann machine;
# Bengio and colleagues (2007) showed that shallow autoencoders can take the place of
# those machines, and that autoencoder form is the one used here: train a shallow
# autoencoder on the images, freeze its encoder, train a second shallow autoencoder on
# the first one's features, and so on; then stack the encoders and decoders and
# fine-tune everything end to end. It was invented for deep networks of sigmoid units,
# which trained badly from random weights with the optimizers of the time.
#
# For conv models the stacking is by *stage*: a stage is a convolution that halves the
# image size, and the decoder mirrors each stage with a transposed convolution. Every conv
# model of this course is stacked in that sense, and trained end to end. Below, the plain
# twin's architecture is trained the greedy way instead, in three parts that share the
# lesson's step budget equally, so that the race with the end-to-end twin is fair:
#
# 1. stage 1: `conv1` and the last transposed convolution, trained as a shallow
#    autoencoder on the images (1×28×28 → 16×14×14 → 1×28×28);
# 2. stage 2: everything in between, trained to reconstruct stage 1's *features*
#    (16×14×14 → 32×7×7 → 20 → 32×7×7 → 16×14×14), with stage 1 frozen;
# 3. the stack, fine-tuned end to end.

# %%
from torch import nn

from course_utils.models import Autoencoder


class Stage(Autoencoder):
    """A shallow autoencoder made of existing layers (shared with the full model, not copied)."""

    def __init__(self, encoder: nn.Module, decoder: nn.Module) -> None:
        super().__init__()
        self.encoder, self.decoder = encoder, decoder


def greedy_stages(model: FlatConvAutoencoder) -> tuple[Stage, Stage]:
    """Split the twin's layers into the two shallow autoencoders of greedy training."""
    down, to_code = model.encoder  # conv trunk (conv1, ReLU, conv2, ReLU, Flatten), Linear
    from_code, up = model.decoder  # Linear, trunk (Unflatten, convT1, ReLU, convT2, Sigmoid)
    stage1 = Stage(nn.Sequential(down[0], down[1]),  # 1×28×28 → 16×14×14
                   nn.Sequential(up[3], up[4]))  # 16×14×14 → 1×28×28
    stage2 = Stage(nn.Sequential(down[2], down[3], down[4], to_code),  # 16×14×14 → 20
                   nn.Sequential(from_code, up[0], up[1], up[2]))  # 20 → 16×14×14
    return stage1, stage2


part = {**SETTINGS, "epochs": SETTINGS["epochs"] // 3}  # a third of the steps each
seed_everything(0)
stacked = FlatConvAutoencoder(LATENT)
stage1, stage2 = greedy_stages(stacked)
stage_histories = [cached_train(stage1, "10_stacked_stage1", train_set, test_set, **part)]
features = encode_all(stage1, train_set)  # N×16×14×14, stage 1's (frozen) output
test_features = encode_all(stage1, test_set)
stage_histories.append(cached_train(stage2, "10_stacked_stage2", features, test_features,
                                    **{**part, "loss": "mse"}))  # features are not in [0, 1]
mse_greedy = mse(reconstruct(stacked, x_test), x_test)
stage_histories.append(cached_train(stacked, "10_stacked_finetuned", train_set, test_set, **part))
training_seconds["stacked (3 parts)"] = sum(h.total_seconds for h in stage_histories)
mse_stacked = mse(reconstruct(stacked, x_test), x_test)
greedy_steps = 3 * part["epochs"] * math.ceil(len(train_set) / part["batch_size"])
display(Markdown(
    f"Stage 2 trained on stage 1's features, {'×'.join(map(str, features.shape[1:]))} per "
    f"image. The greedy stages alone give a test MSE of **{mse_greedy:.4f}**; fine-tuned end "
    f"to end, **{mse_stacked:.4f}**. Greedy stages and fine-tuning took {greedy_steps:,} "
    f"steps in {training_seconds['stacked (3 parts)']:.0f} s; end-to-end training of the "
    f"twin, {STEPS:,} steps in {plain_history.total_seconds:.0f} s."))
display(compare("greedy stacking + fine-tuning", mse_stacked, "end-to-end training", mse_plain,
                measure=f"test MSE after {STEPS:,} steps", **NOISE))

# %% jupyter={"source_hidden": true} tags=["hide-input"]
assert mse_stacked < mse_greedy, "fine-tuning the stack end to end should improve on the greedy stages"
assert greedy_steps == STEPS, "the race is fair in steps"

# %% [markdown]
# The stages trained separately already give an autoencoder, and fine-tuning improves it:
# layers that were trained one at a time have never been trained *together*. The race is
# fair in steps, not in seconds: stage 1 and stage 2 each run only part of the network,
# so their steps can be cheaper. With ReLU, Adam and a learning-rate schedule, the twin
# trains from random weights without any pretraining; whether greedy stages still give
# it a useful head start is exactly what a race like this measures, and the answer can
# change with the budget (exercise 6).

# %% [markdown]
# ## 5 · All the variants side by side
#
# Every model above trained on the same images with the same recipe (the 2-D VAE with its
# own longer one). The table gives each one's code size, parameter count, test
# reconstruction error (MSE per pixel, on clean test images; the VAEs through μ) and PCA's
# error with the same number of components, the ratio of the two, and what each variant
# is for. PCA's "parameters" are its components and the mean image.

# %%
def pca_parameters(pca) -> int:
    return int(pca.pca.components_.size + pca.pca.mean_.size)


sparse_active = sparse_module.active_units_per_image(sparse_codes)
mse_vae_2d, mse_pca_2 = mse(reconstruct(vae_2d, x_test), x_test), pca_2.mse(x_test)
variants = [
    ("PCA", LATENT, pca_parameters(pca_20), mse_pca_20, mse_pca_20,
     "the best linear code; the baseline"),
    ("plain conv AE", LATENT, count_parameters(plain), mse_plain, mse_pca_20,
     "compression, features"),
    ("stacked (greedy + fine-tune)", LATENT, count_parameters(stacked), mse_stacked, mse_pca_20,
     "history: training deep nets stage by stage"),
    ("denoising AE", LATENT, count_parameters(denoising), mse_dae_clean, mse_pca_20,
     f"removing noise (noisy inputs: {mse_dae_noisy:.4f})"),
    (f"VAE ({LATENT}-D)", LATENT, count_parameters(vae), mse_vae, mse_pca_20,
     "generating new images, a smooth code space"),
    ("VAE (2-D)", 2, count_parameters(vae_2d), mse_vae_2d, mse_pca_2,
     "seeing the whole code space"),
    (f"sparse AE (λ = {chosen:g})", CODE_SIZE, count_parameters(sparse_model),
     mse(reconstruct(sparse_model, x_test), x_test), mse_pca_64,
     f"few active units ({sparse_active:.1f} per image)"),
]
comparison = table(["variant", "code size", "parameters", "test MSE", "PCA MSE, same size",
                    "test MSE / PCA's", "what it is for"],
                   [[name, size, params, err, pca_err, err / pca_err, use]
                    for name, size, params, err, pca_err, use in variants],
                   title=f"All variants on the same data ({len(train_set):,} training, "
                         f"{len(test_set):,} test images)")
comparison

# %% [markdown]
# Each autoencoder against PCA with as many numbers per image, gaps within the noise band
# called ties:

# %%
display(Markdown("\n".join(
    f"- {compare(name, err, f'PCA-{size}', pca_err, **NOISE).text}"
    for name, size, _, err, pca_err, _ in variants[1:])))
display(Markdown(
    f"Against the plain twin on clean test images, the {LATENT}-D VAE's error is "
    f"**{mse_vae / mse_plain:.2f}×** the twin's and the denoising autoencoder's "
    f"**{mse_dae_clean / mse_plain:.2f}×**; on noisy inputs the denoising autoencoder's "
    f"error is **{mse_dae_noisy / mse_plain_noisy:.2f}×** the twin's. The sparse code has "
    f"{CODE_SIZE} units but **{sparse_active:.1f}** active per image."))

# %% [markdown]
# Among the autoencoders, the trade-offs are the lesson: the VAE pays for its sampling
# ability in reconstruction error, the sparse model pays for its fewer active units, and
# the denoising model trades some accuracy on clean images for a large gain on noisy ones.
# The sparse row is the one to read with care: its code has 64 units, but fewer are
# active per image, so PCA with 64 components is a demanding comparison for it.

# %% [markdown]
# How long this lesson took to train, measured:

# %%
for name, seconds in training_seconds.items():
    print(f"{name:>22}: {seconds:5.1f} s")
print(f"{'all training':>22}: {sum(training_seconds.values()):5.1f} s; the whole lesson so far: "
      f"{time.perf_counter() - lesson_start:.0f} s (CPU time of this lesson's cells: "
      f"{time.process_time() - lesson_cpu:.0f} s)")

# %% [markdown]
# ## References
#
# - D. P. Kingma and M. Welling, "Auto-Encoding Variational Bayes", International
#   Conference on Learning Representations (ICLR), 2014: the VAE, the reparameterisation
#   trick and the ELBO of section 1.
# - I. Higgins et al., "β-VAE: Learning Basic Visual Concepts with a Constrained
#   Variational Framework", ICLR, 2017: the weight β on the KL term (exercise 1).
# - A. Ng, "Sparse autoencoder", CS294A lecture notes, Stanford University, 2011: the KL
#   sparsity target of exercise 4.
# - P. Vincent, H. Larochelle, Y. Bengio and P.-A. Manzagol, "Extracting and Composing
#   Robust Features with Denoising Autoencoders", International Conference on Machine
#   Learning (ICML), 2008: the denoising autoencoder of section 3.
# - G. E. Hinton and R. R. Salakhutdinov, "Reducing the Dimensionality of Data with
#   Neural Networks", *Science* 313(5786), 504–507, 2006: a deep autoencoder pretrained
#   layer by layer, each layer as a restricted Boltzmann machine, then fine-tuned. Their
#   networks were fully connected, with logistic units, trained on all of MNIST.
# - Y. Bengio, P. Lamblin, D. Popovici and H. Larochelle, "Greedy Layer-Wise Training of
#   Deep Networks", *Advances in Neural Information Processing Systems 19* (NIPS 2006),
#   153–160, 2007: greedy layer-wise pretraining with shallow autoencoders in place of
#   restricted Boltzmann machines, the form section 4 races. Their networks had sigmoid
#   units and were fine-tuned as classifiers; ours is a small conv network trained with
#   Adam on the images above.

# %% [markdown]
# ## Summary
#
# - A **VAE** encodes each image as a Gaussian (μ, log σ²), samples with z = μ + σ·ε, and
#   minimises −ELBO = reconstruction (BCE summed over pixels, computed from the decoder's
#   logits) + KL to N(0, I). The KL term makes random codes decodable and the code space
#   smooth, and costs reconstruction error against a plain twin of the same size.
# - A VAE's code space can be walked: one dimension of a 20-number code changes one
#   property of the digit, and with two numbers every point of the plane decodes to an
#   image, while the test images' codes fill the region where the prior has its mass.
# - A **sparse autoencoder** adds λ·mean|z| to the loss. Larger λ: fewer active units per
#   image, higher error. Count dead units separately: here the L1 penalty switched units
#   off for good rather than making them selective.
# - A **denoising autoencoder** is any autoencoder trained with corrupted inputs and clean
#   targets (`corrupt=`); the architecture does not change (lesson 08 goes deeper).
# - **Stacked** describes depth built from stages. Greedy stage-by-stage training works
#   (stages, then fine-tuning); how it compares with end-to-end training depends on the
#   budget, and this lesson measured it at one.
# - Beside PCA with the same number of code values, each variant's error is a ratio in the
#   table, judged against the spread between seeds.
#
# ## Exercises
#
# 1. **β-VAE.** Train `ConvVAE(20)` with `train_vae(..., beta=4.0)`. How do the KL term,
#    the reconstruction term, the number of used dimensions and the traversal change?
# 2. **Sampling temperature.** Decode codes drawn from N(0, t²·I) for t = 0.5, 1, 1.5.
#    Which t gives the cleanest digits, and why might t < 1 look better than the prior?
# 3. **Interpolation.** Encode two test digits with the VAE and with the plain twin, decode
#    ten codes on the straight line between them. Which path stays digit-like?
# 4. **KL sparsity.** Replace the L1 penalty with a KL sparsity target: a sigmoid code, a
#    target mean activation ρ = 0.05, and the penalty Σⱼ KL(ρ ‖ ρ̂ⱼ). Compare the table.
# 5. **Dead units.** Re-initialise the dead units of the λ = 0 sparse model (new random
#    encoder weights for those units) and train one more epoch. How many come back?
# 6. **Another budget.** Run the greedy-against-end-to-end race with half and with twice
#    the steps (`Recipe(..., steps=...)`). Does the verdict hold?
# 7. **Why the 2-D VAE has a hidden layer.** Train `ConvVAE(2)` (no `hidden`) with the
#    lesson's recipe and with `VAE_2D`, and compare the test −ELBO and the
#    nearest-neighbour score with the 2-D VAE above.
#
# Next: **11 · Exercises**, five exercises on architecture, checked automatically.
