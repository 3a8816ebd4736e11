r"""Two-group aspatial segregation indices: pure numpy kernels, batched by group id.

Every kernel takes two 1-D arrays of counts per unit -- ``group`` (e.g. social dwellings)
and ``total`` (all dwellings, ``group`` a subset of it) -- and returns

* a ``float`` when ``groups`` is None, or
* with ``groups`` (one id per unit, e.g. the municipality code; any sortable dtype) a float
  array with one value per group, in sorted unique-id order (``np.unique(groups)``),
  computed in one vectorised pass (no Python loop over groups).

Definitions follow PySAL ``segregation`` 2.5 (Cortes et al. 2020) exactly, including its
conventions, so that numbers agree with it; where ``segregation`` has a known flaw the
kernel matches it and says so in its Notes.

Conventions (the project's one rule for empty and unknown units)
----------------------------------------------------------------
* A unit with NaN in ``group`` or ``total``, or with ``total == 0``, is **excluded**: it adds
  nothing to any numerator or denominator. For units with ``total == 0`` this is exactly
  what ``segregation`` computes (their weight is 0); ``segregation`` has no NaN rule (it
  warns and propagates NaN), so ours is the project's choice.
* Where an index is undefined for a municipality -- the group is absent (``P = 0``), the
  group is everyone (``P = 1``) for indices that divide by ``P (1 - P)``, or no unit is
  left -- the result is NaN for that municipality. No warning is emitted: floating-point
  warnings are silenced locally (``np.errstate``), never globally.
* Bad input raises :class:`mixing.errors.InputError` (a ``ValueError``) naming the
  argument, the first bad position and the fix: arrays of different length, negative or
  infinite counts, ``group > total``.

Notation used in the Notes: unit :math:`i`, group count :math:`x_i`, total :math:`t_i`,
rest :math:`y_i = t_i - x_i`, share :math:`p_i = x_i / t_i`, and per municipality
:math:`X = \sum x_i`, :math:`Y = \sum y_i`, :math:`T = \sum t_i`, :math:`P = X / T`.
"""

from __future__ import annotations

import numpy as np

from mixing.checks import integer, quiet
from mixing.docstrings import shared_parameters
from mixing.kernels.grouping import (
    Batch,
    Shares,
    exclusive_cumsum,
    group_generators,
    segment_layout,
    share_totals,
    two_group_counts,
    two_group_shares,
)

__all__ = [
    "dissimilarity",
    "isolation",
    "exposure",
    "gini",
    "entropy",
    "correlation_ratio",
    "atkinson",
    "modified_dissimilarity",
    "bias_corrected_dissimilarity",
    "density_corrected_dissimilarity",
    "con_prof",
    "min_max",
]


def _isolation(s: Shares) -> np.ndarray:
    """The isolation index xPx per municipality."""
    with quiet():
        return s.sum(s.x * s.p) / s.X


# ---------------------------------------------------------------------------------------
# evenness and exposure: the priority kernels
# ---------------------------------------------------------------------------------------


def dissimilarity(group, total, *, groups=None):
    r"""Index of dissimilarity D (Duncan & Duncan 1955).

    Parameters
    ----------
    group : array_like
        Count of the group of interest per unit (e.g. social dwellings), 1-D.
    total : array_like
        Total count per unit (e.g. all dwellings), same length, ``group <= total``.
    groups : array_like, optional
        One id per unit (e.g. municipality code). If given, D is computed for every group.

    Returns
    -------
    D : float or numpy.ndarray
        D in [0, 1]; an array in ``np.unique(groups)`` order when ``groups`` is given.
        NaN where ``P`` is 0 or 1 (the group is absent or is everyone) or no unit is left.

    Notes
    -----
    .. math:: D = \frac{\sum_i t_i \lvert p_i - P \rvert}{2 T P (1 - P)}

    the share of the group that would have to move to reach an even distribution, which
    equals :math:`\tfrac12 \sum_i \lvert x_i / X - y_i / Y \rvert`. Units with NaN or
    ``total == 0`` are excluded (module docstring). Same definition as
    ``segregation.singlegroup.Dissim``.

    References: Duncan, O. D. & Duncan, B. (1955), A methodological analysis of
    segregation indexes, *American Sociological Review* 20(2), 210-217; Massey, D. S. &
    Denton, N. A. (1988), The dimensions of residential segregation, *Social Forces*
    67(2), 281-315.

    Examples
    --------
    >>> dissimilarity([10, 0], [10, 10])
    1.0
    >>> dissimilarity([5, 5], [10, 10])
    0.0
    >>> dissimilarity([10, 0, 5, 5], [10, 10, 10, 10], groups=["b", "b", "a", "a"])
    array([0., 1.])
    """
    x, t, _, batch = two_group_counts(group, total, groups)
    return batch.out(_dissim(x, t, batch))


