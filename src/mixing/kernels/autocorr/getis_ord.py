"""Getis-Ord G: local Gi / Gi* (hot and cold spots) and the global G."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from mixing.checks import quiet
from mixing.docstrings import shared_parameters
from mixing.errors import InputError
from mixing.kernels.autocorr._core import (
    _check_permutations,
    _constant,
    _degenerate,
    _GlobalResult,
    _group_indicator,
    _local_options,
    _LocalResult,
    _matrix,
    _no_links,
    _norm_sf,
    _setup,
    _split_diagonal,
    _values,
    _weight_sums,
)
from mixing.kernels.autocorr._permutation import _global_result, _local_inference
from mixing.kernels.pairs import SpatialWeights

__all__ = ["GetisOrdResult", "GlobalGResult", "getis_ord_g_star", "getis_ord_g"]


@shared_parameters
@dataclass(frozen=True, eq=False)
class GetisOrdResult(_LocalResult):
    r"""Local Getis-Ord G (Gi* with ``star=True``), one value per unit.

    Attributes
    ----------
    G : ndarray
        Local statistic.
    expected, variance : ndarray
        Analytical moments under the null.
    z : ndarray
        :math:`(G - E[G]) / \sqrt{V[G]}`; > 0 hot spot, < 0 cold spot.
    p_norm : ndarray
        One-tailed normal p-value of ``|z|`` (esda ``p_norm``).
    star : bool
    transformation : str
    {LOCAL_INFERENCE_ATTRIBUTES}
    """

    G: np.ndarray
    expected: np.ndarray
    variance: np.ndarray
    z: np.ndarray
    p_norm: np.ndarray
    star: bool
    transformation: str


def _star_matrix(w: object, transformation: str, star: bool) -> object:
    """The weights of esda's G_Local: self-weight = the row's largest weight, then transform."""
    t = str(transformation).lower()
    if isinstance(w, SpatialWeights):
        base = sparse.csr_array(w.binary, dtype=np.float64)
    else:
        base = _matrix(w, "b") if t == "b" else sparse.csr_array(w, dtype=np.float64)
    base = base.copy()
    if star:
        rowmax = base.max(axis=1).toarray().ravel() if base.nnz else np.zeros(base.shape[0])
        base.setdiag(np.where(rowmax > 0, rowmax, 1.0))
    else:
        base.setdiag(0)
    base.eliminate_zeros()
    return base


@shared_parameters
def getis_ord_g_star(y: object, w: object, *, permutations: int = 999, seed: object = None,
                     alpha: float = 0.05, adjust: str | None = "fdr", groups: object = None,
                     transformation: str = "r", star: bool = True,
                     alternative: str = "two-sided") -> GetisOrdResult:
    r"""Local Getis-Ord Gi* (hot and cold spots) with analytical and permutation inference.

    Parameters
    ----------
    y : array-like
        Non-negative values per unit (e.g. a share), no NaN.
    {AUTOCORR_WEIGHTS}
        The unit itself is added with the row's largest weight (1 for contiguity), as
        esda ``G_Local(star=True)`` does.
    {AUTOCORR_PERMUTATIONS}
    {LOCAL_SIGNIFICANCE}
    {AUTOCORR_GROUPS}
    transformation : {"r", "b"}
        ``"r"`` (esda's default): row-standardise the weights *including* the
        self-weight, so every unit's weights sum to 1; ``"b"``: binary weights, the
        classic Ord & Getis (1995) form. The z-values differ between the two.
    star : bool
        True for Gi* (include unit i); False for Gi.
    {LOCAL_ALTERNATIVE}
        "greater" tests for hot spots only, "less" for cold spots only.

    Returns
    -------
    GetisOrdResult

    Notes
    -----
    .. math:: G_i^* = \frac{\sum_j w_{ij} y_j}{\sum_j y_j}, \quad
              E[G_i^*] = \frac{W_i}{n}, \quad
              V[G_i^*] = \frac{W_i (n - W_i)}{(n-1) n^2} \frac{s^2}{\bar y^2}

    with :math:`W_i = \sum_j w_{ij}` (1 for ``"r"``), :math:`\bar y` and :math:`s^2`
    the mean and population variance of y (for Gi, sums exclude unit i and n becomes
    n - 1), as in esda 2.9. Permutation: unit i's value is fixed and its neighbours'
    values are drawn from the other units.
    Getis, A., Ord, J. K. (1992). The analysis of spatial association by use of distance
    statistics. Geographical Analysis 24, 189-206. Ord, J. K., Getis, A. (1995). Local
    spatial autocorrelation statistics: distributional issues and an application.
    Geographical Analysis 27, 286-306.
    """
    y = _values(y, "y")
    opts = _local_options(permutations, seed, alpha, adjust, alternative)
    t = str(transformation).lower()
    setup = _setup(_star_matrix(w, t, star), y.shape[0], groups, t)
    W, b = setup.W, setup.batch
    diag, others = _split_diagonal(W)
    total = b.sum(y)
    ok = _degenerate(setup, _constant(y, b) | (total == 0), _no_links(others, b), "Getis-Ord G")
    valid = ok[b.codes]
    remove_self = 0.0 if star else 1.0
    sizes = setup.sizes.astype(np.float64)[b.codes]
    N = sizes - remove_self
    with quiet():
        denom = total[b.codes] - y * remove_self
        G = (W @ y) / denom
        mean = denom / N
        mean_sq = (b.sum(y * y)[b.codes] - y * y * remove_self) / N
        var_y = mean_sq - mean**2
        card = np.asarray(W.sum(axis=1)).ravel()
        expected = card / N
        variance = card * (N - card) / (N - 1) / N**2 * var_y / mean**2
        z = (G - expected) / np.sqrt(variance)
        scale = np.where(valid, 1.0 / denom, 0.0)
    inference = _local_inference(opts, setup, y, others, scale, scale * diag * y,
                                 np.where(valid, G, 0.0), valid)
    nan = np.where(valid, 1.0, np.nan)
    return GetisOrdResult(G=G * nan, expected=expected * nan, variance=variance * nan,
                          z=z * nan, p_norm=_norm_sf(np.abs(z)) * nan, star=star,
                          transformation=t, **inference)


@shared_parameters
@dataclass(frozen=True, eq=False)
class GlobalGResult(_GlobalResult):
    r"""Global Getis-Ord G (a float per field, or an array per group with ``groups``).

    Attributes
    ----------
    G : float or ndarray
        The statistic; larger than ``expected`` when high values cluster.
    expected, variance : float or ndarray
        Analytical moments under randomisation (NaN variance when n < 4).
    z_norm : float or ndarray
        :math:`(G - E[G]) / \sqrt{V[G]}`.
    p_norm : float or ndarray
        One-tailed normal p-value of ``|z_norm|`` (esda ``G.p_norm``).
    {GLOBAL_SIM_ATTRIBUTES}
    """

    G: float | np.ndarray
    expected: float | np.ndarray
    variance: float | np.ndarray
    z_norm: float | np.ndarray
    p_norm: float | np.ndarray


@shared_parameters
def getis_ord_g(y: object, w: object, *, permutations: int = 999, seed: object = None,
                groups: object = None) -> GlobalGResult:
    r"""Global Getis-Ord G: whether high values sit next to high values.

    Parameters
    ----------
    y : array-like
        Non-negative values per unit (e.g. a share), no NaN.
    {AUTOCORR_WEIGHTS}
        Used as binary weights, as esda ``G`` does.
    {AUTOCORR_PERMUTATIONS}
    {AUTOCORR_GROUPS}

    Returns
    -------
    GlobalGResult

    Notes
    -----
    .. math:: G = \frac{\sum_{i \ne j} w_{ij} y_i y_j}{\sum_{i \ne j} y_i y_j},
              \quad E[G] = \frac{S_0}{n (n - 1)}

    and :math:`V[G] = E[G^2] - E[G]^2` with :math:`E[G^2]` from the weight sums
    :math:`S_0, S_1, S_2` and the moments :math:`\sum y^k` (Getis & Ord 1992, eq. 9-13;
    esda 2.9 ``G``). Unlike Moran's I, G separates hot-spot clustering (G > E[G]) from
    cold-spot clustering (G < E[G]).
    Getis, A., Ord, J. K. (1992). The analysis of spatial association by use of distance
    statistics. Geographical Analysis 24, 189-206.

    Examples
    --------
    >>> import numpy as np
    >>> line = np.diag(np.ones(3), 1) + np.diag(np.ones(3), -1)
    >>> round(getis_ord_g([1.0, 2.0, 3.0, 4.0], line, permutations=0).G, 4)
    0.5714
    """
    y = _values(y, "y")
    permutations = _check_permutations(permutations)
    if (y < 0).any():
        first = int(np.flatnonzero(y < 0)[0])
        raise InputError(f"argument `y` of Getis-Ord G must be >= 0, got {float(y[first])!r} "
                         f"at position {first}", fix="pass counts or shares, not deviations")
    setup = _setup(w, y.shape[0], groups, "b")
    W, b = setup.W, setup.batch
    W = W.copy()
    W.setdiag(0)  # G is defined over pairs i != j
    W.eliminate_zeros()
    s0, s1, s2 = _weight_sums(W, b)
    ok = _degenerate(setup, _constant(y, b) | (b.sum(y) == 0), s0 == 0, "Getis-Ord G")
    n = setup.sizes.astype(np.float64)
    m1, m2, m3, m4 = (b.sum(y**k) for k in (1, 2, 3, 4))
    with quiet():
        den = m1 * m1 - m2
        scale = 1.0 / den
        G = b.sum(y * (W @ y)) * scale
        expected = s0 / (n * (n - 1))
        b0 = (n * n - 3 * n + 3) * s1 - n * s2 + 3 * s0 * s0
        b1 = -((n * n - n) * s1 - 2 * n * s2 + 6 * s0 * s0)
        b2 = -(2 * n * s1 - (n + 3) * s2 + 6 * s0 * s0)
        b3 = 4 * (n - 1) * s1 - 2 * (n + 1) * s2 + 8 * s0 * s0
        b4 = s1 - s2 + s0 * s0
        eg2 = (b0 * m2 * m2 + b1 * m4 + b2 * m1 * m1 * m2 + b3 * m1 * m3 + b4 * m1**4) / (
            den * den * n * (n - 1) * (n - 2) * (n - 3))
        variance = np.where(n >= 4, eg2 - expected**2, np.nan)
        z = (G - expected) / np.sqrt(variance)
    indicator = _group_indicator(b.codes, b.n_groups)

    def stat(yp: np.ndarray) -> np.ndarray:
        return (indicator.T @ (yp * (W @ yp.T).T).T).T * scale

    fields = {"G": G, "expected": expected, "variance": variance, "z_norm": z,
              "p_norm": _norm_sf(np.abs(z))}
    return _global_result(GlobalGResult, fields, ok, setup, observed=G, stat=stat, v=y,
                          permutations=permutations, seed=seed)
