"""Global Moran's I, Geary's C and bivariate Moran's I, per group in one call."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from mixing.checks import quiet
from mixing.kernels.autocorr._core import (
    _check_permutations,
    _constant,
    _degenerate,
    _group_indicator,
    _norm_sf,
    _out,
    _setup,
    _standardise,
    _values,
    _weight_sums,
)
from mixing.kernels.autocorr._permutation import _global_sims

__all__ = [
    "MoranResult",
    "GearyResult",
    "BivariateMoranResult",
    "moran",
    "geary",
    "bivariate_moran",
]


@dataclass(frozen=True, eq=False)
class MoranResult:
    r"""Global Moran's I (a float per field, or an array per group with ``groups``).

    Attributes
    ----------
    I : float or ndarray
        Moran's I.
    expected : float or ndarray
        :math:`E[I] = -1/(n-1)`.
    variance_norm, z_norm, p_norm : float or ndarray
        Variance, z-value and p-value under normality (``p_norm`` two-tailed unless
        ``two_tailed=False``).
    variance_rand, z_rand, p_rand : float or ndarray
        The same under randomisation (NaN when n < 4).
    p_sim : float or ndarray
        Folded permutation pseudo p-value (NaN without permutations).
    z_sim : float or ndarray
        :math:`(I - \bar I_{sim}) / sd(I_{sim})`.
    expected_sim : float or ndarray
        Mean of the permuted I.
    permutations : int
    groups : ndarray or None
        Group ids (sorted) the arrays refer to; None without ``groups``.
    """

    I: float | np.ndarray  # noqa: E741 -- the literature's name
    expected: float | np.ndarray
    variance_norm: float | np.ndarray
    z_norm: float | np.ndarray
    p_norm: float | np.ndarray
    variance_rand: float | np.ndarray
    z_rand: float | np.ndarray
    p_rand: float | np.ndarray
    p_sim: float | np.ndarray
    z_sim: float | np.ndarray
    expected_sim: float | np.ndarray
    permutations: int
    groups: np.ndarray | None = None


@dataclass(frozen=True, eq=False)
class GearyResult:
    """Global Geary's C; fields as in :class:`MoranResult` with ``C`` and E[C] = 1."""

    C: float | np.ndarray
    expected: float | np.ndarray
    variance_norm: float | np.ndarray
    z_norm: float | np.ndarray
    p_norm: float | np.ndarray
    variance_rand: float | np.ndarray
    z_rand: float | np.ndarray
    p_rand: float | np.ndarray
    p_sim: float | np.ndarray
    z_sim: float | np.ndarray
    expected_sim: float | np.ndarray
    permutations: int
    transformation: str
    groups: np.ndarray | None = None


@dataclass(frozen=True, eq=False)
class BivariateMoranResult:
    """Global bivariate Moran's I of x with the spatial lag of y (inference by permutation)."""

    I: float | np.ndarray  # noqa: E741
    p_sim: float | np.ndarray
    z_sim: float | np.ndarray
    expected_sim: float | np.ndarray
    permutations: int
    groups: np.ndarray | None = None


