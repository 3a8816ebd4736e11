"""Concentration of social housing (or any group) per unit: shares and concentration classes.

The location quotient lives in :func:`mixing.kernels.local.location_quotient` (one definition).

Kernels take counts per unit (e.g. ``dwellings_social`` and ``dwellings`` from the
canonical units table) and optional ``groups`` (one id per unit, e.g. the municipality
code) so every municipality is computed in one vectorised pass.

Unknown values follow the project's one rule (see :mod:`mixing.kernels.grouping`): a unit whose
part or total is NaN, or whose total is 0, has an unknown share (NaN, class
``"unknown"``) and adds nothing to its municipality's share.

Examples
--------
>>> share([10, 60, 80, 0], [100, 100, 100, 0]).tolist()
[0.1, 0.6, 0.8, nan]
>>> concentration_classes([0.1, 0.6, 0.8, float("nan")]).tolist()
['<50%', '>=50%', '>=70%', 'unknown']
"""

from __future__ import annotations

import numpy as np

from mixing.checks import quiet
from mixing.errors import InputError
from mixing.kernels.grouping import two_group_counts

__all__ = [
    "UNKNOWN",
    "THRESHOLDS",
    "share",
    "class_labels",
    "concentration_classes",
    "municipal_share",
]

#: Class of a unit whose share is unknown.
UNKNOWN = "unknown"


def _pct(t: float) -> str:
    return f"{100 * t:g}%"


def share(part: object, total: object) -> np.ndarray:
    """Share of ``part`` in ``total`` per unit.

    Parameters
    ----------
    part, total : array-like
        Counts per unit (e.g. social dwellings, dwellings); NaN when unknown.

    Returns
    -------
    numpy.ndarray
        ``part / total``; NaN where either is NaN or ``total == 0``.

    Raises
    ------
    InputError
        Negative counts, ``part > total``, or different lengths.
    """
    x, t, valid, _ = two_group_counts(part, total)
    out = np.full(x.shape, np.nan)
    out[valid] = x[valid] / t[valid]
    return out


#: Default concentration thresholds (shares), the one place they are written; the workflow
#: passes ``autocorrelation.thresholds`` of the config to every table that uses them.
THRESHOLDS = (0.5, 0.7)


def class_labels(thresholds: tuple[float, ...] = THRESHOLDS) -> list[str]:
    """Labels of the classes made by ``thresholds``, low to high, then ``"unknown"``.

    >>> class_labels()
    ['<50%', '>=50%', '>=70%', 'unknown']
    """
    th = _thresholds(thresholds)
    return [f"<{_pct(th[0])}"] + [f">={_pct(t)}" for t in th] + [UNKNOWN]


def _thresholds(thresholds: object) -> np.ndarray:
    th = np.asarray(thresholds, dtype=np.float64).reshape(-1)
    if th.size == 0 or not np.all(np.isfinite(th)) or np.any(np.diff(th) <= 0):
        raise InputError(
            "argument `thresholds` must be increasing finite shares",
            value=tuple(np.asarray(thresholds).tolist()),
            fix="pass e.g. (0.5, 0.7)",
        )
    if th[0] <= 0 or th[-1] > 1:
        raise InputError(
            "argument `thresholds` must be shares in (0, 1]",
            value=tuple(th.tolist()),
            fix="write 50 % as 0.5",
        )
    return th


def concentration_classes(
    shares: object, thresholds: tuple[float, ...] = THRESHOLDS
) -> np.ndarray:
    """Concentration class per unit.

    Parameters
    ----------
    shares : array-like
        Shares in [0, 1] (e.g. from :func:`share`); NaN when unknown.
    thresholds : tuple of float
        Increasing class boundaries; a share equal to a boundary belongs to the higher
        class (">= 50%").

    Returns
    -------
    numpy.ndarray of str
        One of :func:`class_labels` ``(thresholds)`` per unit.
    """
    s = np.asarray(shares, dtype=np.float64).reshape(-1)
    th = _thresholds(thresholds)
    with quiet():
        bad = (s < 0) | (s > 1)
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"argument `shares` must be in [0, 1]; got {s[first]!r} at position {first}",
            fix="divide percentages by 100",
        )
    labels = np.array(class_labels(tuple(th)))
    idx = np.searchsorted(th, np.where(np.isnan(s), 0.0, s), side="right")
    idx = np.where(np.isnan(s), th.size + 1, idx)
    return labels[idx]


def municipal_share(
    part: object, total: object, groups: object = None
) -> float | np.ndarray:
    """Share of ``part`` in ``total`` over all units with known values, per group.

    Returns
    -------
    float or numpy.ndarray
        A float without ``groups``; else one value per sorted unique group id. NaN for a
        group without any known total.
    """
    x, t, _, batch = two_group_counts(part, total, groups)
    with quiet():
        return batch.out(batch.sum(x) / batch.sum(t))
