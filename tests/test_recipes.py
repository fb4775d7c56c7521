"""The course's standard recipes: budgets in optimizer steps, and the compact-code model that
must beat PCA at the same code size on real digits."""

from __future__ import annotations

import pytest

from course_utils import recipes
from course_utils.metrics import pca_baseline
from course_utils.training import evaluate


def test_recipes_take_the_same_steps_whatever_the_training_set_size(monkeypatch) -> None:
    monkeypatch.delenv("COURSE_FAST")
    recipe = recipes.Recipe(lr=1e-3, steps=1_250, fast_steps=100, batch_size=32)
    assert recipe.epochs(4_000) == 10  # 125 steps per pass over the offline subset
    assert recipe.epochs(12_000) == 3  # 375 per pass: 1,125 steps, the nearest whole epoch
    assert recipe.epochs(100_000) == 1
    monkeypatch.setenv("COURSE_FAST", "1")
    assert recipe.epochs(1_500) == 2  # 47 steps per pass: 94 steps, nearest to 100
    settings = recipe.settings(4_000)
    assert settings["scheduler"] == "cosine" and settings["epochs"] == 1  # FAST: 100 steps


def test_standard_data_offline_is_the_real_subset(monkeypatch) -> None:
    monkeypatch.delenv("COURSE_FAST")
    train_set, test_set = recipes.standard_data()
    assert train_set.is_fallback and "real MNIST" in train_set.source
    assert (len(train_set), len(test_set)) == (4_000, 1_000)


def test_compact_code_beats_pca_at_the_same_code_size(monkeypatch, capsys) -> None:
    """At the learner budget, on the offline subset of real MNIST (FAST mode: printed only)."""
    results = {}
    for mode, fast in (("learner", ""), ("FAST", "1")):
        monkeypatch.setenv("COURSE_FAST", fast)
        train_set, test_set = recipes.standard_data()
        model, history = recipes.compact_code(train_set, test_set, code_size=32)
        pca = pca_baseline(train_set.images, 32).mse(test_set.images)
        ae = evaluate(model, test_set)
        assert ae == pytest.approx(history.final_test_loss, rel=1e-5)
        results[mode] = (ae, pca, history)
        with capsys.disabled():
            print(f"\ncompact_code, {mode} budget, {len(train_set):,} images, "
                  f"{history.epochs} epochs in {history.total_seconds:.1f} s: test MSE "
                  f"{ae:.5f} vs PCA-32 {pca:.5f} ({pca / ae:.2f}× lower error)")
    ae, pca, _ = results["learner"]
    assert ae < 0.75 * pca, "the compact-code model should clearly beat PCA at 32 numbers"
