"""Sphinx extension: write the pages that the code already knows, at build time.

Generated under ``docs/generated/`` (git-ignored) before Sphinx reads the sources:

* ``quickstart.rst``: what ``mixing`` answers and the two commands, from README.md;
* ``indices.rst`` + ``indices/<name>.rst``: one page per index of
  :data:`mixing.catalogue.INDICES` and :data:`mixing.catalogue.LOCAL_INDICES` with formula,
  reference, PySAL equivalent, conventions and the kernel's docstring;
* ``dictionary.rst``: :data:`mixing.dictionary.TABLES` as tables;
* ``policy_lab.rst``: the assumptions, the scenario types and the default scenarios;
* ``years.inc``: the CBS kerncijfers tables the downloader knows;
* ``citation.inc``: CITATION.cff as text.

A file is rewritten only when its text changed, so incremental builds stay incremental.
"""

from __future__ import annotations

import inspect
import re
import sys
import textwrap
from dataclasses import fields
from pathlib import Path

__all__ = ["setup", "generate"]

_FAMILIES = {
    "aspatial": "Two-group aspatial indices",
    "spatial": "Two-group spatial indices",
    "multigroup": "Multigroup indices",
    "local": "Local (per-unit) indices",
}
_DIRECTION = {
    "higher": "higher values mean more segregation",
    "lower": "lower values mean more segregation (an exposure or interaction measure)",
    None: "a measure of composition (diversity); it does not rank segregation",
}


# ----------------------------------------------------------------------------- helpers
def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def _title(text: str, char: str = "=") -> str:
    return f"{text}\n{char * len(text)}\n"


def _cell(text: object) -> str:
    """One list-table cell: no line breaks, and a placeholder for empty text."""
    text = " ".join(str(text).split())
    return text if text else "--"


def _rst_text(text: object) -> str:
    """Text from a data or config file as plain reStructuredText: every punctuation mark is
    escaped, so no role, link, directive, substitution or bare URL (``javascript:``) is made
    of it; the reader sees the characters as written."""
    return re.sub(r"([^\w\s]|_)", r"\\\1", " ".join(str(text).split()))


def _list_table(header: list[str], rows: list[list[object]], widths: str | None = None) -> str:
    lines = [".. list-table::", "   :header-rows: 1"]
    if widths:
        lines.append(f"   :widths: {widths}")
    lines.append("")
    for row in [header, *rows]:
        for i, value in enumerate(row):
            lines.append(f"   {'*' if i == 0 else ' '} - {_cell(value)}")
    return "\n".join(lines) + "\n"


def _md_inline(text: str) -> str:
    """Markdown inline markup -> reStructuredText (links, code; bold is the same)."""
    text = re.sub(r"\[([^\]]+)\]\(([^)]+)\)", r"`\1 <\2>`__", text)
    return re.sub(r"(?<!`)`([^`]+)`(?![`_])", r"``\1``", text)


def _md_to_rst(markdown: str) -> str:
    """The little Markdown the README's opening sections use (paragraphs, lists, fences)."""
    out, lines, i = [], markdown.strip("\n").splitlines(), 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("```"):
            language = line[3:].strip() or "text"
            block = []
            i += 1
            while not lines[i].startswith("```"):
                block.append("   " + lines[i])
                i += 1
            out += ["", f".. code-block:: {language}", "", *block, ""]
        else:
            out.append(_md_inline(line))
        i += 1
    return "\n".join(out) + "\n"


def _readme_section(readme: str, heading: str | None) -> str:
    """The text of ``## heading`` (or the text before the first ``##`` when None)."""
    if heading is None:
        return readme.split("\n## ", 1)[0].split("\n", 1)[1]
    return readme.split(f"\n## {heading}", 1)[1].split("\n", 1)[1].split("\n## ", 1)[0]


def _docs_up(module) -> list[tuple[str, str]]:
    """(name, docstring) of the module and of each package above it, nearest first."""
    name, out = module.__name__, []
    while name.startswith("mixing.kernels"):
        out.append((name, inspect.getdoc(sys.modules[name]) or ""))
        name = name.rpartition(".")[0]
    return out


