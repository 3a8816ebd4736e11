"""Pieces of a self-contained HTML page: packaged static files, inline scripts and styles,
text that is never compiled as a template (:class:`Text`), and a call of a page script with
a JSON payload after folium has made the Leaflet map (:class:`MapCall`).

Shared by the map (:mod:`mixing.viz.maps`), the policy explorer (:mod:`mixing.viz.explorer`)
and the overview (:mod:`mixing.viz.overview`); it imports none of them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from importlib import resources

from branca.element import Element, MacroElement
from jinja2 import Template

__all__ = ["MapCall", "Text", "inline_script", "inline_style", "script_json",
           "static_bytes", "static_text"]


def script_json(value) -> str:
    """JSON that is safe inside an HTML ``<script>``: ``<``, ``>`` and ``&`` are escaped."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def static_bytes(name: str) -> bytes:
    """A file of ``mixing/viz/static`` (``"vendor/..."``) as bytes."""
    return resources.files("mixing.viz").joinpath("static", name).read_bytes()


def static_text(name: str) -> str:
    """A file of ``mixing/viz/static`` (``"mixing-map.js"``) as text."""
    return static_bytes(name).decode()


def inline_script(code: str) -> str:
    """``<script>`` with ``code`` that cannot close its element early."""
    return "<script>" + code.replace("</script", "<\\/script") + "</script>"


def inline_style(css: str) -> str:
    """``<style>`` with ``css`` that cannot close its element early."""
    return "<style>" + css.replace("</style", "<\\/style") + "</style>"


class Text(Element):
    """Text that goes into a folium page verbatim: never compiled as a template.

    branca compiles the string given to ``Element(...)`` as a Jinja2 template, so any
    ``{{ }}`` in it would run. This element's template is constant and prints ``text`` as a
    value; the caller escapes it for its place in the page (:func:`inline_script`,
    :func:`inline_style`, :func:`html.escape`).
    """

    _template = Template("{{ this.text }}")

    def __init__(self, text: str):
        super().__init__()
        self._name = "Text"
        self.text = text


_JS_NAME = re.compile(r"[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*")


class MapCall(MacroElement):
    """Calls ``function(map, payload)`` after folium has created the Leaflet map.

    ``payload`` goes into the page as data, never as code or template source: a
    ``<script type="application/json">`` element (:func:`script_json`) that the call parses.
    branca compiles the rendered script of every MacroElement again as a template, so that
    script holds only constant code: the function's name, the map's id and the data
    element's id, and :meth:`render` adds it as :class:`Text`. ``name`` (one per page)
    names the element in folium's tree and the data element's id.
    """

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "{{ this.function }}({{ this._parent.get_name() }}, JSON.parse("
        "document.getElementById('{{ this.data_id }}').textContent));"
        "{% endmacro %}"
    )

    def __init__(self, function: str, payload: Mapping, name: str):
        super().__init__()
        if not _JS_NAME.fullmatch(function) or not re.fullmatch(r"\w+", name):
            raise ValueError(f"MapCall needs a JavaScript function name and a word as name, "
                             f"got {function!r} and {name!r}")
        self._name = name
        self.function = function
        self.data_id = f"mx-data-{name}"
        self.data_element = Text(
            f"<script type='application/json' id='{self.data_id}'>{script_json(payload)}"
            "</script>")

    def render(self, **kwargs):
        """The data element into the page's header, the call into its script; both as
        :class:`Text`, so neither is compiled again."""
        figure = self.get_root()
        figure.header.add_child(self.data_element, name=self.data_id)
        script = self._template.module.__dict__["script"]
        figure.script.add_child(Text(script(self, kwargs)), name=self.get_name())
