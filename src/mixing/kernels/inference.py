"""Seeded, vectorised inference for the two-group indices, aspatial and spatial.

Permutation / simulation tests, bootstrap confidence intervals, the small-unit bias
correction and two-sample comparisons for every kernel of :mod:`mixing.kernels.aspatial` and
:mod:`mixing.kernels.spatial`, named as in :mod:`mixing.catalogue`, or any callable with
the contract ``f(group, total, *, groups=None)`` (a callable gets no geometry: pass a
spatial index by its name).

How it stays fast
-----------------
A kernel called with ``groups`` computes many independent municipalities in one pass. The
``R`` simulated replicates of ``G`` municipalities are therefore laid out as one long
array of ``R * n`` units (``n`` units in all municipalities) with group id
``replicate * G + municipality``, and the index of every replicate of every municipality
comes out of **one kernel call** -- no Python loop over replicates or municipalities in
the evaluation. Memory is bounded by evaluating :data:`CHUNK_UNITS` simulated units
(replicates x units) per call: about ``CHUNK_UNITS * 8 bytes`` per simulated array, some
100 MB at peak with the kernel's temporaries for the default ``2**20``. Two refinements:
:func:`single_value_tests` and :func:`bootstrap_cis` draw the replicates once and evaluate
several indices on them (the index table tests five indices per dimension), and the
municipalities of a call are evaluated in classes of similar size, so that a sort-based
kernel (the Gini) does not pad every small municipality to the largest one.

Seeds and reproducibility
-------------------------
``seed`` (an int) is the root of a :class:`numpy.random.SeedSequence`. Every municipality
draws from its own stream, ``SeedSequence(seed, spawn_key=(key(label),))`` with
``key(label)`` a stable 64-bit hash (BLAKE2b) of ``str(label)``; without ``groups`` the
single stream is ``SeedSequence(seed)``. A municipality's draws therefore depend only on
the seed, its label and its own data -- not on which other municipalities are in the
call, nor on the chunk size. Consequently a batch call gives, bit for bit, the same
result for a municipality as a call with only that municipality's units and
``groups=[label] * n`` (for the kernels of :mod:`mixing.kernels.aspatial`, which sum in unit order;
see :mod:`mixing.kernels.grouping`). Drawing loops over municipalities (one vectorised draw of
all replicates of a chunk each); that loop costs microseconds per municipality.

Spatial indices
---------------
A spatial kernel also takes geometry (``geometry=``, a
:class:`mixing.geometry.distances.SpatialInputs`; which attributes, in which order, is the
index's ``needs`` in :mod:`mixing.catalogue`). The simulated counts stay on their units, so
each kernel call gets the geometry of the simulated units repeated once per replicate:
vectors tiled, ``(n, n)`` matrices laid out block-diagonally (one block per replicate,
explicit zeros kept, no pair between replicates). The kernels only link units of the same
group id, so every replicate sees the geometry exactly as the observed value does. Chunks
are then bounded by units plus stored pairs, so a large distance matrix costs fewer
replicates per call, not more memory. The nulls are those of the aspatial indices (as
``segregation.inference.SingleValueTest`` applies them to spatial indices), plus
``"geographic"``: whole units (their group and total counts) are permuted over the
locations of their municipality, which keeps every aspatial index fixed and asks only
whether the *arrangement* in space is more clustered than chance (``segregation``'s
``geographic_permutation``).

Counts and missing data
-----------------------
Units with NaN counts or ``total == 0`` are excluded (the project's one rule, in
:func:`mixing.kernels.grouping.two_group_counts`); a municipality without any unit left, or
whose index is undefined (group absent), gets NaN in every field. Simulation needs
integer counts: CBS counts derived from percentages are not integers, so the draws use
counts rounded to the nearest integer (``numpy.rint``); the observed value uses the
counts as given. Simulated replicates whose index is undefined (e.g. the group happens to
be absent in a draw of a tiny municipality) are dropped, as in ``segregation``;
``n_valid`` says how many were used.

References
----------
Cortes, R. X., Rey, S., Knaap, E. & Wolf, L. J. (2020), An open-source framework for
non-spatial and spatial segregation measures: the PySAL segregation module, *Journal of
Computational Social Science* 3, 135-166.
Allen, R., Burgess, S., Davidson, R. & Windmeijer, F. (2015), More reliable inference for
the dissimilarity index of segregation, *The Econometrics Journal* 18(1), 40-66.
Carrington, W. J. & Troske, K. R. (1997), On measuring segregation in samples with small
units, *Journal of Business & Economic Statistics* 15(4), 402-409.
Efron, B. & Tibshirani, R. J. (1993), *An Introduction to the Bootstrap*, Chapman & Hall.
Davison, A. C. & Hinkley, D. V. (1997), *Bootstrap Methods and their Application*,
Cambridge University Press (the +1 correction of Monte Carlo p-values, section 4.2).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import pandas as pd
from scipy import sparse

from mixing.checks import integer, quiet, square_matrix
from mixing.docstrings import shared_parameters
from mixing.errors import InputError
from mixing.kernels._ties import tail_counts
from mixing.kernels.counterfactual_null import APPROACHES, counterfactual_null
from mixing.kernels.grouping import Batch, group_generators, two_group_counts
from mixing.kernels.lookup import GEOMETRY, family, needs, two_group_kernels

__all__ = [
    "CHUNK_UNITS",
    "COUNTERFACTUAL_NULLS",
    "NULLS",
    "RESAMPLE",
    "SPATIAL_NULLS",
    "TWO_VALUE_NULLS",
    "SingleValueResult",
    "BootstrapResult",
    "TwoValueResult",
    "single_value_test",
    "single_value_tests",
    "bootstrap_ci",
    "bootstrap_cis",
    "two_value_test",
    "bias_corrected",
]

#: simulated units (replicates x units) evaluated per kernel call; bounds peak memory
CHUNK_UNITS = 1 << 20

#: null models of :func:`single_value_test` for every index (``"person_permutation"`` and
#: ``"geographic_permutation"`` are aliases, ``segregation``'s names)
NULLS = ("systematic", "evenness", "permutation")
#: and for spatial indices also the permutation of whole units over the locations
SPATIAL_NULLS = (*NULLS, "geographic", "systematic_permutation", "even_permutation")
_ALIASES = {"person_permutation": "permutation", "geographic_permutation": "geographic"}
#: null models of :func:`two_value_test` (also the counterfactual approaches, COUNTERFACTUAL_NULLS)
TWO_VALUE_NULLS = ("random_label", "paired_swap")
#: the counterfactual nulls of :func:`two_value_test` (``segregation``'s approaches)
COUNTERFACTUAL_NULLS = APPROACHES
_ALTERNATIVES = ("greater", "less", "two-sided")

# ----------------------------------------------------------------------------- results
@dataclass(frozen=True, eq=False, kw_only=True)
class _Simulated:
    """The keyword-only fields every result carries, and its tidy table.

    Fields are floats without ``groups`` and arrays (one entry per group, in
    ``np.unique(groups)`` order, see ``labels``) with ``groups``.
    """

    n_valid: int | np.ndarray
    simulated: np.ndarray = field(repr=False)
    labels: np.ndarray | None
    #: fields with one value per group, and the settings repeated on every row
    _per_group: ClassVar[tuple[str, ...]] = ()
    _settings: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs):
        """Fill the shared blocks ({SIMULATED_FIELDS}) of each result's docstring."""
        super().__init_subclass__(**kwargs)
        shared_parameters(cls)

    def to_frame(self) -> pd.DataFrame:
        """Tidy table: ``group``, the per-group fields and ``n_valid``, then the settings."""
        data = {k: np.atleast_1d(getattr(self, k)) for k in (*self._per_group, "n_valid")}
        n = len(data["n_valid"])
        group = (np.asarray(self.labels) if self.labels is not None
                 else np.array([None] * n, dtype=object))
        out = pd.DataFrame({"group": group, **data})
        return out.assign(**{k: getattr(self, k) for k in self._settings})


