"""Sphinx configuration of the mixing documentation.

Build (warnings are errors, no network needed). The site works offline too: MathJax is
vendored in ``_static/mathjax`` (see its README) and loaded from there, not from a CDN.

    python -m sphinx -W --keep-going -b html docs docs/_build/html

The index reference, the data dictionary, the policy-lab assumptions and the quick start
are generated at build time from the code (``_ext/mixing_docs.py``), never copied.
"""

import sys
import tomllib
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(ROOT / "src"))  # document this tree's code, not an installed copy
sys.path.insert(0, str(DOCS / "_ext"))

project = "mixing"
author = "mixing developers"
release = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
version = release
copyright = "mixing developers; CBS data CC BY 4.0"

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "mixing_docs",
]

exclude_patterns = ["_build"]
language = "en"
html_theme = "alabaster"
html_title = f"mixing {release}"
html_theme_options = {"description": "Residential segregation in Dutch municipalities",
                      "page_width": "1100px"}

napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_use_rtype = False
autodoc_member_order = "bysource"
autodoc_typehints = "none"  # the numpydoc Parameters sections say it in words
autodoc_default_options = {"members": False}
suppress_warnings = []
smartquotes = False  # straight quotes, as in the code and the tables
html_static_path = ["_static"]
# relative to _static: the vendored single-file build, so formulas render offline
mathjax_path = "mathjax/tex-svg-full.js"
