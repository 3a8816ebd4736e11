"""Pieces of a self-contained HTML page: packaged static files, inline scripts and styles,
and a call of a page script with a JSON payload after folium has made the Leaflet map.

Shared by the map (:mod:`mixing.viz.maps`), the policy explorer (:mod:`mixing.viz.explorer`)
and the overview (:mod:`mixing.viz.overview`); it imports none of them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from importlib import resources

from branca.element import MacroElement
from jinja2 import Template

__all__ = ["MapCall", "inline_script", "inline_style", "script_json", "static_bytes",
           "static_text"]


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


class MapCall(MacroElement):
    """Calls ``function(map, payload)`` after folium has created the Leaflet map.

    ``payload`` is written into the page as JSON (:func:`script_json`); ``name`` names the
    element in folium's tree.
    """

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "{{ this.function }}({{ this._parent.get_name() }}, {{ this.json }});"
        "{% endmacro %}"
    )

    def __init__(self, function: str, payload: Mapping, name: str):
        super().__init__()
        self._name = name
        self.function = function
        self.json = script_json(payload)
