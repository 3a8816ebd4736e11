"""Compression bombs end in one line naming the file and the limit, with bounded memory.

The bombs are built on the fly, a little above a limit lowered for the test (the real one,
:data:`mixing.limits.MAX_UNPACKED_BYTES`, is 1 GiB): blanks compress about 1000:1, so a
64 MiB bomb is a 64 KB file. Every path by which a compressed file reaches a reader is
covered: text tables and map files in gzip and zip (API and CLI), shapefile sidecars,
nested and many-member archives, lying size headers, vitality files, Parquet, and the
GDAL paths (``read_geometry`` on a zip, a scenario's ``geometry_file``).
"""

import gzip
import io
import struct
import subprocess
import sys
import tracemalloc
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from conftest import REPO

from mixing import limits
from mixing.errors import InputError
from mixing.io.archives import CHUNK, check_archive, check_parquet, read_bytes
from mixing.io.cbs import read_units
from mixing.io.readers import read_source
from mixing.io.readers.geo import read_geometry
from mixing.tables.batch import read_batch
from mixing.tables.vitality import read_scores

LIMIT = 4 * CHUNK  # 4 MiB
BOMB = 64 * CHUNK  # sixteen times the limit, about 64 KB compressed
#: Peak memory of a refusal that holds no data (a chunk and the zipfile/gzip buffers).
SMALL = 5 * CHUNK
LIMIT_TEXT = "more than 4 MiB"
REAL_LIMIT = limits.MAX_UNPACKED_BYTES


@pytest.fixture(autouse=True)
def low_limit(monkeypatch):
    monkeypatch.setattr(limits, "MAX_UNPACKED_BYTES", LIMIT)


def blanks(n: int = BOMB) -> bytes:
    return b"BU_CODE;AANT_INW\n" + b" " * n


def gzip_bomb(path: Path, n: int = BOMB) -> Path:
    path.write_bytes(gzip.compress(blanks(n), compresslevel=9))
    return path