def moran(
    y: object,
    w: object,
    *,
    permutations: int = 999,
    seed: object = None,
    groups: object = None,
    transformation: str = "r",
    two_tailed: bool = True,
) -> MoranResult:
    r"""Global Moran's I with analytical and permutation inference.

    Parameters
    ----------
    y : array-like
        One value per unit (no NaN; see the module notes).
    w : SpatialWeights or (n, n) matrix
    permutations : int
        Random permutations for ``p_sim`` (0 = none).
    seed : int, numpy.random.Generator or None
    groups : array-like, optional
        One group id per unit; then every field is an array per group.
    transformation : {"r", "b"}
        Row-standardised (default, esda's) or binary weights.
    two_tailed : bool
        Double the normal p-values (esda's default).

    Returns
    -------
    MoranResult

    Notes
    -----
    With :math:`z_i = y_i - \bar y` and :math:`S_0 = \sum_{ij} w_{ij}`,

    .. math:: I = \frac{n}{S_0} \frac{\sum_{ij} w_{ij} z_i z_j}{\sum_i z_i^2},
              \quad E[I] = -\frac{1}{n-1}

    and :math:`V_{norm}[I] = \frac{n^2 S_1 - n S_2 + 3 S_0^2}{(n^2-1) S_0^2} - E[I]^2`
    (Cliff & Ord 1981). The variance under randomisation adds the kurtosis term.
    Moran, P. A. P. (1950). Notes on continuous stochastic phenomena. Biometrika 37, 17-23.

    Examples
    --------
    >>> import numpy as np
    >>> line = np.diag(np.ones(3), 1) + np.diag(np.ones(3), -1)  # 4 units on a line
    >>> round(moran([1.0, 2.0, 3.0, 4.0], line, permutations=0).I, 4)
    0.4
    """
    y = _values(y, "y")
    permutations = _check_permutations(permutations)
    setup = _setup(w, y.shape[0], groups, transformation)
    W, b = setup.W, setup.batch
    s0, s1, s2 = _weight_sums(W, b)
    ok = _degenerate(setup, _constant(y, b), s0 == 0, "Moran's I")
    n = setup.sizes.astype(np.float64)
    mean = b.sum(y) / np.maximum(n, 1)
    z = y - mean[b.codes]
    z2ss = b.sum(z * z)
    with quiet():
        scale = n / s0 / z2ss
        I = scale * b.sum(z * (W @ z))  # noqa: E741
        expected = -1.0 / (n - 1)
        v_norm = (n * n * s1 - n * s2 + 3 * s0 * s0) / ((n - 1) * (n + 1) * s0 * s0) - expected**2
        k = (b.sum(z**4) / n) / (z2ss / n) ** 2
        a = n * ((n * n - 3 * n + 3) * s1 - n * s2 + 3 * s0 * s0)
        bb = k * ((n * n - n) * s1 - 2 * n * s2 + 6 * s0 * s0)
        v_rand = (a - bb) / ((n - 1) * (n - 2) * (n - 3) * s0 * s0) - expected**2
        v_rand = np.where(n >= 4, v_rand, np.nan)
        z_norm = (I - expected) / np.sqrt(v_norm)
        z_rand = (I - expected) / np.sqrt(v_rand)
    tails = 2.0 if two_tailed else 1.0
    p_norm = tails * _norm_sf(np.abs(z_norm))
    p_rand = tails * _norm_sf(np.abs(z_rand))
    indicator = _group_indicator(b.codes, b.n_groups)

    def stat(zp: np.ndarray) -> np.ndarray:
        lag = (W @ zp.T).T
        return (indicator.T @ (zp * lag).T).T * scale

    p_sim, z_sim, e_sim = _global_sims(I, stat, z, setup, permutations, seed, ok)
    fields = [I, expected, v_norm, z_norm, p_norm, v_rand, z_rand, p_rand, p_sim, z_sim, e_sim]
    fields = [_out(np.where(ok, f, np.nan), b) for f in fields]
    return MoranResult(*fields, permutations=permutations, groups=b.labels)


