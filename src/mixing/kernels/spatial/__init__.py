"""Two-group spatial segregation indices: pure numpy/scipy kernels, batched by group id.

Every kernel takes the counts ``group`` and ``total`` (one per unit, as in
:mod:`mixing.kernels.aspatial`) plus the *precomputed* geometry it needs -- a contiguity or
boundary-length matrix, centroid distances, areas, perimeters, centroids -- built once by
:func:`mixing.geometry.distances.spatial_inputs` (or handed in directly, e.g. a tiny matrix in a
test). It returns a ``float``, or with ``groups`` (one id per unit, e.g. the municipality
code) one value per group in ``np.unique(groups)`` order, computed in one pass.

Definitions follow PySAL ``segregation`` 2.5 (Cortes et al. 2020) so that numbers agree
with it, including its conventions. Where ``segregation`` departs from the literature the
default still matches it and the Notes say so; ``match_segregation=False`` gives the
published definition (Massey & Denton 1988; White 1983).

Conventions
-----------
* **Matrices** are ``(n, n)`` scipy sparse matrices or numpy arrays aligned with the units
  (a :class:`mixing.geometry.weights.SpatialWeights` is accepted for contiguity: its ``binary``
  matrix). Links between units of different ``groups`` are ignored, so a block-diagonal
  matrix and a full one give the same result; :func:`mixing.geometry.distances.spatial_inputs` with
  the same ``groups`` builds block-diagonal matrices directly.
* **Excluded units** (NaN in ``group`` or ``total``, or ``total == 0``; the project's one
  rule, see :mod:`mixing.kernels.aspatial`) are removed with their rows and columns: the result is
  the one ``segregation`` gives on the table without them. Note that area-based indices
  (delta, concentration, centralization) then also ignore the *area* of uninhabited units.
* Undefined results (group absent or everyone, no unit left, no link) are NaN, silently;
  bad input raises :class:`mixing.errors.InputError`.

Notation: unit :math:`i`, group :math:`x_i`, total :math:`t_i`, rest
:math:`y_i = t_i - x_i`, share :math:`p_i = x_i / t_i`, area :math:`a_i`, and per
municipality :math:`X, Y, T, A` the sums and :math:`n` the number of units.
"""

from mixing.kernels.spatial.centralization import absolute_centralization, relative_centralization
from mixing.kernels.spatial.concentration import (
    absolute_concentration,
    delta,
    relative_concentration,
)
from mixing.kernels.spatial.evenness import (
    boundary_spatial_dissimilarity,
    perimeter_area_dissimilarity,
    spatial_dissimilarity,
    spatial_prox_prof,
)
from mixing.kernels.spatial.multiscale import MultiscaleProfile, multiscale_profile
from mixing.kernels.spatial.proximity import (
    absolute_clustering,
    distance_decay_exposure,
    distance_decay_isolation,
    proximity_matrix,
    relative_clustering,
    spatial_proximity,
)

__all__ = [
    "spatial_dissimilarity",
    "boundary_spatial_dissimilarity",
    "perimeter_area_dissimilarity",
    "distance_decay_isolation",
    "distance_decay_exposure",
    "spatial_proximity",
    "spatial_prox_prof",
    "proximity_matrix",
    "delta",
    "absolute_concentration",
    "relative_concentration",
    "absolute_centralization",
    "relative_centralization",
    "absolute_clustering",
    "relative_clustering",
    "MultiscaleProfile",
    "multiscale_profile",
]