def _dissim(x: np.ndarray, t: np.ndarray, batch: Batch) -> np.ndarray:
    _, T, P, p = share_totals(x, t, batch)
    num = batch.sum(t * np.abs(p - P[batch.codes]))
    with quiet():
        return num / (2.0 * T * P * (1.0 - P))


@shared_parameters
def isolation(group, total, *, groups=None):
    r"""Isolation index xPx (Lieberson 1981; Bell 1954).

    Parameters
    ----------
    {TWO_GROUP_PARAMETERS}

    Returns
    -------
    xPx : float or numpy.ndarray
        xPx in [P, 1]: the group share in the unit of the average group member.
        NaN where the group is absent (``X = 0``) or no unit is left.

    Notes
    -----
    .. math:: {}_xP_x = \sum_i \frac{x_i}{X} \frac{x_i}{t_i}

    Units with NaN or ``total == 0`` are excluded. Same definition as
    ``segregation.singlegroup.Isolation``.

    References: Lieberson, S. (1981), An asymmetrical approach to segregation, in Peach,
    Robinson & Smith (eds.), *Ethnic Segregation in Cities*, 61-82; Massey & Denton (1988).

    Examples
    --------
    >>> isolation([8, 2], [10, 10])  # P = 0.5, but the average member lives at 0.68
    0.68
    """
    s = two_group_shares(group, total, groups)
    return s.out(_isolation(s))


@shared_parameters
def exposure(group, total, *, groups=None):
    r"""Exposure (interaction) index xPy of the group to the rest (Bell 1954).

    Parameters
    ----------
    {TWO_GROUP_PARAMETERS}

    Returns
    -------
    xPy : float or numpy.ndarray
        xPy in [0, 1 - P]: the share of the rest in the unit of the average group member.
        NaN where the group is absent (``X = 0``) or no unit is left.

    Notes
    -----
    .. math:: {}_xP_y = \sum_i \frac{x_i}{X} \frac{y_i}{t_i}, \qquad
              {}_xP_y = 1 - {}_xP_x

    Units with NaN or ``total == 0`` are excluded. Same definition as
    ``segregation.singlegroup.Interaction``.

    References: Bell, W. (1954), A probability model for the measurement of ecological
    segregation, *Social Forces* 32(4), 357-364; Massey & Denton (1988).

    Examples
    --------
    >>> group, total = [8, 2], [10, 10]
    >>> round(exposure(group, total), 6), round(1 - isolation(group, total), 6)
    (0.32, 0.32)
    """
    s = two_group_shares(group, total, groups)
    with quiet():
        return s.out(s.sum(s.x * (1.0 - s.p)) / s.X)


# ---------------------------------------------------------------------------------------
# the rest of the deterministic evenness set
# ---------------------------------------------------------------------------------------


@shared_parameters
def gini(group, total, *, groups=None):
    r"""Gini segregation index G (Duncan & Duncan 1955; Massey & Denton 1988).

    Parameters
    ----------
    {TWO_GROUP_PARAMETERS}

    Returns
    -------
    G : float or numpy.ndarray
        G in [0, 1]. NaN where ``P`` is 0 or 1 or no unit is left.

    Notes
    -----
    .. math:: G = \frac{\sum_i \sum_j t_i t_j \lvert p_i - p_j \rvert}
                       {2 T^2 P (1 - P)}

    the mean absolute difference of unit shares over all pairs of residents. Computed in
    :math:`O(n \log n)` per group: with units sorted by :math:`p`,
    :math:`\sum_{i<j} t_i t_j (p_j - p_i) = \sum_j t_j (p_j C_j - S_j)` where
    :math:`C_j, S_j` are the running sums of :math:`t_i` and :math:`t_i p_i` before
    :math:`j`. Same definition as ``segregation.singlegroup.Gini`` (which loops over
    pairs). Units with NaN or ``total == 0`` are excluded.

    References: Duncan & Duncan (1955); Massey & Denton (1988), *Social Forces* 67(2).

    Examples
    --------
    >>> gini([10, 0], [10, 10])
    1.0
    >>> round(gini([1, 2, 3], [4, 4, 4]), 6)
    0.444444
    """
    s = two_group_shares(group, total, groups)
    n_groups = s.batch.n_groups
    order = np.lexsort((s.p, s.batch.codes))  # by group, then share; stable for ties
    codes, ts, ps = s.batch.codes[order], s.t[order], s.p[order]
    cum_t = exclusive_cumsum(ts, codes, n_groups)
    cum_tp = exclusive_cumsum(ts * ps, codes, n_groups)
    num = np.bincount(codes, weights=ts * (ps * cum_t - cum_tp), minlength=n_groups)
    with quiet():
        return s.out(num / (s.T * s.T * s.P * (1.0 - s.P)))


