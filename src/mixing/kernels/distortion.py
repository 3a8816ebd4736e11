r"""Distortion coefficients and the global distortion index (Olteanu et al. 2019).

A resident's *divergence profile* grows a neighbourhood around their unit, adding units
in order of distance, and records at every step how far the neighbourhood's population
mix is from the city's (Kullback-Leibler divergence). The sum over all steps is the
unit's *distortion coefficient*: large where one has to go far before the surroundings
look like the city. The population-weighted mean of the coefficients is the global
distortion index.

Kernels take (units, k) counts and either a distance matrix or coordinates (e.g. buurt
centroids in EPSG:28992); ``groups`` (e.g. municipality codes) computes every group from
its own units only.

References
----------
Olteanu, M., Randon-Furling, J. & Clark, W. A. V. (2019), Segregation through the
multiscalar lens, *PNAS* 116(25), 12250-12254.
de Bezenac, C., Clark, W. A. V., Olteanu, M. & Randon-Furling, J. (2022), Measuring and
visualizing patterns of ethnic concentration: the role of distortion coefficients,
*Geographical Analysis* 54(1), 173-196.
"""

from __future__ import annotations

import numpy as np
from scipy.spatial.distance import cdist

from mixing.checks import quiet
from mixing.errors import InputError
from mixing.kernels._grouping import multigroup_counts

__all__ = ["local_distortion", "global_distortion"]



def _distances(coords, distances, n):
    if (coords is None) == (distances is None):
        raise InputError("pass exactly one of `coords` (units, 2) and `distances` "
                         "(units, units)", fix="e.g. coords=units.geometry.centroid xy")
    if distances is not None:
        d = np.asarray(distances, dtype=np.float64)
        if d.shape != (n, n):
            raise InputError(f"argument `distances` must be ({n}, {n}), got {d.shape}")
        return d
    xy = np.asarray(coords, dtype=np.float64)
    if xy.ndim != 2 or xy.shape[0] != n:
        raise InputError(f"argument `coords` must be ({n}, d), got {xy.shape}")
    return None if n == 0 else xy


def _coefficients(c: np.ndarray, dist: np.ndarray) -> np.ndarray:
    """Distortion coefficient of every unit of one group (all units have residents)."""
    P = c.sum(axis=0) / c.sum()
    order = np.argsort(dist, axis=1, kind="stable")  # ties keep unit order
    cum = np.cumsum(c[order], axis=1)  # (focus, step, k)
    with quiet():
        q = cum / cum.sum(axis=2, keepdims=True)
        kl = np.where(q > 0, q * np.log(np.where(q > 0, q, 1.0) / P), 0.0)
    return kl.sum(axis=(1, 2))


def local_distortion(counts, *, coords=None, distances=None, groups=None):
    r"""Distortion coefficient of every unit (Olteanu et al. 2019).

    Parameters
    ----------
    counts : array_like
        (units, k) counts, one column per population group, k >= 2.
    coords : array_like, optional
        (units, 2) point per unit (e.g. centroid, EPSG:28992); Euclidean distances.
    distances : array_like, optional
        (units, units) distance matrix instead of ``coords``.
    groups : array_like, optional
        One id per unit; each group's units are ordered among themselves only.

    Returns
    -------
    numpy.ndarray
        (units,) coefficient :math:`\ge 0`; NaN for excluded units (NaN counts or total 0).

    Notes
    -----
    For unit i, order the n units of its group by distance from i (i itself first; ties in
    unit order) and let :math:`q^{(s)}` be the population mix of the first s units:

    .. math:: \delta_i = \sum_{s=1}^{n} \sum_k q^{(s)}_k \ln \frac{q^{(s)}_k}{P_k}

    The first term is the local M score of the unit
    (:func:`mixing.kernels.mutual.mutual_local`), the last is 0. Same as
    ``segregation.local.LocalDistortion`` on units that all have residents; that class
    keeps units without residents in the profile (repeating the previous step), we
    exclude them. Memory: :math:`n^2 k` floats per group.

    References: Olteanu, Randon-Furling & Clark (2019), *PNAS* 116(25), 12250-12254.

    Examples
    --------
    >>> local_distortion([[10, 0], [0, 10]], coords=[[0, 0], [1, 0]]).round(6).tolist()
    [0.693147, 0.693147]
    """
    c, valid, batch = multigroup_counts(counts, groups)
    n = c.shape[0]
    d = _distances(coords, distances, n)
    out = np.full(n, np.nan)
    for g in range(batch.n_groups):  # one n_g x n_g problem per municipality
        idx = np.flatnonzero((batch.codes == g) & valid)
        if idx.size == 0:
            continue
        sub = d[np.ix_(idx, idx)] if distances is not None else cdist(d[idx], d[idx])
        out[idx] = _coefficients(c[idx], sub)
    return out


def global_distortion(counts, *, coords=None, distances=None, groups=None):
    r"""Global distortion index: residents' mean distortion coefficient (Olteanu et al. 2019).

    Parameters
    ----------
    counts : array_like
        (units, k) counts, one column per population group, k >= 2.
    coords, distances : array_like
        As :func:`local_distortion` (exactly one of them).
    groups : array_like, optional
        One id per unit; if given, one value per group in ``np.unique(groups)`` order.

    Returns
    -------
    float or numpy.ndarray
        :math:`\ge 0`, 0 when every unit has the city's mix; not bounded above (it grows
        with the number of units). Not normalised (``segregation`` has no normalisation).

    Notes
    -----
    .. math:: \mathrm{GD} = \frac{1}{T} \sum_i t_i \, \delta_i

    with :math:`\delta_i` from :func:`local_distortion`. Same as
    ``segregation.multigroup.GlobalDistortion`` on units that all have residents.

    References: Olteanu et al. (2019); de Bezenac, Clark, Olteanu & Randon-Furling (2022),
    *Geographical Analysis* 54(1), 173-196.

    Examples
    --------
    >>> round(global_distortion([[10, 0], [0, 10]], coords=[[0, 0], [1, 0]]), 6)
    0.693147
    """
    c, valid, batch = multigroup_counts(counts, groups)
    delta = local_distortion(c, coords=coords, distances=distances, groups=batch.codes)
    t = c.sum(axis=1)
    with quiet():
        return batch.out(batch.sum(np.where(valid, t * delta, 0.0)) / batch.sum(t))
