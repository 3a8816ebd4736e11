"""Concentration classes and location quotients: known answers, groups, real data."""

from __future__ import annotations

import numpy as np
import pytest
from _real_units import FILES, read_odata

from mixing.errors import InputError
from mixing.kernels.concentration import (
    class_labels,
    concentration_classes,
    municipal_share,
    share,
)
from mixing.kernels.local import location_quotient  # the one LQ definition


def test_share_and_classes_known_answers():
    s = share([0, 49, 50, 69.9, 70, 100, np.nan, 0], [100, 100, 100, 100, 100, 100, 10, 0])
    assert np.isnan(s[6]) and np.isnan(s[7])
    assert concentration_classes(s).tolist() == [
        "<50%", "<50%", ">=50%", ">=50%", ">=70%", ">=70%", "unknown", "unknown"
    ]
    assert class_labels((0.3,)) == ["<30%", ">=30%", "unknown"]
    assert concentration_classes([0.2, 0.4], thresholds=(0.3,)).tolist() == ["<30%", ">=30%"]


def test_bad_input():
    with pytest.raises(InputError, match="increasing"):
        concentration_classes([0.1], thresholds=(0.7, 0.5))
    with pytest.raises(InputError, match=r"\[0, 1\].*divide percentages by 100"):
        concentration_classes([42.0])
    with pytest.raises(InputError, match="exceeds `total`"):
        share([5], [4])


def test_location_quotient_per_group():
    part = np.array([10, 30, 0, 60, 20, np.nan])
    total = np.array([100, 100, 100, 100, 100, 100])
    groups = np.array(["GM1", "GM1", "GM2", "GM2", "GM2", "GM2"])
    lq = location_quotient(part, total, groups=groups)
    np.testing.assert_allclose(lq[:2], [0.5, 1.5])  # GM1 share 0.2
    np.testing.assert_allclose(lq[2:5], [0.0, 60 / 80 * 3, 20 / 80 * 3])  # GM2 share 80/300
    assert np.isnan(lq[5])
    np.testing.assert_allclose(municipal_share(part, total, groups), [0.2, 80 / 300])
    # one call for all groups equals separate calls
    np.testing.assert_allclose(lq[:2], location_quotient(part[:2], total[:2]))


def test_real_den_haag_shares(cbs_dir):
    table = read_odata(cbs_dir / FILES["GM0518"])
    s = table["social_share"].to_numpy()
    classes = concentration_classes(s)
    assert (classes == "unknown").sum() == 5  # PROVENANCE: 5 of 114 hidden
    assert {"<50%", ">=50%", ">=70%"} <= set(classes)
