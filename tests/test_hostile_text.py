"""Text from input files is data, never code: hostile names through every output.

Threat model (docs/security.rst): no data file is trusted. Buurt, wijk and municipality names,
codes and scenario descriptions may hold Jinja2 (``{{ }}``, ``{% %}``, ``{# #}``), JavaScript
template literals, ``</script>``, quotes and matplotlib mathtext. Every page, figure and
the docs must show them literally, create no file and not crash; and no such text may ever
be compiled as a template (checked by watching every Jinja2 compilation while pages are made).
"""

from __future__ import annotations

import dataclasses
import html
import json
import re
import subprocess
import sys

import jinja2
import pandas as pd
import pytest
import yaml
from conftest import REPO
from matplotlib.text import Text

from mixing.io.demo import make_demo_city
from mixing.scenarios import load_scenarios, run_scenarios, scenario_changes
from mixing.tables.clusters import autocorrelation_tables
from mixing.tables.frames import index_table
from mixing.viz.compare import scenario_page
from mixing.viz.explorer import explorer_payload
from mixing.viz.figures import lisa_figure, save_figure, scenario_effects_figure, share_figure
from mixing.viz.maps import municipality_map
from mixing.viz.overview import overview_page

#: A marker in every hostile text, so a compiled template source that holds data is found.
MARK = "MXHOSTILE"
#: The file a successful server-side template injection would create (relative to the cwd).
PWNED = "PWNED_BY_A_NAME"
HOSTILE = (
    f"{MARK} Wijk {{{{ 7*7 }}}}",
    f"{MARK} {{% if true %}}ja{{% endif %}} {{# weg #}}",
    f"{MARK} {{{{ cycler.__init__.__globals__.os.system('touch {PWNED}') }}}}",
    f"{MARK} `${{alert(1)}}` </script><script>alert(2)</script>",
    f"{MARK} 'enkel' \"dubbel\" & <b>vet</b> $\\geenformule{{$ _verborgen",
)
MUNICIPALITY = f"{MARK} Demostad {{{{ 6*7 }}}} </script> 'x'"


def hostile_units():
    units = make_demo_city()
    buurten = units.index[units["level"] == "buurt"][: len(HOSTILE)]
    units.loc[buurten, "unit_name"] = list(HOSTILE)
    units["municipality_name"] = MUNICIPALITY
    return units


@pytest.fixture()
def compiled(monkeypatch):
    """Every source Jinja2 compiles while the test runs."""
    sources: list[str] = []
    original = jinja2.Environment.compile

    def spy(self, source, *args, **kwargs):
        sources.append(str(source))
        return original(self, source, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "compile", spy)
    return sources


@pytest.fixture(scope="module")
def lab(seed):
    units = hostile_units()
    specs = load_scenarios(REPO / "config" / "scenarios.yaml")
    first = next(iter(specs))
    specs[first] = dataclasses.replace(specs[first], description=HOSTILE[3])
    summary, after = run_scenarios(units, specs, seed=seed, permutations=19)
    local = autocorrelation_tables(units, permutations=99, seed=seed)[1]
    return units, specs, summary, after, local