def _module_section(module, heading: str) -> tuple[str, str]:
    """(module name, body) of the nearest ``heading`` section (underlined) of the kernel's
    module or its package's docstring; ("", "") if none."""
    for name, doc in _docs_up(module):
        match = re.search(rf"^{heading}[^\n]*\n-+\n(.+?)(?:\n\s*\n|\Z)", doc, re.S | re.M)
        if match:
            return name, match.group(1).strip()
    return "", ""


def _paragraph(module, start: str) -> str:
    for _, doc in _docs_up(module):
        match = re.search(rf"^({start}.+?)(?:\n\s*\n|\Z)", doc, re.S | re.M)
        if match:
            return match.group(1).strip()
    return ""


def _bounds(bounds) -> str:
    low, high = bounds
    if low is None and high is None:
        return "none (unbounded)"
    return f"[{'-∞' if low is None else f'{low:g}'}, {'∞' if high is None else f'{high:g}'}]"


# ----------------------------------------------------------------------------- pages
def _quickstart(root: Path) -> str:
    readme = (root / "README.md").read_text(encoding="utf-8")
    return "\n".join([
        _title("What mixing answers"),
        _md_to_rst(_readme_section(readme, None)),
        _title("Install and run", "-"),
        _md_to_rst(_readme_section(readme, "Quick start (fresh machine with Python 3.11)")),
        "The configuration keys are explained in ``config/README.md``; the outputs are "
        "described column by column in the :doc:`dictionary`.\n",
    ])


def _index_page(spec) -> str:
    from mixing.catalogue import LOCAL_INDICES, testable

    kernel = spec.kernel
    module = inspect.getmodule(kernel)
    target = f"{kernel.__module__}.{kernel.__qualname__}"
    table = "local_indices.csv" if spec.name in LOCAL_INDICES else "indices.csv"
    if spec.inference:
        inference = ("permutation p-value, null expectation and 95 % bootstrap interval in "
                     "``indices.csv``")
    elif spec.name in testable():
        inference = ("on request: name it under ``indices.inference`` in the config "
                     "(:mod:`mixing.kernels.inference`)")
    else:
        inference = "none (value only)"
    rows = [
        ["Name in the tables", f"``{spec.name}`` (column ``index`` of ``{table}``)"],
        ["Dutch label", spec.label.nl],
        ["Family", _FAMILIES[spec.family]],
        ["Kernel", f":func:`{target}`"],
        ["Direction", _DIRECTION[spec.segregated_when]],
        ["Bounds", _bounds(spec.bounds)],
        ["Geometry needed", ", ".join(f"``{n}``" for n in spec.needs) or "none (counts only)"],
        ["Inference", inference],
        ["Random draws", "yes: the kernel takes ``seed=`` (the workflow's seed)"
         if spec.seeded else "none (deterministic)"],
        ["Scale free", "yes: multiplying every count by a factor leaves it unchanged"
         if spec.scale_free else "no: depends on the absolute counts"],
        ["PySAL equivalent", f"``{spec.pysal}``" if spec.pysal else "none named"],
    ]
    if spec.multigroup_counts:
        rows.append(["Counts", "a multigroup dimension's counts (units x groups)"])
    parts = [
        f".. _index-{spec.name}:\n",
        _title(f"{spec.label.en} (``{spec.name}``)"),
        f"*{spec.label.nl}* -- {spec.title}\n",
        ".. list-table::\n   :stub-columns: 1\n   :widths: 25 75\n\n" + "\n".join(
            f"   * - {_cell(a)}\n     - {_cell(b)}" for a, b in rows) + "\n",
        _title("Formula", "-"),
        f".. math:: {spec.formula}\n" if spec.formula else "See the kernel's Notes below.\n",
        _title("Reference", "-"),
        (spec.reference or "See the kernel's Notes below.") + "\n",
        _title("Conventions", "-"),
        f"**Direction.** {_DIRECTION[spec.segregated_when].capitalize()}. "
        f"**Bounds.** {_bounds(spec.bounds)}. **Geometry.** "
        + (", ".join(f"``{n}``" for n in spec.needs) or "none") + " (built once by "
        ":func:`mixing.geometry.distances.spatial_inputs`).\n"
        if spec.needs else
        f"**Direction.** {_DIRECTION[spec.segregated_when].capitalize()}. "
        f"**Bounds.** {_bounds(spec.bounds)}. **Geometry.** none.\n",
    ]
    source, conventions = _module_section(module, "Conventions")
    if conventions:
        parts += [f"**Missing data and empty units** (:mod:`{source}`):\n", conventions + "\n"]
    notation = _paragraph(module, "Notation")
    if notation:
        parts.append(notation + "\n")
    parts += [_title("Kernel", "-"), f".. autofunction:: {target}\n"]
    return "\n".join(parts)


