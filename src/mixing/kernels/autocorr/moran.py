"""Global Moran's I, Geary's C and bivariate Moran's I, per group in one call."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from mixing.checks import quiet
from mixing.docstrings import shared_parameters
from mixing.kernels.autocorr._core import (
    _check_permutations,
    _constant,
    _degenerate,
    _GlobalResult,
    _group_indicator,
    _norm_sf,
    _setup,
    _standardise,
    _values,
    _weight_sums,
)
from mixing.kernels.autocorr._permutation import _global_result

__all__ = [
    "MoranResult",
    "GearyResult",
    "BivariateMoranResult",
    "moran",
    "geary",
    "bivariate_moran",
]


@dataclass(frozen=True, eq=False, kw_only=True)
class _MomentsResult(_GlobalResult):
    """The analytical inference Moran's I and Geary's C share (see :class:`MoranResult`)."""

    expected: float | np.ndarray
    variance_norm: float | np.ndarray
    z_norm: float | np.ndarray
    p_norm: float | np.ndarray
    variance_rand: float | np.ndarray
    z_rand: float | np.ndarray
    p_rand: float | np.ndarray


@shared_parameters
@dataclass(frozen=True, eq=False)
class MoranResult(_MomentsResult):
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
    {GLOBAL_SIM_ATTRIBUTES}
    """

    I: float | np.ndarray  # noqa: E741 -- the literature's name


@dataclass(frozen=True, eq=False)
class GearyResult(_MomentsResult):
    """Global Geary's C; fields as in :class:`MoranResult` with ``C``, E[C] = 1, and
    ``transformation`` ("r" or "b")."""

    C: float | np.ndarray
    transformation: str


@shared_parameters
@dataclass(frozen=True, eq=False)
class BivariateMoranResult(_GlobalResult):
    """Global bivariate Moran's I of x with the spatial lag of y (inference by permutation).

    Attributes
    ----------
    I : float or ndarray
        Bivariate Moran's I.
    {GLOBAL_SIM_ATTRIBUTES}
    """

    I: float | np.ndarray  # noqa: E741


def _centred(y: np.ndarray, w: object, groups: object, transformation: str):
    """What Moran's I and Geary's C start from: the checked setup, the group sizes, ``y``
    centred within its group, the sum of squares and the kurtosis per group, and the
    weight sums :math:`S_0, S_1, S_2`.
    """
    setup = _setup(w, y.shape[0], groups, transformation)
    b = setup.batch
    n = setup.sizes.astype(np.float64)
    mean = b.sum(y) / np.maximum(n, 1)
    z = y - mean[b.codes]
    z2ss = b.sum(z * z)
    with quiet():
        kurtosis = (b.sum(z**4) / n) / (z2ss / n) ** 2
    return setup, n, z, z2ss, kurtosis, _weight_sums(setup.W, b)


def _moment_fields(name: str, value: np.ndarray, expected: np.ndarray, v_norm: np.ndarray,
                   v_rand: np.ndarray, tails: float = 1.0) -> dict:
    """The analytical fields of Moran's I or Geary's C: z and p under normality and under
    randomisation (``tails`` = 2 doubles the p-values).
    """
    with quiet():
        z_norm = (value - expected) / np.sqrt(v_norm)
        z_rand = (value - expected) / np.sqrt(v_rand)
    return {name: value, "expected": expected, "variance_norm": v_norm, "z_norm": z_norm,
            "p_norm": tails * _norm_sf(np.abs(z_norm)), "variance_rand": v_rand,
            "z_rand": z_rand, "p_rand": tails * _norm_sf(np.abs(z_rand))}


