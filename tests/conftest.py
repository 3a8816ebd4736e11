"""Shared fixtures: the real CBS data in ../shared, and one seed for every random draw."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SEED = 20191231


def page_data(page: str, name: str = "MixingLayers") -> dict:
    """The JSON a map page hands to one of its calls (``MixingLayers``: mixingMap's config,
    ``MixingExplorer``: the explorer's payload), read from its data element."""
    match = re.search(rf"<script type='application/json' id='mx-data-{name}'>(.*?)</script>",
                      page, re.S)
    assert match, f"the page has no data element for {name}"
    return json.loads(match.group(1))


def _shared_cbs_dir() -> Path:
    env = os.environ.get("MIXING_SHARED_DATA")
    return Path(env) if env else REPO.parent / "shared" / "data" / "cbs"


@pytest.fixture(scope="session")
def cbs_dir() -> Path:
    """``../shared/data/cbs``. Missing real data is a failure, never a skip: CI has it."""
    path = _shared_cbs_dir()
    if not (path / "PROVENANCE.md").is_file():
        pytest.fail(
            f"real CBS test data not found at {path}; put the shared/ folder beside the "
            "repository (or set MIXING_SHARED_DATA to its data/cbs folder)"
        )
    return path


@pytest.fixture(scope="session")
def elbers_dir(cbs_dir) -> Path:
    """``../shared/data/peers/elbersb_segregation``: R segregation's data and own tests."""
    path = cbs_dir.parent / "peers" / "elbersb_segregation"
    if not (path / "PROVENANCE.md").is_file():
        pytest.fail(f"R segregation's peer data not found at {path} (see ../shared/data/peers)")
    return path


@pytest.fixture(scope="session")
def seed() -> int:
    return SEED


ODATA = "kwb_odata_denhaag_amsterdam_utrecht/data/"
DEN_HAAG_2019 = ODATA + "marginal_distributions_TheHague_2019_84583NED.csv"


@pytest.fixture(scope="session")
def nl_geometry(cbs_dir):
    """The national 2019 buurt boundaries, read once per test session (the slow read)."""
    import warnings

    from mixing.io.readers.geo import read_geometry

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "no CRS recorded, taken as lon/lat" is expected
        return read_geometry(cbs_dir / "buurt_2019_nl_topojson/buurten.json")


@pytest.fixture(scope="session")
def den_haag_2019(cbs_dir, nl_geometry):
    """Den Haag 2019 buurten (OData kerncijfers on the 2019 boundaries), read once."""
    import warnings

    from mixing.io.cbs import read_units

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the 5 hidden corporation shares are expected
        return read_units(nl_geometry, cbs_dir / DEN_HAAG_2019, year=2019)



#: Population by migration background in three groups (the multigroup reference tests).
MIGRATION_COLUMNS = ["population_migration_western", "population_migration_nonwestern", "rest"]


@pytest.fixture(scope="session")
def den_haag_migration(den_haag_2019):
    """Den Haag 2019 buurten with :data:`MIGRATION_COLUMNS` known and someone living there."""
    df = den_haag_2019.copy()
    df["rest"] = (df["population"] - df[MIGRATION_COLUMNS[0]]
                  - df[MIGRATION_COLUMNS[1]]).clip(lower=0)
    df = df.dropna(subset=MIGRATION_COLUMNS)
    return df[df[MIGRATION_COLUMNS].sum(axis=1) > 0].reset_index(drop=True)

def read_quietly(*args, **kwargs):
    """``read_units`` with its expected data warnings (hidden values, CRS guess) silenced."""
    import warnings

    from mixing.io.cbs import read_units

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return read_units(*args, **kwargs)
