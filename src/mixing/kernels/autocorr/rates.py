"""Moran's I for rates on small bases: empirical-Bayes standardisation (Assuncao & Reis 1999).

A share of low-income households in a buurt of 30 households is far noisier than the same
share in a buurt of 3,000; Moran's I of raw shares then mostly measures where the small
buurten are. The Assuncao-Reis standardisation divides each rate's deviation from the
group's overall rate by its own standard error under an empirical-Bayes model, so every
unit weighs by its reliability.
"""

from __future__ import annotations

import numpy as np

from mixing.checks import quiet
from mixing.docstrings import shared_parameters
from mixing.errors import InputError
from mixing.kernels.autocorr._core import _values
from mixing.kernels.autocorr.local import LocalMoranResult, local_moran
from mixing.kernels.autocorr.moran import MoranResult, moran
from mixing.kernels.grouping import make_batch

__all__ = ["assuncao_rate", "moran_rate", "local_moran_rate"]


@shared_parameters
def assuncao_rate(events: object, base: object, *, groups: object = None) -> np.ndarray:
    r"""Empirical-Bayes standardised rates, within each group.

    Parameters
    ----------
    {EB_RATE_INPUT}
    groups : array-like, optional
        One group id per unit; the overall rate and the prior variance are per group.

    Returns
    -------
    numpy.ndarray
        :math:`z_i` per unit.

    Notes
    -----
    With :math:`r_i = e_i / b_i`, :math:`\bar b = \sum b / n` and the overall rate
    :math:`\beta = \sum e / \sum b`,

    .. math:: s^2 = \frac{\sum_i b_i (r_i - \beta)^2}{\sum_i b_i}, \quad
              \alpha = s^2 - \frac{\beta}{\bar b}, \quad
              v_i = \alpha + \frac{\beta}{b_i}, \quad
              z_i = \frac{r_i - \beta}{\sqrt{v_i}}

    where :math:`v_i < 0` is replaced by :math:`\beta / b_i` (esda ``assuncao_rate``).
    Assuncao, R. M., Reis, E. A. (1999). A new proposal to adjust Moran's I for
    population density. Statistics in Medicine 18, 2147-2162.

    Examples
    --------
    >>> assuncao_rate([30, 25, 25, 15], [100, 100, 110, 90]).round(4).tolist()
    [1.3407, 0.2681, -0.2312, -1.4348]
    """
    e, b = _counts(events, base)
    batch = make_batch(groups, e.shape[0])
    n = np.bincount(batch.codes, minlength=batch.n_groups).astype(np.float64)
    b_sum = batch.sum(b)
    beta = (batch.sum(e) / b_sum)[batch.codes]
    rate = e / b
    with quiet():
        s2 = batch.sum(b * (rate - beta) ** 2) / b_sum
        alpha = (s2 - batch.sum(e) / b_sum / (b_sum / n))[batch.codes]
        v = alpha + beta / b
        v = np.where(v < 0, beta / b, v)
        return (rate - beta) / np.sqrt(v)


@shared_parameters
def moran_rate(events: object, base: object, w: object, *, adjusted: bool = True,
               permutations: int = 999, seed: object = None, groups: object = None,
               transformation: str = "r", two_tailed: bool = True) -> MoranResult:
    r"""Global Moran's I of empirical-Bayes standardised rates (esda ``Moran_Rate``).

    Parameters
    ----------
    {EB_RATE_INPUT}
    adjusted : bool, default True
        True: Moran's I of :func:`assuncao_rate`; False: of the raw rates
        :math:`e_i / b_i`.
    {MORAN_PARAMETERS}

    Returns
    -------
    MoranResult
        Moran's I of the standardised rates, with its analytical and permutation
        inference (the rates, not the counts, are permuted, as in esda).

    Notes
    -----
    :math:`I = \frac{n}{S_0} \frac{\sum_{ij} w_{ij} z_i z_j}{\sum_i z_i^2}` with
    :math:`z` the EB-standardised rates, centred within the group.
    Assuncao, R. M., Reis, E. A. (1999). A new proposal to adjust Moran's I for
    population density. Statistics in Medicine 18, 2147-2162.
    """
    y = _rates(events, base, groups, adjusted)
    return moran(y, w, permutations=permutations, seed=seed, groups=groups,
                 transformation=transformation, two_tailed=two_tailed)


@shared_parameters
def local_moran_rate(events: object, base: object, w: object, *, adjusted: bool = True,
                     permutations: int = 999, seed: object = None, alpha: float = 0.05,
                     adjust: str | None = "fdr", groups: object = None,
                     transformation: str = "r", alternative: str = "two-sided"
                     ) -> LocalMoranResult:
    r"""Local Moran's I (LISA) of empirical-Bayes standardised rates (esda ``Moran_Local_Rate``).

    Parameters
    ----------
    {EB_RATE_INPUT}
    adjusted : bool, default True
        True: LISA of :func:`assuncao_rate`; False: of the raw rates :math:`e_i / b_i`.
    {LISA_PARAMETERS}

    Returns
    -------
    LocalMoranResult

    Notes
    -----
    :math:`I_i = (n - 1) z_i \sum_j w_{ij} z_j / \sum_k z_k^2` with :math:`z` the
    standardised :func:`assuncao_rate`; quadrants and conditional permutation as in
    :func:`mixing.kernels.autocorr.local_moran`. Anselin, L. (1995). Local indicators of
    spatial association - LISA. Geographical Analysis 27, 93-115; Assuncao, R. M.,
    Reis, E. A. (1999), Statistics in Medicine 18, 2147-2162.
    """
    y = _rates(events, base, groups, adjusted)
    return local_moran(y, w, permutations=permutations, seed=seed, alpha=alpha,
                       adjust=adjust, groups=groups, transformation=transformation,
                       alternative=alternative)


def _counts(events: object, base: object) -> tuple[np.ndarray, np.ndarray]:
    e = _values(events, "events")
    b = _values(base, "base", e.shape[0])
    if (e < 0).any():
        first = int(np.flatnonzero(e < 0)[0])
        raise InputError(f"argument `events` has a negative count {float(e[first])!r} at "
                         f"position {first}", fix="events are counts >= 0")
    if (b <= 0).any():
        first = int(np.flatnonzero(b <= 0)[0])
        raise InputError(f"argument `base` must be > 0, got {float(b[first])!r} at position "
                         f"{first}", fix="drop units without a population at risk first "
                         "(keep = base > 0; w = mixing.geometry.weights.subset(w, keep))")
    return e, b


def _rates(events: object, base: object, groups: object, adjusted: bool) -> np.ndarray:
    if not adjusted:
        e, b = _counts(events, base)
        return e / b
    z = assuncao_rate(events, base, groups=groups)
    undefined = ~np.isfinite(z)
    if undefined.any():
        # no events in a group (or a zero prior variance): its EB rates are undefined, so
        # its Moran's I is too; a constant makes the kernel report NaN with a warning
        batch = make_batch(groups, z.shape[0])
        z = np.where(batch.sum(undefined.astype(np.float64))[batch.codes] > 0, 0.0, z)
    return z