def _simulated(n_ok: np.ndarray, sims: np.ndarray, batch: Batch) -> dict:
    """The :class:`_Simulated` fields of a result."""
    return {"n_valid": _out(n_ok, batch), "simulated": sims[:, 0] if batch.scalar else sims,
            "labels": batch.labels}


@dataclass(frozen=True, eq=False)
class SingleValueResult(_Simulated):
    """Observed index against its simulated null distribution (:func:`single_value_test`).

    Attributes
    ----------
    index, null, alternative : str
        What was tested.
    value : float or numpy.ndarray
        Observed index (the kernel on the data as given).
    expected_under_null : float or numpy.ndarray
        Mean of the simulated null distribution.
    null_sd : float or numpy.ndarray
        Standard deviation (``ddof=1``) of the simulated null distribution.
    p_value : float or numpy.ndarray
        Monte Carlo p-value with the +1 correction (see :func:`single_value_test`).
    permutations : int
        Number of simulated replicates requested, ``R``.
    {SIMULATED_FIELDS}
    """

    index: str
    null: str
    alternative: str
    value: float | np.ndarray
    expected_under_null: float | np.ndarray
    null_sd: float | np.ndarray
    p_value: float | np.ndarray
    permutations: int
    _per_group = ("value", "expected_under_null", "null_sd", "p_value")
    _settings = ("index", "null", "alternative", "permutations")


@dataclass(frozen=True, eq=False)
class BootstrapResult(_Simulated):
    """Percentile bootstrap interval of an index (see :func:`bootstrap_ci`).

    Attributes
    ----------
    index : str
    value : float or numpy.ndarray
        Observed index.
    ci_low, ci_high : float or numpy.ndarray
        Percentile interval bounds at ``level``.
    sd : float or numpy.ndarray
        Standard deviation (``ddof=1``) of the bootstrap distribution: the standard error.
    mean : float or numpy.ndarray
        Mean of the bootstrap distribution; ``2 * value - mean`` is the bootstrap
        bias-corrected estimate (Efron & Tibshirani 1993, eq. 10.7).
    level : float
    replicates : int
    {SIMULATED_FIELDS}
    """

    index: str
    value: float | np.ndarray
    ci_low: float | np.ndarray
    ci_high: float | np.ndarray
    sd: float | np.ndarray
    mean: float | np.ndarray
    level: float
    replicates: int
    _per_group = ("value", "ci_low", "ci_high", "sd", "mean")
    _settings = ("index", "level", "replicates")

    @property
    def interval(self) -> tuple:
        """``(ci_low, ci_high)``."""
        return self.ci_low, self.ci_high


@dataclass(frozen=True, eq=False)
class TwoValueResult(_Simulated):
    """Difference of an index between two datasets of the same units (:func:`two_value_test`).

    Attributes
    ----------
    index, null : str
    value_first, value_second : float or numpy.ndarray
        Observed index of each dataset.
    difference : float or numpy.ndarray
        ``value_first - value_second``.
    null_mean, null_sd : float or numpy.ndarray
        Mean and sd (``ddof=1``) of the simulated differences.
    p_value : float or numpy.ndarray
        Two-sided Monte Carlo p-value with the +1 correction.
    permutations : int
    {SIMULATED_FIELDS}
    """

    index: str
    null: str
    value_first: float | np.ndarray
    value_second: float | np.ndarray
    difference: float | np.ndarray
    null_mean: float | np.ndarray
    null_sd: float | np.ndarray
    p_value: float | np.ndarray
    permutations: int
    _per_group = ("value_first", "value_second", "difference", "null_mean", "null_sd",
                  "p_value")
    _settings = ("index", "null", "permutations")


# ----------------------------------------------------------------------------- arguments
@dataclass(frozen=True)
class _Index:
    kernel: Callable
    name: str
    needs: tuple[str, ...] = ()  # geometry after (group, total), as in the catalogue
    family: str | None = None  # "aspatial" or "spatial"; None for a callable


def _resolve_index(index: object) -> _Index:
    if isinstance(index, str):
        two_group = two_group_kernels()
        if index not in two_group:
            raise InputError(f"argument `index` is not a two-group index: {index!r}",
                             fix=f"use one of {list(two_group)} or pass a kernel")
        kernel = two_group[index]
        return _Index(kernel, index, needs(kernel), family(kernel))
    if callable(index):
        return _Index(index, getattr(index, "__name__", repr(index)))
    raise InputError(f"argument `index` must be a kernel name or a callable, got {index!r}",
                     fix="e.g. index='dissimilarity' or "
                         "index=mixing.kernels.aspatial.dissimilarity")


