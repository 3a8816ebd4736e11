"""The catalogue of indices: every index the tables report, declared once as a frozen spec.

A spec says which kernel computes the index, which family it belongs to (aspatial or spatial
two-group, multigroup, local), which geometry the kernel needs after ``(group, total)``, in
which direction it signals segregation, whether it draws random numbers, whether it gets
inference, and its bounds (for the property tests) and labels (for maps and pages). The
formula, the reference and the PySAL equivalent are read from the kernel's docstring, so
they live in one place: next to the code that computes them.

Everything else reads this module: :func:`mixing.tables.frames.index_table` calls
``spec.kernel(group, total, *inputs_for(spec, geometry), groups=...)``, inference finds
the same names in :mod:`mixing.kernels.lookup` (checked at import), the config schema's
enums and the documentation's index reference are tested against or generated from it,
and the property tests iterate over it.

Adding an index end to end: write the kernel (with its docstring) in :mod:`mixing.kernels`,
add one :class:`IndexSpec` below, and add its tests.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from mixing.dimensions import Label
from mixing.errors import InputError
from mixing.kernels import aspatial, local, multigroup, spatial
from mixing.kernels.lookup import GEOMETRY, multigroup_kernels, two_group_kernels
from mixing.kernels.lookup import needs as kernel_needs
from mixing.kernels.modified_gini import modified_gini

__all__ = [
    "Family",
    "IndexSpec",
    "INDICES",
    "LOCAL_INDICES",
    "HEADLINE_INDICES",
    "index",
    "names",
    "testable",
    "inputs_for",
]

Family = Literal["aspatial", "spatial", "multigroup", "local"]


@dataclass(frozen=True)
class IndexSpec:
    """One index: how to compute it, how to read it, and what it promises.

    Attributes
    ----------
    name : str
        The name in every table (``index`` column) and in the config.
    kernel : callable
        ``kernel(group, total, *geometry, groups=...)`` for two-group families,
        ``kernel(counts, groups=...)`` for multigroup ones.
    family : {"aspatial", "spatial", "multigroup", "local"}
    label : Label
        Dutch and English name for people.
    needs : tuple of str
        Geometry passed after the counts, from :data:`mixing.kernels.lookup.GEOMETRY`.
    segregated_when : {"higher", "lower"} or None
        Direction of segregation (exposure: lower); None for measures of composition
        (diversity) that do not rank segregation. One-sided tests use this direction.
    seeded : bool
        The kernel draws random numbers and takes ``seed=``.
    inference : bool
        The index table reports a permutation p-value, the null expectation and a
        bootstrap interval for it by default (any index in :func:`testable` can be asked
        for).
    bounds : tuple of float or None
        Closed range the value lies in whenever it is defined (checked by property tests);
        None where an end is unbounded.
    scale_free : bool
        Multiplying every count by the same factor leaves the value unchanged.
    multigroup_counts : bool
        A local index computed from a multigroup dimension's counts (local family only).
    """

    name: str
    kernel: Callable
    family: Family
    label: Label
    needs: tuple[str, ...] = ()
    segregated_when: Literal["higher", "lower"] | None = "higher"
    seeded: bool = False
    inference: bool = False
    bounds: tuple[float | None, float | None] = (None, None)
    scale_free: bool = True
    multigroup_counts: bool = False

    def __post_init__(self) -> None:
        """Refuse geometry a kernel cannot be given."""
        unknown = [n for n in self.needs if n not in GEOMETRY]
        if unknown:
            raise ValueError(f"index {self.name!r}: unknown geometry {unknown}; "
                             f"use {list(GEOMETRY)}")
        # inference and decomposition find kernels by name in the kernels
        # (mixing.kernels.lookup): the spec must name the same kernel and geometry
        found = {"aspatial": two_group_kernels, "spatial": two_group_kernels,
                 "multigroup": multigroup_kernels}.get(self.family)
        if found and (found().get(self.name) is not self.kernel
                      or (kernel_needs(self.kernel) != self.needs
                          and self.family != "multigroup")):
            raise ValueError(f"index {self.name!r}: the kernel found by name in "
                             "mixing.kernels.lookup or its geometry differs from the spec")

    @property
    def alternative(self) -> str:
        """The one-sided alternative of a test for segregation: "greater" or "less"."""
        return "less" if self.segregated_when == "lower" else "greater"

    @property
    def title(self) -> str:
        """The kernel docstring's first line, e.g. "Index of dissimilarity D (Duncan ...)"."""
        return _doc(self.kernel).split("\n", 1)[0].strip()

    @property
    def formula(self) -> str:
        """The kernel docstring's ``.. math::`` block, else its first inline equation (LaTeX)."""
        doc = _doc(self.kernel)
        match = (re.search(r"\.\. math::\s*(.+?)(?:\n\s*\n|\Z)", doc, re.S)
                 or re.search(r":math:`([^`]*=[^`]*)`", doc))
        return " ".join(match.group(1).split()) if match else ""

    @property
    def reference(self) -> str:
        """The "References:" paragraph of the kernel's docstring."""
        match = re.search(r"References?:\s*(.+?)(?:\n\s*\n|\Z)", _doc(self.kernel), re.S)
        return " ".join(match.group(1).split()) if match else ""

    @property
    def pysal(self) -> str:
        """The PySAL ``segregation`` class the docstring names as equivalent, or ""."""
        match = re.search(r"``(segregation\.[\w.]+)``", _doc(self.kernel))
        return match.group(1) if match else ""


