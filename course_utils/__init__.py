"""course_utils: the code behind *Convolutional Autoencoders, hands-on*.

Each module holds one concern, and the notebooks import from them:

- ``config``: FAST mode, budgets, device choice, seeding, where data and checkpoints live
- ``data``: MNIST, Fashion-MNIST, CIFAR-10 as tensors (with an offline fallback), batches, corruptions
- ``models``: every autoencoder of the course, one ``encode``/``decode``/``forward`` contract
- ``arithmetic``: output sizes of convolution, pooling and transposed convolution; shape traces
- ``training``: one training loop, evaluation, and a "load if present, else train" cache
- ``summary``: parameter counts, latent size, compression ratio, multiply-accumulates
- ``metrics``: MSE, PSNR, SSIM, PCA baselines and the scores of the applications
- ``viz``: image grids, reconstructions, training curves

Importing the package does no work: no downloads, no threads, no plots.
"""

__version__ = "0.1.0"
