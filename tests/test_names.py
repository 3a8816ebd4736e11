"""Unit names from the other sources of a run (mixing.io.names), on the real CBS files.

Den Haag's and Amsterdam's 2019 OData files carry codes only; the national 2024 table names
every Den Haag 2019 buurt code and Amsterdam's own 2017 table every Amsterdam 2019 code.
"""

from __future__ import annotations

import warnings

import pandas as pd
import pytest
from conftest import DEN_HAAG_2019, ODATA

from mixing.errors import InputError
from mixing.io.cbs import NoNamesWarning, read_names, read_units
from mixing.io.names import resolve_names, unnamed
from mixing.tables.batch import read_batch

NL_2024 = ("kwb_statline_nl_2024_bevolking_herkomst/"
           "Kerncijfers_wijken_en_buurten_2024_geslachten.csv")
AMSTERDAM_2019 = ODATA + "ams_2019/marginal_distributions_84583NED.csv"
AMSTERDAM_2017 = "kwb_statline_amsterdam_2017/Kerncijfers_wijken_en_buurten_2017.csv"


def _quiet(*args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return read_units(*args, **kwargs)


def test_national_2024_table_names_every_region(cbs_dir):
    names = read_names(cbs_dir / NL_2024)
    assert names.index.str[:2].value_counts().to_dict() == {
        "BU": 14574, "WK": 3393, "GM": 342, "NL": 1}
    assert names["GM0518"] == "'s-Gravenhage" and names["BU05182916"] == "Schildersbuurt-Noord"
    assert not (names.index == names.to_numpy()).any()


def test_den_haag_2019_is_named_by_the_national_2024_table(cbs_dir, den_haag_2019):
    assert unnamed(den_haag_2019).all()  # the OData file has no names
    named = resolve_names(den_haag_2019, names=[cbs_dir / NL_2024])
    assert len(named) == 114 and not unnamed(named).any()
    pd.testing.assert_series_equal(named["unit_code"], den_haag_2019["unit_code"])
    assert named.set_index("unit_code").loc["BU05180170", "unit_name"] == "Oostduinen"


def test_amsterdam_2019_is_named_by_its_own_2017_table(cbs_dir):
    units = _quiet(table=cbs_dir / AMSTERDAM_2019, year=2019)
    named = resolve_names(units, inputs=[cbs_dir / AMSTERDAM_2017])
    assert len(named) == 479 and not unnamed(named).any()
    assert named.set_index("unit_code").loc["BU03630000", "unit_name"] == "Kop Zeedijk"


def test_names_it_has_are_kept_and_the_first_source_wins(tmp_path):
    units = pd.DataFrame({"unit_code": ["BU00010001", "BU00010002", "BU00010003"],
                          "unit_name": ["Eigen naam", "BU00010002", None]})
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text("Codering_3;WijkenEnBuurten;AantalInwoners_5\n"
                     "BU00010002;Eerste;10\n", encoding="utf-8")
    second.write_text("Codering_3;WijkenEnBuurten;AantalInwoners_5\nBU00010001;Ander;1\n"
                      "BU00010002;Tweede;10\nBU00010003;Derde;5\n", encoding="utf-8")
    named = resolve_names(units, inputs=[first], names=[second])
    assert named["unit_name"].tolist() == ["Eigen naam", "Eerste", "Derde"]


def test_a_names_file_without_names_is_refused_an_input_without_names_is_skipped(cbs_dir,
                                                                                 den_haag_2019):
    codes_only = cbs_dir / DEN_HAAG_2019
    assert unnamed(resolve_names(den_haag_2019, inputs=[codes_only])).all()
    with pytest.raises(InputError, match=r"no region names in this file; its name column "
                                         r"'WijkenEnBuurten' holds codes only.*Fix: name a file "
                                         r"with codes and names"):
        resolve_names(den_haag_2019, names=[codes_only])
    with pytest.raises(InputError, match="file not found"):
        resolve_names(den_haag_2019, names=[cbs_dir / "nothing.csv"])


def test_read_batch_names_every_level_and_counts_what_stays_unnamed(cbs_dir):
    source = {"table": [str(cbs_dir / DEN_HAAG_2019)], "year": 2019}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        named = read_batch({"GM0518": source | {"names": [str(cbs_dir / NL_2024)]}},
                           ("buurt", "wijk"), allow_unusable=True)["GM0518"]
    assert not [w for w in caught if issubclass(w.category, NoNamesWarning)]
    assert named.groupby("level").size().to_dict() == {"buurt": 114, "wijk": 44}
    assert not unnamed(named).any()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        read_batch({"GM0518": source | {"name_inputs": [str(cbs_dir / DEN_HAAG_2019)]}},
                   ("buurt", "wijk"), allow_unusable=True)
    counted = sorted(str(w.message).split(";")[0] for w in caught
                     if w.category is NoNamesWarning)
    assert counted == ["GM0518: 114 of 114 buurt units have no name in any source of the run",
                       "GM0518: 44 of 44 wijk units have no name in any source of the run"]
