r"""Single-value tests of the multigroup indices (``segregation``'s SingleValueTest).

The nulls of :func:`mixing.kernels.inference.single_value_test`, for (units, k) counts:
simulated tables without segregation, every replicate of every municipality evaluated in
one kernel call (one group id per replicate), p-values with the +1 rule of
:func:`~mixing.kernels.inference.single_value_test`.

References
----------
Cortes, R. X., Rey, S., Knaap, E. & Wolf, L. J. (2020), An open-source framework for
non-spatial and spatial segregation measures: the PySAL segregation module, *Journal of
Computational Social Science* 3, 135-166.
Allen, R., Burgess, S., Davidson, R. & Windmeijer, F. (2015), More reliable inference for
the dissimilarity index of segregation, *The Econometrics Journal* 18(1), 40-66.
"""

from __future__ import annotations

import numpy as np

from mixing.checks import integer, quiet
from mixing.docstrings import shared_parameters
from mixing.errors import InputError
from mixing.kernels._ties import tail_counts
from mixing.kernels.grouping import group_generators, multigroup_counts
from mixing.kernels.inference import SingleValueResult, _out, _simulated, _summary
from mixing.kernels.lookup import multigroup_kernels
from mixing.kernels.mutual import _random_table

__all__ = ["MULTIGROUP_NULLS", "multigroup_single_value_test"]

#: nulls of :func:`multigroup_single_value_test`
MULTIGROUP_NULLS = ("systematic", "evenness", "permutation")
_ALTERNATIVES = ("greater", "less", "two-sided")


def _resolve(index):
    if callable(index):
        return index, getattr(index, "__name__", repr(index))
    kernels = multigroup_kernels()
    if index not in kernels:
        raise InputError(f"argument `index` is not a multigroup index: {index!r}",
                         fix=f"use one of {list(kernels)} or pass a kernel")
    return kernels[index], index


def _draw(null: str, gen, cells: np.ndarray, reps: int) -> np.ndarray:
    """(reps, units, k) simulated integer tables of one municipality."""
    t = cells.sum(axis=1)
    col = cells.sum(axis=0)
    T = t.sum()
    if null == "systematic":  # each group spread over units in proportion to unit size
        draws = np.stack([gen.multinomial(int(col[k]), t / T, size=reps)
                          for k in range(cells.shape[1])], axis=-1)
        return draws
    if null == "evenness":  # each unit's residents drawn from the city's mix
        return gen.multinomial(t.astype(np.int64), col / T, size=(reps, t.size))
    ut = np.broadcast_to(t, (reps, t.size))
    kt = np.broadcast_to(col, (reps, col.size))
    return _random_table(gen, ut, kt)  # persons relabelled: both margins kept


@shared_parameters
def multigroup_single_value_test(index, counts, *, groups=None, null="systematic",
                                 permutations=999, alternative="greater", seed,
                                 **index_kwargs) -> SingleValueResult:
    r"""Test a multigroup index against its distribution under a null of no segregation.

    Parameters
    ----------
    index : str or callable
        A multigroup index of :mod:`mixing.catalogue` (e.g. ``"multigroup_dissimilarity"``)
        or a callable ``f(counts, *, groups=None, **index_kwargs)``.
    {MULTI_COUNTS}
    {GROUPS}
    null : {"systematic", "evenness", "permutation"}
        See Notes.
    permutations : int, default 999
        Simulated replicates R.
    alternative : {"greater", "less", "two-sided"}
    seed : int, numpy.random.Generator or None
        Required keyword; one stream per municipality keyed by its id.
    **index_kwargs
        Passed to the kernel.

    Returns
    -------
    SingleValueResult

    Notes
    -----
    With :math:`c_{ik}` the counts (rounded to whole residents for the draws),
    :math:`t_i` the unit totals, :math:`C_k` the group totals and :math:`T` the total:

    * ``"systematic"``: every group k is spread over the units in proportion to their
      size, :math:`\tilde c_{\cdot k} \sim \mathrm{Mult}(C_k, t / T)` (group totals
      kept, unit totals vary; Allen et al. 2015);
    * ``"evenness"``: every unit's residents are drawn from the city's mix,
      :math:`\tilde c_{i \cdot} \sim \mathrm{Mult}(t_i, C / T)` (unit totals kept);
    * ``"permutation"``: residents relabelled at random, both margins kept (a random
      table with fixed margins, as R ``r2dtable``; ``segregation``'s
      ``person_permutation`` without one row per person).

    These are ``segregation.inference.SingleValueTest``'s nulls for a
    ``MultiGroupIndex`` (Cortes et al. 2020), and the p-values are those of
    :func:`mixing.kernels.inference.single_value_test`.

    Examples
    --------
    >>> r = multigroup_single_value_test("multigroup_dissimilarity",
    ...                                  [[90, 5, 5], [5, 90, 5], [5, 5, 90]],
    ...                                  permutations=99, seed=1)
    >>> round(r.value, 3), r.p_value
    (0.85, 0.01)
    """
    kernel, name = _resolve(index)
    if null not in MULTIGROUP_NULLS:
        raise InputError(f"argument `null` must be one of {list(MULTIGROUP_NULLS)}, "
                         f"got {null!r}")
    if alternative not in _ALTERNATIVES:
        raise InputError(f"argument `alternative` must be one of {list(_ALTERNATIVES)}, "
                         f"got {alternative!r}")
    R = integer(permutations, "permutations", 1)
    c, valid, batch = multigroup_counts(counts, groups)
    value = np.atleast_1d(np.asarray(kernel(counts, groups=groups, **index_kwargs),
                                     dtype=np.float64))
    sims = np.full((R, batch.n_groups), np.nan)
    for g, gen in enumerate(group_generators(seed, batch)):
        idx = np.flatnonzero((batch.codes == g) & valid)
        cells = np.rint(c[idx])
        if idx.size == 0 or cells.sum() == 0:
            continue
        tables = _draw(null, gen, cells, R).astype(np.float64)
        ids = np.repeat(np.arange(R), idx.size)
        sims[:, g] = kernel(tables.reshape(R * idx.size, -1), groups=ids, **index_kwargs)
    n_ok, mean, sd = _summary(sims)
    with quiet():
        greater, less = tail_counts(sims, value[None, :], axis=0)
        p_greater, p_less = (greater + 1.0) / (n_ok + 1.0), (less + 1.0) / (n_ok + 1.0)
    p = {"greater": p_greater, "less": p_less,
         "two-sided": np.minimum(1.0, 2.0 * np.minimum(p_greater, p_less))}[alternative]
    p = np.where(np.isnan(value) | (n_ok == 0), np.nan, p)
    return SingleValueResult(name, null, alternative, _out(value, batch), _out(mean, batch),
                             _out(sd, batch), _out(p, batch), R,
                             **_simulated(n_ok, sims, batch))
