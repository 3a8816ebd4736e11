"""Join counts for a binary map (e.g. buurt above 50 % social housing or not), global and local.

Black (B) units have ``y = 1``, white (W) units ``y = 0``. Weights are used as binary
weights without self-links, as in esda ``Join_Counts`` / ``Join_Counts_Local``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special

from mixing.checks import quiet
from mixing.docstrings import shared_parameters
from mixing.errors import InputError
from mixing.kernels._ties import tail_counts
from mixing.kernels.autocorr._core import (
    _check_permutations,
    _constant,
    _degenerate,
    _group_indicator,
    _local_options,
    _LocalResult,
    _no_links,
    _norm_sf,
    _per_group_result,
    _setup,
    _split_diagonal,
    _values,
    _weight_sums,
)
from mixing.kernels.autocorr._permutation import _global_draws, _local_inference

__all__ = ["JoinCountsResult", "LocalJoinCountsResult", "join_counts", "local_join_counts"]


@dataclass(frozen=True, eq=False)
class JoinCountsResult:
    r"""Global join counts (a float per field, or an array per group with ``groups``).

    Attributes
    ----------
    bb, ww, bw : float or ndarray
        Joins (neighbour pairs) black-black, white-white and black-white.
    J : float or ndarray
        All joins, ``bb + ww + bw``.
    expected_bb, variance_bb, z_bb : float or ndarray
        Moments of ``bb`` under non-free sampling (the number of black units fixed) and
        :math:`z = (BB - E[BB]) / \sqrt{V[BB]}`.
    p_norm_bb : float or ndarray
        One-tailed normal p-value of ``z_bb`` (more BB joins than by chance).
    expected_bw, variance_bw, z_bw : float or ndarray
        The same for ``bw`` (fewer BW joins than expected is positive autocorrelation).
    chi2, chi2_p : float or ndarray
        Pearson chi-square (Yates-corrected, 1 degree of freedom) of the 2 x 2 table of
        focal by neighbour colour, and its p-value (esda ``chi2``, ``chi2_p``).
    autocorr_pos : float or ndarray
        Joins of like colours, ``bb + ww`` (esda ``autocorr_pos``); ``bw`` is esda's
        ``autocorr_neg``.
    p_sim_bb, p_sim_bw, p_sim_chi2, p_sim_autocorr_pos : float or ndarray
        Permutation pseudo p-values, upper tail: :math:`(\#\{sim \ge obs\} + 1) / (R + 1)`
        (esda ``p_sim_bb``, ``p_sim_bw``, ``p_sim_chi2``, ``p_sim_autocorr_pos``: more
        like-coloured joins than by chance is positive autocorrelation; esda's
        ``p_sim_autocorr_neg`` is ``p_sim_bw``).
    mean_bb, mean_bw : float or ndarray
        Means of the simulated counts.
    permutations : int
    groups : ndarray or None
    """

    bb: float | np.ndarray
    ww: float | np.ndarray
    bw: float | np.ndarray
    J: float | np.ndarray
    expected_bb: float | np.ndarray
    variance_bb: float | np.ndarray
    z_bb: float | np.ndarray
    p_norm_bb: float | np.ndarray
    expected_bw: float | np.ndarray
    variance_bw: float | np.ndarray
    z_bw: float | np.ndarray
    chi2: float | np.ndarray
    chi2_p: float | np.ndarray
    autocorr_pos: float | np.ndarray
    p_sim_bb: float | np.ndarray
    p_sim_bw: float | np.ndarray
    p_sim_chi2: float | np.ndarray
    p_sim_autocorr_pos: float | np.ndarray
    mean_bb: float | np.ndarray
    mean_bw: float | np.ndarray
    permutations: int
    groups: np.ndarray | None = None


@shared_parameters
@dataclass(frozen=True, eq=False)
class LocalJoinCountsResult(_LocalResult):
    r"""Local join counts: black neighbours of each black unit.

    Attributes
    ----------
    counts : ndarray
        :math:`BB_i = y_i \sum_j w_{ij} y_j` (0 for white units); ``p_sim`` is NaN
        where ``counts == 0`` (esda).
    {LOCAL_INFERENCE_ATTRIBUTES}
    """

    counts: np.ndarray


def _binary(y: object) -> np.ndarray:
    y = _values(y, "y")
    bad = (y != 0) & (y != 1)
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise InputError(f"argument `y` of join counts must be 0 or 1, got {float(y[first])!r} "
                         f"at position {first}",
                         fix="binarise first, e.g. y = (share > 0.5).astype(float)")
    return y


def _falling(n: np.ndarray, k: int) -> np.ndarray:
    r"""Falling factorial :math:`n (n - 1) \cdots (n - k + 1)`."""
    out = np.ones_like(n, dtype=np.float64)
    for j in range(k):
        out = out * (n - j)
    return out


def _chi2_yates(bb, ww, n10, n01):
    """Pearson chi-square with Yates' correction of [[ww, n01/2], [n10/2, bb]] per group."""
    obs = np.stack([ww, n01 / 2, n10 / 2, bb], axis=-1)  # a11 a12 a21 a22
    rows = np.stack([obs[..., 0] + obs[..., 1], obs[..., 2] + obs[..., 3]], axis=-1)
    cols = np.stack([obs[..., 0] + obs[..., 2], obs[..., 1] + obs[..., 3]], axis=-1)
    total = rows.sum(axis=-1, keepdims=True)
    with quiet():
        expected = np.stack([rows[..., 0] * cols[..., 0], rows[..., 0] * cols[..., 1],
                             rows[..., 1] * cols[..., 0], rows[..., 1] * cols[..., 1]],
                            axis=-1) / total
        diff = expected - obs
        corrected = obs + np.sign(diff) * np.minimum(0.5, np.abs(diff))
        chi2 = ((corrected - expected) ** 2 / expected).sum(axis=-1)
    return np.where((expected > 0).all(axis=-1), chi2, np.nan)


