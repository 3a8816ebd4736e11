"""The documentation builds without warnings and says what the code does.

The site is built once (``python -m sphinx -W``, as CI does) into a temporary folder; the
tests read the HTML. The data dictionary is checked against the code that writes the
tables: a column without a description, or a description without a column, fails here.
"""

from __future__ import annotations

import html
import re
import subprocess
import sys
import tomllib
import warnings

import pandas as pd
import pytest
import yaml
from conftest import REPO
from test_maps_browser import driver  # noqa: F401  (the offline Chromium fixture)

from mixing import dictionary
from mixing.catalogue import INDICES, LOCAL_INDICES
from mixing.scenarios import ASSUMPTION_SOURCES, MODEL_NOTE, SCENARIO_TYPES, Assumptions
from mixing.scenarios.types import TYPES

pytestmark = pytest.mark.docs

SPECS = list(INDICES.values()) + list(LOCAL_INDICES.values())
EXPECTED = REPO / "tests" / "expected"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("docs") / "html"
    run = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
         str(REPO / "docs"), str(out)],
        capture_output=True, text=True, timeout=300, cwd=REPO,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    return out, run


def _text(path) -> str:
    """The page's visible text: tags dropped, entities decoded, whitespace collapsed."""
    raw = path.read_text(encoding="utf-8")
    raw = re.sub(r"<(script|style)\b.*?</\1>", " ", raw, flags=re.S)
    raw = re.sub(r"</?(span|em|strong|code|a|cite)\b[^>]*>", "", raw)  # inline: no gap
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", raw)).split())


def _plain(rst: str) -> str:
    """What reStructuredText inline markup leaves visible (``*x*`` -> ``x``)."""
    return " ".join(re.sub(r"\*+([^*]+)\*+", r"\1", rst).replace("``", "").split())


# ----------------------------------------------------------------------------- the build
def test_docs_build_with_warnings_as_errors(site):
    _, run = site
    assert "WARNING" not in run.stderr and "ERROR" not in run.stderr, run.stderr


def test_every_index_has_a_page_with_formula_reference_and_pysal(site):
    out, _ = site
    for spec in SPECS:
        page = out / "generated" / "indices" / f"{spec.name}.html"
        assert page.is_file(), spec.name
        raw = html.unescape(page.read_text(encoding="utf-8"))
        assert f'id="index-{spec.name.replace("_", "-")}"' in raw, spec.name  # docutils ids
        assert spec.formula and spec.formula in raw, (spec.name, spec.formula)
        text = _text(page)
        assert spec.reference and _plain(spec.reference) in text, spec.name
        assert spec.pysal in text and spec.label.nl in text, spec.name
        # the kernel's own docstring is rendered (its signature and parameters)
        assert f"{spec.kernel.__module__}.{spec.kernel.__name__}" in text, spec.name


def test_every_index_in_the_expected_tables_has_a_reference_page(site):
    out, _ = site
    reference = _text(out / "generated" / "indices.html")
    seen = set()
    for path in EXPECTED.glob("*/indices.csv"):
        seen |= set(pd.read_csv(path, usecols=["index"])["index"])
    for path in EXPECTED.glob("*/local_indices.csv"):
        seen |= set(pd.read_csv(path, usecols=["index"])["index"])
    assert len(seen) > 30
    for name in seen:
        assert (out / "generated" / "indices" / f"{name}.html").is_file(), name
        assert name in reference, name


def test_dictionary_page_lists_every_column_with_its_unit(site):
    out, _ = site
    text = _text(out / "generated" / "dictionary.html")
    for table in dictionary.TABLES.values():
        section = text.split(f"{table.name}: {table.files[0]}", 1)
        assert len(section) == 2, table.name
        body = section[1]
        for column in table.columns:
            described = table.describe(column)
            assert f"{column} {described.unit} {described.en}" in body, (table.name, column)


def test_policy_lab_page_is_generated_from_the_assumptions_and_types(site):
    out, _ = site
    text = _text(out / "generated" / "policy_lab.html")
    assert MODEL_NOTE in text
    defaults = Assumptions()
    for name in Assumptions.field_names():
        row = f"{name} {getattr(defaults, name):g} {ASSUMPTION_SOURCES[name]}"
        assert row in text, row
    for kind in SCENARIO_TYPES:
        for key, value in TYPES[kind].defaults().items():
            assert f"{key}={value!r}" in text, (kind, key)
    shipped = yaml.safe_load((REPO / "config" / "scenarios.yaml").read_text(encoding="utf-8"))
    for name in shipped["scenarios"]:
        assert name in text, name


def test_quickstart_shows_the_readme_commands(site):
    out, _ = site
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    quick = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```bash\n(.+?)\n```", quick)
    text = _text(out / "generated" / "quickstart.html")
    assert len(commands) == 2
    for command in commands:
        assert command in text, command


def test_howtos_and_citation_are_built(site):
    out, _ = site
    version = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    cite = _text(out / "howto" / "cite.html")
    assert f"version: {version['project']['version']}" in cite
    assert "2019 84583NED" in _text(out / "howto" / "year.html")  # from KERNCIJFERS_TABLES
    for page in ("municipality", "cluster"):
        assert (out / "howto" / f"{page}.html").is_file()


def test_citation_version_is_the_package_version():
    cff = yaml.safe_load((REPO / "CITATION.cff").read_text(encoding="utf-8"))
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert cff["version"] == project["version"]
    assert cff["cff-version"] == "1.2.0" and cff["title"].startswith(project["name"])