def _doc(kernel: Callable) -> str:
    return inspect.getdoc(kernel) or ""


_D = (0.0, 1.0)
_DIST = ("distances", "areas")


def _aspatial(name, nl, en, **kw) -> IndexSpec:
    return IndexSpec(name, getattr(aspatial, name), "aspatial", Label(nl, en), **kw)


def _spatial(name, nl, en, needs, **kw) -> IndexSpec:
    return IndexSpec(name, getattr(spatial, name), "spatial", Label(nl, en), needs=needs, **kw)


def _multigroup(name, nl, en, **kw) -> IndexSpec:
    return IndexSpec(name, getattr(multigroup, name), "multigroup", Label(nl, en), **kw)


def _local(name, nl, en, **kw) -> IndexSpec:
    return IndexSpec(name, getattr(local, name), "local", Label(nl, en), **kw)


_SPECS = (
    # two-group, aspatial
    _aspatial("dissimilarity", "Segregatie-index D", "Dissimilarity index D",
              inference=True, bounds=_D),
    _aspatial("gini", "Gini-index", "Gini index", inference=True, bounds=_D),
    _aspatial("entropy", "Entropie-index H", "Entropy index H", inference=True, bounds=_D),
    _aspatial("isolation", "Isolatie", "Isolation", inference=True, bounds=_D),
    _aspatial("exposure", "Blootstelling", "Exposure", segregated_when="lower",
              inference=True, bounds=_D),
    _aspatial("correlation_ratio", "Correlatieratio", "Correlation ratio", bounds=_D),
    _aspatial("atkinson", "Atkinson-index", "Atkinson index", bounds=_D),
    _aspatial("modified_dissimilarity", "Gecorrigeerde D (Carrington-Troske)",
              "Modified dissimilarity (Carrington-Troske)", seeded=True, scale_free=False),
    IndexSpec("modified_gini", modified_gini, "aspatial",
              Label("Gecorrigeerde Gini-index (Carrington-Troske)",
                    "Modified Gini index (Carrington-Troske)"),
              seeded=True, scale_free=False, bounds=(-1.0, 1.0)),
    _aspatial("bias_corrected_dissimilarity", "Biasgecorrigeerde D",
              "Bias-corrected dissimilarity", seeded=True, scale_free=False),
    _aspatial("density_corrected_dissimilarity", "Dichtheidsgecorrigeerde D",
              "Density-corrected dissimilarity", scale_free=False),
    _aspatial("con_prof", "Concentratieprofiel", "Concentration profile"),
    _aspatial("min_max", "Min-max-index", "Min-max index", bounds=_D),
    # two-group, spatial
    # the spatial headline gets inference by default; each other spatial index would add
    # about 5 s to a national run (999 null and 999 bootstrap replicates of every
    # buurt), so those are tested on request (`inference_indices`)
    _spatial("spatial_dissimilarity", "Ruimtelijke D (Morrill)",
             "Spatial dissimilarity (Morrill)", ("contiguity",), inference=True),
    _spatial("boundary_spatial_dissimilarity", "Ruimtelijke D met grenslengtes (Wong)",
             "Boundary spatial dissimilarity (Wong)", ("boundary_lengths",)),
    _spatial("perimeter_area_dissimilarity", "Ruimtelijke D met omtrek/oppervlak (Wong)",
             "Perimeter/area spatial dissimilarity (Wong)",
             ("boundary_lengths", "perimeters", "areas")),
    _spatial("spatial_proximity", "Ruimtelijke nabijheid", "Spatial proximity", _DIST,
             bounds=(0.0, None)),
    _spatial("distance_decay_isolation", "Isolatie met afstandsverval",
             "Distance-decay isolation", _DIST, bounds=(0.0, None)),
    _spatial("distance_decay_exposure", "Blootstelling met afstandsverval",
             "Distance-decay exposure", _DIST, segregated_when="lower", bounds=(0.0, None)),
    _spatial("delta", "Delta (concentratie)", "Delta (concentration)", ("areas",), bounds=_D),
    _spatial("absolute_concentration", "Absolute concentratie", "Absolute concentration",
             ("areas",)),
    _spatial("relative_concentration", "Relatieve concentratie", "Relative concentration",
             ("areas",), bounds=(None, 1.0)),
    _spatial("absolute_centralization", "Absolute centralisatie", "Absolute centralization",
             ("centroids", "areas"), bounds=(-1.0, 1.0)),
    _spatial("relative_centralization", "Relatieve centralisatie", "Relative centralization",
             ("centroids",), bounds=(-1.0, 1.0)),
    _spatial("absolute_clustering", "Absolute clustering", "Absolute clustering", _DIST),
    _spatial("relative_clustering", "Relatieve clustering", "Relative clustering", _DIST),
    # multigroup
    _multigroup("multigroup_dissimilarity", "Meergroeps-D", "Multigroup dissimilarity",
                bounds=_D),
    _multigroup("multigroup_gini", "Meergroeps-Gini", "Multigroup Gini", bounds=_D),
    _multigroup("normalized_exposure", "Genormaliseerde blootstelling", "Normalized exposure",
                bounds=_D),
    _multigroup("information_theory", "Informatietheorie-index H",
                "Information theory index H", bounds=_D),
    _multigroup("mutual_information", "Wederzijdse informatie M", "Mutual information M",
                bounds=(0.0, None)),
    _multigroup("relative_diversity", "Relatieve diversiteit", "Relative diversity",
                bounds=_D),
    _multigroup("squared_coefficient_of_variation", "Gekwadrateerde variatiecoëfficiënt",
                "Squared coefficient of variation", bounds=(0.0, None)),
    _multigroup("diversity", "Diversiteit (entropie)", "Diversity (entropy)",
                segregated_when=None, bounds=(0.0, None)),
    _multigroup("simpsons_concentration", "Simpsons concentratie", "Simpson's concentration",
                bounds=_D),
    _multigroup("simpsons_interaction", "Simpsons interactie", "Simpson's interaction",
                segregated_when="lower", bounds=_D),
)