def _binary_entropy(p: np.ndarray) -> np.ndarray:
    """-p ln p - (1-p) ln(1-p), with 0 ln 0 = 0."""
    with quiet():
        q = 1.0 - p
        e = np.where(p > 0, p * np.log(1.0 / p), 0.0) + np.where(q > 0, q * np.log(1.0 / q), 0.0)
    return np.where(np.isnan(p), np.nan, e)


@shared_parameters
def entropy(group, total, *, groups=None):
    r"""Entropy (information theory) index H, Theil's H (Theil & Finizza 1971).

    Parameters
    ----------
    {TWO_GROUP_PARAMETERS}

    Returns
    -------
    H : float or numpy.ndarray
        H in [0, 1]. NaN where ``P`` is 0 or 1 (``E = 0``) or no unit is left.

    Notes
    -----
    .. math:: E_i = p_i \ln\frac{1}{p_i} + (1 - p_i) \ln\frac{1}{1 - p_i}, \qquad
              H = \sum_i \frac{t_i (E - E_i)}{E\,T}

    with :math:`E` the same entropy of the municipality share :math:`P` and
    :math:`0 \ln 0 = 0`. Natural logarithm (H does not depend on the base). Same
    definition as ``segregation.singlegroup.Entropy``. Units with NaN or ``total == 0``
    are excluded.

    References: Theil, H. & Finizza, A. J. (1971), A note on the measurement of racial
    integration of schools by means of informational concepts, *Journal of Mathematical
    Sociology* 1(2), 187-193; Massey & Denton (1988).

    Examples
    --------
    From full segregation to even shares, through a mixed case:

    >>> [round(entropy(group, [10, 10]), 4) for group in ([10, 0], [5, 5], [8, 2])]
    [1.0, 0.0, 0.2781]
    """
    s = two_group_shares(group, total, groups)
    E = _binary_entropy(s.P)
    num = s.sum(s.t * (E[s.batch.codes] - _binary_entropy(s.p)))
    with quiet():
        return s.out(num / (E * s.T))


@shared_parameters
def correlation_ratio(group, total, *, groups=None):
    r"""Correlation ratio V, also eta squared (Bell 1954; White 1986).

    Parameters
    ----------
    {TWO_GROUP_PARAMETERS}

    Returns
    -------
    V : float or numpy.ndarray
        V in [0, 1]: isolation adjusted for the group's overall share. NaN where ``P`` is
        0 or 1 or no unit is left.

    Notes
    -----
    .. math:: V = \frac{{}_xP_x - P}{1 - P}

    Same definition as ``segregation.singlegroup.CorrelationR``. Units with NaN or
    ``total == 0`` are excluded.

    References: Bell (1954); White, M. J. (1986), Segregation and diversity measures in
    population distribution, *Population Index* 52(2), 198-221; Massey & Denton (1988).

    Examples
    --------
    With xPx = 0.68 and P = 0.5 (see :func:`isolation`), V = 0.18 / 0.5:

    >>> round(correlation_ratio([8, 2], [10, 10]), 6)
    0.36
    """
    s = two_group_shares(group, total, groups)
    with quiet():
        return s.out((_isolation(s) - s.P) / (1.0 - s.P))