@shared_parameters
def moran(y: object, w: object, *, permutations: int = 999, seed: object = None,
          groups: object = None, transformation: str = "r", two_tailed: bool = True
          ) -> MoranResult:
    r"""Global Moran's I with analytical and permutation inference.

    Parameters
    ----------
    {AUTOCORR_VALUES}
    {MORAN_PARAMETERS}

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
    setup, n, z, z2ss, k, (s0, s1, s2) = _centred(y, w, groups, transformation)
    W, b = setup.W, setup.batch
    ok = _degenerate(setup, _constant(y, b), s0 == 0, "Moran's I")
    with quiet():
        scale = n / s0 / z2ss
        I = scale * b.sum(z * (W @ z))  # noqa: E741
        expected = -1.0 / (n - 1)
        v_norm = (n * n * s1 - n * s2 + 3 * s0 * s0) / ((n - 1) * (n + 1) * s0 * s0) - expected**2
        a = n * ((n * n - 3 * n + 3) * s1 - n * s2 + 3 * s0 * s0)
        bb = k * ((n * n - n) * s1 - 2 * n * s2 + 6 * s0 * s0)
        v_rand = (a - bb) / ((n - 1) * (n - 2) * (n - 3) * s0 * s0) - expected**2
        v_rand = np.where(n >= 4, v_rand, np.nan)
    indicator = _group_indicator(b.codes, b.n_groups)

    def stat(zp: np.ndarray) -> np.ndarray:
        lag = (W @ zp.T).T
        return (indicator.T @ (zp * lag).T).T * scale

    fields = _moment_fields("I", I, expected, v_norm, v_rand, 2.0 if two_tailed else 1.0)
    return _global_result(MoranResult, fields, ok, setup, observed=I, stat=stat, v=z,
                          permutations=permutations, seed=seed)


@shared_parameters
def geary(y: object, w: object, *, permutations: int = 999, seed: object = None,
          groups: object = None, transformation: str = "r") -> GearyResult:
    r"""Global Geary's C with analytical and permutation inference.

    Parameters
    ----------
    {AUTOCORR_VALUES}
    {AUTOCORR_WEIGHTS}
    {AUTOCORR_PERMUTATIONS}
    {AUTOCORR_GROUPS}
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
    setup, n, _, z2ss, k, (s0, s1, s2) = _centred(y, w, groups, t)
    W, b = setup.W, setup.batch
    ok = _degenerate(setup, _constant(y, b), s0 == 0, "Geary's C")
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
        a = (n - 1) * s1 * (n * n - 3 * n + 3 - (n - 1) * k)
        bb = 0.25 * ((n - 1) * s2 * (n * n + 3 * n - 6 - (n * n - n + 2) * k))
        c = s0 * s0 * (n * n - 3 - (n - 1) ** 2 * k)
        v_rand = np.where(n >= 4, (a - bb + c) / (n * (n - 2) * (n - 3) * s0 * s0), np.nan)
        v_norm = ((2 * s1 + s2) * (n - 1) - 4 * s0 * s0) / (2 * (n + 1) * s0 * s0)

    def stat(yp: np.ndarray) -> np.ndarray:
        d = yp[:, coo.row] - yp[:, coo.col]
        return (edges.T @ (d * d).T).T * scale

    fields = _moment_fields("C", C, np.ones_like(C), v_norm, v_rand)
    return _global_result(GearyResult, fields, ok, setup, observed=C, stat=stat, v=y,
                          permutations=permutations, seed=seed, transformation=t)


@shared_parameters
def bivariate_moran(x: object, y: object, w: object, *, permutations: int = 999,
                    seed: object = None, groups: object = None, transformation: str = "r"
                    ) -> BivariateMoranResult:
    r"""Global bivariate Moran's I: x against the spatial lag of y.

    Parameters
    ----------
    x, y : array-like
        Two values per unit (e.g. social-housing share and non-western share); ``y``
        is permuted.
    {AUTOCORR_WEIGHTS}
    {AUTOCORR_PERMUTATIONS}
    {AUTOCORR_GROUPS}
    {AUTOCORR_TRANSFORMATION}

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

    return _global_result(BivariateMoranResult, {"I": I}, ok, setup, observed=I, stat=stat,
                          v=zy, permutations=permutations, seed=seed)