#: Every index of the index table, by name, in table order within each family.
INDICES: dict[str, IndexSpec] = {spec.name: spec for spec in _SPECS}

#: Per-unit measures of the local index table.
LOCAL_INDICES: dict[str, IndexSpec] = {
    spec.name: spec
    for spec in (
        _local("location_quotient", "Locatiequotiënt", "Location quotient",
               bounds=(0.0, None)),
        _local("dissimilarity_contribution", "Bijdrage aan D", "Contribution to D",
               bounds=_D),
        _local("local_entropy", "Lokale entropie", "Local entropy", segregated_when="lower",
               bounds=_D, multigroup_counts=True),
        _local("local_diversity", "Lokale diversiteit", "Local diversity",
               segregated_when="lower", bounds=(0.0, None), multigroup_counts=True),
        _local("local_simpson_concentration", "Lokale Simpson-concentratie",
               "Local Simpson concentration", bounds=_D, multigroup_counts=True),
        _local("local_simpson_interaction", "Lokale Simpson-interactie",
               "Local Simpson interaction", segregated_when="lower", bounds=_D,
               multigroup_counts=True),
    )
}

#: The headline indices of summaries (scales, years, regions, overview).
HEADLINE_INDICES = ("dissimilarity", "isolation", "exposure")


def names(family: Family | None = None, **flags: bool) -> tuple[str, ...]:
    """Index names of one family (all when None), optionally filtered by flags.

    >>> names("aspatial", inference=True)
    ('dissimilarity', 'gini', 'entropy', 'isolation', 'exposure')
    >>> names("spatial", inference=True)
    ('spatial_dissimilarity',)
    """
    catalogue = LOCAL_INDICES if family == "local" else INDICES
    return tuple(name for name, spec in catalogue.items()
                 if (family is None or spec.family == family)
                 and all(getattr(spec, key) == value for key, value in flags.items()))


def testable() -> tuple[str, ...]:
    """Indices the index table can give inference: two-group, aspatial or spatial, unseeded.

    A seeded index simulates itself; testing it would nest one simulation in another.

    >>> "spatial_dissimilarity" in testable(), "modified_dissimilarity" in testable()
    (True, False)
    """
    return names("aspatial", seeded=False) + names("spatial", seeded=False)


def index(name: str) -> IndexSpec:
    """The spec of ``name``; an unknown name gets an error listing the valid ones."""
    spec = INDICES.get(name) or LOCAL_INDICES.get(name)
    if spec is None:
        raise InputError(f"unknown index {name!r}",
                         fix=f"use one of {sorted(INDICES) + sorted(LOCAL_INDICES)}")
    return spec


def inputs_for(spec: IndexSpec, geometry) -> tuple:
    """The geometry arguments of ``spec.kernel`` after ``(group, total)``, in order."""
    return tuple(getattr(geometry, need) for need in spec.needs)
