"""Read every number on a generated page and find it in a table.

The scenario page (:mod:`mixing.viz.compare`) puts every number in a
``<span data-field=COLUMN data-value=CELL>`` (``changes:COLUMN`` for the per-buurt table);
the overview's tables carry the cell in ``data-sort``. :func:`check_scenario_page` checks
that each such value is a cell of that column for that scenario and that the text is that
cell formatted, and that no other number is left on the page except the page's own words
(thresholds and constants of its text), the year and the card numbers.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import numpy as np
import pandas as pd

NUMBER = re.compile(r"(?<![\w])[−+-]?\d[\d.,]*")  # not the digits of a code (BU0518...)


def parse(text: str, language: str = "nl") -> float:
    """``1.234,5`` (nl) / ``1,234.5`` (en), with ``−`` and ``+`` and ``%`` -> float."""
    text = text.replace("−", "-").replace("+", "").replace("%", "").strip()
    if language == "nl":
        text = text.replace(".", "").replace(",", ".")
    else:
        text = text.replace(",", "")
    return float(text)


def decimals_of(text: str, language: str = "nl") -> int:
    sep = "," if language == "nl" else "."
    body = text.replace("%", "").strip()
    return len(body.split(sep)[1]) if sep in body else 0


class _Spans(HTMLParser):
    """Data-field spans with their context (scenario, dimension, index)."""

    def __init__(self):
        super().__init__()
        self.stack: list[dict] = []
        self.found: list[dict] = []
        self.current: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        context = dict(self.stack[-1]) if self.stack else {}
        for key in ("data-scenario", "data-dimension", "data-index"):
            if key in a:
                context[key] = a[key]
        if tag == "span" and "data-field" in a:
            self.current = {**context, "field": a["data-field"], "value": a["data-value"],
                            "percent": a.get("data-format") == "percent", "text": ""}
        self.stack.append(context)

    def handle_endtag(self, tag):
        if tag == "span" and self.current is not None:
            self.found.append(self.current)
            self.current = None
        if self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if self.current is not None:
            self.current["text"] += data


def spans(page: str) -> list[dict]:
    parser = _Spans()
    parser.feed(page)
    return parser.found


def _close(value: float, cells: np.ndarray) -> bool:
    return bool(np.isclose(cells, value, rtol=1e-12, atol=1e-12).any())


def check_scenario_page(page: str, summary: pd.DataFrame, changes: pd.DataFrame,
                        page_words: dict, language: str = "nl") -> int:
    """Assert every number of the page is a formatted table cell; return how many."""
    found = spans(page)
    assert found, "no data fields on the page"
    for span in found:
        name = span.get("data-scenario")  # None: a page-wide cell (the assumptions)
        field = span["field"]
        assert name is not None or not field.startswith("changes:"), span
        if field.startswith("changes:"):
            column = field.removeprefix("changes:")
            rows = changes[changes["scenario"].astype(str) == name]
            if column == "changed":  # the number of buurten listed = changed rows
                assert int(span["value"]) == int(rows["changed"].astype(bool).sum()), name
                assert parse(span["text"], language) == int(span["value"])
                continue
        else:
            column = field
            rows = summary if name is None else summary[summary["scenario"].astype(str) == name]
            for key in ("dimension", "index"):
                if f"data-{key}" in span:
                    rows = rows[rows[key] == span[f"data-{key}"]]
        assert column in rows, (name, column)
        cells = rows[column].to_numpy(dtype="float64")
        if span["value"] == "":  # no number shown (a missing cell, or a p-value withheld)
            assert span["text"] == "–", span
            continue
        value = float(span["value"])
        assert _close(value, cells), (name, column, value)
        shown = parse(span["text"], language)
        scaled = 100 * value if span["percent"] else value
        assert abs(shown - scaled) <= 0.5 * 10 ** -decimals_of(span["text"], language) + 1e-9, (
            name, column, span["text"], value)
    _check_rest(page, summary, page_words, language)
    return len(found)


def _words_numbers(words) -> set[str]:
    out = set()
    for value in (words.values() if isinstance(words, dict) else [words]):
        if isinstance(value, dict):
            out |= _words_numbers(value)
        elif isinstance(value, str):
            out |= set(NUMBER.findall(value))
    return out


def _check_rest(page, summary, page_words, language):
    """No number outside a data field but the page's own words, titles, year, card numbers."""
    text = re.sub(r"<style>.*?</style>|<svg.*?</svg>", "", page, flags=re.S)
    text = re.sub(r"<span class='num'[^>]*>[^<]*</span>", " ", text)
    text = re.sub(r"<span class='number'>\d+</span>", " ", text)
    text = re.sub(r">\d+\. ", "> ", text)  # "3. Title" in the overview: the card's number
    text = html.unescape(re.sub(r"<[^>]+>", "\n", text))
    for column in (f"title_{language}", f"description_{language}"):
        for cell in sorted(set(summary[column].astype(str)), key=len, reverse=True):
            text = text.replace(cell, " ")
    allowed = _words_numbers(page_words) | {str(int(y)) for y in summary["year"]}
    allowed |= {m.group(1) for c in summary.columns
                if (m := re.fullmatch(r"units_above_([0-9]+)_before", c))}
    left = [n for n in NUMBER.findall(text) if n.strip(".,") not in allowed]
    assert not left, f"numbers on the page that are no table cell: {left[:10]}"


def check_overview(page: str, summary: pd.DataFrame, indices: pd.DataFrame,
                   language: str = "nl") -> int:
    """Every number of the overview's tables is a cell of the index or scenario table."""
    count = 0
    for table_id, frame in (("mx-indices", indices), ("mx-scenarios", summary)):
        match = re.search(rf"<table[^>]*id='{table_id}'.*?</table>", page, flags=re.S)
        if frame is None or frame.empty:
            continue
        assert match, table_id
        cells = re.findall(r"<td class='mx-num' data-sort='([^']*)'>(.*?)</td>",
                           match.group(0), flags=re.S)
        numbers = frame.select_dtypes("number").to_numpy(dtype="float64").ravel()
        for raw, shown in cells:
            shown = html.unescape(re.sub(r"<small>.*?</small>", "", shown)).strip()
            if raw == "":
                assert shown == "–"
                continue
            value = float(raw)
            assert np.isclose(numbers, value, rtol=1e-5, atol=1e-9).any(), (table_id, raw)
            assert abs(parse(shown, language) - value) <= 0.5 * 10 ** -decimals_of(
                shown, language) + 1e-6 * abs(value), (table_id, raw, shown)
            count += 1
        for low, high in re.findall(r"<small>\(([^)–]+)–([^)]+)\)</small>", match.group(0)):
            for part in (low, high):
                value = parse(part, language)
                assert np.isclose(numbers, value, atol=0.005 + 1e-9).any(), (table_id, part)
                count += 1
    return count