def test_licence_file_matches_the_metadata():
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    cff = yaml.safe_load((REPO / "CITATION.cff").read_text(encoding="utf-8"))
    licence = (REPO / "LICENSE").read_text(encoding="utf-8")
    assert project["license"] == {"text": "MIT"} and cff["license"] == "MIT"
    assert licence.splitlines()[0] == "MIT License"
    assert "Permission is hereby granted, free of charge" in licence


# ----------------------------------------------------------------------------- dictionary
def test_every_column_is_described_and_no_description_is_unused():
    used = set()
    for table in dictionary.TABLES.values():
        assert len(set(table.columns)) == len(table.columns), table.name
        for column in table.columns:
            described = table.describe(column)
            assert described.en and described.nl and described.unit in dictionary.UNITS
            if column not in table.own:
                used.add(column)
        extra = set(table.own) - set(table.columns)
        assert not extra, (table.name, extra)
    assert set(dictionary.COLUMNS) - used == set()


def test_undocumented_column_is_rejected_with_a_fix():
    with pytest.raises(ValueError, match="no documented column 'colour'.*add it to"):
        dictionary.describe("indices", "colour")
    with pytest.raises(ValueError, match="unknown output table 'idx'"):
        dictionary.describe("idx", "value")
    assert dictionary.describe("scales", "ratio_buurt_grid250m").name == "ratio_buurt_{grid}"
    assert dictionary.describe("scales", "ratio_buurt_wijk").name == "ratio_buurt_wijk"
    assert dictionary.documented_name(dictionary.TABLES["scales"], "value_colour") is None


def _matches(table: str, columns) -> None:
    documented = dictionary.TABLES[table]
    names = [dictionary.documented_name(documented, c) for c in columns]
    assert None not in names, (table, [c for c, n in zip(columns, names, strict=True) if n is None])
    # every fixed (non-pattern) documented column is written
    fixed = {c for c in documented.columns if "{" not in c}
    assert fixed <= set(columns), (table, fixed - set(columns))


def test_runtime_columns_of_scales_and_change_match_the_written_tables():
    headers = {}
    for path in EXPECTED.glob("*/scales.csv"):
        headers.setdefault("scales", []).append(list(pd.read_csv(path, nrows=0).columns))
    for name in ("trends", "tests", "decomposition", "harmonisation"):
        for path in EXPECTED.glob(f"*/change/{name}.csv"):
            headers.setdefault(f"change_{name}", []).append(
                list(pd.read_csv(path, nrows=0).columns))
    assert set(headers) == {"scales", "change_trends", "change_tests", "change_decomposition",
                            "change_harmonisation"}
    for table, column_lists in headers.items():
        for columns in column_lists:
            _matches(table, columns)
            if table != "scales":
                assert tuple(columns) == dictionary.TABLES[table].columns, table


@pytest.fixture(scope="module")
def demo_units():
    from mixing.io.cbs import read_units

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return read_units(geometry=REPO / "data" / "raw" / "demo" / "buurten.gpkg", year=2024)


def test_runtime_columns_of_regions_unit_change_and_scenario_units(demo_units):
    from mixing.scenarios import apply_scenario, load_scenarios
    from mixing.tables.change import unit_change
    from mixing.tables.regions import region_indices

    later = demo_units.assign(year=2025)
    assert tuple(unit_change(demo_units, later).columns) == \
        dictionary.TABLES["change_units"].columns
    twin = demo_units.assign(municipality_code="DEMO02")
    result = region_indices(pd.concat([demo_units, twin], ignore_index=True),
                            {"twins": ["DEMO01", "DEMO02"]})
    for table, frame in (("regions", result.indices),
                         ("regions_decomposition", result.decomposition),
                         ("regions_municipalities", result.municipalities)):
        assert tuple(frame.columns) == dictionary.TABLES[table].columns, table
    scenarios = load_scenarios(REPO / "config" / "scenarios.yaml")
    written = set()
    for scenario in scenarios.values():
        written |= set(apply_scenario(demo_units, scenario, scenarios).units.columns)
    assert written == set(dictionary.TABLES["scenario_units"].columns)


# ----------------------------------------------------------------------------- offline
def _math_pages(out):
    return [p for p in sorted(out.rglob("*.html")) if 'class="math' in p.read_text("utf-8")]


def test_formulas_load_the_vendored_mathjax_and_nothing_from_the_network(site):
    out, _ = site
    pages = _math_pages(out)
    assert len(pages) >= len(INDICES)  # one page per index at least, each with its formula
    vendored = out / "_static" / "mathjax" / "tex-svg-full.js"
    assert vendored.stat().st_size == (
        REPO / "docs" / "_static" / "mathjax" / "tex-svg-full.js").stat().st_size
    for page in sorted(out.rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        external = re.findall(r"<(?:script|link)\b[^>]*(?:src|href)=\"(https?:)?//[^\"]+", text)
        assert not external, (page.name, external)
    for page in pages:
        assert re.search(r'<script [^>]*src="(\.\./)*_static/mathjax/tex-svg-full\.js'
                         r'(\?v=\w+)?"', page.read_text(encoding="utf-8")), page


def test_formulas_render_in_a_browser_without_network(site, driver):  # noqa: F811
    out, _ = site
    page = next(p for p in _math_pages(out) if p.parent.name != "_modules")
    driver.get_log("browser")
    driver.get(page.as_uri())
    from selenium.webdriver.support.ui import WebDriverWait

    rendered = WebDriverWait(driver, 20).until(lambda d: d.execute_script(
        "return document.querySelectorAll('mjx-container svg').length"))
    assert rendered > 0
    # no TeX left as text and no failed request
    assert driver.execute_script("return document.querySelectorAll('mjx-merror').length") == 0
    assert [e for e in driver.get_log("browser") if e["level"] == "SEVERE"] == []
