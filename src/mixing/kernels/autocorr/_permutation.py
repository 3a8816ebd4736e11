"""Permutation engines of the autocorrelation kernels: global (whole-group shuffles) and
conditional (unit i fixed, its neighbours drawn from the rest of its group).

Every group draws from its own generator keyed by its label
(:func:`mixing.kernels.grouping.group_generators`), so a municipality's p-values do not
depend on which other municipalities share the call.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

from mixing.checks import quiet
from mixing.kernels._ties import tail_counts
from mixing.kernels.autocorr._core import (
    _folded_p,
    _LocalOptions,
    _per_group_result,
    _Setup,
    adjust_pvalues,
    pseudo_p,
)
from mixing.kernels.grouping import Batch, group_generators

__all__ = ["CHUNK_ELEMENTS"]

#: Numbers per chunk in the permutations (units x permutations x neighbours).
CHUNK_ELEMENTS = 2**21


def _permuted_chunks(
    gens: list[np.random.Generator], v: np.ndarray, batch: Batch, permutations: int,
    n_links: int,
):
    """Yield (c, n) matrices of ``v`` permuted within groups, ``permutations`` rows in all.

    Group ``g`` shuffles with its own generator ``gens[g]`` (keyed by its label), so its
    permutations do not depend on the other groups of the call.
    """
    n = v.shape[0]
    c = max(1, min(permutations, CHUNK_ELEMENTS // max(n + n_links, 1)))
    order = np.argsort(batch.codes, kind="stable")
    sorted_codes = batch.codes[order].astype(np.float64)
    bounds = np.concatenate([[0], np.cumsum(np.bincount(batch.codes, minlength=batch.n_groups))])
    v_sorted = v[order]
    for start in range(0, permutations, c):
        m = min(c, permutations - start)
        keys = np.empty((m, n))
        for g, gen in enumerate(gens):  # one vectorised draw per group
            keys[:, bounds[g]:bounds[g + 1]] = gen.random((m, bounds[g + 1] - bounds[g]))
        # codes + U(0, 1) keys: sorting shuffles within each group, never across groups
        perm = np.argsort(sorted_codes + keys, axis=1)
        out = np.empty((m, n))
        out[:, order] = v_sorted[perm]
        yield out


def _global_draws(stat, v: np.ndarray, setup: _Setup, permutations: int, seed) -> np.ndarray:
    """``stat`` of ``permutations`` within-group shuffles of ``v``: shape (R, ...)."""
    gens = group_generators(seed, setup.batch)
    chunks = _permuted_chunks(gens, v, setup.batch, permutations, setup.W.nnz)
    return np.concatenate([stat(chunk) for chunk in chunks])


def _global_sims(
    observed: np.ndarray, stat, v: np.ndarray, setup: _Setup, permutations: int, seed, ok
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """p_sim, z_sim, mean of simulations for a global statistic ``stat((c, n)) -> (c, G)``."""
    G = setup.batch.n_groups
    if permutations == 0:
        nan = np.full(G, np.nan)
        return nan, nan.copy(), nan.copy()
    with quiet():  # a degenerate group (no events, a zero scale) simulates to NaN
        sims = _global_draws(stat, v, setup, permutations, seed)
    p = _folded_p(*tail_counts(sims.T, observed[:, None], axis=1), permutations)
    mean = sims.mean(axis=0)
    with quiet():
        z = (observed - mean) / sims.std(axis=0)
    return np.where(ok, p, np.nan), np.where(ok, z, np.nan), np.where(ok, mean, np.nan)


def _global_result(cls, fields: dict, ok: np.ndarray, setup: _Setup, *, observed: np.ndarray,
                   stat, v: np.ndarray, permutations: int, seed: object, **extra):
    """``cls`` of ``fields`` and the permutation inference of ``observed`` (a
    :class:`~mixing.kernels.autocorr._core._GlobalResult`): ``stat((c, n)) -> (c, G)``
    evaluated on within-group shuffles of ``v``.
    """
    p_sim, z_sim, e_sim = _global_sims(observed, stat, v, setup, permutations, seed, ok)
    fields = {**fields, "p_sim": p_sim, "z_sim": z_sim, "expected_sim": e_sim}
    return _per_group_result(cls, fields, ok, setup, permutations, **extra)


# ---------------------------------------------------- conditional permutation engine


def _sample_without_replacement(
    rng: np.random.Generator, population: int, k: int, rows: int
) -> np.ndarray:
    """``rows`` independent random k-subsets of ``range(population)``, in random order.

    Floyd's algorithm vectorised over rows (k steps), then a shuffle within each row, so
    the first ``j`` columns of a row are a uniform random j-subset for every ``j <= k``.
    """
    out = np.empty((rows, k), dtype=np.int64)
    for s, top in enumerate(range(population - k, population)):
        t = rng.integers(0, top + 1, size=rows)
        taken = (out[:, :s] == t[:, None]).any(axis=1)
        out[:, s] = np.where(taken, top, t)
    return rng.permuted(out, axis=1)


def _conditional(
    v: np.ndarray,
    others: sparse.csr_array,
    scale: np.ndarray,
    shift: np.ndarray,
    observed: np.ndarray,
    active: np.ndarray,
    setup: _Setup,
    permutations: int,
    seed: object,
    alternative: str = "directed",
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Conditional permutation for local statistics of the form ``scale_i * lag_i + shift_i``.

    ``lag_i = sum_j others_ij v_j`` over the neighbours (no self-weight) of unit ``i``;
    under the null the neighbours' values are ``k_i`` values drawn without replacement
    from the other units of ``i``'s group. Returns p_sim, z_sim and the mean of the
    simulated statistics, NaN where not ``active`` or without neighbours; p by
    :func:`~mixing.kernels.autocorr._core.pseudo_p` with ``alternative``.
    """
    n = v.shape[0]
    P = permutations
    codes = setup.batch.codes
    n_groups = setup.batch.n_groups
    card = np.diff(others.indptr)
    p_sim = np.full(n, np.nan)
    z_sim = np.full(n, np.nan)
    mean = np.full(n, np.nan)
    act = active & (card > 0)
    if P == 0 or not act.any():
        return p_sim, z_sim, mean

    order = np.argsort(codes, kind="stable")
    starts = np.zeros(n_groups, dtype=np.int64)
    starts[1:] = np.cumsum(setup.sizes)[:-1]
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n) - starts[codes[order]]
    v_sorted = v[order]

    # one (P, k_max) draw matrix per group, stored flat: indices into the other n_g - 1
    kmax = np.zeros(n_groups, dtype=np.int64)
    np.maximum.at(kmax, codes[act], card[act])
    block = P * kmax
    offsets = np.zeros(n_groups, dtype=np.int64)
    offsets[1:] = np.cumsum(block)[:-1]
    draws = np.empty(int(block.sum()), dtype=np.int64)
    gens = group_generators(seed, setup.batch)  # keyed by label: batch-independent draws
    for g in np.flatnonzero(kmax):  # one vectorised draw per group, not per unit
        draws[offsets[g] : offsets[g] + block[g]] = _sample_without_replacement(
            gens[g], int(setup.sizes[g]) - 1, int(kmax[g]), P
        ).ravel()

    units = np.flatnonzero(act)
    units = units[np.argsort(card[units], kind="stable")]  # similar k in a chunk: no padding
    perm_rows = np.arange(P, dtype=np.int64)[None, :, None]
    start = 0
    while start < units.size:
        k_first = int(card[units[start]])
        end = min(units.size, start + max(1, CHUNK_ELEMENTS // (P * k_first)))
        kc = int(card[units[end - 1]])
        end = min(end, start + max(1, CHUNK_ELEMENTS // (P * kc)))
        u = units[start:end]
        kc = int(card[u].max())
        cu = card[u][:, None]
        s = np.minimum(np.arange(kc)[None, :], cu - 1)  # (c, kc), padded slots repeat
        filled = np.arange(kc)[None, :] < cu
        wpad = np.where(filled, others.data[others.indptr[u][:, None] + s], 0.0)
        g = codes[u]
        idx = offsets[g][:, None, None] + perm_rows * kmax[g][:, None, None] + s[:, None, :]
        j = draws[idx]
        j += j >= rank[u][:, None, None]  # skip unit i itself
        j += starts[g][:, None, None]
        lag = np.matmul(v_sorted[j], wpad[:, :, None])[..., 0]  # (c, P)
        sims = scale[u][:, None] * lag + shift[u][:, None]
        p_sim[u] = pseudo_p(sims, observed[u], alternative)
        m = sims.mean(axis=1)
        sd = sims.std(axis=1)
        mean[u] = m
        with quiet():
            z_sim[u] = (observed[u] - m) / sd
        start = end
    return p_sim, z_sim, mean


def _local_inference(opts: _LocalOptions, setup: _Setup, v: np.ndarray, others: sparse.csr_array,
                     scale: np.ndarray, shift: np.ndarray, observed: np.ndarray,
                     active: np.ndarray, untested: np.ndarray | None = None) -> dict:
    """The fields of a :class:`~mixing.kernels.autocorr._core._LocalResult`.

    Conditional permutation (:func:`_conditional`, same arguments) for ``opts``, p-values
    NaN where ``untested``, then the multiple-testing adjustment within each group.
    """
    p_sim, z_sim, e_sim = _conditional(v, others, scale, shift, observed, active, setup,
                                       opts.permutations, opts.seed, opts.alternative)
    if untested is not None:
        p_sim[untested] = np.nan
    p_adj = adjust_pvalues(p_sim, method=opts.adjust, groups=setup.batch.codes)
    with quiet():
        significant, significant_adjusted = p_sim <= opts.alpha, p_adj <= opts.alpha
    return {"p_sim": p_sim, "z_sim": z_sim, "expected_sim": e_sim, "p_adjusted": p_adj,
            "significant": significant, "significant_adjusted": significant_adjusted,
            "alpha": opts.alpha, "adjust": opts.adjust, "permutations": opts.permutations,
            "alternative": opts.alternative}
