"""How good is a reconstruction, a code, a detector? And what does a simple baseline get?

Image metrics take batches N×C×H×W with values in [0, 1] and return one number per image
(``*_per_image``) or the mean. The baselines are what an autoencoder has to beat: PCA at
the same code size for reconstruction, raw pixels for features.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch


def _check_pair(x_hat: torch.Tensor, x: torch.Tensor) -> None:
    if x_hat.shape != x.shape:
        raise ValueError(f"shapes differ: {tuple(x_hat.shape)} vs {tuple(x.shape)}")


def mse_per_image(x_hat: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """Mean squared error of each image (averaged over its pixels): shape N."""
    _check_pair(x_hat, x)
    return ((x_hat - x) ** 2).flatten(1).mean(dim=1)


def mse(x_hat: torch.Tensor, x: torch.Tensor) -> float:
    """Mean squared error over all pixels of all images."""
    return float(mse_per_image(x_hat, x).mean())


def psnr_per_image(x_hat: torch.Tensor, x: torch.Tensor, data_range: float = 1.0) -> torch.Tensor:
    """Peak signal-to-noise ratio in dB of each image: 10·log10(range² / MSE).

    +3 dB halves the squared error. A perfect copy has infinite PSNR; it is capped at 100 dB.
    """
    err = mse_per_image(x_hat, x).clamp_min(data_range**2 * 1e-10)
    return 10 * torch.log10(data_range**2 / err)


def psnr(x_hat: torch.Tensor, x: torch.Tensor, data_range: float = 1.0) -> float:
    """Mean PSNR over the images, in dB."""
    return float(psnr_per_image(x_hat, x, data_range).mean())


def ssim_per_image(x_hat: torch.Tensor, x: torch.Tensor, data_range: float = 1.0) -> torch.Tensor:
    """Structural similarity of each image (1 = identical), averaged over its channels: shape N.

    SSIM (Wang et al., 2004) compares local means, variances and covariance under a
    Gaussian window (σ = 1.5 pixels, 11×11), as luminance, contrast and structure, and
    averages the result over the image. Computed by scikit-image's
    ``structural_similarity`` with the paper's settings.
    """
    from skimage.metrics import structural_similarity

    _check_pair(x_hat, x)
    a = x_hat.detach().cpu().double().numpy()
    b = x.detach().cpu().double().numpy()
    scores = [
        np.mean([structural_similarity(b[i, c], a[i, c], data_range=data_range,
                                       gaussian_weights=True, sigma=1.5,
                                       use_sample_covariance=False)
                 for c in range(a.shape[1])])
        for i in range(len(a))
    ]
    return torch.tensor(scores, dtype=torch.float32)


def ssim(x_hat: torch.Tensor, x: torch.Tensor, data_range: float = 1.0) -> float:
    """Mean SSIM over the images."""
    return float(ssim_per_image(x_hat, x, data_range).mean())


# --------------------------------------------------------------------------- PCA baseline


@dataclass
class PCABaseline:
    """PCA fitted on training images, keeping ``n_components`` numbers per image.

    PCA is the best *linear* autoencoder: no linear encoder/decoder pair with a code of
    the same size reconstructs the training set with a smaller squared error.
    """

    n_components: int
    pca: object

    def encode(self, images: torch.Tensor) -> torch.Tensor:
        return torch.as_tensor(self.pca.transform(images.flatten(1).numpy()), dtype=torch.float32)

    def reconstruct(self, images: torch.Tensor) -> torch.Tensor:
        codes = self.pca.transform(images.flatten(1).numpy())
        flat = self.pca.inverse_transform(codes)
        return torch.as_tensor(flat, dtype=torch.float32).clamp_(0, 1).view_as(images)

    def mse(self, images: torch.Tensor) -> float:
        return mse(self.reconstruct(images), images)

    @property
    def explained_variance(self) -> float:
        """Share of the training images' variance the kept components explain."""
        return float(np.sum(self.pca.explained_variance_ratio_))


def pca_baseline(train_images: torch.Tensor, n_components: int, *, seed: int = 0) -> PCABaseline:
    """Fit PCA with ``n_components`` on training images (N×C×H×W).

    ``n_components`` may not exceed the number of images or pixels; beyond the pixel count
    a code cannot be "compressed" at all.
    """
    from sklearn.decomposition import PCA

    n, d = len(train_images), train_images[0].numel()
    if not 1 <= n_components <= min(n, d):
        raise ValueError(
            f"PCA can keep between 1 and min(images, pixels) = {min(n, d)} components, "
            f"got {n_components}"
        )
    pca = PCA(n_components=n_components, random_state=seed)
    pca.fit(train_images.flatten(1).numpy())
    return PCABaseline(n_components, pca)


# --------------------------------------------------------------------------- applications


def auroc(scores: torch.Tensor | np.ndarray, is_anomaly: torch.Tensor | np.ndarray) -> float:
    """Area under the ROC curve: the chance that a random anomaly scores above a random normal.

    0.5 is guessing, 1.0 is a perfect ranking. Higher score = more anomalous.
    """
    from sklearn.metrics import roc_auc_score

    labels = np.asarray(is_anomaly).astype(int)
    if labels.min() == labels.max():
        raise ValueError("AUROC needs both normal and anomalous examples")
    return float(roc_auc_score(labels, np.asarray(scores, dtype=np.float64)))


def linear_probe_accuracy(train_features: torch.Tensor, train_labels: torch.Tensor,
                          test_features: torch.Tensor, test_labels: torch.Tensor,
                          *, max_iter: int = 1000) -> float:
    """Test accuracy of a logistic regression trained on frozen features.

    Features are standardised on the training set first; the classifier is linear, so the
    score measures how *linearly* the features separate the classes.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    probe = make_pipeline(StandardScaler(), LogisticRegression(max_iter=max_iter))
    probe.fit(train_features.flatten(1).numpy(), train_labels.numpy())
    return float(probe.score(test_features.flatten(1).numpy(), test_labels.numpy()))


def clustering_accuracy(cluster_ids: np.ndarray | torch.Tensor,
                        labels: np.ndarray | torch.Tensor) -> float:
    """Accuracy after matching each cluster to one label (Hungarian algorithm).

    The usual score for unsupervised clustering of MNIST: clusters have no names, so each
    is matched to one label, one to one, in the way that makes the most images correct.
    With more clusters than labels, the clusters left unmatched count as wrong.
    """
    from scipy.optimize import linear_sum_assignment

    clusters = np.asarray(cluster_ids).astype(int)
    truth = np.asarray(labels).astype(int)
    size = max(clusters.max(), truth.max()) + 1
    counts = np.zeros((size, size), dtype=np.int64)
    np.add.at(counts, (clusters, truth), 1)
    rows, cols = linear_sum_assignment(-counts)
    return float(counts[rows, cols].sum() / len(truth))
