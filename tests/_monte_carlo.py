"""Comparing two simulated null distributions (ours against a reference implementation)."""

from __future__ import annotations

import numpy as np
from scipy import stats


def assert_same_distribution(ours, theirs, sd_ratio=(0.75, 1.33)) -> None:
    """Means within 4 combined Monte Carlo standard errors, sds within ``sd_ratio``, and a
    two-sample KS test that does not reject at 1e-3 (NaN replicates of ours dropped)."""
    ours = np.asarray(ours, dtype=float)
    ours, theirs = ours[~np.isnan(ours)], np.asarray(theirs, dtype=float)
    se = np.sqrt(ours.var(ddof=1) / ours.size + theirs.var(ddof=1) / theirs.size)
    assert abs(ours.mean() - theirs.mean()) < 4 * se, (ours.mean(), theirs.mean(), se)
    low, high = sd_ratio
    assert low < ours.std(ddof=1) / theirs.std(ddof=1) < high
    assert stats.ks_2samp(ours, theirs).pvalue > 1e-3
