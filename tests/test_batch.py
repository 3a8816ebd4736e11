"""Batches: names that say what they cover; shared sources read once; results split per code."""

import pandas as pd
import pytest

import mixing.tables.batch as batch
from mixing.errors import InputError
from mixing.tables.batch import (
    batch_members,
    home_batch,
    make_batches,
    read_batch,
    repair_batch,
    split_by_municipality,
)


def test_batches_are_named_by_their_codes():
    codes = ["GM0599", "GM0003", "GM0363", "GM0518", "DEMO01"]
    assert make_batches(codes, 1) == {c: [c] for c in sorted(codes)}
    assert make_batches(codes, 2) == {
        "DEMO01-GM0003": ["DEMO01", "GM0003"], "GM0363-GM0518": ["GM0363", "GM0518"],
        "GM0599": ["GM0599"],
    }
    with pytest.raises(ValueError, match="batch_size must be >= 1, got 0"):
        make_batches(codes, 0)


def test_a_repair_batch_is_one_municipality_of_its_home_batch():
    batches = make_batches(["GM0599", "GM0003", "GM0363", "GM0518", "DEMO01"], 2)
    assert repair_batch("GM0518") == "GM0518-GM0518" not in batches
    assert batch_members("GM0518-GM0518", batches) == ["GM0518"]
    assert home_batch("GM0518-GM0518", batches) == "GM0363-GM0518"
    assert batch_members("GM0363-GM0518", batches) == ["GM0363", "GM0518"]
    assert home_batch("GM0599", batches) == "GM0599"
    # a batch of one configured municipality is named by its code: its repair batch differs
    assert repair_batch("GM0599") == "GM0599-GM0599"
    assert home_batch("GM0599-GM0599", batches) == "GM0599"
    with pytest.raises(InputError, match="'GM0003-GM0363' is no configured batch and its "
                                         "codes lie in 2 configured batches"):
        batch_members("GM0003-GM0363", batches)
    with pytest.raises(InputError, match="lie in 0 configured batches"):
        batch_members("GM0001-GM0001", batches)


def test_split_keeps_every_code_even_when_absent():
    frame = pd.DataFrame({"municipality_code": ["GM0001", "GM0002", "GM0001"], "v": [1, 2, 3]})
    parts = split_by_municipality(frame, ["GM0001", "GM0003"])
    assert parts["GM0001"]["v"].tolist() == [1, 3]
    assert parts["GM0003"].empty and list(parts["GM0003"].columns) == ["municipality_code", "v"]


def test_municipalities_sharing_files_are_read_in_one_call(cbs_dir, monkeypatch):
    national = cbs_dir / "kwb_statline_nl_2024_bevolking_herkomst"
    pair = [str(national / "Kerncijfers_wijken_en_buurten_2024_geslachten.csv"),
            str(national / "Kerncijfers_wijken_en_buurten_2024_11122025_141648.csv")]
    den_haag = str(cbs_dir / "kwb_odata_denhaag_amsterdam_utrecht/data/"
                   "marginal_distributions_TheHague_2019_84583NED.csv")
    calls = []
    real = batch.read_units

    def counting(**kwargs):
        calls.append(kwargs["municipality"])
        return real(**kwargs)

    monkeypatch.setattr(batch, "read_units", counting)
    sources = {"GM0599": {"table": pair, "year": 2024},
               "GM0518": {"table": [den_haag], "year": 2019},
               "GM0344": {"table": pair, "year": 2024}}
    result = read_batch(sources, levels=("buurt", "wijk"))
    assert calls == [["GM0599", "GM0344"], ["GM0518"]]  # one read per distinct source
    assert list(result) == ["GM0599", "GM0518", "GM0344"]
    assert (result["GM0599"]["level"] == "buurt").sum() == 91  # Rotterdam 2024
    assert (result["GM0344"]["level"] == "buurt").sum() == 111  # Utrecht 2024
    assert (result["GM0518"]["level"] == "buurt").sum() == 114
    assert set(result["GM0518"]["level"]) == {"buurt", "wijk"}
    assert result["GM0599"]["year"].eq(2024).all() and result["GM0518"]["year"].eq(2019).all()