@shared_parameters
def atkinson(group, total, *, groups=None, b=0.5):
    r"""Atkinson index A(b) (Atkinson 1970; James & Taeuber 1985).

    Parameters
    ----------
    {TWO_GROUP_PARAMETERS}
    b : float, default 0.5
        Shape parameter in [0, 1): how units under- (b < 0.5) or over-represented
        (b > 0.5) in the group weigh. ``segregation`` fixes b = 0.5.

    Returns
    -------
    A : float or numpy.ndarray
        A in [0, 1]. NaN where ``P`` is 0 or 1 or no unit is left.

    Notes
    -----
    .. math:: A = 1 - \frac{P}{1 - P}
              \left\lvert \sum_i \frac{(1 - p_i)^{1 - b} p_i^{b} t_i}{P T}
              \right\rvert^{1 / (1 - b)}

    Same definition as ``segregation.singlegroup.Atkinson``. Units with NaN or
    ``total == 0`` are excluded.

    References: Atkinson, A. B. (1970), On the measurement of inequality, *Journal of
    Economic Theory* 2(3), 244-263; James, D. R. & Taeuber, K. E. (1985), Measures of
    segregation, *Sociological Methodology* 15, 1-32; Massey & Denton (1988).

    Examples
    --------
    >>> atkinson([10, 0], [10, 10])
    1.0
    >>> abs(atkinson([5, 5], [10, 10])) < 1e-12
    True
    """
    try:
        b = float(b)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"argument `b` must be a number in [0, 1), got {b!r}") from exc
    if not 0.0 <= b < 1.0:
        raise ValueError(f"argument `b` must be in [0, 1), got {b!r}; segregation uses 0.5")
    s = two_group_shares(group, total, groups)
    P = s.P
    inner = s.sum((1.0 - s.p) ** (1.0 - b) * s.p**b * s.t)
    with quiet():
        return s.out(1.0 - P / (1.0 - P) * np.abs(inner / (P * s.T)) ** (1.0 / (1.0 - b)))


@shared_parameters
def min_max(group, total, *, groups=None):
    r"""MinMax index (O'Sullivan & Wong 2007), aspatial form.

    Parameters
    ----------
    {TWO_GROUP_PARAMETERS}

    Returns
    -------
    MM : float or numpy.ndarray
        MM in [0, 1]. NaN where the group or the rest is absent or no unit is left.

    Notes
    -----
    With the densities :math:`a_i = x_i / X` and :math:`c_i = y_i / Y`,

    .. math:: MM = 1 - \frac{\sum_i \min(a_i, c_i)}{\sum_i \max(a_i, c_i)}

    one minus the overlap (intersection over union) of the two distributions; equal to
    :math:`2D / (1 + D)`. Same definition as ``segregation.singlegroup.MinMax``
    (aspatial: no kernel smoothing). Units with NaN or ``total == 0`` are excluded.

    References: O'Sullivan, D. & Wong, D. W. S. (2007), A surface-based approach to
    measuring spatial segregation, *Geographical Analysis* 39(2), 147-168.

    Examples
    --------
    MM is a monotone function of D:

    >>> group, total = [8, 2], [10, 10]
    >>> D = dissimilarity(group, total)
    >>> round(min_max(group, total), 6), round(2 * D / (1 + D), 6)
    (0.75, 0.75)
    """
    s = two_group_shares(group, total, groups)
    with quiet():
        a, c = s.x / s.X[s.batch.codes], s.y / s.Y[s.batch.codes]
        return s.out(1.0 - s.sum(np.minimum(a, c)) / s.sum(np.maximum(a, c)))


@shared_parameters
def con_prof(group, total, *, groups=None, m=1000):
    r"""Concentration-profile index R (Hong & Sadahiro 2014), as in ``segregation``.

    Parameters
    ----------
    {TWO_GROUP_PARAMETERS}
    {THRESHOLDS}

    Returns
    -------
    R : float or numpy.ndarray
        R; 0 for an even distribution and close to 1 for a fully segregated one. NaN where
        ``P`` is 0 or 1 or no unit is left.

    Notes
    -----
    The profile :math:`v(\tau) = \sum_i x_i [p_i \ge \tau] / X` (the share of the group
    living in units where its share is at least :math:`\tau`) is evaluated on the grid
    :math:`\tau_k = k / (m - 1)`, :math:`k = 0 .. m-1`, and

    .. math:: R = \frac{P - \left(\frac1m \sum_{\tau_k < P} v(\tau_k)
              - \frac1m \sum_{\tau_k \ge P} v(\tau_k)\right)}{1 - P}

    Matches ``segregation.singlegroup.ConProf`` exactly, including its quadrature flaw:
    the Riemann sums weigh each of the ``m`` grid points by ``1/m`` although they are
    ``1/(m-1)`` apart, so the areas are off by a factor ``(m-1)/m`` (0.1 % for the default
    m = 1000) and R of an even distribution is close to, not exactly, 0. Computed without a
    grid loop: each unit counts how many thresholds lie below its share. Units with NaN or
    ``total == 0`` are excluded.

    References: Hong, S.-Y. & Sadahiro, Y. (2014), Measuring geographic segregation: a
    graph-based approach, *Journal of Geographical Systems* 16(2), 211-231.

    Examples
    --------
    >>> con_prof([10, 0], [10, 10])
    1.0
    """
    m = integer(m, "m", 2, example=1000)
    s = two_group_shares(group, total, groups)
    P = s.P
    grid = np.linspace(0.0, 1.0, int(m))
    n_le = np.searchsorted(grid, s.p, side="right")  # thresholds tau <= p_i: unit counts there
    with quiet():
        n_below_P = np.searchsorted(grid, np.where(np.isnan(P), 2.0, P), side="left")
    below = np.minimum(n_le, n_below_P[s.batch.codes])  # thresholds tau < P with tau <= p_i
    above = n_le - below  # thresholds P <= tau <= p_i
    w = np.where(s.valid, s.x, 0.0)
    with quiet():
        area_below = s.sum(w * below) / s.X / m
        area_above = s.sum(w * above) / s.X / m
        return s.out((P - (area_below - area_above)) / (1.0 - P))