def _indices(out: Path) -> str:
    from mixing.catalogue import HEADLINE_INDICES, INDICES, LOCAL_INDICES

    specs = list(INDICES.values()) + list(LOCAL_INDICES.values())
    for spec in specs:
        _write(out / "indices" / f"{spec.name}.rst", _index_page(spec))
    parts = [
        ".. _index-reference:\n",
        _title("Index reference"),
        f"Every index in ``indices.csv`` and ``local_indices.csv``: {len(INDICES)} indices "
        f"and {len(LOCAL_INDICES)} local measures, generated from the catalogue "
        "(:mod:`mixing.catalogue`) and the kernels' docstrings. The headline indices of "
        "summaries are " + ", ".join(f":ref:`{n} <index-{n}>`" for n in HEADLINE_INDICES)
        + ".\n",
        "Definitions follow PySAL ``segregation`` 2.5 so that numbers agree with it; the "
        "test suite compares every index with ``segregation`` / ``esda`` on real CBS data. "
        "Where ``segregation`` has a known flaw, the kernel's Notes say so.\n",
    ]
    for family, heading in _FAMILIES.items():
        members = [s for s in specs if s.family == family]
        parts.append(_title(heading, "-"))
        parts.append(_list_table(
            ["index", "Dutch label", "direction", "bounds", "geometry", "PySAL"],
            [[f":ref:`{s.name} <index-{s.name}>`", s.label.nl,
              {"higher": "higher", "lower": "lower", None: "--"}[s.segregated_when],
              _bounds(s.bounds) if s.bounds != (None, None) else "--",
              ", ".join(s.needs) or "--", f"``{s.pysal}``" if s.pysal else "--"]
             for s in members], "22 22 10 12 16 18"))
    parts.append(".. toctree::\n   :hidden:\n\n" + "\n".join(
        f"   indices/{s.name}" for s in specs) + "\n")
    return "\n".join(parts)


def _dictionary() -> str:
    from mixing.dictionary import COLUMNS, PATTERNS, TABLES, UNITS

    parts = [
        _title("Data dictionary"),
        "Every column of every output table, with its unit and meaning (English; Dutch in "
        "the last column). Generated from :mod:`mixing.dictionary`, whose column lists are "
        "read from the code that writes the tables; a test fails when a column is added "
        "without a description. Counts are floats and NaN means unknown (hidden by CBS or "
        "not published). Names in braces are patterns: "
        + "; ".join(f"``{{{k}}}`` = {words}" for k, (_, words) in PATTERNS.items()) + ".\n",
        _title("Units", "-"),
        _list_table(["unit", "meaning", "Dutch"], [[f"``{k}``", en, nl]
                                                   for k, (en, nl) in UNITS.items()]),
    ]
    for table in TABLES.values():
        parts.append(f".. _table-{table.name}:\n")
        parts.append(_title(f"{table.name}: " + ", ".join(f"``{f}``" for f in table.files),
                            "-"))
        en, nl = table.en, table.nl
        parts.append(f"{en[0].upper()}{en[1:]}. *{nl[0].upper()}{nl[1:]}.*\n")
        rows = []
        for name in table.columns:
            column = table.own.get(name) or COLUMNS[name]
            rows.append([f"``{name}``", f"``{column.unit}``", column.en, column.nl])
        parts.append(_list_table(["column", "unit", "description", "Nederlands"], rows,
                                 "22 12 44 22"))
    return "\n".join(parts)


