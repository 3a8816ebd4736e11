"""Input checks and batching by group id, shared by the aspatial index kernels.

Every kernel in :mod:`mixing.kernels.aspatial` and :mod:`mixing.kernels.multigroup` runs on one code
path:
the arrays are validated here, units that cannot enter an index are masked out, and the
optional ``groups`` argument (one id per unit, e.g. the municipality code) becomes integer
codes so that all per-municipality sums are one :func:`numpy.bincount` each.

The project's one rule for empty or unknown units lives here: a unit whose count is NaN
(in any column it needs) or whose total is 0 is *excluded* -- it adds nothing to any
numerator or denominator. Excluded units are kept in place (their weights are set to 0),
so positions in error messages and in the input stay the caller's positions.

:func:`numpy.bincount` adds its weights sequentially in index order, so the sum for one
group in a batch is bit-for-bit the sum a call with only that group's units would give.
That is why batch results equal per-group results exactly, and why the kernels use
``Batch.sum`` rather than ``ndarray.sum`` (which uses pairwise summation).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mixing.checks import floats, quiet
from mixing.errors import InputError

__all__ = ["Batch", "Shares", "make_batch", "two_group_counts", "two_group_shares",
           "multigroup_counts", "group_generators"]


@dataclass(frozen=True)
class Batch:
    """Integer group codes for a batch of units.

    Attributes
    ----------
    codes : numpy.ndarray
        ``int64`` code per unit, ``0 .. n_groups - 1``, in sorted unique-id order.
    n_groups : int
        Number of distinct group ids (1 when no ``groups`` were given).
    labels : numpy.ndarray or None
        The sorted unique ids (``np.unique`` order); None when no ``groups`` were given.
    """

    codes: np.ndarray
    n_groups: int
    labels: np.ndarray | None

    @property
    def scalar(self) -> bool:
        """True when the caller passed no ``groups`` and expects a float back."""
        return self.labels is None

    def sum(self, weights: np.ndarray) -> np.ndarray:
        """Sum ``weights`` (one per unit) per group, sequentially in unit order."""
        return np.bincount(self.codes, weights=weights, minlength=self.n_groups)

    def out(self, values: np.ndarray) -> float | np.ndarray:
        """A Python float without ``groups``, else the per-group float array."""
        values = np.asarray(values, dtype=np.float64)
        return float(values[0]) if self.scalar else values


def make_batch(groups: object, n_units: int) -> Batch:
    """Turn ``groups`` (None or one id per unit) into a :class:`Batch`.

    Raises
    ------
    InputError
        If ``groups`` has the wrong length, is not 1-D, or holds missing / unsortable ids.
    """
    if groups is None:
        return Batch(np.zeros(n_units, dtype=np.int64), 1, None)
    ids = np.asarray(groups)
    if ids.ndim != 1:
        raise InputError(
            f"argument `groups` must be 1-D (one id per unit), got shape {ids.shape}",
            fix="pass e.g. the municipality_code column",
        )
    if ids.shape[0] != n_units:
        raise InputError(
            f"argument `groups` has {ids.shape[0]} ids but the counts have {n_units} units",
            fix="pass exactly one group id per unit, aligned with the counts",
        )
    if ids.dtype.kind == "f" and np.isnan(ids).any():
        first = int(np.flatnonzero(np.isnan(ids))[0])
        raise InputError(
            f"argument `groups` has a missing id (NaN) at position {first}",
            fix="drop the unit or give it a group id",
        )
    if ids.dtype == object:
        missing = pd.isna(ids)
        if missing.any():
            first = int(np.flatnonzero(missing)[0])
            raise InputError(
                f"argument `groups` has a missing id at position {first}",
                value=ids[first],
                fix="drop the unit or give it a group id",
            )
    try:
        if ids.dtype == object:  # strings such as GM0518: factorize is far faster than unique
            codes, labels = pd.factorize(ids, sort=True)
            labels = np.asarray(labels, dtype=object)
        else:
            labels, codes = np.unique(ids, return_inverse=True)
    except TypeError as exc:  # mixed, unorderable ids (e.g. str and int)
        raise InputError(
            "argument `groups` holds ids that cannot be sorted together "
            f"({exc}); ids must share one sortable type",
            fix="convert all ids to str (e.g. 'GM0518')",
        ) from exc
    return Batch(codes.reshape(-1).astype(np.int64), int(labels.shape[0]), labels)


def _as_float_array(values: object, name: str, ndim: int) -> np.ndarray:
    arr = floats(values, name, must="hold numeric counts",
                 fix="convert the column to float; use NaN for unknown counts")
    if arr.ndim != ndim:
        shape = "1-D (one count per unit)" if ndim == 1 else "2-D (units x population groups)"
        raise InputError(f"argument `{name}` must be {shape}, got shape {arr.shape}")
    if np.isinf(arr).any():
        first = _first_position(np.isinf(arr))
        raise InputError(
            f"argument `{name}` has an infinite count at position {first}",
            fix="use NaN for unknown counts",
        )
    with quiet():
        negative = arr < 0
    if negative.any():
        first = _first_position(negative)
        raise InputError(
            f"argument `{name}` has a negative count {float(arr[first])!r} at position {first}; "
            "counts must be >= 0",
            fix="CBS sentinels (-99995 ...) must become NaN in the reader; use NaN for "
            "unknown counts",
        )
    return arr


def _first_position(mask: np.ndarray) -> int | tuple[int, ...]:
    idx = np.argwhere(mask)[0]
    return int(idx[0]) if idx.shape[0] == 1 else tuple(int(i) for i in idx)


def two_group_counts(
    group: object, total: object, groups: object = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, Batch]:
    """Validate ``group`` and ``total`` and apply the exclusion rule.

    Returns
    -------
    x, t : numpy.ndarray
        Float64 counts with excluded units (NaN in either, or ``total == 0``) set to 0.
    valid : numpy.ndarray
        Boolean mask of the units that enter the index.
    batch : Batch
    """
    x = _as_float_array(group, "group", 1)
    t = _as_float_array(total, "total", 1)
    if x.shape != t.shape:
        raise InputError(
            f"arguments `group` ({x.shape[0]} units) and `total` ({t.shape[0]} units) "
            "differ in length",
            fix="pass one group count and one total count per unit, aligned",
        )
    with quiet():
        too_big = x > t
    if too_big.any():
        first = _first_position(too_big)
        raise InputError(
            f"argument `group` exceeds `total` at position {first} "
            f"(group={float(x[first])!r} > total={float(t[first])!r}); "
            "the group must be a subset of the total",
            fix="check the columns (e.g. social dwellings vs all dwellings) or their order",
        )
    batch = make_batch(groups, x.shape[0])
    valid = ~np.isnan(x) & ~np.isnan(t) & (t > 0)
    x = np.where(valid, x, 0.0)
    t = np.where(valid, t, 0.0)
    return x, t, valid, batch


def share_totals(x: np.ndarray, t: np.ndarray, batch: Batch):
    """Per-group X, T, P and the per-unit share p_i (0 for excluded units)."""
    X = batch.sum(x)
    T = batch.sum(t)
    with quiet():
        P = X / T
        p = np.where(t > 0, x / np.where(t > 0, t, 1.0), 0.0)
    return X, T, P, p


@dataclass(frozen=True)
class Shares:
    """One call's validated two-group counts with the totals every kernel starts from.

    Per unit: ``x``, ``t`` (0 for excluded units), ``valid`` and the share ``p``; per
    municipality (``batch`` order): ``X``, ``T`` and ``P = X / T`` (the notation of
    :mod:`mixing.kernels.aspatial`).
    """

    x: np.ndarray
    t: np.ndarray
    valid: np.ndarray
    batch: Batch
    X: np.ndarray
    T: np.ndarray
    P: np.ndarray
    p: np.ndarray

    @property
    def y(self) -> np.ndarray:
        """The rest per unit, ``t - x``."""
        return self.t - self.x

    @property
    def Y(self) -> np.ndarray:
        """The rest per municipality."""
        return self.batch.sum(self.y)

    def sum(self, weights: np.ndarray) -> np.ndarray:
        """Per-municipality sum (:meth:`Batch.sum`)."""
        return self.batch.sum(weights)

    def out(self, values: np.ndarray) -> float | np.ndarray:
        """The result: a float without ``groups``, else an array (:meth:`Batch.out`)."""
        return self.batch.out(values)


def two_group_shares(group: object, total: object, groups: object = None) -> Shares:
    """Validate the counts (:func:`two_group_counts`) and compute their totals."""
    x, t, valid, batch = two_group_counts(group, total, groups)
    return Shares(x, t, valid, batch, *share_totals(x, t, batch))


def multigroup_counts(
    counts: object, groups: object = None
) -> tuple[np.ndarray, np.ndarray, Batch]:
    """Validate a (units, k) count matrix and apply the exclusion rule.

    Returns
    -------
    c : numpy.ndarray
        Float64 (units, k) counts, rows of excluded units (any NaN, or row total 0) set to 0.
    valid : numpy.ndarray
        Boolean mask of the units that enter the index.
    batch : Batch
    """
    c = _as_float_array(counts, "counts", 2)
    if c.shape[1] < 2:
        raise InputError(
            f"argument `counts` needs at least 2 population-group columns, got {c.shape[1]}",
            fix="pass a (units, k) matrix with k >= 2, e.g. western / non-western / rest",
        )
    batch = make_batch(groups, c.shape[0])
    valid = ~np.isnan(c).any(axis=1)
    valid &= np.where(valid, np.nan_to_num(c).sum(axis=1), 0.0) > 0
    c = np.where(valid[:, None], c, 0.0)
    return c, valid, batch


def segment_layout(codes: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray]:
    """Position of each unit within its group, for codes sorted ascending.

    Returns ``(sizes, position)``: the number of units per group and, per unit, its
    0-based rank inside its group. ``(codes, position)`` index a dense
    ``(n_groups, sizes.max())`` matrix holding each group's units as one zero-padded row.
    """
    sizes = np.bincount(codes, minlength=n_groups)
    starts = np.zeros(n_groups, dtype=np.int64)
    np.cumsum(sizes[:-1], out=starts[1:])
    return sizes, np.arange(codes.shape[0], dtype=np.int64) - starts[codes]


def exclusive_cumsum(values: np.ndarray, codes: np.ndarray, n_groups: int) -> np.ndarray:
    """Per-group running sum of the *preceding* values, for codes sorted ascending.

    Each group is laid out as one zero-padded row and accumulated along the row, so a
    group's running sums are bit-for-bit those of a call with that group alone (a global
    ``cumsum`` minus the group's offset would not be).
    """
    sizes, pos = segment_layout(codes, n_groups)
    width = int(sizes.max()) if sizes.size else 0
    dense = np.zeros((n_groups, width + 1))
    dense[codes, pos + 1] = values
    np.cumsum(dense, axis=1, out=dense)
    return dense[codes, pos]


def _root_entropy(seed: object) -> int:
    """The root entropy of all streams: an int seed, fresh entropy for None."""
    if seed is None:
        return int(np.random.SeedSequence().entropy)
    if isinstance(seed, np.random.Generator):
        return int(seed.integers(2**63))
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise InputError(f"argument `seed` must be a non-negative int, got {seed!r}",
                         fix="pass the workflow seed, e.g. seed=20191231")
    return int(seed)


def _label_key(label: object) -> int:
    digest = hashlib.blake2b(str(label).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little")


def group_generators(seed: object, batch: Batch, active: np.ndarray | None = None
                     ) -> list[np.random.Generator]:
    """One random generator per group, keyed by the group's LABEL (e.g. GM0518).

    A municipality's random draws then depend only on the seed and its own code, never on
    which other municipalities share the call: a batch of 50 gives the same p-values as
    50 separate calls. ``active`` selects group codes (default: all).
    """
    if active is None:
        active = np.arange(batch.n_groups)
    root = _root_entropy(seed)
    if batch.scalar:
        return [np.random.default_rng(np.random.SeedSequence(root))] * len(active)
    return [np.random.default_rng(np.random.SeedSequence(root, spawn_key=(_label_key(lab),)))
            for lab in batch.labels[active]]