def geary(
    y: object,
    w: object,
    *,
    permutations: int = 999,
    seed: object = None,
    groups: object = None,
    transformation: str = "r",
) -> GearyResult:
    r"""Global Geary's C with analytical and permutation inference.

    Parameters
    ----------
    y, w, permutations, seed, groups :
        As in :func:`moran`.
    transformation : {"r", "b"}
        ``"r"`` row-standardised, esda 2.9's default for ``esda.Geary``; ``"b"`` binary,
        Geary's (1954) original form. C itself does not depend on the scale of the
        weights, but its variance does.

    Returns
    -------
    GearyResult
        ``p_norm`` and ``p_rand`` are one-tailed (esda).

    Notes
    -----
    .. math:: C = \frac{(n-1) \sum_{ij} w_{ij} (y_i - y_j)^2}{2 S_0 \sum_i (y_i - \bar y)^2},
              \quad E[C] = 1

    :math:`C < 1` means positive autocorrelation. :math:`V_{norm}[C] =
    \frac{(2 S_1 + S_2)(n-1) - 4 S_0^2}{2 (n+1) S_0^2}`.
    Geary, R. C. (1954). The contiguity ratio and statistical mapping. The Incorporated
    Statistician 5, 115-145.
    """
    y = _values(y, "y")
    permutations = _check_permutations(permutations)
    t = str(transformation).lower()
    setup = _setup(w, y.shape[0], groups, t)
    W, b = setup.W, setup.batch
    s0, s1, s2 = _weight_sums(W, b)
    ok = _degenerate(setup, _constant(y, b), s0 == 0, "Geary's C")
    n = setup.sizes.astype(np.float64)
    mean = b.sum(y) / np.maximum(n, 1)
    z = y - mean[b.codes]
    z2ss = b.sum(z * z)
    coo = W.tocoo()
    edge_group = b.codes[coo.row]
    edges = sparse.csr_array(
        (coo.data, (np.arange(coo.nnz), edge_group)), shape=(coo.nnz, b.n_groups)
    )
    with quiet():
        scale = (n - 1) / (2.0 * s0 * z2ss)
        C = scale * np.bincount(
            edge_group, weights=coo.data * (y[coo.row] - y[coo.col]) ** 2, minlength=b.n_groups
        )
        k = (b.sum(z**4) / n) / (z2ss / n) ** 2
        a = (n - 1) * s1 * (n * n - 3 * n + 3 - (n - 1) * k)
        bb = 0.25 * ((n - 1) * s2 * (n * n + 3 * n - 6 - (n * n - n + 2) * k))
        c = s0 * s0 * (n * n - 3 - (n - 1) ** 2 * k)
        v_rand = np.where(n >= 4, (a - bb + c) / (n * (n - 2) * (n - 3) * s0 * s0), np.nan)
        v_norm = ((2 * s1 + s2) * (n - 1) - 4 * s0 * s0) / (2 * (n + 1) * s0 * s0)
        z_norm = (C - 1.0) / np.sqrt(v_norm)
        z_rand = (C - 1.0) / np.sqrt(v_rand)
    p_norm = _norm_sf(np.abs(z_norm))
    p_rand = _norm_sf(np.abs(z_rand))

    def stat(yp: np.ndarray) -> np.ndarray:
        d = yp[:, coo.row] - yp[:, coo.col]
        return (edges.T @ (d * d).T).T * scale

    p_sim, z_sim, e_sim = _global_sims(C, stat, y, setup, permutations, seed, ok)
    fields = [C, np.ones_like(C), v_norm, z_norm, p_norm, v_rand, z_rand, p_rand, p_sim, z_sim,
              e_sim]
    fields = [_out(np.where(ok, f, np.nan), b) for f in fields]
    return GearyResult(*fields, permutations=permutations, transformation=t, groups=b.labels)


def bivariate_moran(
    x: object,
    y: object,
    w: object,
    *,
    permutations: int = 999,
    seed: object = None,
    groups: object = None,
    transformation: str = "r",
) -> BivariateMoranResult:
    r"""Global bivariate Moran's I: x against the spatial lag of y.

    Parameters
    ----------
    x, y : array-like
        Two values per unit (e.g. social-housing share and non-western share).
    w, permutations, seed, groups, transformation :
        As in :func:`moran`; ``y`` is permuted.

    Returns
    -------
    BivariateMoranResult

    Notes
    -----
    With :math:`z_x, z_y` standardised with the sample standard deviation (ddof=1),

    .. math:: I_{BV} = \frac{\sum_i z_{x,i} \sum_j w_{ij} z_{y,j}}{n - 1}

    as in esda ``Moran_BV`` (no :math:`S_0` factor: for row-standardised weights
    :math:`S_0 = n`). Inference by permutation only.
    Anselin, L., Syabri, I., Smirnov, O. (2002). Visualizing multivariate spatial
    correlation with dynamically linked windows. CSISS workshop, Santa Barbara.
    """
    x = _values(x, "x")
    y = _values(y, "y", x.shape[0])
    permutations = _check_permutations(permutations)
    setup = _setup(w, x.shape[0], groups, transformation)
    W, b = setup.W, setup.batch
    s0 = b.sum(np.asarray(W.sum(axis=1)).ravel())
    ok = _degenerate(setup, _constant(x, b) | _constant(y, b), s0 == 0, "bivariate Moran's I")
    zx = _standardise(x, setup, ddof=1)
    zy = _standardise(y, setup, ddof=1)
    with quiet():
        scale = 1.0 / (setup.sizes - 1.0)
    I = b.sum(zx * (W @ zy)) * scale  # noqa: E741
    indicator = _group_indicator(b.codes, b.n_groups)

    def stat(zp: np.ndarray) -> np.ndarray:
        return (indicator.T @ (zx * (W @ zp.T).T).T).T * scale

    p_sim, z_sim, e_sim = _global_sims(I, stat, zy, setup, permutations, seed, ok)
    fields = [_out(np.where(ok, f, np.nan), b) for f in (I, p_sim, z_sim, e_sim)]
    return BivariateMoranResult(*fields, permutations=permutations, groups=b.labels)


