"""The accounting state of a municipality: dwellings, households and low-income households
per buurt *and tenure*, as numpy arrays.

CBS publishes dwellings by tenure but households and low-income households only per
buurt. :func:`split_state` splits them over tenures with the explicit
:class:`~mixing.scenarios.assumptions.Assumptions`; transforms change the arrays;
:func:`write_state` writes the change back onto a copy of the canonical units table,
adding the per-tenure accounting columns (:data:`ACCOUNTING_COLUMNS`) so that a later
step of a ``combine`` scenario continues from them instead of re-splitting.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np

from mixing.checks import quiet
from mixing.scenarios.assumptions import TENURES, Assumptions

__all__ = [
    "State",
    "ACCOUNTING_COLUMNS",
    "split_state",
    "write_state",
    "fill_limited",
    "social_share",
]

S, R, OWN, U = range(4)  # column positions of the tenures in the (n, 4) arrays
_TENURE_COLUMNS = ("dwellings_social", "dwellings_private_rent", "dwellings_owner_occupied")
ACCOUNTING_COLUMNS = tuple(f"households_{t}" for t in TENURES) + tuple(
    f"households_low_income_{t}" for t in TENURES
)
_SCALED_WITH_POPULATION = (
    "population_migration_western",
    "population_migration_nonwestern",
    "population_origin_dutch",
    "population_origin_europe",
    "population_origin_outside_europe",
    "population_benefits",
)
_TOL = 1e-6


@dataclass
class State:
    """Per-buurt, per-tenure counts (internal, mutable; transforms work on copies).

    Attributes
    ----------
    D, H, L : numpy.ndarray
        (n, 4) dwellings, households and low-income households per tenure
        (:data:`~mixing.scenarios.assumptions.TENURES` order). 0 where unknown.
    tenure_known : numpy.ndarray
        Dwellings and all three tenures known: only these buurten are transformed.
    income_known : numpy.ndarray
        Households and low-income households known: only these send or receive
        low-income households.
    """

    D: np.ndarray
    H: np.ndarray
    L: np.ndarray
    tenure_known: np.ndarray
    income_known: np.ndarray

    def copy(self) -> State:
        """An independent copy (the arrays are copied)."""
        return State(
            self.D.copy(),
            self.H.copy(),
            self.L.copy(),
            self.tenure_known.copy(),
            self.income_known.copy(),
        )

    @property
    def n(self) -> int:
        """The number of buurten."""
        return self.D.shape[0]


def _col(units, name: str) -> np.ndarray:
    return units[name].to_numpy(dtype="float64")


def social_share(units) -> np.ndarray:
    """Social dwellings / dwellings per unit; NaN where unknown or without dwellings."""
    d = _col(units, "dwellings")
    with quiet():
        return np.where(d > 0, _col(units, "dwellings_social") / d, np.nan)


def split_state(units: gpd.GeoDataFrame, assumptions: Assumptions) -> State:
    """Split a units table into the per-tenure accounting state.

    Parameters
    ----------
    units : GeoDataFrame
        Canonical units table of one municipality (or the output of a transform, whose
        accounting columns are then used as they are).
    assumptions : Assumptions

    Returns
    -------
    State

    Notes
    -----
    Dwellings of unknown ownership (``other``) are ``dwellings`` minus the three tenures,
    clipped at 0 (CBS rounds the tenure percentages). Households are split in proportion to
    ``occupancy_k * dwellings_k``; low-income households with the rate ratio
    ``low_income_concentration`` (social vs the rest), capped at the tenure's households.
    """
    n = len(units)
    dwell = _col(units, "dwellings")
    tenure = np.column_stack([_col(units, c) for c in _TENURE_COLUMNS])
    tenure_known = np.isfinite(dwell) & np.isfinite(tenure).all(axis=1)
    D = np.zeros((n, 4))
    D[:, :3] = np.where(tenure_known[:, None], tenure, 0.0)
    D[:, U] = np.where(tenure_known, np.maximum(dwell - tenure.sum(axis=1), 0.0), 0.0)
    D[~tenure_known, U] = np.nan_to_num(dwell[~tenure_known])

    households = _col(units, "households")
    low = _col(units, "households_low_income")
    income_known = np.isfinite(households) & np.isfinite(low)
    if all(c in units for c in ACCOUNTING_COLUMNS):
        H = np.column_stack([_col(units, f"households_{t}") for t in TENURES])
        L = np.column_stack([_col(units, f"households_low_income_{t}") for t in TENURES])
        return State(D, np.nan_to_num(H), np.nan_to_num(L), tenure_known, income_known)

    occ = np.array([assumptions.occupancy(t) for t in TENURES])
    weight = D * occ
    total = weight.sum(axis=1)
    h = np.nan_to_num(households)
    with quiet():
        H = np.where(total[:, None] > 0, h[:, None] * weight / total[:, None], 0.0)
    H[total == 0, U] = h[total == 0]  # households but no known dwellings

    kappa = assumptions.low_income_concentration
    low_known = np.where(income_known, np.nan_to_num(low), 0.0)
    rest = H[:, R] + H[:, OWN] + H[:, U]
    with quiet():
        base = np.where(kappa * H[:, S] + rest > 0, low_known / (kappa * H[:, S] + rest), 0.0)
    L = np.zeros((n, 4))
    L[:, S] = np.minimum(kappa * base * H[:, S], H[:, S])
    with quiet():
        rest_rate = np.where(rest > 0, (low_known - L[:, S]) / rest, 0.0)
    for k in (R, OWN, U):
        L[:, k] = rest_rate * H[:, k]
    # a buurt with more low-income households than the split can hold (data rounding)
    # keeps them in the "other" column rather than losing them
    L[:, U] += low_known - L.sum(axis=1)
    return State(D, H, L, tenure_known, income_known)


def fill_limited(
    amount: float, weights: np.ndarray, limits: np.ndarray, max_rounds: int = 100
) -> np.ndarray:
    """Distribute ``amount`` proportionally to ``weights`` without exceeding ``limits``.

    Water filling: units that hit their limit are frozen and the rest is redistributed
    over the others, until nothing is left or every unit is full (vectorised per round;
    the number of rounds is at most the number of units and in practice a handful).
    The sum of the result is ``min(amount, limits[weights > 0].sum())``.
    """
    weights = np.where(np.isfinite(weights) & (weights > 0), weights, 0.0)
    limits = np.where(weights > 0, np.maximum(np.nan_to_num(limits), 0.0), 0.0)
    out = np.zeros_like(weights)
    left = float(amount)
    for _ in range(max_rounds):
        open_ = (out < limits - 1e-12) & (weights > 0)
        if left <= 1e-9 or not open_.any():
            break
        w = np.where(open_, weights, 0.0)
        add = np.minimum(left * w / w.sum(), limits - out)
        out += add
        left -= float(add.sum())
    return out


def write_state(units: gpd.GeoDataFrame, before: State, after: State) -> gpd.GeoDataFrame:
    """A copy of ``units`` with the counts of ``after`` and the accounting columns.

    Counts change by exactly ``after - before`` (so unknown counts stay unknown); the
    population and the background counts scale with the households of the buurt
    (composition within a buurt unchanged, an assumption); where a buurt had no
    households the municipal mean household size is used. ``mean_income`` and
    ``mean_woz`` are not modelled and stay as they were.

    Raises
    ------
    AssertionError
        If a count would become negative (a bug in a transform, never bad input).
    """
    out = units.copy()
    dD = after.D - before.D
    dH = after.H - before.H
    # low-income changes are only counted where the low-income count is known
    dL = np.where(before.income_known[:, None], after.L - before.L, 0.0)
    for arr, what in (
        (after.D, "dwellings"),
        (after.H, "households"),
        (after.L, "low-income households"),
    ):
        if (arr < -_TOL).any():
            raise AssertionError(f"scenario accounting produced negative {what}")
    changes = {
        "dwellings": dD.sum(axis=1),
        "dwellings_social": dD[:, S],
        "dwellings_private_rent": dD[:, R],
        "dwellings_owner_occupied": dD[:, OWN],
        "households": dH.sum(axis=1),
        "households_low_income": dL.sum(axis=1),
    }
    for column, delta in changes.items():
        old = _col(units, column)
        new = old + delta
        out[column] = np.where(np.abs(new) < _TOL, 0.0, new)
    h0, h1 = np.nan_to_num(_col(units, "households")), _col(out, "households")
    pop = _col(units, "population")
    with quiet():
        size = np.nansum(pop) / np.nansum(h0) if np.nansum(h0) > 0 else 2.0
        factor = np.where(h0 > 0, h1 / h0, 1.0)
    out["population"] = np.where(h0 > 0, pop * factor, np.where(h1 > 0, h1 * size, pop))
    for column in _SCALED_WITH_POPULATION:
        out[column] = _col(units, column) * factor
    for k, tenure in enumerate(TENURES):
        out[f"households_{tenure}"] = np.maximum(after.H[:, k], 0.0)
        out[f"households_low_income_{tenure}"] = np.where(
            after.income_known, np.maximum(after.L[:, k], 0.0), np.nan
        )
    out["is_uninhabited"] = (np.nan_to_num(_col(out, "population")) == 0) & (
        np.nan_to_num(_col(out, "dwellings")) == 0
    )
    return out
