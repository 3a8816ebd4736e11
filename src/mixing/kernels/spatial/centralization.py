"""Centralization: how close a group lives to the centre (Massey & Denton 1988)."""

from __future__ import annotations

import numpy as np

from mixing.checks import quiet
from mixing.docstrings import shared_parameters
from mixing.errors import InputError
from mixing.kernels.grouping import Batch, exclusive_cumsum, two_group_counts
from mixing.kernels.spatial._common import _count, _vector

__all__ = ["absolute_centralization", "relative_centralization"]


# ---------------------------------------------------------------------------------------
# centralization: closeness to the centre
# ---------------------------------------------------------------------------------------


def _center_distance(centroids, valid, batch, center):
    xy = np.asarray(centroids, dtype=np.float64)
    n = valid.shape[0]
    if xy.shape != (n, 2) or not np.isfinite(xy).all():
        raise InputError(
            f"argument `centroids` must be finite with shape ({n}, 2), got {xy.shape}",
            fix="pass spatial_inputs(units).centroids",
        )
    if center is None or (isinstance(center, str) and center == "mean"):
        count = _count(valid, batch)
        with quiet():
            cx = batch.sum(np.where(valid, xy[:, 0], 0.0)) / count
            cy = batch.sum(np.where(valid, xy[:, 1], 0.0)) / count
        point = np.column_stack([cx, cy])
    elif isinstance(center, str):
        raise ValueError(f"argument `center` must be 'mean', a point or one point per group, "
                         f"got {center!r}")
    else:
        point = np.asarray(center, dtype=np.float64)
        if point.shape == (2,):
            point = np.broadcast_to(point, (batch.n_groups, 2))
        if point.shape != (batch.n_groups, 2) or not np.isfinite(point).all():
            raise InputError(
                f"argument `center` must be one (x, y) point in EPSG:28992 or one per group "
                f"({batch.n_groups}, 2), got shape {point.shape}",
                fix="pass e.g. the city hall's RD coordinates (81250, 455050)",
            )
    here = point[batch.codes]
    return np.hypot(xy[:, 0] - here[:, 0], xy[:, 1] - here[:, 1])


def _lorenz_area(first, second, dist, batch):
    """sum_i F_{i-1} S_i - F_i S_{i-1} of the normalised cumulative sums by distance."""
    order = np.lexsort((dist, batch.codes))
    codes = batch.codes[order]
    out = []
    for v in (first, second):
        total = batch.sum(v)
        before = exclusive_cumsum(v[order], codes, batch.n_groups)
        with quiet():
            out.append((before / total[codes], (before + v[order]) / total[codes]))
    (f_prev, f_cur), (s_prev, s_cur) = out
    ordered = Batch(codes, batch.n_groups, batch.labels)
    return ordered.sum(f_prev * s_cur) - ordered.sum(f_cur * s_prev)


@shared_parameters
def absolute_centralization(group, total, centroids, areas, *, groups=None, center=None):
    r"""Absolute centralization index ACE (Massey & Denton 1988).

    Parameters
    ----------
    {COUNTS}
    centroids : array_like
        ``(n, 2)`` unit centroids, EPSG:28992 (:attr:`SpatialInputs.centroids`).
    areas : array_like
        Area per unit, m².
    {GROUPS}
    center : None, "mean", (x, y) or array of shape (n_groups, 2)
        The centre (central business district). None / ``"mean"``: the unweighted mean
        of the valid units' centroids, ``segregation``'s default; or a given point, e.g.
        the city hall, or one point per group.

    Returns
    -------
    float or numpy.ndarray
        ACE in [-1, 1]: positive when the group lives closer to the centre than the land
        is spread. NaN where the group is absent.

    Notes
    -----
    Units sorted by the distance of their centroid to the centre, with cumulative shares
    :math:`X_i` of the group and :math:`A_i` of the area,

    .. math:: ACE = \sum_{i=2}^{n} X_{i-1} A_i - \sum_{i=2}^{n} X_i A_{i-1}

    Same definition as ``segregation.singlegroup.AbsoluteCentralization`` (euclidean
    metric; ``segregation``'s ``center="mean"``). Only valid units count, also in the
    area and the mean centre.

    References: Duncan, O. D., Cuzzort, R. P. & Duncan, B. (1961), *Statistical
    Geography*; Massey & Denton (1988), *Social Forces* 67(2), 281-315.

    Examples
    --------
    >>> absolute_centralization([10, 0], [10, 10], [[0, 0], [10, 0]], [1, 1], center=(0, 0))
    0.5
    """
    x, t, valid, batch = two_group_counts(group, total, groups)
    a = np.where(valid, _vector(areas, x.shape[0], "areas"), 0.0)
    dist = _center_distance(centroids, valid, batch, center)
    return batch.out(_lorenz_area(x, a, dist, batch))


@shared_parameters
def relative_centralization(group, total, centroids, *, groups=None, center=None):
    r"""Relative centralization index RCE (Duncan & Duncan 1955; Massey & Denton 1988).

    Parameters
    ----------
    {COUNTS}
    centroids : array_like
        ``(n, 2)`` unit centroids, EPSG:28992.
    {GROUPS}
    center : None, "mean", (x, y) or array of shape (n_groups, 2)
        As in :func:`absolute_centralization`.

    Returns
    -------
    float or numpy.ndarray
        RCE in [-1, 1]: positive when the group lives closer to the centre than the rest.
        NaN where the group or the rest is absent.

    Notes
    -----
    With cumulative shares :math:`X_i` of the group and :math:`Y_i` of the rest, units
    sorted by distance to the centre,

    .. math:: RCE = \sum_{i=2}^{n} X_{i-1} Y_i - \sum_{i=2}^{n} X_i Y_{i-1}

    Same definition as ``segregation.singlegroup.RelativeCentralization``.

    References: Duncan, O. D. & Duncan, B. (1955), *American Sociological Review* 20(2);
    Massey & Denton (1988), *Social Forces* 67(2), 281-315.

    Examples
    --------
    >>> relative_centralization([10, 0], [10, 10], [[0, 0], [10, 0]], center=(0, 0))
    1.0
    """
    x, t, valid, batch = two_group_counts(group, total, groups)
    dist = _center_distance(centroids, valid, batch, center)
    return batch.out(_lorenz_area(x, t - x, dist, batch))