def zip_bomb(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def lie_about_sizes(path: Path, size: int = 100) -> Path:
    """Rewrite every size field of a zip (local headers and central directory) to ``size``."""
    data = bytearray(path.read_bytes())
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.find(signature)
        while at >= 0:
            data[at + offset:at + offset + 4] = struct.pack("<I", size)
            at = data.find(signature, at + 4)
    path.write_bytes(bytes(data))
    return path


def refused(call, *args, match=LIMIT_TEXT, **kwargs) -> tuple[str, int]:
    """Run ``call``; it must raise one-line InputError matching ``match``; peak memory."""
    tracemalloc.start()
    try:
        with pytest.raises(InputError, match=match) as info:
            call(*args, **kwargs)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    message = str(info.value)
    assert "\n" not in message
    return message, peak


def test_gzip_text_bomb_stops_at_the_limit_not_at_its_size(tmp_path):
    bomb = gzip_bomb(tmp_path / "kwb.csv.gz")
    assert bomb.stat().st_size < 100_000
    message, peak = refused(read_source, bomb)
    assert message.startswith(f"in {bomb}: the compressed file declares a content of more "
                              "than 4 MiB")
    assert "mixing.limits.MAX_UNPACKED_BYTES" in message and "unpack it" in message
    assert peak < SMALL  # the trailer already says 64 MiB: nothing is unpacked


def test_gzip_bomb_with_a_lying_trailer_is_counted_while_unpacking(tmp_path):
    bomb = gzip_bomb(tmp_path / "kwb.csv.gz")
    data = bytearray(bomb.read_bytes())
    data[-4:] = struct.pack("<I", 1000)  # claims 1000 bytes
    bomb.write_bytes(bytes(data))
    message, peak = refused(read_source, bomb)
    assert f"in {bomb}: the compressed file expands to more than 4 MiB" in message
    # counted one chunk at a time before anything is kept, never the 64 MiB
    assert peak < SMALL


def test_a_csv_that_is_gzip_inside_is_bounded_too(tmp_path):
    bomb = gzip_bomb(tmp_path / "kwb.csv")
    refused(read_source, bomb)


def test_zip_text_bomb_is_refused_from_its_declared_sizes(tmp_path):
    bomb = zip_bomb(tmp_path / "kwb.zip", {"kwb.csv": blanks()})
    message, peak = refused(read_units, table=bomb, year=2019)
    assert message.startswith(f"in {bomb}: the compressed file declares a content of more")
    assert peak < SMALL


def test_zip_member_that_lies_about_its_size_is_refused_as_damaged(tmp_path):
    bomb = lie_about_sizes(zip_bomb(tmp_path / "kwb.zip", {"kwb.csv": blanks()}))
    _, peak = refused(read_source, bomb, match=r"kwb.zip!kwb.csv: cannot decompress this "
                      r"zip file \(BadZipFile: Bad CRC-32")
    assert peak < SMALL  # zipfile stops at the claimed 100 bytes


@pytest.mark.parametrize("member", ["buurten.gpkg", "buurten.geojson"])
def test_zip_map_file_bomb_never_reaches_gdal(tmp_path, member):
    bomb = lie_about_sizes(zip_bomb(tmp_path / "kaart.zip", {member: blanks()}))
    _, peak = refused(read_source, bomb, match=f"kaart.zip!{member}: cannot decompress")
    assert peak < SMALL
    honest = zip_bomb(tmp_path / "honest.zip", {member: blanks()})
    refused(read_units, geometry=honest)


def test_gzip_map_file_bomb_never_reaches_gdal(tmp_path):
    bomb = gzip_bomb(tmp_path / "buurten.geojson.gz")
    data = bytearray(bomb.read_bytes())
    data[-4:] = struct.pack("<I", 10)
    bomb.write_bytes(bytes(data))
    message, peak = refused(read_source, bomb)
    assert "expands to more than 4 MiB" in message and peak < SMALL


def test_shapefile_sidecars_count(tmp_path, cbs_dir):
    """GDAL reads the .dbf beside the .shp: a bomb there is counted like the .shp."""
    folder = cbs_dir / "pc4_stats_sample_apeldoorn"
    members = {p.name: p.read_bytes() for p in folder.glob("sample_shape.*")}
    fine = zip_bomb(tmp_path / "pc4.zip", members)
    assert len(read_source(fine).data) == 41
    members["sample_shape.dbf"] = blanks()
    bomb = lie_about_sizes(zip_bomb(tmp_path / "pc4_bomb.zip", members), 1000)
    refused(read_source, bomb, match=r"pc4_bomb.zip!sample_shape.(shp|dbf|shx|prj|cpg): "
            "cannot decompress")


def test_many_small_members_are_counted_together(tmp_path):
    members = {f"part{i}.txt": blanks(CHUNK) for i in range(5)}
    members["kwb.csv"] = b"BU_CODE;AANT_INW\nBU00010001;10\n"
    bomb = zip_bomb(tmp_path / "many.zip", members)  # each member fits, all five do not
    refused(read_source, bomb, match="declares a content of more than 4 MiB")


def test_too_many_members_are_refused_before_the_directory_is_parsed(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_ARCHIVE_MEMBERS", 10)
    bomb = zip_bomb(tmp_path / "crowd.zip", {f"m{i}.csv": b"x" for i in range(11)})
    message, _ = refused(read_source, bomb, match="lists 11 members")
    assert "at most 10 are read" in message and "MAX_ARCHIVE_MEMBERS" in message


def test_nested_archives_are_never_unpacked(tmp_path):
    inner_gzip = gzip.compress(blanks(), compresslevel=9)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as inner:
        inner.writestr("kwb.csv", blanks())
    # a gzip bomb named .csv inside a zip is read as (broken) text, not unpacked again
    outer = zip_bomb(tmp_path / "outer.zip", {"kwb.csv": inner_gzip})
    _, peak = refused(read_source, outer, match="outer.zip!kwb.csv")
    assert peak < SMALL
    # a zip inside a zip is no data file
    refused(read_source, zip_bomb(tmp_path / "zipzip.zip", {"inner.zip": buffer.getvalue()}),
            match="holds no CSV or map file")
    # a zip bomb inside a gzip: the outer layer is unpacked (small), the inner never
    wrapped = tmp_path / "kwb.zip.gz"
    wrapped.write_bytes(gzip.compress(buffer.getvalue()))
    _, peak = refused(read_source, wrapped, match="kwb.zip.gz")
    assert peak < SMALL


def test_other_compressions_are_named(tmp_path):
    import bz2

    packed = tmp_path / "scores.csv"
    packed.write_bytes(bz2.compress(blanks()))
    refused(read_bytes, packed, match="bzip2-compressed; only gzip and zip are read")


def test_vitality_files_are_bounded(tmp_path):
    refused(read_scores, gzip_bomb(tmp_path / "vitality.csv.gz"))
    refused(read_scores, zip_bomb(tmp_path / "vitality.zip", {"v.csv": blanks()}))
    workbook = zip_bomb(tmp_path / "vitality.xlsx", {"xl/sharedStrings.xml": blanks()})
    refused(read_scores, workbook)
    small = tmp_path / "ok.csv.gz"
    small.write_bytes(gzip.compress(b"buurtcode;leefbaarheid;organiserend_vermogen;veerkracht"
                                    b"\nBU03630000;2;1;3\n"))
    frame, name = read_scores(small)
    assert frame["unit_code"].tolist() == ["BU03630000"] and name == str(small)


def test_parquet_is_bounded_by_its_footer(tmp_path):
    path = tmp_path / "vitality.parquet"
    pd.DataFrame({"buurtcode": ["BU03630000"] * 600_000}).to_parquet(path)
    assert path.stat().st_size < CHUNK  # dictionary-encoded: small on disk, large unpacked
    refused(check_parquet, path)
    refused(read_scores, path)


def test_map_files_opened_by_gdal_directly_are_checked(tmp_path):
    bomb = lie_about_sizes(zip_bomb(tmp_path / "wijk.zip", {"wijk.geojson": blanks()}))
    refused(read_geometry, bomb, match="cannot decompress")
    refused(check_archive, zip_bomb(tmp_path / "honest.zip", {"wijk.geojson": blanks()}))


def test_a_scenario_geometry_file_is_checked(tmp_path):
    from mixing.io.demo import make_demo_city
    from mixing.scenarios import new_district

    bomb = lie_about_sizes(zip_bomb(tmp_path / "wijk.zip", {"wijk.shp": blanks()}))
    refused(new_district, make_demo_city(), geometry_file=str(bomb),
            match="wijk.zip!wijk.shp: cannot decompress")
    refused(new_district, make_demo_city(), geometry_file=str(tmp_path / "nope.gpkg"),
            match="nope.gpkg: the new district's geometry_file is not a file")


def test_workflow_ingest_reads_through_the_same_check(tmp_path):
    bomb = gzip_bomb(tmp_path / "kwb.csv.gz")
    refused(read_batch, {"GM0001": {"table": [str(bomb)], "year": 2019}})


def test_honest_archives_still_read(tmp_path, cbs_dir):
    source = cbs_dir / "kwb_statline_rotterdam_2014_2018" / "Kerncijfers_wijken_en_buurten_2018.csv"
    plain = read_source(source)
    packed = tmp_path / "kwb.csv.gz"
    packed.write_bytes(gzip.compress(source.read_bytes()))
    zipped = zip_bomb(tmp_path / "kwb.zip", {"kwb.csv": source.read_bytes()})
    for table in (read_source(packed), read_source(zipped)):
        assert table.names == plain.names
        pd.testing.assert_frame_equal(table.data, plain.data)
    gpkg = cbs_dir / "pdok_gpkg_ermelo_2021" / "CBS_buurten.gpkg"
    zipped_map = zip_bomb(tmp_path / "ermelo.zip", {"CBS_buurten.gpkg": gpkg.read_bytes()})
    assert check_archive(zipped_map) == "zip"
    assert len(read_source(zipped_map).data) == len(read_source(gpkg).data)


_CLI = """
import sys
from mixing import limits
limits.MAX_UNPACKED_BYTES = {limit}
from mixing.cli import main
raise SystemExit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize("name", ["kwb.csv.gz", "kwb.zip", "kaart.zip"])
def test_cli_refuses_a_bomb_in_one_line_without_a_traceback(tmp_path, name):
    if name.endswith(".gz"):
        bomb, option = gzip_bomb(tmp_path / name), "--table"
    elif name == "kwb.zip":
        bomb, option = zip_bomb(tmp_path / name, {"kwb.csv": blanks()}), "--table"
    else:
        bomb, option = zip_bomb(tmp_path / name, {"buurten.gpkg": blanks()}), "--geometry"
    out = tmp_path / "units.parquet"
    done = subprocess.run(
        [sys.executable, "-c", _CLI.format(limit=LIMIT), "ingest", option, str(bomb),
         "--year", "2019", "--out", str(out)],
        capture_output=True, text=True, cwd=REPO, timeout=120)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(f"mixing: error: in {bomb}: the compressed file ")
    assert LIMIT_TEXT in lines[0] and "Traceback" not in done.stderr
    assert not out.exists()


def test_the_real_limit_sits_between_real_cbs_files_and_the_issue_example(cbs_dir):
    """1.5 MB of zip holding 1.5 GB of blanks is refused; every real CBS file fits 100 times."""
    largest = max(p.stat().st_size for p in cbs_dir.rglob("*") if p.is_file())
    assert 100 * largest < REAL_LIMIT < 1.5e9
    assert limits.size(REAL_LIMIT) == "1 GiB"
