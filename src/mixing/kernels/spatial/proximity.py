"""Distance-decay indices: proximity, isolation, exposure and clustering (Massey &
Denton 1988; White 1983)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from mixing.checks import quiet
from mixing.docstrings import shared_parameters
from mixing.errors import InputError
from mixing.kernels.grouping import Shares, make_batch, share_totals, two_group_counts
from mixing.kernels.spatial._common import _count, _links, _row_sum, _vector

__all__ = [
    "distance_decay_isolation",
    "distance_decay_exposure",
    "spatial_proximity",
    "proximity_matrix",
    "absolute_clustering",
    "relative_clustering",
]


# ---------------------------------------------------------------------------------------
# distance-decay indices (Massey & Denton 1988; White 1983)
# ---------------------------------------------------------------------------------------


def _check_decay(alpha, beta, distance_scale):
    for name, v in (("alpha", alpha), ("beta", beta)):
        if not np.isfinite(v) or v < 0:
            raise ValueError(f"argument `{name}` must be a number >= 0, got {v!r}")
    if not np.isfinite(distance_scale) or distance_scale <= 0:
        raise ValueError(
            f"argument `distance_scale` must be a positive distance in metres, got "
            f"{distance_scale!r}; 1000 expresses distances in km as Massey & Denton do"
        )


def _proximity(distances, areas, valid, batch, alpha, beta, match_segregation,
               distance_scale, n):
    """Row-major (rows, cols, c) of the proximity matrix between valid units, diagonal included."""
    _check_decay(alpha, beta, distance_scale)
    area = _vector(areas, n, "areas")
    if isinstance(distances, np.ndarray) and distances.ndim == 2 and not sparse.issparse(distances):
        d = np.asarray(distances, dtype=np.float64)
        if d.shape != (n, n):
            raise InputError(
                f"argument `distances` must have shape ({n}, {n}), got {d.shape}"
            )
        # a dense matrix: every pair counts, including zero distances
        rows, cols = np.nonzero(~np.eye(n, dtype=bool))
        dval = d[rows, cols]
        if not np.isfinite(dval).all() or (dval < 0).any():
            raise InputError("argument `distances` must be finite and >= 0")
        keep = valid[rows] & valid[cols] & (batch.codes[rows] == batch.codes[cols])
        rows, cols, dval = rows[keep], cols[keep], dval[keep]
    else:
        rows, cols, dval = _links(distances, n, "distances", valid, batch)
        off = rows != cols
        rows, cols, dval = rows[off], cols[off], dval[off]
    own = np.flatnonzero(valid)
    with quiet():
        d_own = (alpha * area[own]) ** beta
        if match_segregation:
            m = _count(valid, batch)[batch.codes]
            linked = _row_sum(rows, np.ones(rows.size), n)
            short = valid & (linked < m - 1)
            if short.any():
                first = int(np.flatnonzero(short)[0])
                raise InputError(
                    f"argument `distances` lacks pairs: unit {first} has "
                    f"{int(linked[first])} of its {int(m[first] - 1)} within-group "
                    "distances; segregation's proximity needs all of them",
                    fix="use spatial_inputs(...) without distance_band, a dense matrix, or "
                    "match_segregation=False",
                )
            col_sum = _row_sum(rows, dval, n)  # symmetric: row sum of j = column sum of j
            c_pair = 1.0 - np.exp(-(dval / col_sum[cols]))
            c_own = 1.0 - np.exp(-d_own)
        else:
            c_pair = np.exp(-dval / distance_scale)
            c_own = np.exp(-d_own / distance_scale)
    rows = np.concatenate([rows, own])
    cols = np.concatenate([cols, own])
    c = np.concatenate([c_pair, c_own])
    order = np.lexsort((cols, rows))
    return rows[order], cols[order], c[order]


@shared_parameters
def proximity_matrix(distances, areas, *, valid=None, groups=None, alpha=0.6, beta=0.5,
                     match_segregation=True, distance_scale=1000.0) -> sparse.csr_array:
    r"""The proximity matrix :math:`c_{ij}` the distance-decay indices use.

    Parameters
    ----------
    {PROXIMITY_PARAMETERS}
    valid : array_like of bool, optional
        Units to keep (default all); others get empty rows and columns.

    Returns
    -------
    scipy.sparse.csr_array
        :math:`c_{ij}` including the diagonal, block-diagonal by ``groups``.

    Notes
    -----
    Massey & Denton (1988) define :math:`c_{ij} = \exp(-d_{ij})` with :math:`d_{ij}`
    the centroid distance in km and :math:`d_{ii} = \sqrt{0.6 a_i}` (White 1983).
    ``segregation`` 2.5 (``util.generate_distance_matrix``) computes instead, in metres,

    .. math:: c_{ij} = 1 - \exp\left(-\frac{d_{ij}}{\sum_k d_{jk}}\right)
              \;(i \ne j), \qquad c_{ii} = 1 - \exp\left(-(\alpha a_i)^\beta\right)

    i.e. the *complement* of a proximity (it grows with distance), with distances divided
    by the distance sum of the column's unit (numpy broadcasting), and a self term that is
    1 for any area above a few m². The default reproduces it so that numbers agree with
    ``segregation``; ``match_segregation=False`` gives the published
    :math:`c_{ij} = \exp(-d_{ij}/s)`, :math:`c_{ii} = \exp(-(\alpha a_i)^\beta / s)`
    (with :math:`\beta = 0.5`, :math:`d_{ii}` scales like a distance). For that variant a
    sparse distance band is enough: pairs not stored have :math:`c_{ij} = 0`.

    References: Massey, D. S. & Denton, N. A. (1988), The dimensions of residential
    segregation, *Social Forces* 67(2), 281-315; White, M. J. (1983), The measurement of
    spatial segregation, *American Journal of Sociology* 88(5), 1008-1018.

    Examples
    --------
    >>> c = proximity_matrix([[0, 1000], [1000, 0]], [1e4, 1e4], match_segregation=False)
    >>> c.toarray().round(4)
    array([[0.9255, 0.3679],
           [0.3679, 0.9255]])
    """
    a = np.asarray(areas, dtype=np.float64)
    n = a.shape[0]
    keep = np.ones(n, dtype=bool) if valid is None else np.asarray(valid, dtype=bool)

    batch = make_batch(groups, n)
    rows, cols, c = _proximity(_as_distances(distances), a, keep, batch, alpha, beta,
                               match_segregation, distance_scale, n)
    return sparse.csr_array((c, (rows, cols)), shape=(n, n))



def _as_distances(distances):
    if sparse.issparse(distances):
        return distances
    return np.asarray(distances, dtype=np.float64)


@dataclass(frozen=True)
class _Decay(Shares):
    """Counts and totals (:class:`Shares`) with the proximity matrix, row-major."""

    rows: np.ndarray
    cols: np.ndarray
    c: np.ndarray

    def row_sum(self, weights: np.ndarray) -> np.ndarray:
        """Per unit sum over its stored pairs (row i: sum_j of ``weights`` of pair ij)."""
        return _row_sum(self.rows, weights, self.x.shape[0])

    def quad(self, u: np.ndarray, v: np.ndarray) -> np.ndarray:
        """Per group sum_ij u_i c_ij v_j."""
        return self.batch.sum(self.row_sum(u[self.rows] * self.c * v[self.cols]))


def _decay_setup(group, total, distances, areas, groups, alpha, beta, match_segregation,
                 distance_scale) -> _Decay:
    x, t, valid, batch = two_group_counts(group, total, groups)
    n = x.shape[0]
    rows, cols, c = _proximity(_as_distances(distances), areas, valid, batch, alpha, beta,
                               match_segregation, distance_scale, n)
    return _Decay(x, t, valid, batch, *share_totals(x, t, batch), rows, cols, c)


@shared_parameters
def spatial_proximity(group, total, distances, areas, *, groups=None, alpha=0.6, beta=0.5,
                      match_segregation=True, distance_scale=1000.0):
    r"""Spatial proximity index SP (White 1983; Massey & Denton 1988).

    Parameters
    ----------
    {DECAY_PARAMETERS}

    Returns
    -------
    SP : float or numpy.ndarray
        SP; 1 when the two groups are as close to each other as to themselves, above 1
        when each group lives closer to itself. NaN where the group or the rest is absent.

    Notes
    -----
    .. math:: P_{xx} = \sum_{ij} \frac{x_i x_j c_{ij}}{X^2}, \quad
              P_{yy} = \sum_{ij} \frac{y_i y_j c_{ij}}{Y^2}, \quad
              P_{tt} = \sum_{ij} \frac{t_i t_j c_{ij}}{T^2}, \qquad
              SP = \frac{X P_{xx} + Y P_{yy}}{T P_{tt}}

    with :math:`c_{ij}` from :func:`proximity_matrix`. Same definition as
    ``segregation.singlegroup.SpatialProximity`` (with its proximity matrix, whose flaw
    is explained in :func:`proximity_matrix`; with it SP is typically just above 1 for
    any city).

    References: White (1983), *American Journal of Sociology* 88(5); Massey & Denton
    (1988), *Social Forces* 67(2).

    Examples
    --------
    Two units 1 km apart, the group alone in one of them, then evenly spread (SP = 1):

    >>> d, areas = [[0, 1000], [1000, 0]], [1e4, 1e4]
    >>> [round(spatial_proximity(group, [10, 10], d, areas, match_segregation=False), 4)
    ...  for group in ([10, 0], [5, 5])]
    [1.4311, 1.0]
    """
    s = _decay_setup(group, total, distances, areas, groups, alpha, beta, match_segregation,
                     distance_scale)
    x, y, t = s.x, s.y, s.t
    X, Y, T = s.X, s.Y, s.T
    with quiet():
        pxx = s.quad(x, x) / X**2
        pyy = s.quad(y, y) / Y**2
        ptt = s.quad(t, t) / T**2
        return s.out((X * pxx + Y * pyy) / (T * ptt))



def _distance_decay(group, total, distances, areas, groups, alpha, beta, match_segregation,
                    distance_scale, *, rest: bool):
    """Per group sum_i x_i / X sum_j k_ij z_j / t_j, z the group (DPxx) or the rest (DPxy)."""
    s = _decay_setup(group, total, distances, areas, groups, alpha, beta, match_segregation,
                     distance_scale)
    inner = s.y if rest else s.x
    reach = s.row_sum(s.c * s.t[s.cols])  # sum_k c_ik t_k
    norm = reach[s.cols] if match_segregation else reach[s.rows]
    with quiet():
        local = s.row_sum(s.c * inner[s.cols] / norm)
        return s.out(s.sum(s.x * local) / s.X)


@shared_parameters
def distance_decay_isolation(group, total, distances, areas, *, groups=None, alpha=0.6,
                             beta=0.5, match_segregation=True, distance_scale=1000.0):
    r"""Distance-decay isolation DPxx (Morgan 1983; Massey & Denton 1988).

    Parameters
    ----------
    {DECAY_PARAMETERS}

    Returns
    -------
    DPxx : float or numpy.ndarray
        DPxx: the group share in the distance-weighted surroundings of the average group
        member. NaN where the group is absent.

    Notes
    -----
    .. math:: DP_{xx} = \sum_i \frac{x_i}{X} \sum_j k_{ij} \frac{x_j}{t_j}, \qquad
              k_{ij} = \frac{c_{ij} t_j}{\sum_k c_{ik} t_k}

    (Massey & Denton 1988, with ``match_segregation=False``).
    ``segregation.singlegroup.DistanceDecayIsolation`` normalises by the sum of the
    *other* unit (numpy broadcasting divides column :math:`j` by row :math:`j`'s sum),
    :math:`k_{ij} = c_{ij} t_j / \sum_k c_{jk} t_k`, and uses its own proximity matrix
    (:func:`proximity_matrix`); ``match_segregation=True`` (default) reproduces both.

    References: Morgan, B. S. (1983), A distance-decay based interaction index to measure
    residential segregation, *Area* 15(3), 211-217; Massey & Denton (1988).

    Examples
    --------
    >>> d = [[0, 1000], [1000, 0]]
    >>> round(distance_decay_isolation([10, 0], [10, 10], d, [1e4, 1e4],
    ...                                match_segregation=False), 4)
    0.7156
    """
    return _distance_decay(group, total, distances, areas, groups, alpha, beta,
                           match_segregation, distance_scale, rest=False)



@shared_parameters
def distance_decay_exposure(group, total, distances, areas, *, groups=None, alpha=0.6,
                            beta=0.5, match_segregation=True, distance_scale=1000.0):
    r"""Distance-decay exposure (interaction) DPxy (Morgan 1983; Massey & Denton 1988).

    Parameters
    ----------
    {DECAY_PARAMETERS}

    Returns
    -------
    DPxy : float or numpy.ndarray
        DPxy: the share of the rest in the distance-weighted surroundings of the average
        group member. With ``match_segregation=False``, DPxx + DPxy = 1. NaN where the
        group is absent.

    Notes
    -----
    .. math:: DP_{xy} = \sum_i \frac{x_i}{X} \sum_j k_{ij} \frac{y_j}{t_j}

    with :math:`k_{ij}` as in :func:`distance_decay_isolation` (same
    ``match_segregation`` caveat). Same definition as
    ``segregation.singlegroup.DistanceDecayInteraction``.

    References: Morgan (1983), *Area* 15(3); Massey & Denton (1988).

    Examples
    --------
    With Massey & Denton's normalisation, isolation and exposure add up to 1:

    >>> args = [10, 0], [10, 10], [[0, 1000], [1000, 0]], [1e4, 1e4]
    >>> dpxy = distance_decay_exposure(*args, match_segregation=False)
    >>> round(dpxy, 4), round(dpxy + distance_decay_isolation(*args, match_segregation=False), 4)
    (0.2844, 1.0)
    """
    return _distance_decay(group, total, distances, areas, groups, alpha, beta,
                           match_segregation, distance_scale, rest=True)



@shared_parameters
def absolute_clustering(group, total, distances, areas, *, groups=None, alpha=0.6,
                        beta=0.5, match_segregation=True, distance_scale=1000.0):
    r"""Absolute clustering index ACL (Massey & Denton 1988).

    Parameters
    ----------
    {DECAY_PARAMETERS}

    Returns
    -------
    ACL : float or numpy.ndarray
        ACL: the average proximity between group members relative to the proximity to
        everyone. NaN where the group is absent.

    Notes
    -----
    .. math:: ACL = \frac{\sum_i \frac{x_i}{X} \sum_j c_{ij} x_j
                         - \frac{X}{n^2} \sum_{ij} c_{ij}}
                        {\sum_i \frac{x_i}{X} \sum_j c_{ij} t_j
                         - \frac{X}{n^2} \sum_{ij} c_{ij}}

    Same formula as ``segregation.singlegroup.AbsoluteClustering``; :math:`c_{ij}` from
    :func:`proximity_matrix` (its ``match_segregation`` caveat applies).

    References: Massey & Denton (1988), *Social Forces* 67(2), 281-315.

    Examples
    --------
    0 for an even spread, positive when group members live near each other:

    >>> d, areas = [[0, 1000], [1000, 0]], [1e4, 1e4]
    >>> round(absolute_clustering([10, 0], [10, 10], d, areas, match_segregation=False), 4)
    0.4311
    >>> absolute_clustering([5, 5], [10, 10], d, areas, match_segregation=False)
    0.0
    """
    s = _decay_setup(group, total, distances, areas, groups, alpha, beta, match_segregation,
                     distance_scale)
    n_units = _count(s.valid, s.batch)
    X = s.X
    c_sum = s.sum(s.row_sum(s.c))
    with quiet():
        xx = s.quad(s.x, s.x) / X
        xt = s.quad(s.x, s.t) / X
        base = X / n_units**2 * c_sum
        return s.out((xx - base) / (xt - base))



@shared_parameters
def relative_clustering(group, total, distances, areas, *, groups=None, alpha=0.6,
                        beta=0.5, match_segregation=True, distance_scale=1000.0):
    r"""Relative clustering index RCL, of the group against the rest (Massey & Denton 1988).

    Parameters
    ----------
    {DECAY_PARAMETERS}

    Returns
    -------
    RCL : float or numpy.ndarray
        RCL: 0 when the group is as clustered as the rest, positive when more. NaN where
        the group or the rest is absent.

    Notes
    -----
    .. math:: RCL = \frac{P_{xx}}{P_{yy}} - 1, \qquad
              P_{xx} = \sum_{ij} \frac{x_i x_j c_{ij}}{X^2}

    (Massey & Denton 1988, with ``match_segregation=False``).
    ``segregation.singlegroup.RelativeClustering`` computes
    ``(x * x * c).sum() / X**2``, which numpy broadcasts to
    :math:`\sum_{ij} x_j^2 c_{ij} / X^2` (the square of the *column* unit, not
    :math:`x_i x_j`), with its own proximity matrix; ``match_segregation=True`` (default)
    reproduces both.

    References: Massey & Denton (1988), *Social Forces* 67(2), 281-315.

    Examples
    --------
    >>> d = [[0, 1000, 2000], [1000, 0, 1000], [2000, 1000, 0]]
    >>> round(relative_clustering([10, 5, 0], [10, 10, 10], d, [1e4] * 3,
    ...                           match_segregation=False), 4)
    0.0
    """
    s = _decay_setup(group, total, distances, areas, groups, alpha, beta, match_segregation,
                     distance_scale)
    x, y = s.x, s.y
    if match_segregation:
        sxx = s.sum(s.row_sum(x[s.cols] ** 2 * s.c))
        syy = s.sum(s.row_sum(y[s.cols] ** 2 * s.c))
    else:
        sxx = s.quad(x, x)
        syy = s.quad(y, y)
    with quiet():
        return s.out((sxx / s.X**2) / (syy / s.Y**2) - 1.0)

