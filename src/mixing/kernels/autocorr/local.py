"""Local Moran's I (LISA), univariate and bivariate, with conditional-permutation inference."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mixing.checks import quiet
from mixing.docstrings import shared_parameters
from mixing.kernels.autocorr._core import (
    _constant,
    _degenerate,
    _local_options,
    _LocalResult,
    _no_links,
    _setup,
    _split_diagonal,
    _standardise,
    _values,
)
from mixing.kernels.autocorr._permutation import _local_inference

__all__ = [
    "QUADRANT_LABELS",
    "LocalMoranResult",
    "LocalMoranMoments",
    "local_moran",
    "local_moran_moments",
    "bivariate_local_moran",
]

#: Quadrant code -> label (esda ``q``: 1 HH, 2 LH, 3 LL, 4 HL; 0 = isolated/undefined).
QUADRANT_LABELS = {1: "HH", 2: "LH", 3: "LL", 4: "HL"}


@shared_parameters
@dataclass(frozen=True, eq=False)
class LocalMoranResult(_LocalResult):
    """Local Moran's I (LISA), univariate or bivariate, one value per unit.

    Attributes
    ----------
    Is : ndarray
        Local statistics.
    quadrant : ndarray of int
        1 HH, 2 LH, 3 LL, 4 HL (esda ``q``); 0 isolated or undefined.
    labels : ndarray of str
        ``"HH"``, ``"LH"``, ``"LL"``, ``"HL"``, ``"isolated"`` or ``"undefined"``.
    lag : ndarray
        Spatial lag of the standardised (bivariate: y) values.
    z : ndarray
        Standardised values (bivariate: x), within group.
    {LOCAL_INFERENCE_ATTRIBUTES}
    """

    Is: np.ndarray
    quadrant: np.ndarray
    labels: np.ndarray
    lag: np.ndarray
    z: np.ndarray

    @property
    def clusters(self) -> np.ndarray:
        """Quadrant label where ``significant_adjusted``, else ``"not significant"``."""
        return np.where(self.significant_adjusted, self.labels, "not significant")


def _quadrants(zx: np.ndarray, lag: np.ndarray, valid: np.ndarray, isolated: np.ndarray):
    hi = zx > 0
    lag_hi = lag > 0
    q = np.where(hi, np.where(lag_hi, 1, 4), np.where(lag_hi, 2, 3))
    q = np.where(valid & ~isolated, q, 0)
    labels = np.array(["undefined", "HH", "LH", "LL", "HL"], dtype=object)[q]
    labels[valid & isolated] = "isolated"
    return q.astype(np.int8), labels.astype(str)


def _local_moran(zx, zy, setup, ok_groups, opts):
    W, b = setup.W, setup.batch
    valid = ok_groups[b.codes]
    zx = np.where(valid, zx, 0.0)
    zy = np.where(valid, zy, 0.0)
    lag = W @ zy
    den = b.sum(zx * zx)
    with quiet():
        factor = ((setup.sizes - 1.0) / den)[b.codes]
    factor = np.where(valid, factor, 0.0)
    Is = factor * zx * lag
    diag, others = _split_diagonal(W)
    isolated = np.diff(others.indptr) == 0
    scale = factor * zx
    inference = _local_inference(opts, setup, zy, others, scale, scale * diag * zy, Is, valid)
    q, labels = _quadrants(zx, lag, valid, isolated & (diag == 0))
    nan = np.where(valid, 1.0, np.nan)
    return LocalMoranResult(Is=Is * nan, quadrant=q, labels=labels, lag=lag * nan, z=zx * nan,
                            **inference)


@shared_parameters
def local_moran(y: object, w: object, *, permutations: int = 999, seed: object = None,
                alpha: float = 0.05, adjust: str | None = "fdr", groups: object = None,
                transformation: str = "r", alternative: str = "two-sided"
                ) -> LocalMoranResult:
    r"""Local Moran's I (LISA) with conditional-permutation inference.

    Parameters
    ----------
    {AUTOCORR_VALUES}
    {LISA_PARAMETERS}
        "greater" tests for clustering (I_i larger than by chance), "less" for outliers.
        The autocorrelation tables use "directed", the rule of every earlier release.

    Returns
    -------
    LocalMoranResult

    Notes
    -----
    With :math:`z` standardised within the group (population sd) and :math:`n` the
    group size,

    .. math:: I_i = \frac{(n - 1)\, z_i \sum_j w_{ij} z_j}{\sum_k z_k^2}

    (esda ``Moran_Local``; :math:`\sum_i I_i / n` is global Moran's I up to the factor
    :math:`(n-1)/n` for row-standardised weights). Quadrants: 1 HH (:math:`z_i > 0`,
    lag > 0), 2 LH, 3 LL, 4 HL. Inference by conditional permutation (module notes).
    Anselin, L. (1995). Local indicators of spatial association - LISA. Geographical
    Analysis 27, 93-115.

    Examples
    --------
    >>> import numpy as np
    >>> line = np.diag(np.ones(3), 1) + np.diag(np.ones(3), -1)
    >>> r = local_moran([1.0, 2.0, 3.0, 4.0], line, permutations=99, seed=1)
    >>> r.labels.tolist()
    ['LL', 'LL', 'HH', 'HH']
    """
    y = _values(y, "y")
    opts = _local_options(permutations, seed, alpha, adjust, alternative)
    setup = _setup(w, y.shape[0], groups, transformation)
    no_links = _no_links(setup.W, setup.batch)
    ok = _degenerate(setup, _constant(y, setup.batch), no_links, "local Moran's I")
    z = _standardise(y, setup)
    return _local_moran(z, z, setup, ok, opts)


@shared_parameters
def bivariate_local_moran(x: object, y: object, w: object, *, permutations: int = 999,
                          seed: object = None, alpha: float = 0.05,
                          adjust: str | None = "fdr", groups: object = None,
                          transformation: str = "r", alternative: str = "two-sided"
                          ) -> LocalMoranResult:
    r"""Bivariate local Moran's I: x at unit i against the spatial lag of y.

    Parameters
    ----------
    x, y : array-like
        Two values per unit; ``y`` is the lagged (and permuted) variable.
    {LISA_PARAMETERS}

    Returns
    -------
    LocalMoranResult
        ``z`` holds standardised x, ``lag`` the lag of standardised y; quadrant from
        the signs of both.

    Notes
    -----
    .. math:: I_i^{BV} = \frac{(n - 1)\, z_{x,i} \sum_j w_{ij} z_{y,j}}{\sum_k z_{x,k}^2}

    (esda ``Moran_Local_BV``). Anselin, L., Syabri, I., Smirnov, O. (2002).
    Visualizing multivariate spatial correlation with dynamically linked windows.
    """
    x = _values(x, "x")
    y = _values(y, "y", x.shape[0])
    opts = _local_options(permutations, seed, alpha, adjust, alternative)
    setup = _setup(w, x.shape[0], groups, transformation)
    b = setup.batch
    ok = _degenerate(setup, _constant(x, b) | _constant(y, b), _no_links(setup.W, b),
                     "bivariate local Moran's I")
    return _local_moran(_standardise(x, setup), _standardise(y, setup), setup, ok, opts)




@dataclass(frozen=True, eq=False)
class LocalMoranMoments:
    """Analytical moments of local Moran's I under two nulls, one value per unit.

    Attributes
    ----------
    EI, VI : ndarray
        Expectation and variance under total randomisation (esda ``EI``, ``VI``).
    EIc, VIc : ndarray
        Expectation and variance under conditional randomisation, :math:`z_i` held fixed
        (esda ``EIc``, ``VIc``).

    NaN for units of groups that are undefined (fewer than 3 units, constant values).
    """

    EI: np.ndarray
    VI: np.ndarray
    EIc: np.ndarray
    VIc: np.ndarray


@shared_parameters
def local_moran_moments(y: object, w: object, *, groups: object = None,
                        transformation: str = "r") -> LocalMoranMoments:
    r"""Analytical expectation and variance of each local Moran's I (Sokal et al. 1998).

    Parameters
    ----------
    {AUTOCORR_VALUES}
    {AUTOCORR_WEIGHTS}
    {AUTOCORR_GROUPS}
    {AUTOCORR_TRANSFORMATION}

    Returns
    -------
    LocalMoranMoments

    Notes
    -----
    With :math:`z` the values centred within the group, :math:`m_2 = \sum_j z_j^2 / n`,
    :math:`m_4 = \sum_j z_j^4 / n`, :math:`b_2 = m_4 / m_2^2`,
    :math:`w_{i\cdot} = \sum_j w_{ij}` and :math:`w_{i\cdot}^{(2)} = \sum_j w_{ij}^2`:

    .. math::
        E[I_i] &= -\frac{w_{i\cdot}}{n - 1}, \qquad
        V[I_i] = w_{i\cdot}^{(2)} \frac{n - b_2}{n - 1}
                 + (w_{i\cdot}^2 - w_{i\cdot}^{(2)}) \frac{2 b_2 - n}{(n - 1)(n - 2)}
                 - \frac{w_{i\cdot}^2}{(n - 1)^2} \\
        E_c[I_i] &= -\frac{z_i^2 \, w_{i\cdot}}{(n - 1) m_2}, \qquad
        V_c[I_i] = \frac{z_i^2}{m_2^2} \frac{n}{n - 2}
                   \Big(w_{i\cdot}^{(2)} - \frac{w_{i\cdot}^2}{n - 1}\Big)
                   \Big(m_2 - \frac{z_i^2}{n - 1}\Big)

    -- total randomisation (Anselin 1995; Sokal et al. 1998, eqs. A3, A4*) and
    conditional randomisation (Sokal et al. 1998, eqs. A7, A8), written as esda
    ``Moran_Local`` computes them (``EI``, ``VI``, ``EIc``, ``VIc``). They describe
    the statistic :math:`z_i \sum_j w_{ij} z_j / m_2`; esda's (and
    :func:`local_moran`'s) :math:`I_i` is that times :math:`(n - 1) / n`, so use the
    permutation moments for inference on :math:`I_i`, as esda recommends -- these are
    for reproducing published tables. Anselin, L. (1995), Local indicators of spatial
    association - LISA, *Geographical Analysis* 27, 93-115. Sokal, R. R., Oden, N. L.,
    Thomson, B. A. (1998), Local spatial autocorrelation in a biological model,
    *Geographical Analysis* 30, 331-354.

    Examples
    --------
    >>> import numpy as np
    >>> line = np.diag(np.ones(3), 1) + np.diag(np.ones(3), -1)
    >>> m = local_moran_moments([1.0, 2.0, 3.0, 4.0], line)
    >>> m.EI.round(4).tolist()
    [-0.3333, -0.3333, -0.3333, -0.3333]
    """
    y = _values(y, "y")
    setup = _setup(w, y.shape[0], groups, transformation)
    b = setup.batch
    ok = _degenerate(setup, _constant(y, b), _no_links(setup.W, b),
                     "local Moran moments") & (setup.sizes >= 3)
    n = setup.sizes.astype(np.float64)[b.codes]
    z = y - (b.sum(y) / np.maximum(setup.sizes, 1))[b.codes]
    W = setup.W
    wi = np.asarray(W.sum(axis=1)).ravel()
    wi2 = np.asarray(W.multiply(W).sum(axis=1)).ravel()
    with quiet():
        m2 = (b.sum(z**2) / setup.sizes)[b.codes]
        b2 = (b.sum(z**4) / setup.sizes)[b.codes] / m2**2
        EI = -wi / (n - 1)
        VI = (wi2 * (n - b2) / (n - 1) + (wi**2 - wi2) * (2 * b2 - n) / ((n - 1) * (n - 2))
              - EI**2)
        EIc = -(z**2 * wi) / ((n - 1) * m2)
        VIc = ((z / m2) ** 2 * n / (n - 2) * (wi2 - wi**2 / (n - 1))
               * (m2 - z**2 / (n - 1)))
    nan = np.where(ok[b.codes], 1.0, np.nan)
    return LocalMoranMoments(EI * nan, VI * nan, EIc * nan, VIc * nan)