def _policy_lab(root: Path) -> str:
    from mixing.scenarios import ASSUMPTION_SOURCES, MODEL_NOTE, SCENARIO_TYPES, Assumptions
    from mixing.scenarios.spec import load_scenarios
    from mixing.scenarios.types import TYPES

    defaults = Assumptions()
    parts = [
        _title("The policy lab: scenarios and assumptions"),
        f".. note::\n\n   The policy lab is an **{MODEL_NOTE}**. Every assumption below is "
        "copied onto every row of ``scenarios.csv`` (columns ``assumption_*``), so a "
        "number is never read without its assumptions.\n",
        _title("Assumptions", "-"),
        "Numbers the data lack, with their defaults and sources (:class:"
        "`mixing.scenarios.Assumptions`, :data:`mixing.scenarios.ASSUMPTION_SOURCES`). "
        "Override them for all scenarios under ``assumptions:`` in the scenarios file, or "
        "per scenario.\n",
        _list_table(["assumption (column ``assumption_`` + name)", "default", "source"],
                    [[f"``{f.name}``", f"{getattr(defaults, f.name):g}",
                      ASSUMPTION_SOURCES[f.name]]
                     for f in fields(Assumptions)], "34 10 56"),
        _title("Scenario types", "-"),
        "Each scenario in ``config/scenarios.yaml`` has a ``type`` and parameters; "
        "parameters left out take these defaults (:data:`mixing.scenarios.types.TYPES`; "
        "``None`` = optional), and values outside the allowed range stop the run with an "
        "error naming the scenario. The transform's docstring gives the accounting.\n",
    ]
    rows = []
    for kind in SCENARIO_TYPES:
        transform = TYPES[kind].transform
        doc = (inspect.getdoc(transform) or "").split("\n", 1)[0] if transform else (
            "apply other scenarios (``steps``) in sequence; costs add up")
        what = (f":func:`{transform.__module__}.{transform.__name__}`: {doc}"
                if transform else doc)
        params = "; ".join(f"``{k}={p.default!r}`` {_allowed(p)}".rstrip()
                           for k, p in TYPES[kind].params.items())
        rows.append([f"``{kind}``", what, params])
    parts.append(_list_table(["type", "what it does", "parameters (defaults)"], rows,
                             "14 46 40"))
    parts.append(_title("The default scenarios", "-"))
    parts.append("``config/scenarios.yaml`` as shipped (the Dutch policies of POLICY.md):\n")
    scenarios = load_scenarios(root / "config" / "scenarios.yaml")
    parts.append(_list_table(["scenario", "type", "description"],
                             [[_rst_text(s.name), _rst_text(s.type), _rst_text(s.description)]
                              for s in scenarios.values()], "22 14 64"))
    parts.append(_title("Scenario API", "-"))
    parts.append(".. autoclass:: mixing.scenarios.Assumptions\n")
    return "\n".join(parts)


def _allowed(param) -> str:
    """A parameter's allowed values in words: ``(0, 1]``, ``one of a, b``, ..."""
    if param.kind == "number" and (param.low is not None or param.high is not None):
        left, right = "(" if param.low_open else "[", ")" if param.high_open else "]"
        low = "-∞" if param.low is None else f"{param.low:g}"
        high = "∞" if param.high is None else f"{param.high:g}"
        return f"in {left}{low}, {high}{right}"
    if param.kind == "choice":
        return "one of " + ", ".join(f"``{c}``" for c in param.choices)
    return {"bool": "true / false", "codes": "list of buurt codes",
            "steps": "list of scenario names", "mix": "tenure shares adding up to 1",
            "text": "text"}.get(param.kind, "")


def _years() -> str:
    from mixing.io.download import KERNCIJFERS_TABLES

    return _list_table(["year", "CBS kerncijfers table (OData)"],
                       [[year, f"``{table}``"] for year, table in KERNCIJFERS_TABLES.items()])


def _citation(root: Path) -> str:
    text = (root / "CITATION.cff").read_text(encoding="utf-8")
    return ".. code-block:: yaml\n\n" + textwrap.indent(text, "   ") + "\n"


def generate(app) -> None:
    """Write every generated page (Sphinx ``builder-inited``)."""
    docs = Path(app.srcdir)
    root = docs.parent
    out = docs / "generated"
    _write(out / "quickstart.rst", _quickstart(root))
    _write(out / "indices.rst", _indices(out))
    _write(out / "dictionary.rst", _dictionary())
    _write(out / "policy_lab.rst", _policy_lab(root))
    _write(out / "years.inc", _years())
    _write(out / "citation.inc", _citation(root))


def setup(app):
    app.connect("builder-inited", generate)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
