"""course_utils.applications: corruptions, masked errors, one-class scores, clustering."""

from __future__ import annotations

import functools

import numpy as np
import pytest
import torch
from torch import nn

from course_utils.applications import (
    HOLE_FILL,
    box_mask_at,
    denoising_corruptions,
    fixed_box_mask,
    fixed_gaussian_noise,
    fixed_noise,
    fixed_salt_and_pepper,
    gaussian_noise_mix,
    hole_box,
    kmeans_clusters,
    mask_boxes,
    masked_mse_per_image,
    nearest_neighbour_distance,
    one_class_scores,
    pca_projection,
    reconstruction_errors,
    salt_and_pepper_mix,
    tune_baselines,
    tune_filter,
)
from course_utils.metrics import clustering_accuracy, pca_baseline, psnr
from course_utils.training import cache_key


def _gen(seed: int = 0) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def test_gaussian_mix_strength_varies_per_image_within_range() -> None:
    clean = torch.full((400, 1, 28, 28), 0.5)  # far from 0 and 1, so clipping is rare
    noisy = gaussian_noise_mix(clean, _gen(), low=0.05, high=0.15)
    stds = (noisy - clean).flatten(1).std(dim=1)
    assert noisy.shape == clean.shape
    assert 0.04 < float(stds.min()) and float(stds.max()) < 0.16
    assert float(stds.max() - stds.min()) > 0.05
    assert torch.equal(noisy, gaussian_noise_mix(clean, _gen(), low=0.05, high=0.15))
    with pytest.raises(ValueError):
        gaussian_noise_mix(clean, _gen(), low=0.3, high=0.1)


def test_salt_and_pepper_mix_hits_the_right_share() -> None:
    clean = torch.full((300, 1, 28, 28), 0.5)
    noisy = salt_and_pepper_mix(clean, _gen(), low=0.1, high=0.3)
    hit = (noisy != 0.5).flatten(1).float().mean(dim=1)
    assert 0.07 < float(hit.min()) and float(hit.max()) < 0.34
    assert set(noisy.unique().tolist()) == {0.0, 0.5, 1.0}


def test_fixed_corruptions_are_repeatable() -> None:
    x = torch.rand(5, 1, 28, 28, generator=_gen(3))
    assert torch.equal(fixed_gaussian_noise(x, 0.3), fixed_gaussian_noise(x, 0.3))
    assert not torch.equal(fixed_gaussian_noise(x, 0.3), fixed_gaussian_noise(x, 0.3, seed=1))
    assert torch.equal(fixed_salt_and_pepper(x, 0.2), fixed_salt_and_pepper(x, 0.2))


def test_mask_boxes_blanks_one_box_per_image() -> None:
    x = torch.ones(6, 1, 28, 28)
    masked = mask_boxes(x, _gen(), box_size=10)
    assert masked.shape == x.shape
    assert torch.all((masked == 0).flatten(1).sum(dim=1) == 100)


def test_partial_settings_reach_the_checkpoint_key() -> None:
    model = nn.Linear(2, 2)
    a = cache_key("x", model, corrupt=functools.partial(gaussian_noise_mix, low=0.1, high=0.5))
    b = cache_key("x", model, corrupt=functools.partial(gaussian_noise_mix, low=0.1, high=0.4))
    assert a != b


def test_masked_mse_counts_only_the_mask() -> None:
    x = torch.zeros(2, 1, 4, 4)
    x_hat = torch.zeros(2, 1, 4, 4)
    x_hat[:, :, 0, 0] = 1.0  # wrong outside the mask only
    x_hat[1, :, 3, 3] = 0.5  # wrong inside the mask in image 1
    mask = torch.zeros(2, 1, 4, 4)
    mask[:, :, 2:, 2:] = 1
    assert masked_mse_per_image(x_hat, x, mask).tolist() == [0.0, 0.25 / 4]
    with pytest.raises(ValueError):
        masked_mse_per_image(x_hat, x, torch.zeros_like(mask))


