"""course_utils: the code behind *Convolutional Autoencoders, hands-on*.

Each module holds one concern, and the notebooks import from them:

- ``config``: FAST mode, budgets, device choice, seeding, where data and checkpoints live
- ``data``: MNIST, Fashion-MNIST, CIFAR-10 as tensors (with an offline fallback), batches, corruptions
- ``models``: every autoencoder of the course, one ``encode``/``decode``/``forward`` contract
- ``arithmetic``: output sizes of convolution, pooling and transposed convolution; shape traces
- ``training``: one training loop, evaluation, and a "load if present, else train" cache
- ``summary``: parameter counts, latent size, compression ratio, multiply-accumulates
- ``metrics``: MSE, PSNR, SSIM, PCA baselines and the scores of the applications
- ``viz``: image grids, reconstructions, training curves, feature maps, latent maps
- ``widgets``: the convolution-arithmetic explorer and the checkerboard explorer (lesson 05)
- ``checks``: auto-checks for the exercises, with hints (lessons 05 and 11)
- ``recipes``: the standard trained models that several lessons share

Helpers for single lessons: ``transposed`` and ``checkerboard`` (05), ``pretraining`` and
``activations`` (03), ``latent`` (07), ``filters`` and ``applications`` (08, 09).

Importing the package does no work: no downloads, no threads, no plots.
"""

__version__ = "0.1.0"
