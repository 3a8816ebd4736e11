"""The catalogue is the one list of indices: complete, documented, and read everywhere."""

from __future__ import annotations

import inspect

import pytest
import yaml
from conftest import REPO

from mixing import catalogue
from mixing.errors import InputError
from mixing.kernels import aspatial, local, multigroup, spatial
from mixing.tables.frames import index_table

ALL = {**catalogue.INDICES, **catalogue.LOCAL_INDICES}
#: Public kernels that are not indices of the tables, and why.
NOT_IN_TABLES = {
    "spatial_prox_prof": "a profile of the proximity, reported by multiscale_profile",
    "proximity_matrix": "a helper: the decay weights the proximity indices share",
    "multiscale_profile": "a profile over distances, not one value",
    "MultiscaleProfile": "the result type of multiscale_profile",
    "mutual_information_decomposition": "a decomposition of M, reported by regions/change",
    "MutualInformationDecomposition": "the result type of the decomposition",
}


@pytest.mark.parametrize("name", list(ALL))
def test_every_index_is_documented_in_its_kernel(name):
    spec = ALL[name]
    assert spec.name == spec.kernel.__name__ == name
    assert spec.title and spec.formula and spec.reference, name
    assert spec.pysal.startswith("segregation."), name  # the independent implementation
    assert spec.label("nl") and spec.label("en") and spec.label("nl") != name


@pytest.mark.parametrize("name", list(catalogue.INDICES))
def test_the_geometry_a_spec_declares_is_what_its_kernel_takes(name):
    spec = catalogue.INDICES[name]
    positional = [p.name for p in inspect.signature(spec.kernel).parameters.values()
                  if p.kind is p.POSITIONAL_OR_KEYWORD]
    first = ["counts"] if spec.family == "multigroup" else ["group", "total"]
    assert positional == first + list(spec.needs), name
    assert ("seed" in inspect.signature(spec.kernel).parameters) == spec.seeded, name


def test_every_public_kernel_is_catalogued_or_excluded_with_a_reason():
    public = set(aspatial.__all__) | set(spatial.__all__) | set(multigroup.__all__)
    local_public = {n for n in local.__all__ if n in catalogue.LOCAL_INDICES}
    assert public - set(catalogue.INDICES) - set(NOT_IN_TABLES) == set()
    assert local_public == set(catalogue.LOCAL_INDICES)


def test_names_and_direction():
    assert catalogue.names("aspatial", inference=True) == (
        "dissimilarity", "gini", "entropy", "isolation", "exposure")
    assert catalogue.index("exposure").alternative == "less"
    assert catalogue.index("dissimilarity").alternative == "greater"
    assert set(catalogue.HEADLINE_INDICES) <= set(catalogue.INDICES)


def test_unknown_names_list_the_valid_ones():
    with pytest.raises(InputError, match=r"unknown index 'dissimilarty'.*'dissimilarity'"):
        catalogue.index("dissimilarty")
    with pytest.raises(InputError, match=r"unknown indices \['nope'\].*'atkinson'"):
        index_table(__import__("pandas").DataFrame({"x": [1]}), indices=("nope",))


def test_the_config_schema_holds_no_copy_of_the_index_names():
    schema = yaml.safe_load((REPO / "workflow" / "schemas" / "config.schema.yaml").read_text())
    props = schema["properties"]["indices"]["properties"]
    assert "enum" not in props["indices"]["items"] and "enum" not in props["inference"]["items"]
    # no default either: a missing list means the catalogue's own inference flags
    assert "default" not in props["inference"] and "default" not in props["indices"]


def test_default_inference_is_the_headline_indices_and_all_can_be_asked_for():
    flagged = catalogue.names(inference=True)
    assert flagged == (*catalogue.names("aspatial", inference=True), "spatial_dissimilarity")
    assert set(catalogue.HEADLINE_INDICES) <= set(flagged)
    # every unseeded two-group index can be requested, spatial ones included
    assert set(catalogue.testable()) == (set(catalogue.names("aspatial", seeded=False))
                                         | set(catalogue.names("spatial")))


def test_import_mixing_exposes_the_entry_points():
    import mixing

    for name in mixing.__all__[1:]:
        assert callable(getattr(mixing, name)), name
    assert mixing.index_table is index_table
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        mixing.nope  # noqa: B018
