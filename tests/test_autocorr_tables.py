"""The new global statistics in the autocorrelation table (autocorrelation.csv): appended
after the rows of earlier releases, and equal to esda on Den Haag 2019."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from mixing.tables.clusters import JOIN_COUNTS, autocorrelation_tables

esda = pytest.importorskip("esda")  # dev extra; a test-only oracle
from libpysal.weights import W as PysalW  # noqa: E402

from mixing.geometry.weights import build_weights, subset  # noqa: E402

RTOL = 1e-9
OLD = ("moran_i", "geary_c", "bivariate_moran")
NEW = ("moran_rate", "getis_ord_g", "join_counts")


@pytest.fixture(scope="module")
def tables(den_haag_2019, seed):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # units with unknown shares are dropped, with a count
        return autocorrelation_tables(den_haag_2019, permutations=99, seed=seed)


def test_new_rows_come_after_the_old_ones(tables):
    global_table, _ = tables
    statistic = global_table["statistic"].tolist()
    first_new = min(statistic.index(s) for s in NEW)
    assert set(statistic[:first_new]) == set(OLD) and set(statistic[first_new:]) == set(NEW)
    counts = global_table["statistic"].value_counts()
    assert counts["join_counts"] == len(JOIN_COUNTS) == 1
    assert counts["moran_rate"] == counts["getis_ord_g"] == counts["moran_i"]


def _pysal(w):
    b = w.binary
    return PysalW({i: b.indices[b.indptr[i]: b.indptr[i + 1]].tolist() for i in range(w.n)},
                  silence_warnings=True)


def test_new_rows_equal_esda(den_haag_2019, tables):
    global_table, _ = tables
    rows = global_table.set_index(["variable", "statistic"])
    units = den_haag_2019.sort_values("unit_code").reset_index(drop=True)
    w = build_weights(units, ids=units["unit_code"].to_numpy())
    e, b = units["households_low_income"].to_numpy(), units["households"].to_numpy()
    keep = np.isfinite(e) & (b > 0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pw = _pysal(subset(w, keep))
    ref = esda.Moran_Rate(e[keep], b[keep], pw, permutations=0)
    row = rows.loc[("low_income", "moran_rate")]
    np.testing.assert_allclose([row["value"], row["expected"], row["z"], row["p_analytical"]],
                               [ref.I, ref.EI, ref.z_norm, ref.p_norm], rtol=RTOL)
    assert row["n_units"] == 106

    share = (units["dwellings_social"] / units["dwellings"]).to_numpy()
    keep = np.isfinite(share)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pw = _pysal(subset(w, keep))
    g = esda.G(share[keep], pw, permutations=0)
    row = rows.loc[("social_housing", "getis_ord_g")]
    np.testing.assert_allclose([row["value"], row["expected"], row["z"], row["p_analytical"]],
                               [g.G, g.EG, g.z_norm, g.p_norm], rtol=RTOL)
    jc = esda.Join_Counts((share[keep] > 0.5).astype(float), pw, permutations=0)
    row = rows.loc[("social_housing", "join_counts")]
    assert row["value"] == jc.bb == 26
    assert row["z"] > 3 and row["p_value"] == pytest.approx(0.01)  # (0 + 1) / (99 + 1)
