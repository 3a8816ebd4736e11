"""Two-group kernels by name, and the geometry each takes after ``(group, total)``.

The kernels that take an index by name (:mod:`mixing.kernels.inference`,
:mod:`mixing.kernels.inference_multigroup`,
:func:`mixing.kernels.decompose.decompose_difference`) find it here, in the kernel modules
themselves, so they need not import :mod:`mixing.catalogue`, which sits above them and adds
what people read (labels, direction, bounds). The catalogue checks at import that each of
its two-group and multigroup specs names the kernel (and geometry) found here.

Examples
--------
>>> kernel = two_group_kernels()["spatial_proximity"]
>>> needs(kernel), family(kernel)
(('distances', 'areas'), 'spatial')
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from functools import cache

from mixing.kernels import aspatial, multigroup, spatial
from mixing.kernels.modified_gini import modified_gini

__all__ = ["GEOMETRY", "two_group_kernels", "multigroup_kernels", "needs", "family"]

#: Geometry a spatial kernel takes after ``(group, total)``: attributes of
#: :class:`mixing.geometry.distances.SpatialInputs`, and whether each holds one entry per
#: unit (``"units"``: a vector, or one row per unit) or per pair of units (``"pairs"``: an
#: ``(n, n)`` matrix). Inference reads the kind to cut the geometry to the simulated units.
GEOMETRY = {"contiguity": "pairs", "boundary_lengths": "pairs", "perimeters": "units",
            "areas": "units", "centroids": "units", "distances": "pairs"}


@cache
def two_group_kernels() -> dict[str, Callable]:
    """Every public kernel ``f(group, total, *geometry, groups=...)``, by function name.

    The aspatial kernels (:mod:`mixing.kernels.aspatial`,
    :func:`mixing.kernels.modified_gini.modified_gini`) and the spatial ones
    (:mod:`mixing.kernels.spatial`) whose first two parameters are ``group, total``.
    """
    found = [getattr(aspatial, name) for name in aspatial.__all__] + [modified_gini]
    found += [getattr(spatial, name) for name in spatial.__all__]
    return {f.__name__: f for f in found if inspect.isfunction(f)
            and list(inspect.signature(f).parameters)[:2] == ["group", "total"]}


@cache
def multigroup_kernels() -> dict[str, Callable]:
    """Every public kernel ``f(counts, groups=...)`` of :mod:`mixing.kernels.multigroup`."""
    found = [getattr(multigroup, name) for name in multigroup.__all__]
    return {f.__name__: f for f in found if inspect.isfunction(f)
            and list(inspect.signature(f).parameters)[:2] == ["counts", "groups"]}


def needs(kernel: Callable) -> tuple[str, ...]:
    """The geometry ``kernel`` takes after ``(group, total)``: its next parameters in
    :data:`GEOMETRY`, in order (``()`` for an aspatial kernel)."""
    taken = []
    for name in list(inspect.signature(kernel).parameters)[2:]:
        if name not in GEOMETRY:
            break
        taken.append(name)
    return tuple(taken)


def family(kernel: Callable) -> str:
    """``"spatial"`` for a kernel of :mod:`mixing.kernels.spatial`, else ``"aspatial"``."""
    return "spatial" if kernel.__module__.startswith("mixing.kernels.spatial") else "aspatial"