class _Copy(nn.Module):
    """A perfect 'autoencoder' for images of one kind: it outputs the mean of class 0."""

    def __init__(self, template: torch.Tensor) -> None:
        super().__init__()
        self.template = nn.Parameter(template.clone(), requires_grad=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.template.expand_as(x)


def test_one_class_scores_rank_the_other_class_higher() -> None:
    g = _gen(4)
    normal = 0.1 * torch.rand(50, 1, 8, 8, generator=g)
    odd = 0.9 + 0.1 * torch.rand(50, 1, 8, 8, generator=g)
    images = torch.cat([normal, odd])
    labels = torch.cat([torch.zeros(50), torch.ones(50)]).long()
    pca = pca_baseline(normal, 3)
    result = one_class_scores(0, {"copy": _Copy(normal.mean(0)), "pca": pca,
                                  "pixels": lambda x: nearest_neighbour_distance(normal, x)},
                              images, labels)
    assert result.auroc == {"copy": 1.0, "pca": 1.0, "pixels": 1.0}
    assert result.is_anomaly.sum() == 50
    assert torch.allclose(result.scores["pca"], reconstruction_errors(pca, images))
    assert result.mean_score("copy", anomalies=True) > result.mean_score("copy", anomalies=False)


def test_nearest_neighbour_distance_is_the_smallest_pixel_mse() -> None:
    train = torch.rand(30, 1, 6, 6, generator=_gen(6))
    queries = torch.cat([train[:3], torch.rand(4, 1, 6, 6, generator=_gen(7))])
    got = nearest_neighbour_distance(train, queries, batch_size=2)
    brute = torch.stack([((train - q) ** 2).flatten(1).mean(dim=1).min() for q in queries])
    assert torch.allclose(got, brute, atol=1e-6)
    assert torch.allclose(got[:3], torch.zeros(3), atol=1e-6)  # its own nearest neighbour


def test_pca_projection_matches_a_fit_with_k_components() -> None:
    images = torch.rand(60, 1, 5, 5, generator=_gen(8))
    big = pca_baseline(images, 12)
    for k in (3, 12):
        expected = pca_baseline(images, k).reconstruct(images)
        assert torch.allclose(pca_projection(big, images, k), expected, atol=1e-4)
    with pytest.raises(ValueError):
        pca_projection(big, images, 13)


def test_kmeans_on_separated_blobs_is_perfect_after_matching() -> None:
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(3, 5)) * 10
    labels = np.repeat(np.arange(3), 40)
    points = centres[labels] + rng.normal(size=(120, 5)) * 0.1
    clusters = kmeans_clusters(torch.tensor(points), k=3)
    assert clustering_accuracy(clusters, labels) == 1.0


def test_tune_filter_picks_the_best_setting() -> None:
    from course_utils.filters import gaussian_blur

    clean = gaussian_blur(torch.rand(20, 1, 28, 28, generator=_gen(5)), 2.0)
    noisy = fixed_gaussian_noise(clean, 0.3)
    settings = [0.3, 1.0, 3.0]
    scores = [psnr(gaussian_blur(noisy, s), clean) for s in settings]
    assert tune_filter(gaussian_blur, settings, noisy, clean) == settings[int(np.argmax(scores))]
    assert len(set(scores)) == 3
    assert tune_filter(lambda x, s: x + s, [0.5, 0.0], clean, clean) == 0.0
    with pytest.raises(ValueError):
        tune_filter(gaussian_blur, [], noisy, clean)


# --------------------------------------------------------------------------- holes and noise kinds


def test_mask_boxes_paints_the_hole_with_its_fill() -> None:
    x = torch.ones(6, 1, 28, 28)
    masked = mask_boxes(x, _gen(), box_size=10, fill=0.5)
    assert torch.all((masked == 0.5).flatten(1).sum(dim=1) == 100)
    assert torch.all((masked == 1.0).flatten(1).sum(dim=1) == 784 - 100)