def _json_payloads(page: str) -> list:
    return [json.loads(m) for m in re.findall(
        r"<script type='application/json' id='[\w-]+'>(.*?)</script>", page, re.S)]


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def test_map_embeds_hostile_names_as_data(lab, compiled, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    units, specs, summary, after, local = lab
    page = municipality_map(units, index_table(units), local=local, scenarios=after,
                            scenario_table=summary,
                            scenario_changes=scenario_changes(units, after),
                            explorer=explorer_payload(units, assumptions=specs.assumptions))
    assert not any(MARK in source for source in compiled), "data was compiled as a template"
    assert not (tmp_path / PWNED).exists()
    texts = {s for p in _json_payloads(page) for s in _strings(p)}
    for name in HOSTILE:
        assert name in texts, f"{name!r} is not in the map's data as written"
    # the title panel is HTML: the municipality's name is escaped, never evaluated
    assert html.escape(MUNICIPALITY) in page
    assert "Demostad 42" not in page and "Wijk 49" not in page
    # no data closes a script element early: every </script> is the page's own
    assert page.count("</script>") == page.count("<script")


def test_scenario_page_and_overview_show_hostile_text_literally(lab, compiled, tmp_path,
                                                                monkeypatch):
    monkeypatch.chdir(tmp_path)
    units, specs, summary, after, _ = lab
    page = scenario_page(summary, scenario_changes(units, after), units)
    overview = overview_page(units, index_table(units), links={"DEMO01": "DEMO01/map.html"},
                             scenarios=summary.assign(municipality_code="DEMO01"))
    assert not any(MARK in source for source in compiled)
    assert not (tmp_path / PWNED).exists()
    assert html.escape(HOSTILE[3]) in page  # the scenario description
    for text in (page, overview):
        assert "Demostad 42" not in text
        assert "<script>alert(2)" not in text
    assert html.escape(MUNICIPALITY) in page


def test_titles_caveats_and_trend_page_show_hostile_text_literally(lab, compiled, tmp_path,
                                                                   monkeypatch):
    from mixing.tables.caveats import caveat_table
    from mixing.viz.pages import municipality_links
    from mixing.viz.trends import trend_page

    monkeypatch.chdir(tmp_path)
    units = lab[0]
    caveats = caveat_table(units).assign(level=HOSTILE[4])
    trends = pd.DataFrame({"municipality_code": "DEMO01", "year": [2020, 2024],
                           "level": "buurt", "dimension": "social_housing",
                           "index": "dissimilarity", "value": [0.3, 0.2]})
    links = municipality_links(scenarios=True, trends=True)
    pages = [trend_page(trends, name=MUNICIPALITY, base_year=2024, links=links,
                        caveats=caveats),
             municipality_map(units, index_table(units, indices=("dissimilarity",),
                                                 inference_indices=()),
                              links=links, caveats=caveats)]
    assert not any(MARK in source for source in compiled)
    assert not (tmp_path / PWNED).exists()
    for page in pages:
        title = re.search(r"<title>(.*?)</title>", page).group(1)
        assert html.unescape(title).startswith(MUNICIPALITY)
        assert html.escape(HOSTILE[4]) in page and "<b>vet</b>" not in page
        assert "Demostad 42" not in page
        assert page.count("</script>") == page.count("<script")


def test_figures_draw_hostile_names_literally(lab, tmp_path):
    units, specs, summary, _, local = lab
    table = summary.assign(municipality_code="DEMO01", municipality_name=HOSTILE[4])
    figures = [share_figure(units), lisa_figure(units, local),
               scenario_effects_figure(pd.concat([table, table.assign(
                   municipality_code="DEMO02", municipality_name=HOSTILE[0])]))]
    for i, fig in enumerate(figures):
        save_figure(fig, tmp_path / f"f{i}")  # mathtext would fail on $\geenformule{$
        texts = fig.findobj(lambda a: isinstance(a, Text) and MARK in a.get_text())
        assert texts and all(not t.get_parse_math() for t in texts)
    title = figures[0].axes[0].get_title(loc="left")
    assert MUNICIPALITY in title
    legend = [t.get_text() for t in figures[2].axes[0].get_legend().get_texts()]
    assert HOSTILE[4] in legend and HOSTILE[0] in legend


def test_docs_show_scenario_descriptions_as_text():
    sys.path.insert(0, str(REPO / "docs" / "_ext"))
    try:
        from docutils.core import publish_string
        from mixing_docs import _rst_text
    finally:
        sys.path.pop(0)
    hostile = ("Zie `hier <javascript:alert(1)>`_ of javascript:alert(2), |sub|, "
               ":ref:`x`, foo_ .. raw:: html {{ 7*7 }}")
    out = publish_string(_rst_text(hostile), writer_name="html",
                         settings_overrides={"report_level": 5}).decode()
    body = re.search(r"<p>(.*)</p>", out, re.S).group(1)
    assert "<a " not in out and "href" not in body
    assert html.unescape(body) == hostile


@pytest.mark.workflow
def test_workflow_outputs_keep_hostile_names_literal(tmp_path):
    """The whole workflow on the demo city with hostile buurt and municipality names."""
    import geopandas as gpd

    demo = gpd.read_file(REPO / "data" / "raw" / "demo" / "buurten.gpkg")
    demo.loc[: len(HOSTILE) - 1, "unit_name"] = list(HOSTILE)
    demo["municipality_name"] = MUNICIPALITY
    (tmp_path / "in").mkdir()
    demo.to_file(tmp_path / "in" / "buurten.gpkg")
    config = tmp_path / "hostile.yaml"
    settings = yaml.safe_load((REPO / "config" / "config.yaml").read_text(encoding="utf-8"))
    settings["municipalities"] = {"DEMO01": {"geometry": str(tmp_path / "in" / "buurten.gpkg"),
                                           "year": 2024}}
    config.write_text(yaml.safe_dump(settings), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"),
         "--directory", str(tmp_path), "--configfile", str(config), "--cores", "2"],
        cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-4000:]
    assert not list(tmp_path.rglob(PWNED))
    pages = {p.name: p.read_text(encoding="utf-8")
             for p in (tmp_path / "results").rglob("*.html")}
    assert {"map.html", "scenarios.html", "index.html"} <= set(pages)
    for name, page in pages.items():
        assert "Demostad 42" not in page and "Wijk 49" not in page, name
        assert "<script>alert(2)" not in page, name
    texts = {s for p in _json_payloads(pages["map.html"]) for s in _strings(p)}
    assert set(HOSTILE) <= texts