@shared_parameters
def join_counts(y: object, w: object, *, permutations: int = 999, seed: object = None,
                groups: object = None) -> JoinCountsResult:
    r"""Global join-count statistics of a binary variable, analytical and by permutation.

    Parameters
    ----------
    y : array-like
        0 (white) or 1 (black) per unit, e.g. ``(social_share > 0.5).astype(float)``.
    {AUTOCORR_WEIGHTS}
        Used as binary weights; self-links are ignored.
    {AUTOCORR_PERMUTATIONS}
    {AUTOCORR_GROUPS}

    Returns
    -------
    JoinCountsResult

    Notes
    -----
    With binary :math:`w_{ij}`, :math:`BB = \frac12 \sum_{ij} w_{ij} y_i y_j`,
    :math:`BW = \frac12 \sum_{ij} w_{ij} (y_i - y_j)^2`, :math:`J = S_0 / 2`. Under
    non-free sampling with :math:`n_1` black units among :math:`n` and
    :math:`x^{(k)} = x (x-1) \cdots (x-k+1)`,

    .. math:: E[BB] = \frac{S_0}{2} \frac{n_1^{(2)}}{n^{(2)}}, \quad
              V[BB] = \frac14 \Big[S_1 \frac{n_1^{(2)}}{n^{(2)}}
              + (S_2 - 2 S_1) \frac{n_1^{(3)}}{n^{(3)}}
              + (S_0^2 + S_1 - S_2) \frac{n_1^{(4)}}{n^{(4)}}\Big] - E[BB]^2

    .. math:: E[BW] = S_0 \frac{n_1 n_0}{n^{(2)}}, \quad
              V[BW] = \frac14 \Big[2 S_1 \frac{n_1 n_0}{n^{(2)}}
              + (S_2 - 2 S_1) \frac{n_1 n_0 (n_1 + n_0 - 2)}{n^{(3)}}
              + 4 (S_0^2 + S_1 - S_2) \frac{n_1^{(2)} n_0^{(2)}}{n^{(4)}}\Big] - E[BW]^2

    (Cliff & Ord 1981, ch. 1-2; spdep ``joincount.test``). The chi-square and the
    permutation p-values are esda 2.9's ``Join_Counts``. Cliff, A. D., Ord, J. K.
    (1981). Spatial Processes: Models and Applications. Pion, London.

    Examples
    --------
    >>> import numpy as np
    >>> line = np.diag(np.ones(3), 1) + np.diag(np.ones(3), -1)
    >>> r = join_counts([1.0, 1.0, 0.0, 0.0], line, permutations=0)
    >>> float(r.bb), float(r.bw), float(r.ww)
    (1.0, 1.0, 1.0)
    """
    y = _binary(y)
    permutations = _check_permutations(permutations)
    setup = _setup(w, y.shape[0], groups, "b")
    b = setup.batch
    _, W = _split_diagonal(setup.W)
    s0, s1, s2 = _weight_sums(W, b)
    ok = _degenerate(setup, _constant(y, b), s0 == 0, "join counts")
    rowsum = np.asarray(W.sum(axis=1)).ravel()
    colsum = np.asarray(W.sum(axis=0)).ravel()
    indicator = _group_indicator(b.codes, b.n_groups)

    def counts(yp: np.ndarray) -> tuple[np.ndarray, ...]:
        """(c, n) colourings -> BB, WW, BW, chi2, each (c, G)."""
        per_group = (lambda v: (indicator.T @ v.T).T)  # noqa: E731
        sbb = per_group(yp * (W @ yp.T).T)
        n10 = per_group(yp * rowsum) - sbb
        n01 = per_group(yp * colsum) - sbb
        bb = sbb / 2
        bw = (n10 + n01) / 2
        ww = s0 / 2 - bb - bw
        return bb, ww, bw, _chi2_yates(bb, ww, n10, n01)

    bb, ww, bw, chi2 = (c[0] for c in counts(y[None, :]))
    n = setup.sizes.astype(np.float64)
    n1 = b.sum(y)
    n0 = n - n1
    with quiet():
        e_bb = s0 / 2 * _falling(n1, 2) / _falling(n, 2)
        v_bb = 0.25 * (s1 * _falling(n1, 2) / _falling(n, 2)
                       + (s2 - 2 * s1) * _falling(n1, 3) / _falling(n, 3)
                       + (s0 * s0 + s1 - s2) * _falling(n1, 4) / _falling(n, 4)) - e_bb**2
        e_bw = s0 * n1 * n0 / _falling(n, 2)
        v_bw = 0.25 * (2 * s1 * n1 * n0 / _falling(n, 2)
                       + (s2 - 2 * s1) * n1 * n0 * (n1 + n0 - 2) / _falling(n, 3)
                       + 4 * (s0 * s0 + s1 - s2) * _falling(n1, 2) * _falling(n0, 2)
                       / _falling(n, 4)) - e_bw**2
        z_bb = (bb - e_bb) / np.sqrt(v_bb)
        z_bw = (bw - e_bw) / np.sqrt(v_bw)
    chi2_p = special.chdtrc(1.0, chi2)
    G = b.n_groups
    if permutations:
        def draws(yp):
            c = counts(yp)
            return np.concatenate([c[0], c[2], c[3], c[0] + c[1]], axis=1)

        sims = _global_draws(draws, y, setup, permutations, seed)  # (R, 4G): bb bw chi2 bb+ww
        observed = np.concatenate([bb, bw, chi2, bb + ww])
        larger, _ = tail_counts(sims.T, observed[:, None], axis=1)
        p = (larger + 1.0) / (permutations + 1.0)
        p_bb, p_bw, p_chi2, p_pos = p[:G], p[G:2 * G], p[2 * G:3 * G], p[3 * G:]
        mean_bb, mean_bw = sims[:, :G].mean(axis=0), sims[:, G:2 * G].mean(axis=0)
    else:
        p_bb = p_bw = p_chi2 = p_pos = mean_bb = mean_bw = np.full(G, np.nan)
    fields = {"bb": bb, "ww": ww, "bw": bw, "J": s0 / 2, "expected_bb": e_bb, "variance_bb": v_bb,
              "z_bb": z_bb, "p_norm_bb": _norm_sf(z_bb), "expected_bw": e_bw,
              "variance_bw": v_bw, "z_bw": z_bw, "chi2": chi2, "chi2_p": chi2_p,
              "autocorr_pos": bb + ww, "p_sim_bb": p_bb, "p_sim_bw": p_bw, "p_sim_chi2": p_chi2,
              "p_sim_autocorr_pos": p_pos, "mean_bb": mean_bb,
              "mean_bw": mean_bw}
    return _per_group_result(JoinCountsResult, fields, ok, setup, permutations)