def test_fixed_box_mask_is_repeatable_and_marks_the_hole() -> None:
    x = torch.rand(5, 1, 28, 28, generator=_gen(1))
    a, mask = fixed_box_mask(x, 10, fill=HOLE_FILL, seed=0)
    b, same = fixed_box_mask(x, 10, fill=HOLE_FILL, seed=0)
    assert torch.equal(a, b) and torch.equal(mask, same)
    assert torch.all(mask.flatten(1).sum(dim=1) == 100)
    assert torch.all(a[mask.bool()] == HOLE_FILL)
    assert torch.equal(a[~mask.bool()], x[~mask.bool()])
    assert not torch.equal(fixed_box_mask(x, 10, seed=1)[1], mask)


def test_box_mask_at_puts_the_same_hole_in_every_image_or_explains() -> None:
    x = torch.rand(3, 1, 28, 28, generator=_gen(2))
    masked, mask = box_mask_at(x, 4, 18, 10, fill=0.25)
    assert all(hole_box(m) == (4, 18, 10, 10) for m in mask)
    assert torch.all(masked[:, :, 4:14, 18:28] == 0.25)
    assert torch.equal(masked[:, :, :4], x[:, :, :4])
    for top, left in [(19, 0), (0, 19), (-1, 0)]:
        with pytest.raises(ValueError, match="does not fit"):
            box_mask_at(x, top, left, 10)
    with pytest.raises(ValueError, match="hides no pixel"):
        hole_box(torch.zeros(1, 28, 28))


def test_fixed_noise_names_the_two_kinds() -> None:
    x = torch.rand(4, 1, 28, 28, generator=_gen(3))
    assert torch.equal(fixed_noise("Gaussian", x, 0.3), fixed_gaussian_noise(x, 0.3))
    assert torch.equal(fixed_noise("salt & pepper", x, 0.2), fixed_salt_and_pepper(x, 0.2))
    with pytest.raises(ValueError, match="unknown noise kind"):
        fixed_noise("speckle", x, 0.1)


def test_tune_baselines_picks_each_setting_from_its_grid() -> None:
    from course_utils.filters import gaussian_blur

    images = gaussian_blur(torch.rand(40, 1, 28, 28, generator=_gen(4)), 1.5)
    pca = pca_baseline(images, 32)
    best = tune_baselines(images, {"Gaussian": [0.1, 0.5], "salt & pepper": [0.2]}, pca,
                          blur_widths=(0.5, 2.0), median_sizes=(3, 5), pca_sizes=(4, 32))
    assert set(best) == {("Gaussian", 0.1), ("Gaussian", 0.5), ("salt & pepper", 0.2)}
    for setting in best.values():
        assert setting["blur"] in (0.5, 2.0) and setting["median"] in (3, 5)
        assert setting["PCA"] in (4, 32)
    noisy = fixed_noise("Gaussian", images, 0.5, seed=123)
    expected = tune_filter(gaussian_blur, [0.5, 2.0], noisy, images)
    assert best["Gaussian", 0.5]["blur"] == expected


def test_the_lessons_training_sets_differ_only_in_their_corruption() -> None:
    corruptions = denoising_corruptions(hole_fill=0.5)
    assert list(corruptions) == ["plain autoencoder", "Gaussian denoiser",
                                 "salt-and-pepper denoiser", "inpainting model"]
    assert corruptions["plain autoencoder"] is None
    assert corruptions["inpainting model"].keywords == {"box_size": 10, "fill": 0.5}
    model = nn.Linear(2, 2)
    grey = cache_key("x", model, corrupt=corruptions["inpainting model"])
    black = cache_key("x", model, corrupt=denoising_corruptions(hole_fill=0.0)["inpainting model"])
    assert grey != black  # a different hole colour never loads the other model's weights
