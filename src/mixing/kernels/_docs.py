"""Parameter descriptions the kernels' docstrings share, written once.

A kernel's docstring names a shared block with a token on its own line (``{COUNTS}``,
``{GROUPS}``, ``{MULTI_COUNTS}``, ``{PROXIMITY_PARAMETERS}``); :func:`shared_parameters`
puts the text in at import, so help(), the docs and the doctests see the full docstring.
"""

from __future__ import annotations

__all__ = ["shared_parameters"]

_BLOCKS = {
    "{COUNTS}": """group : array_like
        Count of the group of interest per unit, 1-D.
    total : array_like
        Total count per unit, same length, ``group <= total``.""",
    "{GROUPS}": """groups : array_like, optional
        One id per unit (e.g. the municipality code); if given, one value per group in
        ``np.unique(groups)`` order.""",
    "{MULTI_COUNTS}": """counts : array_like
        (units, k) counts, one column per population group, k >= 2.""",
    "{PROXIMITY_PARAMETERS}": """distances : scipy sparse matrix or numpy.ndarray
        ``(n, n)`` centroid distances in metres (:attr:`SpatialInputs.distances`). A
        dense array counts every pair; a sparse matrix counts its stored pairs, which
        for ``match_segregation=True`` must be all pairs of the same group.
    areas : array_like
        Area per unit, m² (:attr:`SpatialInputs.areas`), for the self-distance.
    {GROUPS}
    alpha, beta : float, default 0.6, 0.5
        Self-distance :math:`d_{ii} = (\\alpha a_i)^\\beta` (White 1983).
    match_segregation : bool, default True
        Use ``segregation`` 2.5's proximity matrix (see :func:`proximity_matrix`);
        False uses Massey & Denton's :math:`c_{ij} = \\exp(-d_{ij} / s)`.
    distance_scale : float, default 1000.0
        :math:`s` in metres for ``match_segregation=False`` (distances in km, as in
        the literature); ignored otherwise.""",
    "{SCENARIO_UNITS}": """units : GeoDataFrame
        Canonical units table of one municipality, buurt level.""",
}


def shared_parameters(func):
    """Replace the shared-block tokens in ``func.__doc__`` (a decorator)."""
    doc = func.__doc__ or ""
    for _ in range(2):  # a block may itself hold a token ({GROUPS} in the proximity block)
        for token, text in _BLOCKS.items():
            doc = doc.replace(token, text)
    func.__doc__ = doc
    return func
