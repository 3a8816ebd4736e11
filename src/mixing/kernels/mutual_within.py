r"""M and H within clusters, cluster by cluster, with bootstrap errors (R ``mutual_within``).

:func:`mixing.kernels.mutual.mutual_total` with ``within=`` gives the *sum* of the within
parts; :func:`mutual_within` gives every cluster's own terms, whose weighted sums are
that total:

.. math::
    M_{\text{within}} = \sum_c p_c M_c, \qquad
    H_{\text{within}} = \sum_c p_c \frac{E_c}{E} H_c

with :math:`p_c` the cluster's share of the municipality's residents, :math:`M_c` and
:math:`E_c` the M and the group entropy of the cluster's own table,
:math:`H_c = M_c / E_c` (0 where :math:`E_c = 0`, as R) and :math:`E` the municipality's
group entropy.

References
----------
Theil, H. (1971), *Principles of Econometrics*, Wiley.
Mora, R. & Ruiz-Castillo, J. (2011), Entropy-based segregation indices, *Sociological
Methodology* 41, 159-194.
Elbers, B. (2023), *Sociological Methods & Research* 52(1), 5-42; R package
``segregation`` (``mutual_within``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mixing.checks import integer, quiet
from mixing.docstrings import shared_parameters
from mixing.errors import InputError
from mixing.kernels.grouping import group_generators, make_batch, multigroup_counts
from mixing.kernels.mutual import _xlogx_ratio, bootstrap_summary, log_base

__all__ = ["WITHIN_STATS", "mutual_within"]

#: The statistics per cluster, in table order (R's ``stat``).
WITHIN_STATS = ("M", "p", "H", "ent_ratio")


def _components(tab: np.ndarray, onehot: np.ndarray) -> np.ndarray:
    """(4, ..., clusters) M_c, p_c, H_c, E_c / E of tables (..., units, k); NaN if empty."""
    Tc = np.einsum("...nk,nc->...ck", tab, onehot)
    Nc = Tc.sum(axis=-1)
    T = Nc.sum(axis=-1, keepdims=True)
    t = tab.sum(axis=-1)
    with quiet():
        unit_c = onehot.argmax(axis=1)
        # p_{k|i} ln(p_{k|i} / P_{k|c}) per unit, weighted by the unit's share of its cluster
        cond = np.nan_to_num(tab / t[..., None])
        Pc = Tc / Nc[..., None]
        ls = _xlogx_ratio(cond, Pc[..., unit_c, :]).sum(axis=-1)
        M = np.einsum("...n,nc->...c", t * ls, onehot) / Nc
        Ec = -_xlogx_ratio(Pc, 1.0).sum(axis=-1)
        P = Tc.sum(axis=-2) / T
        E = -_xlogx_ratio(P, 1.0).sum(axis=-1, keepdims=True)
        H = np.where(Ec > 0, M / Ec, 0.0)
        out = np.stack([M, Nc / T, H, Ec / E])
    return np.where(Nc > 0, out, np.nan)


@shared_parameters
def mutual_within(counts, within, *, groups=None, se=False, replicates=100, ci=0.95,
                  seed=None, base=np.e) -> pd.DataFrame:
    r"""Every cluster's M, share, H and entropy ratio (R ``mutual_within``).

    Parameters
    ----------
    {MULTI_COUNTS}
    within : array_like
        One cluster id per unit (e.g. the wijk of each buurt); ids only need to be unique
        per municipality.
    groups : array_like, optional
        One id per unit (e.g. the municipality).
    se : bool, default False
        Bootstrap (residents redrawn from the observed cells, as
        :func:`mixing.kernels.mutual.mutual_total`): adds ``se``, ``bias``, ``ci_low``,
        ``ci_high`` and makes ``est`` bias-corrected (R ``bootstrap_summary``). A
        cluster that is empty in a replicate is left out of that replicate.
    {R_BOOTSTRAP}

    Returns
    -------
    pandas.DataFrame
        Long table ``group, cluster, stat, est`` (+ ``se, bias, ci_low, ci_high``), one
        row per cluster and statistic of :data:`WITHIN_STATS`; ``group`` is None without
        ``groups``. ``sum(p * M)`` over a municipality's clusters is
        ``mutual_total(..., within=)``'s M and ``sum(p * ent_ratio * H)`` its H.

    Notes
    -----
    See the module notes for the formulas (Theil 1971; Mora & Ruiz-Castillo 2011;
    Elbers 2023).

    Examples
    --------
    >>> t = mutual_within([[10, 0], [0, 10], [5, 5], [5, 5]], ["a", "a", "b", "b"])
    >>> t.pivot(index="cluster", columns="stat", values="est").round(4)["M"].tolist()
    [0.6931, 0.0]
    """
    if not 0 < ci < 1:
        raise InputError(f"argument `ci` must be in (0, 1), got {ci!r}", fix="pass e.g. 0.95")
    unit = log_base(base)
    c, valid, batch = multigroup_counts(counts, groups)
    cl = make_batch(within, c.shape[0])
    if cl.scalar:
        raise InputError("argument `within` is required: one cluster id per unit",
                         fix="pass e.g. the wijk code of every buurt")
    reps = integer(replicates, "replicates", 2, example=100) if se else 0
    gens = group_generators(seed, batch) if se else [None] * batch.n_groups
    frames = []
    for g, gen in enumerate(gens):
        idx = np.flatnonzero((batch.codes == g) & valid)
        if idx.size == 0:
            continue
        local_ids, local = np.unique(cl.codes[idx], return_inverse=True)
        onehot = np.eye(local_ids.size)[local]
        cells = c[idx]
        est = _components(cells, onehot)
        est[0] /= unit
        frame = {"group": None if batch.scalar else batch.labels[g],
                 "cluster": np.tile(cl.labels[local_ids], len(WITHIN_STATS)),
                 "stat": np.repeat(WITHIN_STATS, local_ids.size)}
        if not se:
            frames.append(pd.DataFrame({**frame, "est": est.ravel()}))
            continue
        draws = gen.multinomial(int(np.rint(cells.sum())), (cells / cells.sum()).ravel(),
                                size=reps).reshape(reps, *cells.shape).astype(np.float64)
        boot = _components(draws, onehot)  # (4, reps, clusters)
        boot[0] /= unit
        parts = bootstrap_summary(est, np.moveaxis(boot, 1, 0), ci)
        frames.append(pd.DataFrame({**frame, **{name: part.ravel() for name, part in zip(
            ("est", "se", "bias", "ci_low", "ci_high"), parts, strict=True)}}))
    return pd.concat(frames, ignore_index=True)