# ---------------------------------------------------------------------------------------
# small-unit corrections of D: simulation and optimisation
# ---------------------------------------------------------------------------------------

#: upper bound on the floats held by one chunk of simulated draws
_CHUNK_FLOATS = 4_000_000


def _correct_towards_null(D: np.ndarray, D_star: np.ndarray) -> np.ndarray:
    """Carrington & Troske's rescaling of D against its expectation under randomness."""
    with quiet():
        return np.where(D >= D_star, (D - D_star) / (1.0 - D_star), (D - D_star) / D_star)


def _mean_of_draws(n_draws: int, floats_per_draw: int, index_of_draws, n_groups: int
                   ) -> np.ndarray:
    """Mean per group of an index over ``n_draws`` simulated draws, NaN draws left out.

    ``index_of_draws(b)`` simulates ``b`` draws and returns their index, shaped
    (b, groups); the draws are made in chunks of at most :data:`_CHUNK_FLOATS` floats.
    """
    chunk = max(1, min(n_draws, _CHUNK_FLOATS // max(floats_per_draw, 1)))
    total, n_ok = np.zeros(n_groups), np.zeros(n_groups)
    for start in range(0, n_draws, chunk):
        d = index_of_draws(min(chunk, n_draws - start))
        total += np.where(np.isnan(d), 0.0, d).sum(axis=0)
        n_ok += (~np.isnan(d)).sum(axis=0)
    with quiet():
        return total / n_ok


def _random_allocations(x_null: np.ndarray, t: np.ndarray, batch: Batch, seed):
    r"""A function drawing ``b`` random allocations of the group, shaped (b, units).

    Unit i draws :math:`\mathrm{Binomial}(\lfloor t_i \rfloor, P_0)` members, with
    :math:`P_0 = \sum x^{null}_i / \sum \lfloor t_i \rfloor` per municipality; each
    municipality draws from its own stream (:func:`group_generators`).
    """
    gens = group_generators(seed, batch)  # keyed by group label: batch-independent draws
    members = _members(batch)
    t_int = np.trunc(t)
    with quiet():
        p_null = batch.sum(x_null) / batch.sum(t_int)
    p_unit = np.nan_to_num(p_null)[batch.codes]

    def draw(b: int) -> np.ndarray:
        sim = np.empty((b, t.shape[0]))
        for gen, idx in zip(gens, members, strict=True):
            sim[:, idx] = gen.binomial(t_int[idx].astype(np.int64), p_unit[idx], size=(b, idx.size))
        return sim

    return draw


@shared_parameters
def modified_dissimilarity(group, total, *, groups=None, iterations=500, seed=None):
    r"""Modified dissimilarity D* of Carrington & Troske (1997), as in ``segregation``.

    Parameters
    ----------
    {TWO_GROUP_PARAMETERS}
    {ITERATIONS}
    {SEED}

    Returns
    -------
    D_star : float or numpy.ndarray
        D corrected for the segregation expected by chance, in [-1, 1]; 0 when D equals
        its expectation under random allocation. NaN where D is undefined.

    Notes
    -----
    Under random allocation every unit draws its group count as
    :math:`\tilde x_i \sim \mathrm{Binomial}(\lfloor t_i \rfloor, P_0)` with
    :math:`P_0 = \sum \lfloor x_i \rfloor / \sum \lfloor t_i \rfloor`;
    :math:`\bar D` is the mean D of ``iterations`` such draws (D of a draw uses the
    original totals :math:`t_i`), and

    .. math:: D^* = \frac{D - \bar D}{1 - \bar D} \text{ if } D \ge \bar D, \qquad
              D^* = \frac{D - \bar D}{\bar D} \text{ otherwise.}

    Matches ``segregation.singlegroup.ModifiedDissim`` in definition, including its
    truncation of non-integer counts to integers for the draws. It differs in one flaw we
    do *not* reproduce: ``segregation`` reseeds numpy with the same seed in every
    iteration, so all its iterations are the same draw and :math:`\bar D` is the D of a
    single draw; moreover the ``ModifiedDissim`` class does not pass its ``seed`` on, so
    that one seed is drawn from numpy's global random state. Here the ``iterations`` draws are
    independent, so :math:`\bar D` has the Monte Carlo error of a mean of ``iterations``
    draws. A draw in which the group happens to be absent (possible in tiny
    municipalities) has no D and is left out of the mean, where ``segregation`` would
    return NaN. The draws are vectorised over iterations and municipalities; a batch is
    therefore equal to per-municipality calls in distribution, not bit for bit. Units with
    NaN or ``total == 0`` are excluded.

    References: Carrington, W. J. & Troske, K. R. (1997), On measuring segregation in
    samples with small units, *Journal of Business & Economic Statistics* 15(4), 402-409.

    Examples
    --------
    A D this small is what chance gives in units of ten, so D* is about 0:

    >>> group, total = [3, 5, 4, 6], [10, 10, 10, 10]
    >>> D_star = modified_dissimilarity(group, total, seed=1)
    >>> round(dissimilarity(group, total), 3), round(D_star, 3)
    (0.202, -0.096)
    """
    iterations = integer(iterations, "iterations", 2, example=500)
    x, t, _, batch = two_group_counts(group, total, groups)
    draw = _random_allocations(np.trunc(x), t, batch, seed)
    # D of each draw: the same sums as _dissim, on (draws x units), one bincount per chunk
    T = batch.sum(t)
    D_bar = _mean_of_draws(iterations, x.shape[0],
                           lambda b: _dissim_of_rows(draw(b), t, batch, T), batch.n_groups)
    with quiet():
        return batch.out(_correct_towards_null(_dissim(x, t, batch), D_bar))


def _members(batch: Batch) -> list[np.ndarray]:
    """Unit positions of each group, in group-code order."""
    order = np.argsort(batch.codes, kind="stable")
    bounds = np.concatenate([[0], np.cumsum(np.bincount(batch.codes, minlength=batch.n_groups))])
    return [order[bounds[g]:bounds[g + 1]] for g in range(batch.n_groups)]


def _dissim_of_rows(sim: np.ndarray, t: np.ndarray, batch: Batch, T: np.ndarray) -> np.ndarray:
    """D per (row, group) for simulated group counts ``sim`` (rows x units), totals ``t``."""
    b, n = sim.shape
    G = batch.n_groups
    flat = (np.arange(b)[:, None] * G + batch.codes[None, :]).ravel()
    X = np.bincount(flat, weights=sim.ravel(), minlength=b * G).reshape(b, G)
    with quiet():
        P = X / T[None, :]
        p = np.where(t > 0, sim / np.where(t > 0, t, 1.0), 0.0)
        dev = t * np.abs(p - P[:, batch.codes])
        num = np.bincount(flat, weights=dev.ravel(), minlength=b * G).reshape(b, G)
        return num / (2.0 * T * P * (1.0 - P))


def _padded(values: np.ndarray, batch: Batch) -> np.ndarray:
    """(groups, max units per group) matrix, each group's values in unit order, 0-padded."""
    order = np.argsort(batch.codes, kind="stable")
    codes = batch.codes[order]
    sizes, pos = segment_layout(codes, batch.n_groups)
    out = np.zeros((batch.n_groups, int(sizes.max()) if sizes.size else 0))
    out[codes, pos] = values[order]
    return out


def _dissim_of_draws(sim_group: np.ndarray, sim_rest: np.ndarray) -> np.ndarray:
    """D of simulated (..., units) group and rest counts, along the last axis.

    Units with no simulated population weigh 0, as in ``segregation``'s ``_dissim``.
    """
    t = sim_group + sim_rest
    T = t.sum(axis=-1)
    with quiet():
        P = sim_group.sum(axis=-1) / T
        p = np.where(t > 0, sim_group / np.where(t > 0, t, 1), 0.0)
        num = (t * np.abs(p - P[..., None])).sum(axis=-1)
        return num / (2.0 * T * P * (1.0 - P))


@shared_parameters
def bias_corrected_dissimilarity(group, total, *, groups=None, draws=500, seed=None):
    r"""Bias-corrected dissimilarity of Allen et al. (2015), as in ``segregation``.

    Parameters
    ----------
    {TWO_GROUP_PARAMETERS}
    draws : int, default 500
        Number of bootstrap draws B (``segregation``'s ``B``).
    {SEED}

    Returns
    -------
    D_bc : float or numpy.ndarray
        :math:`D_{bc} = 2 D - \bar D_B`; usually below D, since D is biased upwards in
        small units, and it can be negative. NaN where D is undefined.

    Notes
    -----
    Each draw redistributes both groups over the units from their observed distributions,
    :math:`\tilde x \sim \mathrm{Multinomial}(\lfloor X \rfloor, x / X)` and
    :math:`\tilde y \sim \mathrm{Multinomial}(\lfloor Y \rfloor, y / Y)`;
    :math:`\bar D_B` is the mean D of the B draws (with totals
    :math:`\tilde x + \tilde y`) and :math:`D_{bc} = 2D - \bar D_B`, the bootstrap bias
    correction. Same definition as ``segregation.singlegroup.BiasCorrectedDissim``,
    including the truncation of non-integer group totals :math:`X, Y` to integers for the
    draws (numpy's multinomial does that silently). ``segregation`` draws from numpy's
    global random state and takes no seed; here every draw comes from ``seed``. The
    simulation is vectorised over draws and municipalities, so a batch equals
    per-municipality calls in distribution, not bit for bit. A draw without D (only
    possible when :math:`\lfloor X \rfloor` or :math:`\lfloor Y \rfloor` is 0) is
    left out of the mean. Units with NaN or ``total == 0`` are excluded.

    References: Allen, R., Burgess, S., Davidson, R. & Windmeijer, F. (2015), More reliable
    inference for the dissimilarity index of segregation, *The Econometrics Journal*
    18(1), 40-66.

    Examples
    --------
    The correction removes the upward bias of D in small units:

    >>> group, total = [30, 50, 40, 60], [100, 100, 100, 100]
    >>> D = dissimilarity(group, total)
    >>> round(D, 3), round(bias_corrected_dissimilarity(group, total, seed=1), 3)
    (0.202, 0.195)
    """
    draws = integer(draws, "draws", 2, example=500)
    x, t, _, batch = two_group_counts(group, total, groups)
    gens = group_generators(seed, batch)  # keyed by group label: batch-independent draws
    y = t - x
    X, Y = batch.sum(x), batch.sum(y)
    xs, ys = _padded(x, batch), _padded(y, batch)
    with quiet():
        px = np.nan_to_num(xs / X[:, None])
        py = np.nan_to_num(ys / Y[:, None])
    nx, ny = np.trunc(X).astype(np.int64), np.trunc(Y).astype(np.int64)
    G, width = xs.shape
    sizes = np.bincount(batch.codes, minlength=G)

    def dissim_of_draws(b: int) -> np.ndarray:
        sim_x = np.zeros((b, G, width))
        sim_y = np.zeros((b, G, width))
        for g, gen in enumerate(gens):  # only the group's own units: padding draws nothing
            k = sizes[g]
            sim_x[:, g, :k] = gen.multinomial(nx[g], px[g, :k], size=b)
            sim_y[:, g, :k] = gen.multinomial(ny[g], py[g, :k], size=b)
        return _dissim_of_draws(sim_x, sim_y)

    D_bar = _mean_of_draws(draws, G * width, dissim_of_draws, G)
    with quiet():
        return batch.out(2.0 * _dissim(x, t, batch) - D_bar)


def _fold_normal_mle(theta: np.ndarray, tol: float = 1e-14, max_iter: int = 500) -> np.ndarray:
    """The argmax over mu >= 0 of phi(theta - mu) + phi(theta + mu), vectorised.

    The stationary points solve mu = theta * tanh(theta * mu): mu = 0 when theta <= 1,
    otherwise the positive root, found by Newton's method from mu = theta (the function
    mu - theta tanh(theta mu) is convex for mu > 0, so the iterates decrease monotonically
    to the root).
    """
    theta = np.asarray(theta, dtype=np.float64)
    mu = np.where(theta > 1.0, theta, 0.0)
    active = theta > 1.0
    for _ in range(max_iter):
        if not active.any():
            break
        th, m = theta[active], mu[active]
        tanh = np.tanh(th * m)
        g = m - th * tanh
        dg = 1.0 - th * th * (1.0 - tanh * tanh)
        with quiet():
            step = np.where(dg > 0, g / dg, 0.5 * m)  # dg > 0 right of the root
        new = np.maximum(m - step, 0.0)
        mu[active] = new
        still = np.abs(new - m) > tol * np.maximum(1.0, new)
        idx = np.flatnonzero(active)
        active[idx[~still]] = False
    return mu


#: segregation's Nelder-Mead finds theta* only while phi(theta_hat) is a normal float;
#: above this its likelihood has underflowed and it returns ~0 (erratic in 38.31 .. 38.36)
_SEGREGATION_THETA_LIMIT = 38.335


@shared_parameters
def density_corrected_dissimilarity(group, total, *, groups=None, match_segregation=True):
    r"""Density-corrected dissimilarity of Allen et al. (2015), as in ``segregation``.

    Parameters
    ----------
    {TWO_GROUP_PARAMETERS}
    match_segregation : bool, default True
        Reproduce ``segregation`` 2.5's numerical flaw (see Notes): units with
        :math:`\hat\theta_i > 38.335` contribute 0. Pass False for the correct
        maximum-likelihood value; on city data the two differ a lot.

    Returns
    -------
    D_dc : float or numpy.ndarray
        :math:`D_{dc} \le D`: D with each unit's difference shrunk towards 0 when it is
        within sampling noise. NaN where the group or the rest is absent.

    Notes
    -----
    With :math:`a_i = x_i / X`, :math:`c_i = y_i / Y`,

    .. math:: \sigma_i = \sqrt{\frac{c_i (1 - c_i)}{Y} + \frac{a_i (1 - a_i)}{X}},
              \qquad \hat\theta_i = \frac{\lvert c_i - a_i \rvert}{\sigma_i},
              \qquad D_{dc} = \tfrac12 \sum_i \sigma_i \theta^*_i

    where :math:`\theta^*_i` maximises the folded-normal likelihood
    :math:`\phi(\hat\theta_i - \theta) + \phi(\hat\theta_i + \theta)`:
    :math:`\theta^* = 0` if :math:`\hat\theta_i \le 1`, else the positive root of
    :math:`\theta = \hat\theta_i \tanh(\hat\theta_i \theta)`.

    ``segregation.singlegroup.DensityCorrectedDissim`` finds :math:`\theta^*_i` with a
    Nelder-Mead search per unit (``xatol=1e-5``) and returns the *second-best* vertex of
    the final simplex; here the root is solved to machine precision (vectorised Newton).
    The two agree to the optimiser's tolerance, about 1e-5 in each :math:`\theta^*_i`
    (relative differences of about 1e-5 in :math:`D_{dc}`), *except* for clearly
    significant units: for :math:`\hat\theta_i \gtrsim 38.3` the normal densities
    underflow to subnormal numbers (:math:`\phi(38.3) \approx 10^{-320}`), the
    Nelder-Mead search started at 0 sees a flat likelihood and returns
    :math:`\theta^* \approx 0`, so these units -- the most segregated ones -- drop
    out of the index. With CBS buurten (tens of thousands of residents per city) many
    units are in that range: for Den Haag 2019 social housing ``segregation`` gives 0.28
    where the maximum-likelihood value is 0.48. ``match_segregation=True`` (default)
    reproduces this by setting :math:`\theta^*_i = 0` for
    :math:`\hat\theta_i > 38.335` (``segregation`` is erratic between 38.31 and
    38.36, so units in that window may still differ); use ``match_segregation=False``
    for the value Allen et al. define. ``segregation`` returns NaN
    when a unit has zero population, or any :math:`\sigma_i = 0` (0/0 in
    :math:`\hat\theta_i`); here units with zero population or NaN counts are excluded
    and a unit with :math:`\sigma_i = 0` contributes 0.

    References: Allen, R., Burgess, S., Davidson, R. & Windmeijer, F. (2015), More reliable
    inference for the dissimilarity index of segregation, *The Econometrics Journal*
    18(1), 40-66.

    Examples
    --------
    >>> group, total = [6, 4, 5], [10, 10, 10]
    >>> round(dissimilarity(group, total), 4), density_corrected_dissimilarity(group, total)
    (0.1333, 0.0)
    """
    s = two_group_shares(group, total, groups)
    X, Y = s.X, s.Y
    with quiet():
        Xu, Yu = X[s.batch.codes], Y[s.batch.codes]
        a, c = s.x / Xu, s.y / Yu
        sigma = np.sqrt(c * (1.0 - c) / Yu + a * (1.0 - a) / Xu)
        theta_hat = np.where(sigma > 0, np.abs(c - a) / np.where(sigma > 0, sigma, 1.0), 0.0)
    theta_hat = np.where(np.isnan(theta_hat), 0.0, theta_hat)
    theta_star = _fold_normal_mle(theta_hat)
    if match_segregation:
        theta_star = np.where(theta_hat > _SEGREGATION_THETA_LIMIT, 0.0, theta_star)
    contrib = np.where(s.valid, sigma * theta_star, 0.0)
    out = s.sum(contrib) / 2.0
    out[~((X > 0) & (Y > 0))] = np.nan
    return s.out(out)
