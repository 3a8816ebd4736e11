"""mixing.io.download against a local PDOK/CBS stand-in on 127.0.0.1 (no real host is contacted).

The server (tests/_cbs_server.py) serves pages built from the shared real CBS files: Den Haag
and Amsterdam 2019 buurt geometry with kerncijfers attributes, and the kerncijfers rows
themselves as OData JSON.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from _cbs_server import CBSServer, build_data, read_kwb_csv

from mixing.errors import InputError
from mixing.io.download import (
    KERNCIJFERS_TABLES,
    DownloadError,
    download_kerncijfers,
    download_wijkenbuurten,
    kerncijfers_url,
    verify_cached,
    wijkenbuurten_url,
)

pytestmark = pytest.mark.network

FAST = {"retries": 3, "backoff": 0, "timeout": 5}
DEN_HAAG_BUURTEN = 114
DEN_HAAG_ROWS = 159  # 1 GM + 44 WK + 114 BU


@pytest.fixture(scope="session")
def cbs_data(cbs_dir):
    return build_data(cbs_dir)


@pytest.fixture
def server(cbs_data, monkeypatch):
    # a proxy configured in the environment must never see these requests
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    srv = CBSServer(cbs_data).start()
    yield srv
    srv.stop()


def _geojson(server, tmp_path, **kw):
    return download_wijkenbuurten(2019, "GM0518", cache_dir=tmp_path, base_url=server.url,
                                  **{**FAST, **kw})


def _kerncijfers(server, tmp_path, **kw):
    return download_kerncijfers(2019, "GM0518", cache_dir=tmp_path, base_url=server.url,
                                **{**FAST, **kw})


def _leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.rglob("*") if p.is_file())


# --- URLs ------------------------------------------------------------------------------------


def test_urls_follow_the_documented_patterns():
    assert wijkenbuurten_url(2023) == (
        "https://api.pdok.nl/cbs/wijken-en-buurten-2023/ogc/v1/collections/buurten/items"
    )
    assert wijkenbuurten_url(2024, "wijk").endswith("/wijken-en-buurten-2024/ogc/v1/"
                                                    "collections/wijken/items")
    assert kerncijfers_url("84583NED", "GM0518") == (
        "https://opendata.cbs.nl/ODataFeed/odata/84583NED/TypedDataSet?$format=json"
        "&$filter=substring(WijkenEnBuurten,2,4)%20eq%20'0518'"
    )
    assert KERNCIJFERS_TABLES[2019] == "84583NED"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"municipality": "0518"}, "GM0518"),
        ({"municipality": "DEMO01"}, "demo codes"),
        ({"year": "twenty"}, "whole number"),
        ({"level": "pc4"}, "valid levels are"),
    ],
)
def test_bad_arguments_fail_before_any_request(server, tmp_path, kwargs, match):
    args = {"year": 2019, "municipality": "GM0518", **kwargs}
    with pytest.raises(InputError, match=match):
        download_wijkenbuurten(args.pop("year"), args.pop("municipality"), cache_dir=tmp_path,
                               base_url=server.url, **args)
    assert server.count() == 0


def test_unknown_kerncijfers_year_lists_the_known_ones(tmp_path):
    with pytest.raises(InputError, match=r"known years are \[2014, .*2024\].*table_id="):
        download_kerncijfers(2031, "GM0518", cache_dir=tmp_path)


# --- PDOK OGC API Features -------------------------------------------------------------------


def test_multipage_download_gives_all_buurten_equal_to_the_source(server, cbs_data, tmp_path,
                                                                 caplog):
    caplog.set_level(logging.INFO, logger="mixing.io.download")
    path = _geojson(server, tmp_path)
    assert path == tmp_path / "2019" / "GM0518_buurt.geojson"
    assert server.count("ogc") == 3  # 40 + 40 + 34
    written = json.loads(path.read_text(encoding="utf-8"))
    expected = [f for f in cbs_data.features_rd if f["properties"]["gemeentecode"] == "GM0518"]
    assert len(written["features"]) == DEN_HAAG_BUURTEN
    assert written["features"] == expected  # same order, properties and coordinates
    assert "links" not in written
    pages = [r.getMessage() for r in caplog.records if r.getMessage().startswith("page ")]
    assert pages == ["page 1: 40/114 features", "page 2: 80/114 features",
                     "page 3: 114/114 features"]
    meta = json.loads(path.with_name(path.name + ".json").read_text())
    assert meta["feature_count"] == DEN_HAAG_BUURTEN
    assert meta["crs"] == "EPSG:28992" and meta["year"] == 2019
    assert len(meta["urls"]) == 3 and all(u.startswith(server.url) for u in meta["urls"])
    assert "gemeentecode=GM0518" in meta["urls"][0]
    assert "crs=http://www.opengis.net/def/crs/EPSG/0/28992" in meta["urls"][0]


def test_written_geojson_reads_back_in_rd_new_inside_the_netherlands(server, cbs_dir, tmp_path):
    frame = gpd.read_file(_geojson(server, tmp_path))
    assert frame.crs is not None and frame.crs.equals("EPSG:28992")
    xmin, ymin, xmax, ymax = frame.total_bounds
    # Den Haag in RD New; the Netherlands is within x 0-300 km, y 300-625 km
    assert 60_000 < xmin < xmax < 100_000 and 440_000 < ymin < ymax < 475_000
    assert frame["buurtcode"].is_unique and frame["buurtcode"].str.startswith("BU0518").all()
    source = read_kwb_csv(cbs_dir / "kwb_odata_denhaag_amsterdam_utrecht/data/"
                          "marginal_distributions_TheHague_2019_84583NED.csv")
    buurten = source[source["SoortRegio_2"].str.strip() == "Buurt"]
    inhabitants = dict(zip(buurten["Codering_3"].str.strip(),
                           buurten["AantalInwoners_5"].astype(int), strict=True))
    assert dict(zip(frame["buurtcode"], frame["aantal_inwoners"], strict=True)) == inhabitants
    # the geometry is the shared 2019 boundary file, reprojected
    shared = gpd.read_file(cbs_dir / "buurt_2019_nl_topojson/buurten.json").set_crs(4326)
    shared = shared.set_index("statcode").loc[frame["buurtcode"]].to_crs(28992)
    assert frame.geometry.area.sum() == pytest.approx(shared.geometry.area.sum(), rel=1e-9)


def test_without_number_matched_the_total_is_unknown_but_complete(server, tmp_path, caplog):
    server.number_matched = False
    caplog.set_level(logging.INFO, logger="mixing.io.download")
    path = _geojson(server, tmp_path)
    assert len(json.loads(path.read_text())["features"]) == DEN_HAAG_BUURTEN
    assert "page 3: 114/? features" in caplog.messages


def test_cache_hit_makes_no_request(server, tmp_path):
    first = _geojson(server, tmp_path)
    hits = server.count()
    assert verify_cached(first)
    assert _geojson(server, tmp_path) == first
    assert server.count() == hits
    _geojson(server, tmp_path, force=True)
    assert server.count() == 2 * hits


def test_corrupted_cache_is_downloaded_again(server, tmp_path, caplog):
    path = _geojson(server, tmp_path)
    good = path.read_bytes()
    path.write_bytes(good[:-10] + b"corrupted!")
    hits = server.count()
    with caplog.at_level(logging.WARNING, logger="mixing.io.download"):
        assert _geojson(server, tmp_path) == path
    assert "corrupted" in caplog.text
    assert server.count() > hits
    assert path.read_bytes() == good


def test_missing_sidecar_means_download_again(server, tmp_path):
    path = _geojson(server, tmp_path)
    path.with_name(path.name + ".json").unlink()
    hits = server.count()
    _geojson(server, tmp_path)
    assert server.count() > hits and verify_cached(path)


@pytest.mark.parametrize("fault", ["503", "429", "500", "reset", "truncate", "badjson"])
def test_transient_failure_is_retried_and_succeeds(server, tmp_path, fault):
    server.faults["ogc"] = [None, fault]  # the 2nd page fails once
    path = _geojson(server, tmp_path)
    assert server.count("ogc") == 4
    assert len(json.loads(path.read_text())["features"]) == DEN_HAAG_BUURTEN


def test_timeout_is_retried(server, tmp_path):
    server.faults["ogc"] = ["slow"]
    path = _geojson(server, tmp_path, timeout=0.3)
    assert len(json.loads(path.read_text())["features"]) == DEN_HAAG_BUURTEN


def test_persistent_500_fails_after_n_attempts_naming_the_url(server, tmp_path):
    server.faults["ogc"] = ["500"] * 10
    with pytest.raises(DownloadError, match=r"giving up after 3 attempts.*HTTP 500") as info:
        _geojson(server, tmp_path)
    err = info.value
    assert err.status == 500 and err.attempts == 3
    assert err.url.startswith(f"{server.url}/wijken-en-buurten-2019/ogc/v1/collections/buurten")
    assert err.url in str(err) and "try again later" in str(err)
    assert server.count("ogc") == 3
    assert _leftovers(tmp_path) == []


def test_persistent_truncation_fails_with_a_clear_error(server, tmp_path):
    server.faults["ogc"] = [None] + ["truncate", "badjson", "truncate"]
    with pytest.raises(DownloadError, match=r"after 3 attempts.*truncated") as info:
        _geojson(server, tmp_path)
    assert "offset=40" in info.value.url
    assert _leftovers(tmp_path) == []


def test_404_fails_at_once_with_the_fix(server, tmp_path):
    with pytest.raises(DownloadError, match=r"HTTP 404.*may not be published") as info:
        download_wijkenbuurten(2031, "GM0518", cache_dir=tmp_path, base_url=server.url, **FAST)
    assert info.value.status == 404 and info.value.attempts == 1
    assert "wijken-en-buurten-2031" in str(info.value)
    assert server.count() == 1
    assert _leftovers(tmp_path) == []


def test_failure_keeps_the_previous_good_file_and_leaves_no_temporaries(server, tmp_path):
    path = _geojson(server, tmp_path)
    good = path.read_bytes()
    server.faults["ogc"] = [None, "500", "500", "500"]
    with pytest.raises(DownloadError):
        _geojson(server, tmp_path, force=True)
    assert path.read_bytes() == good and verify_cached(path)
    assert _leftovers(tmp_path) == ["GM0518_buurt.geojson", "GM0518_buurt.geojson.json"]


def test_a_server_ignoring_the_filter_is_caught(server, tmp_path):
    server.ignore_filter = True
    with pytest.raises(DownloadError, match="gemeentecode filter was ignored"):
        _geojson(server, tmp_path)


def test_page_count_is_bounded(server, tmp_path):
    with pytest.raises(DownloadError, match="max_pages=2"):
        _geojson(server, tmp_path, max_pages=2)
    assert server.count("ogc") == 2
    assert _leftovers(tmp_path) == []


def test_page_size_in_bytes_is_bounded(server, tmp_path, monkeypatch):
    """A server (or a base_url pointing elsewhere) cannot make one page fill the memory."""
    from mixing import limits

    monkeypatch.setattr(limits, "MAX_UNPACKED_BYTES", 1000)
    with pytest.raises(DownloadError, match=r"sends more than 1000 bytes for one page; "
                       r"refused before reading it.*Fix: check base_url") as info:
        _geojson(server, tmp_path)
    assert info.value.attempts == 1 and server.count("ogc") == 1  # not retried
    assert _leftovers(tmp_path) == []


def test_unknown_municipality_is_an_error_not_an_empty_file(server, tmp_path):
    with pytest.raises(DownloadError, match="no features match gemeentecode=GM9999"):
        download_wijkenbuurten(2019, "GM9999", cache_dir=tmp_path, base_url=server.url, **FAST)
    assert _leftovers(tmp_path) == []


# --- CBS OData kerncijfers -------------------------------------------------------------------


def _cells(frame: pd.DataFrame) -> list[list[str]]:
    return [[value.strip() for value in row] for row in frame.itertuples(index=False)]


def test_kerncijfers_csv_has_the_statline_layout_and_the_source_values(server, cbs_dir,
                                                                      tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="mixing.io.download")
    path = _kerncijfers(server, tmp_path)
    assert path == tmp_path / "2019" / "GM0518_kerncijfers_84583NED.csv"
    assert server.count("odata") == 3  # 60 + 60 + 39 rows
    source_path = (cbs_dir / "kwb_odata_denhaag_amsterdam_utrecht/data/"
                   "marginal_distributions_TheHague_2019_84583NED.csv")
    raw, source_raw = path.read_bytes(), source_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and source_raw.startswith(b"\xef\xbb\xbf")
    # identical quoted header, plus the names column after WijkenEnBuurten
    assert raw.splitlines()[0] == source_raw.splitlines()[0].replace(
        b'"WijkenEnBuurten";', b'"WijkenEnBuurten";"Regionaam";')
    written, source = read_kwb_csv(path), read_kwb_csv(source_path)
    # The one addition: the region names of the WijkenEnBuurten dimension, beside the codes.
    assert list(written.columns) == ["ID", "WijkenEnBuurten", "Regionaam"] + list(
        source.columns)[2:] and len(written) == DEN_HAAG_ROWS
    assert _cells(written.drop(columns="Regionaam")) == _cells(source)
    assert server.count("names") == 1
    named = dict(zip(written["Codering_3"].str.strip(), written["Regionaam"], strict=True))
    assert named["GM0518"] == "'s-Gravenhage" and named["BU05180170"] == "Buurt 0170"
    assert named["WK051801"] == "Wijk 01"
    assert "page 3: 159/? rows" in caplog.messages
    meta = json.loads(path.with_name(path.name + ".json").read_text())
    assert meta["table_id"] == "84583NED" and meta["row_count"] == DEN_HAAG_ROWS
    assert "substring(WijkenEnBuurten,2,4)" in meta["urls"][0]
    assert "WijkenEnBuurten?" in meta["names_urls"][0] and meta["named_rows"] == DEN_HAAG_ROWS


def test_downloaded_names_reach_the_units_table(server, tmp_path, cbs_dir):
    """OData names end up as unit_name; the same file without them warns once."""
    import warnings

    from mixing.io.cbs import NoNamesWarning, read_units

    path = _kerncijfers(server, tmp_path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        units = read_units(table=path, year=2019)
    assert not [w for w in caught if issubclass(w.category, NoNamesWarning)]
    assert units.set_index("unit_code").at["BU05180170", "unit_name"] == "Buurt 0170"
    assert units["municipality_name"].eq("'s-Gravenhage").all()
    source = (cbs_dir / "kwb_odata_denhaag_amsterdam_utrecht/data/"
              "marginal_distributions_TheHague_2019_84583NED.csv")
    with pytest.warns(NoNamesWarning, match=r"no buurt names.*download_kerncijfers.*names="):
        bare = read_units(table=source, year=2019)
    assert (bare["unit_name"] == bare["unit_code"]).all()
    named = read_units(table=source, year=2019, names={"BU05180170": "Oostduinen"})
    assert named.set_index("unit_code").at["BU05180170", "unit_name"] == "Oostduinen"


def test_kerncijfers_cache_retry_and_corruption(server, tmp_path):
    server.faults["odata"] = ["503", None, "reset"]
    path = _kerncijfers(server, tmp_path)
    assert server.count("odata") == 5
    _kerncijfers(server, tmp_path)
    assert server.count("odata") == 5  # cache hit
    path.write_text("garbage", encoding="utf-8")
    _kerncijfers(server, tmp_path)
    assert server.count("odata") == 8 and verify_cached(path)


def test_kerncijfers_unknown_table_is_404_at_once(server, tmp_path):
    with pytest.raises(DownloadError, match="HTTP 404") as info:
        _kerncijfers(server, tmp_path, table_id="99999NED")
    assert "99999NED/TypedDataSet" in info.value.url and server.count() == 1
    assert _leftovers(tmp_path) == []


def test_kerncijfers_persistent_failure_leaves_nothing(server, tmp_path):
    server.faults["odata"] = [None, "502", "502", "502"]
    with pytest.raises(DownloadError, match=r"after 3 attempts.*HTTP 502") as info:
        _kerncijfers(server, tmp_path)
    assert "skiptoken=60" in info.value.url
    assert _leftovers(tmp_path) == []