@shared_parameters
def local_join_counts(y: object, w: object, *, permutations: int = 999, seed: object = None,
                      alpha: float = 0.05, adjust: str | None = "fdr", groups: object = None,
                      alternative: str = "two-sided") -> LocalJoinCountsResult:
    r"""Local join counts (univariate) with conditional-permutation inference.

    Parameters
    ----------
    y : array-like
        0 or 1 per unit.
    {AUTOCORR_WEIGHTS}
        Used as binary weights; self-links are ignored.
    {AUTOCORR_PERMUTATIONS}
    {LOCAL_SIGNIFICANCE}
    {AUTOCORR_GROUPS}
    {LOCAL_ALTERNATIVE}
        "greater" (more black neighbours than by chance) is GeoDa's and Anselin & Li's
        one-sided test; esda 2.9 uses "directed".

    Returns
    -------
    LocalJoinCountsResult

    Notes
    -----
    .. math:: BB_i = y_i \sum_j w_{ij} y_j

    Under the null, unit i's colour is fixed and its :math:`k_i` neighbours' colours are
    drawn without replacement from the other units of its group (conditional
    permutation). ``p_sim`` is NaN where :math:`BB_i = 0` (white units, or black units
    without black neighbours), as in esda 2.9 ``Join_Counts_Local``.
    Anselin, L., Li, X. (2019). Operational local join count statistics for cluster
    detection. Journal of Geographical Systems 21, 189-210.

    Examples
    --------
    >>> import numpy as np
    >>> line = np.diag(np.ones(3), 1) + np.diag(np.ones(3), -1)
    >>> local_join_counts([1.0, 1.0, 0.0, 0.0], line, permutations=0).counts.tolist()
    [1.0, 1.0, 0.0, 0.0]
    """
    y = _binary(y)
    opts = _local_options(permutations, seed, alpha, adjust, alternative)
    setup = _setup(w, y.shape[0], groups, "b")
    b = setup.batch
    _, others = _split_diagonal(setup.W)
    ok = _degenerate(setup, _constant(y, b), _no_links(others, b), "local join counts")
    valid = ok[b.codes]
    counts = y * (others @ y)
    inference = _local_inference(opts, setup, y, others, np.where(valid, y, 0.0),
                                 np.zeros_like(y), counts, valid, untested=counts == 0)
    return LocalJoinCountsResult(counts=np.where(valid, counts, np.nan), **inference)
