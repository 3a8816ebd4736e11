"""The pages of a run and how they link: titles and the navigation bar.

A run writes three kinds of page: the overview ``results/index.html``
(:mod:`mixing.viz.overview`), and per municipality the map ``results/{code}/map.html``
(:mod:`mixing.viz.maps`), when scenarios are configured the scenario page
``results/{code}/scenarios.html`` (:mod:`mixing.viz.compare`), and with comparison years the
trend page ``results/{code}/trends.html`` (:mod:`mixing.viz.trends`). Every page names place and
year in its ``<title>`` and links to the others with relative links, so a folder of results
can be copied, zipped or put on an intranet share and still works. The file names and the
words of the links live here only.
"""

from __future__ import annotations

import html
import posixpath
from collections.abc import Mapping, Sequence

from mixing.dimensions import Label
from mixing.viz import style

__all__ = ["PAGE_FILES", "PAGE_LABELS", "NAV_CSS", "municipality_links", "nav_html",
           "sibling", "document_title", "run_place"]

#: File name of each page of a municipality, in ``results/{code}/``; the overview is
#: ``results/index.html``.
PAGE_FILES = {"map": "map.html", "scenarios": "scenarios.html", "trends": "trends.html",
              "overview": "index.html"}

PAGE_LABELS = style.by_language({
    "nav": Label("Pagina's van deze berekening", "Pages of this run"),
    "overview": Label("Overzicht van alle gemeenten", "Overview of all municipalities"),
    "map": Label("Kaart", "Map"),
    "scenarios": Label("Scenario's vergeleken", "Scenarios compared"),
    "trends": Label("Door de jaren", "Over the years"),
    "places": Label("{n} gemeenten", "{n} municipalities"),
})

#: The order of the links in the navigation bar.
_ORDER = ("overview", "map", "scenarios", "trends")

NAV_CSS = """
.mx-nav { font-size: 13px; margin: 2px 0 6px 0; display: flex; flex-wrap: wrap;
  gap: 2px 12px; }
.mx-nav a, .mx-nav span { white-space: nowrap; }
.mx-nav a { color: #08519c; }
.mx-nav span[aria-current] { font-weight: bold; color: #222; }
@media print { .mx-nav { display: none; } }
"""


def municipality_links(*, scenarios: bool, trends: bool = False) -> dict[str, str]:
    """The pages of one municipality, relative to its folder ``results/{code}/``.

    ``scenarios`` and ``trends`` say whether the run wrote its scenario page and its trend
    page (a municipality with ``compare_years``).
    """
    links = {"overview": posixpath.join("..", PAGE_FILES["overview"]),
             "map": PAGE_FILES["map"]}
    if scenarios:
        links["scenarios"] = PAGE_FILES["scenarios"]
    if trends:
        links["trends"] = PAGE_FILES["trends"]
    return links


def sibling(map_link: str, page: str) -> str:
    """The link of another page of the municipality whose map is at ``map_link``."""
    return posixpath.join(posixpath.dirname(map_link), PAGE_FILES[page])


def nav_html(links: Mapping[str, str] | None, current: str, language: str = "nl") -> str:
    """A ``<nav>`` with a link to every page in ``links`` except ``current`` (shown as text).

    Parameters
    ----------
    links : mapping of str to str, optional
        Page (``"overview"``, ``"map"``, ``"scenarios"``, ``"trends"``) -> relative link.
        ``None`` or empty gives no navigation (a page written on its own, outside a run).
    current : str
        The page this bar is on.
    language : {"nl", "en"}
    """
    style.check_language(language)
    if not links:
        return ""
    unknown = set(links) - set(_ORDER)
    if unknown:
        raise ValueError(f"links names unknown pages {sorted(unknown)}; pages are {list(_ORDER)}")
    words = PAGE_LABELS[language]
    items = []
    for page in _ORDER:
        if page == current:
            items.append(f"<span aria-current='page'>{html.escape(words[page])}</span>")
        elif page in links:
            items.append(f"<a href='{html.escape(links[page])}' data-page='{page}'>"
                         f"{html.escape(words[page])}</a>")
    return (f"<nav class='mx-nav' aria-label='{html.escape(words['nav'])}'>"
            + "".join(items) + "</nav>")


def run_place(names: Sequence[str], language: str = "nl", shown: int = 3) -> str:
    """The place of a run's page: up to ``shown`` names, else their number."""
    names = list(dict.fromkeys(names))
    if len(names) <= shown:
        return ", ".join(names)
    return PAGE_LABELS[style.check_language(language)]["places"].format(n=len(names))


def document_title(what: str, place: str, years: Sequence[int] | int) -> str:
    """The text of a page's ``<title>``: place, year(s), what it shows (not yet escaped).

    >>> document_title("Kaart", "'s-Gravenhage", 2019)
    "'s-Gravenhage, 2019 – Kaart"
    >>> document_title("Overzicht", "3 gemeenten", [2019, 2017, 2019])
    '3 gemeenten, 2017, 2019 – Overzicht'
    """
    years = sorted({int(y) for y in ([years] if isinstance(years, int) else years)})
    return f"{place}, {', '.join(str(y) for y in years)} – {what}"
