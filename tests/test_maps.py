"""Maps: title, legend, tooltips and escaping, checked in the rendered HTML."""

import numpy as np
import pandas as pd
import pytest
import shapely

from mixing.maps import social_housing_map
from mixing.schema import empty_units


def _units(names=("Oud-Noord", "Nieuw-Zuid", "Haven"), social=(600.0, 50.0, np.nan)):
    n = len(names)
    units = empty_units().reindex(range(n))
    units["unit_code"] = [f"BU0001000{i}" for i in range(n)]
    units["unit_name"] = list(names)
    units["level"] = "buurt"
    units["municipality_code"] = "GM0001"
    units["municipality_name"] = "Teststad"
    units["wijk_code"] = "WK000100"
    units["year"] = 2019
    units["dwellings"] = 1000.0
    units["dwellings_social"] = list(social)
    return units.set_geometry(
        [shapely.box(150000 + i * 500, 460000, 150500 + i * 500, 460500) for i in range(n)],
        crs="EPSG:28992",
    )


INDICES = pd.DataFrame({
    "municipality_code": ["GM0001"], "year": [2019], "level": ["buurt"],
    "dimension": ["social_housing"], "index": ["dissimilarity"], "value": [0.4321],
    "n_units": [2],
})


def test_dutch_map_has_title_legend_and_tooltips():
    html = social_housing_map(_units(), INDICES)
    assert "Sociale huur per buurt: Teststad, 2019 (buurt)" in html
    assert "Segregatie-index D" in html and "0.43" in html
    assert "Bron: CBS, CC BY 4.0" in html
    assert "Sociale huur, % van de woningvoorraad" in html  # legend caption
    assert "Oud-Noord" in html and "60 %" in html and "5 %" in html
    assert "onbekend (geheim of niet gepubliceerd door CBS)" in html  # the hidden value
    assert "synthetische" not in html


def test_english_on_request():
    html = social_housing_map(_units(), INDICES, language="en")
    assert "Social housing per neighbourhood: Teststad, 2019" in html
    assert "Source: CBS" in html


def test_unknown_language_is_refused():
    with pytest.raises(ValueError, match=r"language must be one of \['en', 'nl'\], got 'fr'"):
        social_housing_map(_units(), INDICES, language="fr")


def test_names_from_data_are_escaped():
    html = social_housing_map(_units(names=("<script>alert(1)</script>", "B", "C")), INDICES)
    assert "<script>alert(1)</script>" not in html
    # HTML-escaped, then JSON-encoded into the GeoJSON: the tooltip shows it as text.
    assert r"\u0026lt;script\u0026gt;alert(1)" in html
