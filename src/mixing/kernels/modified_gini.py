r"""Modified Gini index G* of Carrington & Troske (1997): the Gini corrected for chance.

Kept apart from :mod:`mixing.kernels.aspatial` (which holds the plain Gini and the modified
dissimilarity it mirrors) because it needs the per-draw Gini of many simulated
allocations, computed here for (draws x units) at once.
"""

from __future__ import annotations

import numpy as np

from mixing.checks import integer, quiet
from mixing.docstrings import shared_parameters
from mixing.kernels.aspatial import (
    _correct_towards_null,
    _mean_of_draws,
    _random_allocations,
    gini,
)
from mixing.kernels.grouping import Batch, exclusive_cumsum, two_group_counts

__all__ = ["modified_gini", "gini_of_draws"]



def gini_of_draws(sim: np.ndarray, total: np.ndarray, batch: Batch | None = None) -> np.ndarray:
    r"""Gini index of every row of simulated group counts, per group of units.

    Parameters
    ----------
    sim : numpy.ndarray
        (draws, units) simulated counts of the group of interest.
    total : numpy.ndarray
        (units,) totals (the observed ones); units with total 0 weigh nothing.
    batch : Batch, optional
        Group codes of the units; default one group.

    Returns
    -------
    numpy.ndarray
        (draws, n_groups) Gini of each draw and group; NaN where the draw's group share is
        0 or 1.

    Notes
    -----
    The sort-based formula of :func:`mixing.kernels.aspatial.gini`, on one segment per
    (draw, group): :math:`\sum_{i<j} t_i t_j (p_j - p_i)` with units sorted by share.
    """
    sim = np.atleast_2d(np.asarray(sim, dtype=np.float64))
    t = np.asarray(total, dtype=np.float64)
    b, n = sim.shape
    codes = np.zeros(n, dtype=np.int64) if batch is None else batch.codes
    G = 1 if batch is None else batch.n_groups
    seg = (np.arange(b)[:, None] * G + codes[None, :]).ravel()
    with quiet():
        p = np.where(t > 0, sim / np.where(t > 0, t, 1.0), 0.0).ravel()
    w = np.broadcast_to(t, (b, n)).ravel()
    order = np.lexsort((p, seg))
    seg, p, w = seg[order], p[order], w[order]
    nseg = b * G
    cum_t = exclusive_cumsum(w, seg, nseg)
    cum_tp = exclusive_cumsum(w * p, seg, nseg)
    num = np.bincount(seg, weights=w * (p * cum_t - cum_tp), minlength=nseg)
    T = np.bincount(seg, weights=w, minlength=nseg)
    X = np.bincount(seg, weights=w * p, minlength=nseg)
    with quiet():
        P = X / T
        return (num / (T * T * P * (1.0 - P))).reshape(b, G)


@shared_parameters
def modified_gini(group, total, *, groups=None, iterations=500, seed=None, draws=None):
    r"""Modified Gini index G* of Carrington & Troske (1997), as in ``segregation``.

    Parameters
    ----------
    {TWO_GROUP_PARAMETERS}
    {ITERATIONS}
    {SEED}
    draws : array_like, optional
        (iterations, units) simulated group counts to use instead of drawing (for tests
        against another implementation's draws); ``iterations`` and ``seed`` are then
        ignored.

    Returns
    -------
    G_star : float or numpy.ndarray
        G corrected for the Gini expected by chance, in [-1, 1]; 0 when G equals its
        expectation under random allocation. NaN where G is undefined.

    Notes
    -----
    Under random allocation each unit draws
    :math:`\tilde x_i \sim \mathrm{Binomial}(\lfloor t_i \rfloor, P_0)`,
    :math:`P_0 = \sum x_i / \sum \lfloor t_i \rfloor` (``segregation`` truncates the
    totals but not the group counts here, unlike its modified dissimilarity); :math:`\bar G` is
    the mean Gini (:func:`mixing.kernels.aspatial.gini`, original totals) of the draws, and

    .. math:: G^* = \frac{G - \bar G}{1 - \bar G} \text{ if } G \ge \bar G, \qquad
              G^* = \frac{G - \bar G}{\bar G} \text{ otherwise.}

    Same definition as ``segregation.singlegroup.ModifiedGini``, without its flaw (it
    reseeds numpy with one seed in every iteration, so all its iterations are the same
    draw; see :func:`mixing.kernels.aspatial.modified_dissimilarity`). Draws without a
    defined Gini are left out of the mean. Units with NaN or ``total == 0`` are excluded.

    References: Carrington, W. J. & Troske, K. R. (1997), On measuring segregation in
    samples with small units, *Journal of Business & Economic Statistics* 15(4), 402-409.

    Examples
    --------
    >>> round(modified_gini([100, 0], [100, 100], seed=1), 3)
    1.0
    """
    x, t, _, batch = two_group_counts(group, total, groups)
    G_obs = np.atleast_1d(gini(x, t, groups=batch.codes))
    if draws is not None:
        sim = np.asarray(draws, dtype=np.float64)
        g = gini_of_draws(np.where(t > 0, sim, 0.0), t, batch)
        with quiet():
            G_bar = np.nanmean(g, axis=0)
    else:
        iterations = integer(iterations, "iterations", 2, example=500)
        draw = _random_allocations(x, t, batch, seed)  # segregation truncates t only, not x
        G_bar = _mean_of_draws(iterations, x.shape[0],
                               lambda b: gini_of_draws(draw(b), t, batch), batch.n_groups)
    with quiet():
        return batch.out(_correct_towards_null(G_obs, G_bar))