def _check_choice(value: object, name: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise InputError(f"argument `{name}` must be one of {list(choices)}, got {value!r}")
    return str(value)


def _generators(seed: object, batch: Batch, active: np.ndarray) -> list[np.random.Generator]:
    """One generator per active group, keyed by its label (module docstring)."""
    return group_generators(seed, batch, active)


# ----------------------------------------------------------------------------- geometry
def _pairs(need: str, value: object) -> sparse.csr_array:
    """A pair geometry as the kernels read it: CSR with its stored entries.

    :class:`~mixing.geometry.weights.SpatialWeights` gives its binary links, as in the
    kernels; a dense distance matrix counts every pair, zero distances included, so all
    its entries are stored; any other dense matrix stores its non-zero entries.
    """
    from mixing.kernels.pairs import SpatialWeights

    if isinstance(value, SpatialWeights):
        value = value.binary
    if need == "distances" and not sparse.issparse(value):
        dense = np.asarray(value, dtype=np.float64)
        if dense.ndim == 2 and dense.shape[0] == dense.shape[1]:
            k = dense.shape[0]
            value = sparse.csr_array((dense.ravel(), np.tile(np.arange(k), k),
                                      np.arange(0, k * k + 1, k)), shape=(k, k))
    return square_matrix(value, need, fix="pass geometry=spatial_inputs(units, groups=...)")


def _repeat(kind: str, value: object, rows: np.ndarray, b: int):
    """The geometry of units ``rows``, repeated for ``b`` replicates laid end to end.

    Copy r of unit j sits at ``r * len(rows) + j``, as in the simulated arrays; matrices
    (CSR from :func:`_pairs`) become block-diagonal, so no pair links two replicates
    (module docstring).
    """
    k = rows.size
    if kind == "units":
        part = np.asarray(value, dtype=np.float64)[rows]
        return np.tile(part, (b,) + (1,) * (part.ndim - 1))
    part = value[rows][:, rows]
    indptr = (part.indptr[:-1][None, :] + (np.arange(b) * part.nnz)[:, None]).ravel()
    return sparse.csr_array(
        (np.tile(part.data, b), (part.indices[None, :] + (np.arange(b) * k)[:, None]).ravel(),
         np.append(indptr, b * part.nnz)), shape=(b * k, b * k))


class _Geometry:
    """A spatial kernel's geometry: as given for the observed value, repeated for replicates.

    Repeated arguments are kept per (argument, size class, replicates) for the call that
    draws, so several indices on the same draws share them.
    """

    def __init__(self, source: object, indices: list[_Index]):
        self.kinds = GEOMETRY
        self.source = source
        needs = {need for ix in indices for need in ix.needs}
        missing = [need for need in sorted(needs) if not hasattr(source, need)]
        if needs and (source is None or missing):
            spatial = [ix.name for ix in indices if ix.needs]
            raise InputError(
                f"the spatial {'index' if len(spatial) == 1 else 'indices'} {spatial} "
                f"{'needs' if len(spatial) == 1 else 'need'} geometry"
                + (f" with {missing}" if source is not None else ""),
                fix="pass geometry=spatial_inputs(units, groups=...) for the same units, "
                    "in the same order, as the counts")
        self._given = {need: (_pairs(need, getattr(source, need))
                              if GEOMETRY[need] == "pairs" else getattr(source, need))
                       for need in needs}
        #: stored pairs per replicate of all pair geometries (bounds the chunk with the
        #: units: every one of them is repeated for the same replicates)
        self.pairs = sum(int(m.nnz) for need, m in self._given.items()
                         if GEOMETRY[need] == "pairs")
        self._repeated: dict = {}
        self._replicates = 0

    def observed(self, ix: _Index) -> tuple:
        return tuple(getattr(self.source, need) for need in ix.needs)

    def repeated(self, ix: _Index, size_class: int, rows: np.ndarray, b: int) -> tuple:
        if b != self._replicates:  # the last chunk is shorter: drop the longer copies
            self._repeated.clear()
            self._replicates = b
        out = []
        for need in ix.needs:
            key = (need, size_class)
            if key not in self._repeated:
                self._repeated[key] = _repeat(self.kinds[need], self._given[need], rows, b)
            out.append(self._repeated[key])
        return tuple(out)


# ----------------------------------------------------------------------------- layout
@dataclass(frozen=True)
class _Layout:
    """Units kept for simulation, sorted by group (stable: unit order kept within a group)."""

    rows: np.ndarray  # positions in the caller's arrays
    codes: np.ndarray  # 0 .. len(active) - 1 per kept unit
    bounds: np.ndarray  # len(active) + 1 offsets into rows
    active: np.ndarray  # batch codes of the groups with >= 1 kept unit
    batch: Batch
    # groups of similar size, evaluated in separate kernel calls: (positions in active,
    # columns of their units, their codes 0 .. k - 1); one class (None, None, codes) if all
    # groups are alike
    classes: tuple = ()

    def slices(self) -> Iterator[tuple[int, slice]]:
        for g in range(len(self.active)):
            yield g, slice(int(self.bounds[g]), int(self.bounds[g + 1]))


def _layout(keep: np.ndarray, batch: Batch) -> _Layout:
    rows = np.flatnonzero(keep)
    rows = rows[np.argsort(batch.codes[rows], kind="stable")]
    active, codes = np.unique(batch.codes[rows], return_inverse=True)
    codes = codes.astype(np.int64)
    sizes = np.bincount(codes, minlength=active.size)
    bounds = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    return _Layout(rows, codes, bounds, active, batch, _size_classes(codes, sizes))


def _size_classes(codes: np.ndarray, sizes: np.ndarray) -> tuple:
    """Groups binned by size (powers of two) for separate kernel calls.

    Sort-based kernels (the Gini) lay every group of a call out as one row as long as the
    largest group (:func:`mixing.kernels.grouping.exclusive_cumsum`); one large
    municipality among many small ones would make that padding dominate. Within a class
    sizes differ by at most 2x. Results do not change: a kernel's value for a group does
    not depend on the other groups of the call (:mod:`mixing.kernels.grouping`).
    """
    if sizes.size == 0:
        return ()
    size_class = np.ceil(np.log2(np.maximum(sizes, 1))).astype(np.int64)
    if np.unique(size_class).size == 1:
        return ((None, None, codes),)
    classes = []
    unit_class = size_class[codes]
    for c in np.unique(size_class):
        members = np.flatnonzero(size_class == c)
        cols = np.flatnonzero(unit_class == c)
        own = np.searchsorted(members, codes[cols])
        classes.append((members, cols, own.astype(np.int64)))
    return tuple(classes)


def _simulate(lay: _Layout, gens, R: int, draw, evaluate, n_out: int,
              n_stats: int = 1, pairs: int = 0) -> np.ndarray:
    """Null distributions ``(n_stats, R, n_groups)``: chunked draws, one kernel pass per chunk.

    ``draw(g, rng, b, sl)`` returns ``2 * n_out`` arrays ``(b, units of g)`` -- the
    simulated group and total counts of each output; ``evaluate(arrays, b)`` turns the
    filled chunk into ``(n_stats, b, len(active))`` values: the draws are made once and
    every statistic (e.g. several indices) is evaluated on the same simulated counts.
    ``pairs``, the stored pairs of a spatial kernel's geometry, count towards the chunk.
    """
    n, Ga = lay.rows.size, lay.active.size
    out = np.full((n_stats, R, lay.batch.n_groups), np.nan)
    if Ga == 0:
        return out
    chunk = max(1, min(R, CHUNK_UNITS // max(n + pairs, 1)))
    for start in range(0, R, chunk):
        b = min(chunk, R - start)
        arrays = [np.empty((b, n)) for _ in range(2 * n_out)]
        for g, sl in lay.slices():
            for a, part in zip(arrays, draw(g, gens[g], b, sl), strict=True):
                a[:, sl] = part
        out[:, start:start + b, lay.active] = evaluate(arrays, b)
    return out


def _kernel_pass(ix: _Index, kwargs, lay: _Layout, sim_x: np.ndarray, sim_t: np.ndarray,
                 b: int, geometry: _Geometry):
    """The key trick: all b replicates x all groups in one kernel call (per size class)."""
    Ga = lay.active.size
    out = np.empty((b, Ga))
    for size_class, (members, cols, codes) in enumerate(lay.classes):
        k = Ga if members is None else members.size
        x, t = (sim_x, sim_t) if cols is None else (sim_x[:, cols], sim_t[:, cols])
        ids = (np.arange(b, dtype=np.int64)[:, None] * k + codes[None, :]).ravel()
        args = () if not ix.needs else geometry.repeated(
            ix, size_class, lay.rows if cols is None else lay.rows[cols], b)
        vals = np.asarray(ix.kernel(x.ravel(), t.ravel(), *args, groups=ids, **kwargs),
                          dtype=np.float64)
        if vals.shape != (b * k,):
            raise InputError(f"the index kernel returned shape {vals.shape} for {b * k} groups",
                             fix="a kernel must return one value per group in np.unique order")
        if members is None:
            out[:] = vals.reshape(b, k)
        else:
            out[:, members] = vals.reshape(b, k)
    return out


def _summary(sims: np.ndarray):
    ok = ~np.isnan(sims)
    n_ok = ok.sum(axis=0)
    s = np.where(ok, sims, 0.0)
    with quiet():
        mean = s.sum(axis=0) / n_ok
        dev = np.where(ok, sims - mean, 0.0)
        sd = np.sqrt((dev * dev).sum(axis=0) / (n_ok - 1))
    sd = np.where(n_ok >= 2, sd, np.nan)
    return n_ok, mean, sd


def _out(values, batch: Batch):
    values = np.asarray(values)
    if batch.scalar:
        return values.reshape(-1)[0].item()
    return values


def _null_draw(null: str, xi: np.ndarray, ti: np.ndarray, x: np.ndarray, t: np.ndarray):
    """Draw function for one of the single-value nulls on integer counts xi <= ti.

    The geographic null moves the counts as given (``x, t``): nothing is drawn but places.
    """

    def places(rng, b, sl):
        return rng.permuted(np.tile(np.arange(sl.stop - sl.start), (b, 1)), axis=1)

    def geographic(g, rng, b, sl):
        perm = places(rng, b, sl)
        return x[sl][perm], t[sl][perm]

    def then_permuted(first):
        """A null's draw, then the drawn units permuted over the locations."""
        def draw(g, rng, b, sl):
            sx, st = (np.broadcast_to(a, (b, sl.stop - sl.start)) for a in first(g, rng, b, sl))
            perm = places(rng, b, sl)
            return np.take_along_axis(sx, perm, axis=1), np.take_along_axis(st, perm, axis=1)
        return draw

    def units(g, rng, b, sl):
        pick = rng.integers(0, sl.stop - sl.start, size=(b, sl.stop - sl.start))
        return x[sl][pick], t[sl][pick]

    def evenness(g, rng, b, sl):
        x, t = xi[sl], ti[sl]
        T = t.sum()
        P = x.sum() / T if T > 0 else 0.0
        return rng.binomial(t, P, size=(b, t.size)), t

    def systematic(g, rng, b, sl):
        x, t = xi[sl], ti[sl]
        T = t.sum()
        if T == 0:
            return np.zeros((b, t.size)), np.zeros((b, t.size))
        # one call, group and rest of a replicate drawn in turn: the stream of a
        # municipality does not depend on how replicates are chunked
        s = rng.multinomial(np.array([x.sum(), T - x.sum()]), t / T, size=(b, 2))
        return s[:, 0], s[:, 0] + s[:, 1]

    def permutation(g, rng, b, sl):
        x, t = xi[sl], ti[sl]
        return rng.multivariate_hypergeometric(t, x.sum(), size=b, method="marginals"), t

    def bootstrap(g, rng, b, sl):
        x, t = xi[sl], ti[sl]
        with quiet():
            p = np.where(t > 0, x / np.where(t > 0, t, 1), 0.0)
        return rng.binomial(t, p, size=(b, t.size)), t

    return {"evenness": evenness, "systematic": systematic, "permutation": permutation,
            "bootstrap": bootstrap, "geographic": geographic,
            "systematic_permutation": then_permuted(systematic),
            "even_permutation": then_permuted(evenness), "bootstrap_units": units}[null]


def _one_sample(indices: list[_Index], kwargs, group, total, groups, null, R, seed,
                geometry):
    """Observed values ``(k, n_groups)``, simulated ``(k, R, n_groups)`` and the batch.

    ``indices`` are k kernels; the replicates are drawn once and every kernel is evaluated
    on the same draws. Each kernel's result is the one a call with that kernel alone gives,
    bit for bit: the streams depend only on the seed and the labels (module docstring).
    """
    geo = _Geometry(geometry, indices)
    values = np.stack([np.asarray(ix.kernel(group, total, *geo.observed(ix), groups=groups,
                                            **kwargs), dtype=np.float64).reshape(-1)
                       for ix in indices])
    x, t, valid, batch = two_group_counts(group, total, groups)
    lay = _layout(valid, batch)
    xi = np.rint(x[lay.rows]).astype(np.int64)
    ti = np.rint(t[lay.rows]).astype(np.int64)
    gens = _generators(seed, batch, lay.active)
    draw = _null_draw(null, xi, ti, x[lay.rows], t[lay.rows])

    def evaluate(arrays, b):
        return np.stack([_kernel_pass(ix, kwargs, lay, arrays[0], arrays[1], b, geo)
                         for ix in indices])

    sims = _simulate(lay, gens, R, draw, evaluate, 1, n_stats=len(indices), pairs=geo.pairs)
    return values, sims, batch


def _indices(indices) -> list[_Index]:
    """Kernels and names of ``indices`` (one name/callable, or a sequence of them)."""
    many = isinstance(indices, list | tuple)
    if many and not indices:
        raise InputError("argument `indices` is empty", fix="pass e.g. ['dissimilarity']")
    return [_resolve_index(i) for i in (indices if many else [indices])]


def _per_index(value: object, name: str, k: int) -> list:
    """One setting per index: a single value repeated, or a sequence of length k."""
    if isinstance(value, list | tuple):
        if len(value) != k:
            raise InputError(f"argument `{name}` has {len(value)} entries for {k} indices",
                             fix=f"pass one {name[:-1]} or one per index")
        return list(value)
    return [value] * k


# ----------------------------------------------------------------------------- public
def single_value_test(index, group, total, *, groups=None, geometry=None, null="systematic",
                      permutations=999, alternative="greater", seed, **index_kwargs):
    r"""Test an index against its distribution under a null of no segregation.

    Parameters
    ----------
    index : str or callable
        Name of a two-group index in :mod:`mixing.catalogue`, aspatial (e.g.
        ``"dissimilarity"``) or spatial (e.g. ``"spatial_dissimilarity"``), or a callable
        ``f(group, total, *, groups=None, **index_kwargs)`` with the same contract.
    group, total : array_like
        Counts per unit, 1-D, ``group <= total`` (e.g. social dwellings, dwellings).
    groups : array_like, optional
        One id per unit (e.g. municipality code): every municipality is tested in one
        call; the fields of the result are then arrays in ``np.unique(groups)`` order.
    geometry : SpatialInputs, optional
        Required for a spatial index: :func:`mixing.geometry.distances.spatial_inputs` of
        the same units, in the same order (module docstring, "Spatial indices").
    null : {"systematic", "evenness", "permutation", "geographic", \
            "systematic_permutation", "even_permutation"}
        How data without segregation are simulated (see Notes). ``"person_permutation"``
        and ``"geographic_permutation"`` are accepted as aliases.
    permutations : int, default 999
        Number of simulated replicates ``R``.
    alternative : {"greater", "less", "two-sided"}
        ``"greater"``: more segregated than chance (for indices where larger means more
        segregated; use ``"less"`` for exposure).
    seed : int, numpy.random.Generator or None
        Required keyword. Root of the per-municipality streams (module docstring). None
        draws fresh entropy (not reproducible).
    **index_kwargs
        Passed to the kernel for the observed and every simulated value.

    Returns
    -------
    SingleValueResult

    Notes
    -----
    With :math:`x_i, t_i` the (rounded) group and total counts of unit :math:`i`,
    :math:`X = \sum x_i`, :math:`T = \sum t_i`, :math:`P = X / T`, per municipality:

    * ``"systematic"`` (Allen et al. 2015; ``segregation``'s default): both the group and
      the rest are spread over the units in proportion to the unit sizes,
      :math:`\tilde x \sim \mathrm{Mult}(X, t / T)`,
      :math:`\tilde y \sim \mathrm{Mult}(T - X, t / T)`, totals
      :math:`\tilde t = \tilde x + \tilde y` (municipal group totals kept, unit totals
      vary; units that draw nobody are excluded).
    * ``"evenness"`` (random allocation, Carrington & Troske 1997): unit totals kept,
      :math:`\tilde x_i \sim \mathrm{Bin}(t_i, P)` independently (the municipal group
      total varies).
    * ``"permutation"`` (``segregation``'s ``person_permutation``): persons are randomly
      relabelled, keeping the unit totals *and* the municipal group total:
      :math:`\tilde x \sim \mathrm{MultivariateHypergeometric}(t, X)`, exact. Drawn
      with :meth:`numpy.random.Generator.multivariate_hypergeometric` (``marginals``:
      sequential conditional hypergeometric draws), vectorised over the replicates; the
      cost does not grow with the number of persons, where ``segregation`` builds a
      table with one row per person.
    * ``"geographic"`` (spatial indices only; ``segregation``'s
      ``geographic_permutation``): the units' counts :math:`(x_i, t_i)`, as given, are
      permuted over the units' locations within the municipality. Every aspatial index is
      unchanged, so the test asks whether the spatial arrangement is more segregated
      than a random arrangement of the same neighbourhoods.
    * ``"systematic_permutation"`` / ``"even_permutation"`` (``segregation``'s nulls of
      the same names): a ``"systematic"`` / ``"evenness"`` draw, whose units are then
      permuted over the municipality's locations as under ``"geographic"`` -- no
      segregation in composition *and* no spatial arrangement. For an aspatial index
      they equal ``"systematic"`` / ``"evenness"`` in distribution.

    These are the definitions of ``segregation.inference.SingleValueTest`` (Cortes et al.
    2020) with the same names. With :math:`s_r` the simulated values, :math:`m` the number
    of defined ones and :math:`v` the observed value, the p-values are

    .. math:: p_{>} = \frac{\#\{s_r \ge v\} + 1}{m + 1}, \qquad
              p_{<} = \frac{\#\{s_r \le v\} + 1}{m + 1}, \qquad
              p_{\ne} = \min(1, 2 \min(p_{>}, p_{<})),

    valid (never below the nominal level under the null) for exchangeable replicates
    (Davison & Hinkley 1997, sec. 4.2). ``segregation`` uses
    :math:`\#\{s_r > v\} / m` and :math:`2 \min(\#\{s_r > v\}, \#\{s_r < v\}) / m`
    (no +1, so a p-value of 0 is possible); the two differ by about :math:`1 / m`.
    A simulated value within :data:`mixing.kernels._ties.TIE_RTOL` (relative) of the
    observed one is a tie and counts on both sides (:mod:`mixing.kernels._ties`).

    Examples
    --------
    >>> res = single_value_test("dissimilarity", [90, 10, 50], [100, 100, 100], seed=1,
    ...                         permutations=99)
    >>> round(res.value, 3), res.p_value
    (0.533, 0.01)

    A spatial index takes the geometry of the same units. Eight cells in a row, the group
    in the four western ones: only 2 of the 70 arrangements of these cells are as
    clustered, so the geographic null rejects at 10 %:

    >>> import scipy.sparse as sp
    >>> from types import SimpleNamespace
    >>> row = sp.diags([1.0, 1.0], [-1, 1], shape=(8, 8))  # contiguity of a row of cells
    >>> res = single_value_test("spatial_dissimilarity", [10] * 4 + [0] * 4, [10] * 8,
    ...                         geometry=SimpleNamespace(contiguity=row), seed=1,
    ...                         null="geographic", permutations=99)
    >>> round(res.value, 3), round(res.p_value, 2)
    (0.857, 0.07)
    """
    return single_value_tests([index], group, total, groups=groups, geometry=geometry,
                              null=null,
                              permutations=permutations, alternative=alternative, seed=seed,
                              **index_kwargs)[0]


def single_value_tests(indices, group, total, *, groups=None, geometry=None,
                       null="systematic", permutations=999, alternative="greater", seed,
                       **index_kwargs) -> tuple[SingleValueResult, ...]:
    """:func:`single_value_test` of several indices on the same null replicates.

    The replicates are drawn once and every index is evaluated on them, so k indices cost
    one set of draws instead of k. Each result equals, bit for bit, that of
    :func:`single_value_test` with the same arguments and that index alone (every call
    draws the same streams: they depend only on the seed and the labels).

    Parameters
    ----------
    indices : sequence of str or callable
        Index names or callables (as ``index`` of :func:`single_value_test`).
    alternative : str or sequence of str
        One alternative for all indices, or one per index (e.g. ``"less"`` for exposure).
    group, total, groups, geometry, null, permutations, seed, **index_kwargs
        As in :func:`single_value_test`.

    Returns
    -------
    tuple of SingleValueResult
        One per index, in the order of ``indices``.

    Examples
    --------
    >>> d, x = single_value_tests(["dissimilarity", "exposure"], [90, 10, 50],
    ...                           [100, 100, 100], alternative=["greater", "less"], seed=1,
    ...                           permutations=99)
    >>> d.p_value == single_value_test("dissimilarity", [90, 10, 50], [100, 100, 100],
    ...                                seed=1, permutations=99).p_value
    True
    """
    kernels = _indices(indices)
    null = _check_choice(_ALIASES.get(null, null), "null", SPATIAL_NULLS)
    if null == "geographic":  # (the *_permutation nulls also redraw counts: allowed)
        aspatial = [ix.name for ix in kernels if ix.family == "aspatial"]
        if aspatial:
            raise InputError(
                f"the geographic null moves whole units, which leaves the aspatial "
                f"{aspatial} unchanged (every p-value would be 1)",
                fix="use null='geographic' for spatial indices, 'systematic' for aspatial ones")
    alternatives = [_check_choice(a, "alternative", _ALTERNATIVES)
                    for a in _per_index(alternative, "alternatives", len(kernels))]
    R = integer(permutations, "permutations", 1)
    values, all_sims, batch = _one_sample(kernels, index_kwargs, group, total, groups, null,
                                          R, seed, geometry)
    results = []
    for ix, alternative, value, sims in zip(kernels, alternatives, values, all_sims,
                                            strict=True):
        name = ix.name
        n_ok, mean, sd = _summary(sims)
        v = value[None, :]
        with quiet():
            greater, less = tail_counts(sims, v, axis=0)
            p_greater = (greater + 1.0) / (n_ok + 1.0)
            p_less = (less + 1.0) / (n_ok + 1.0)
        p = {"greater": p_greater, "less": p_less,
             "two-sided": np.minimum(1.0, 2.0 * np.minimum(p_greater, p_less))}[alternative]
        p = np.where(np.isnan(value) | (n_ok == 0), np.nan, p)
        results.append(SingleValueResult(
            name, null, alternative, _out(value, batch), _out(mean, batch), _out(sd, batch),
            _out(p, batch), R, **_simulated(n_ok, sims, batch)))
    return tuple(results)


def bootstrap_ci(index, group, total, *, groups=None, geometry=None, replicates=999,
                 level=0.95, resample="residents", seed, **index_kwargs):
    r"""Percentile bootstrap confidence interval, resampling residents within units.

    Parameters
    ----------
    index : str or callable
        A two-group index name or a callable, as in :func:`single_value_test`.
    group, total : array_like
        Counts per unit, 1-D, ``group <= total``.
    groups : array_like, optional
        One id per unit; one interval per group in ``np.unique(groups)`` order.
    geometry : SpatialInputs, optional
        Required for a spatial index (as in :func:`single_value_test`).
    replicates : int, default 999
        Bootstrap replicates ``B``.
    level : float, default 0.95
        Confidence level, in (0, 1).
    resample : {"residents", "units"}, default "residents"
        What a replicate redraws: the residents of every unit (default; see Notes), or
        whole units, drawn with replacement from the municipality's units
        (``segregation``'s ``bootstrap`` null, ``simulate_bootstrap_resample``; aspatial
        indices only -- a resampled set of units has no map). The project's tables
        (:func:`mixing.tables.frames.index_table`, :func:`mixing.tables.change.compare_years`)
        use ``"residents"``.
    seed : int, numpy.random.Generator or None
        Required keyword; streams as in :func:`single_value_test`.
    **index_kwargs
        Passed to the kernel for the observed value and every replicate.

    Returns
    -------
    BootstrapResult
        ``ci_low, ci_high`` (also as ``.interval``), ``sd`` (the bootstrap standard
        error) and ``mean``.

    Notes
    -----
    A parametric bootstrap of the sampling of residents: each unit keeps its total and
    redraws its composition from its own observed share (Allen et al. 2015, sec. 3),

    .. math:: x^*_i \sim \mathrm{Bin}(t_i, x_i / t_i),

    and the interval is the percentile interval
    :math:`[\hat F^{-1}(\alpha / 2), \hat F^{-1}(1 - \alpha / 2)]` of the ``B``
    bootstrap values, :math:`\alpha = 1 - \text{level}` (Efron & Tibshirani 1993,
    ch. 13; linear interpolation between order statistics). D and related indices are
    biased upwards in small units, and the bootstrap distribution repeats that bias, so
    the percentile interval under-covers when units are small and segregation is weak;
    ``2 * value - mean`` is the bootstrap bias-corrected point estimate (Allen et al.'s
    correction). Counts are rounded to integers for the draws (module docstring).

    ``resample="units"`` treats the units as the sample instead (the municipality's
    neighbourhoods as draws from a population of neighbourhoods): every replicate is
    ``n`` units drawn with replacement, counts as given. It answers a different
    question -- how much the index depends on *which* units there are -- and is wide
    when a few large units dominate; residents within units are the sampling variation
    of a census, so the tables keep that.

    Examples
    --------
    >>> ci = bootstrap_ci("dissimilarity", [900, 100], [1000, 1000], seed=1, replicates=199)
    >>> ci.ci_low < 0.8 < ci.ci_high
    True
    """
    return bootstrap_cis([index], group, total, groups=groups, geometry=geometry,
                         replicates=replicates, level=level, resample=resample, seed=seed,
                         **index_kwargs)[0]


#: what :func:`bootstrap_ci` can resample
RESAMPLE = ("residents", "units")


def bootstrap_cis(indices, group, total, *, groups=None, geometry=None, replicates=999,
                  level=0.95, resample="residents", seed,
                  **index_kwargs) -> tuple[BootstrapResult, ...]:
    """:func:`bootstrap_ci` of several indices on the same bootstrap replicates.

    Drawn once, evaluated per index; each result equals, bit for bit, that of
    :func:`bootstrap_ci` with that index alone (see :func:`single_value_tests`).

    Parameters
    ----------
    indices : sequence of str or callable
        As ``index`` of :func:`bootstrap_ci`, several.
    group, total, groups, geometry, replicates, level, resample, seed, **index_kwargs
        As in :func:`bootstrap_ci`.

    Returns
    -------
    tuple of BootstrapResult
        In the order of ``indices``.

    Examples
    --------
    With two units, D and the Gini coincide, and so do their intervals:

    >>> [(r.index, round(r.ci_low, 3), round(r.ci_high, 3)) for r in bootstrap_cis(
    ...     ["dissimilarity", "gini"], [900, 100], [1000, 1000], seed=1, replicates=199)]
    [('dissimilarity', 0.778, 0.818), ('gini', 0.778, 0.818)]
    >>> round(bootstrap_ci("gini", [900, 100], [1000, 1000], seed=1, replicates=199).ci_low, 3)
    0.778
    """
    kernels = _indices(indices)
    B = integer(replicates, "replicates", 2)
    try:
        level = float(level)
    except (TypeError, ValueError):
        level = float("nan")
    if not 0.0 < level < 1.0:
        raise InputError(f"argument `level` must be in (0, 1), got {level!r}",
                         fix="e.g. level=0.95")
    resample = _check_choice(resample, "resample", RESAMPLE)
    spatial = [ix.name for ix in kernels if ix.needs]
    if resample == "units" and spatial:
        raise InputError(f"resample='units' repeats and drops units, which the spatial "
                         f"{spatial} cannot follow (their geometry would not match)",
                         fix="use resample='residents' for a spatial index")
    null = "bootstrap" if resample == "residents" else "bootstrap_units"
    values, all_sims, batch = _one_sample(kernels, index_kwargs, group, total, groups,
                                          null, B, seed, geometry)
    return tuple(_bootstrap_result(ix.name, value, sims, batch, level, B)
                 for ix, value, sims in zip(kernels, values, all_sims, strict=True))


def _bootstrap_result(name, value, sims, batch, level, B) -> BootstrapResult:
    n_ok, mean, sd = _summary(sims)
    alpha = 1.0 - level
    lo, hi = np.full(sims.shape[1], np.nan), np.full(sims.shape[1], np.nan)
    has = n_ok > 0
    if has.any():
        # NaN sorts last: quantiles per column over the defined values only
        q = np.sort(sims[:, has], axis=0)
        m = n_ok[has]
        for bound, prob in ((lo, alpha / 2.0), (hi, 1.0 - alpha / 2.0)):
            pos = prob * (m - 1)
            below = np.floor(pos).astype(np.int64)
            above = np.minimum(below + 1, m - 1)
            cols = np.arange(q.shape[1])
            frac = pos - below
            bound[has] = q[below, cols] * (1.0 - frac) + q[above, cols] * frac
    undefined = np.isnan(value)
    lo[undefined], hi[undefined] = np.nan, np.nan
    return BootstrapResult(
        name, _out(value, batch), _out(lo, batch), _out(hi, batch), _out(sd, batch),
        _out(mean, batch), level, B, **_simulated(n_ok, sims, batch))


def bias_corrected(value, expected):
    r"""Index corrected for the segregation expected by chance (Carrington & Troske 1997).

    Parameters
    ----------
    value : float or array_like
        Observed index, e.g. ``SingleValueResult.value``.
    expected : float or array_like
        Its expectation under a null of no segregation, e.g.
        ``SingleValueResult.expected_under_null``.

    Returns
    -------
    float or numpy.ndarray
        In [-1, 1]: 0 when the index equals its expectation by chance, 1 at maximal
        segregation, negative when units are *more* even than random allocation gives.

    Notes
    -----
    .. math:: \hat I^* = \frac{I - \bar I}{1 - \bar I} \text{ if } I \ge \bar I,
              \qquad \hat I^* = \frac{I - \bar I}{\bar I} \text{ otherwise,}

    with :math:`\bar I` the mean of the null distribution. Carrington & Troske (1997)
    define it for D and Gini with :math:`\bar I` under random allocation (the
    ``"evenness"`` null); ``segregation``'s ``ModifiedDissim`` and ``ModifiedGini`` and
    :func:`mixing.kernels.aspatial.modified_dissimilarity` use the same formula. It assumes an
    index with maximum 1 that grows with segregation (D, Gini, entropy, Atkinson,
    correlation ratio, isolation); it is meaningless for exposure. For a bias correction
    that does not rescale, use ``2 * value - mean`` of :func:`bootstrap_ci` (Allen et al.
    2015).

    Examples
    --------
    >>> bias_corrected(0.30, 0.10)
    0.2222222222222222
    >>> bias_corrected(0.05, 0.10)
    -0.5
    """
    v = np.asarray(value, dtype=np.float64)
    e = np.asarray(expected, dtype=np.float64)
    with quiet():
        out = np.where(v >= e, (v - e) / (1.0 - e), (v - e) / e)
    out = np.where(np.isnan(v) | np.isnan(e), np.nan, out)
    return float(out) if out.ndim == 0 else out


def two_value_test(index, first, second, *, groups=None, geometry=None, null="random_label",
                   permutations=999, seed, **index_kwargs):
    r"""Test whether an index differs between two datasets of the same units.

    Parameters
    ----------
    index : str or callable
        A two-group index name or a callable, as in :func:`single_value_test`.
    first, second : tuple of array_like
        ``(group, total)`` of each dataset (two years, or a scenario and its baseline),
        aligned unit by unit: same length, same ``groups``.
    groups : array_like, optional
        One id per unit; one test per group in ``np.unique(groups)`` order.
    geometry : SpatialInputs, optional
        Required for a spatial index, which needs ``null="paired_swap"``: only there does
        every row stay on its own unit.
    null : {"random_label", "paired_swap", "composition", "share", "dual_composition"}
        ``"random_label"``: as ``segregation``'s ``TwoValueTest``; ``"paired_swap"``: each
        unit's two rows are swapped with probability 1/2; the last three: the
        counterfactual nulls of ``segregation``'s ``TwoValueTest`` (aspatial indices; the
        two datasets may then be different places with different numbers of units, and
        with ``groups`` both must be aligned on the same ids). See Notes.
    permutations : int, default 999
    seed : int, numpy.random.Generator or None
        Required keyword; streams as in :func:`single_value_test`.
    **index_kwargs
        Passed to the kernel for both datasets and every replicate.

    Returns
    -------
    TwoValueResult

    Notes
    -----
    The statistic is :math:`\Delta = I(\text{first}) - I(\text{second})`. Under
    ``"random_label"`` (Cortes et al. 2020; ``segregation.inference.TwoValueTest``) the
    ``2 n`` rows (unit counts) of both datasets of a municipality are pooled and the
    dataset label is randomly permuted among them, so each simulated dataset is a random
    ``n`` of the ``2 n`` rows (a unit may then appear twice in one dataset). Under
    ``"paired_swap"`` every unit keeps one row in each dataset and its two rows change
    places with probability 1/2 -- the paired design for two years of the same units. In
    both, the labels are exchangeable, so the null distribution of :math:`\Delta` is
    symmetric about 0 and the two-sided p-value is

    .. math:: p = \frac{\#\{\lvert \tilde\Delta_r \rvert \ge \lvert\Delta\rvert\} + 1}
                       {m + 1},

    which is exactly 1 for identical datasets. ``segregation`` uses
    :math:`2 \min(\#\{\tilde\Delta_r > \Delta\}, \#\{\tilde\Delta_r < \Delta\}) / m`.

    The counterfactual nulls (:mod:`mixing.kernels.counterfactual_null`; Rey, Cortes &
    Knaap 2021) mix every unit's counts with its counterfactual under the other
    dataset's attribute distribution (:func:`mixing.kernels.decompose.counterfactual`):
    the null is "the difference is only the attribute distribution". That distribution
    is not centred on 0, so the two-sided p-value is
    :math:`\min(1, 2 \min(p_{>}, p_{<}))` with the tail p-values of
    :func:`single_value_test` (``segregation``: the same without the +1).
    Units excluded in a dataset (NaN, zero total) are pooled as empty rows and stay
    excluded wherever they land. No counts are drawn, so no rounding is needed.

    Examples
    --------
    >>> res = two_value_test("dissimilarity", ([90, 10, 50], [100] * 3),
    ...                      ([90, 10, 50], [100] * 3), seed=1, permutations=99)
    >>> res.difference, res.p_value
    (0.0, 1.0)
    """
    ix = _resolve_index(index)
    null = _check_choice(null, "null", (*TWO_VALUE_NULLS, *COUNTERFACTUAL_NULLS))
    if null in COUNTERFACTUAL_NULLS:
        return _counterfactual_test(ix, first, second, groups, null, permutations, seed,
                                    index_kwargs)
    if ix.needs and null != "paired_swap":
        raise InputError(
            f"the {null} null moves rows between units, which the spatial index "
            f"{ix.name!r} cannot follow (a row would take another unit's place)",
            fix="use null='paired_swap' for a spatial index")
    geo = _Geometry(geometry, [ix])
    R = integer(permutations, "permutations", 1)
    for arg, pair in (("first", first), ("second", second)):
        if (not isinstance(pair, tuple | list) or len(pair) != 2
                or any(np.ndim(part) == 0 for part in pair)):
            raise InputError(f"argument `{arg}` must be a (group, total) pair",
                             fix=f"pass {arg}=(group_counts, total_counts)")
    v1, v2 = (np.asarray(ix.kernel(*pair, *geo.observed(ix), groups=groups, **index_kwargs),
                         dtype=np.float64).reshape(-1) for pair in (first, second))
    x1, t1, ok1, batch = two_group_counts(*first, groups)
    x2, t2, ok2, _ = two_group_counts(*second, groups)
    if x1.shape != x2.shape:
        raise InputError(f"arguments `first` ({x1.shape[0]} units) and `second` "
                         f"({x2.shape[0]} units) differ in length",
                         fix="pass the same units, aligned, in both datasets")
    lay = _layout(ok1 | ok2, batch)
    x1, t1, x2, t2 = (a[lay.rows] for a in (x1, t1, x2, t2))
    gens = _generators(seed, batch, lay.active)

    def random_label(g, rng, b, sl):
        m = sl.stop - sl.start
        px = np.concatenate([x1[sl], x2[sl]])
        pt = np.concatenate([t1[sl], t2[sl]])
        perm = rng.permuted(np.broadcast_to(np.arange(2 * m), (b, 2 * m)), axis=1)
        return px[perm[:, :m]], pt[perm[:, :m]], px[perm[:, m:]], pt[perm[:, m:]]

    def paired_swap(g, rng, b, sl):
        swap = rng.random((b, sl.stop - sl.start)) < 0.5
        return (np.where(swap, x2[sl], x1[sl]), np.where(swap, t2[sl], t1[sl]),
                np.where(swap, x1[sl], x2[sl]), np.where(swap, t1[sl], t2[sl]))

    def evaluate(arrays, b):
        return (_kernel_pass(ix, index_kwargs, lay, arrays[0], arrays[1], b, geo)
                - _kernel_pass(ix, index_kwargs, lay, arrays[2], arrays[3], b, geo))[None]

    draw = random_label if null == "random_label" else paired_swap
    sims = _simulate(lay, gens, R, draw, evaluate, 2, pairs=geo.pairs)[0]
    diff = v1 - v2
    n_ok, mean, sd = _summary(sims)
    with quiet():
        p = (tail_counts(np.abs(sims), np.abs(diff)[None, :], axis=0)[0] + 1.0) / (n_ok + 1.0)
    p = np.where(np.isnan(diff) | (n_ok == 0), np.nan, p)
    return TwoValueResult(
        ix.name, null, _out(v1, batch), _out(v2, batch), _out(diff, batch), _out(mean, batch),
        _out(sd, batch), _out(p, batch), R, **_simulated(n_ok, sims, batch))


def _counterfactual_test(ix: _Index, first, second, groups, null, permutations, seed,
                         index_kwargs) -> TwoValueResult:
    """:func:`two_value_test` with a counterfactual null (see there)."""
    if ix.needs:
        raise InputError(f"the {null} counterfactual null is implemented for aspatial "
                         f"indices; {ix.name!r} is spatial",
                         fix="use null='paired_swap' for a spatial index")
    R = integer(permutations, "permutations", 1)
    pairs = []
    for arg, pair in (("first", first), ("second", second)):
        if (not isinstance(pair, tuple | list) or len(pair) != 2
                or any(np.ndim(part) == 0 for part in pair)):
            raise InputError(f"argument `{arg}` must be a (group, total) pair",
                             fix=f"pass {arg}=(group_counts, total_counts)")
        pairs.append(tuple(np.asarray(part, dtype=np.float64) for part in pair))
    (x1, t1), (x2, t2) = pairs
    if groups is not None and x1.shape != x2.shape:
        raise InputError("with `groups`, the counterfactual nulls need both datasets "
                         "aligned on the same units",
                         fix="call once per pair of places, without groups")
    _, _, _, batch = two_group_counts(x1, t1, groups)
    gens = _generators(seed, batch, np.arange(batch.n_groups))
    codes = batch.codes
    sims = np.full((R, batch.n_groups), np.nan)
    v1, v2 = np.full(batch.n_groups, np.nan), np.full(batch.n_groups, np.nan)
    for g in range(batch.n_groups):
        a = (x1, t1) if groups is None else (x1[codes == g], t1[codes == g])
        b = (x2, t2) if groups is None else (x2[codes == g], t2[codes == g])
        v1[g], v2[g] = (float(ix.kernel(*pair, **index_kwargs)) for pair in (a, b))
        sims[:, g] = counterfactual_null(ix.kernel, a, b, null, R, gens[g], index_kwargs)
    diff = v1 - v2
    n_ok, mean, sd = _summary(sims)
    with quiet():
        greater, less = tail_counts(sims, diff[None, :], axis=0)
        p = np.minimum(1.0, 2.0 * np.minimum(greater + 1.0, less + 1.0) / (n_ok + 1.0))
    p = np.where(np.isnan(diff) | (n_ok == 0), np.nan, p)
    return TwoValueResult(
        ix.name, null, _out(v1, batch), _out(v2, batch), _out(diff, batch), _out(mean, batch),
        _out(sd, batch), _out(p, batch), R, **_simulated(n_ok, sims, batch))
