"""Every autoencoder of the course, behind one contract.

``encode(x) -> z``, ``decode(z) -> x_hat`` and ``forward(x) -> x_hat``, where ``x`` and
``x_hat`` are images of the same shape (N×C×H×W). Fully connected models flatten inside
``encode`` and restore the image shape inside ``decode``, so every model takes images.
"""

from .base import Autoencoder
from .conv import DeepConvAutoencoder, SimpleConvAutoencoder
from .fc import DeepAutoencoder, FCAutoencoder
from .flat import FlatConvAutoencoder
from .sparse import SparseConvAutoencoder
from .unet import UNetAutoencoder
from .upsample import UpsampleConvAutoencoder
from .vae import ConvVAE

__all__ = [
    "Autoencoder",
    "ConvVAE",
    "DeepAutoencoder",
    "DeepConvAutoencoder",
    "FCAutoencoder",
    "FlatConvAutoencoder",
    "SimpleConvAutoencoder",
    "SparseConvAutoencoder",
    "UNetAutoencoder",
    "UpsampleConvAutoencoder",
]
