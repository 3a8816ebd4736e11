"""Build hook with one job: refuse an unsupported Python before pip resolves dependencies.

The metadata lives in pyproject.toml (``requires-python = ">=3.11"``). pip versions before
about 24 (e.g. pip 23.0.1, which Python 3.10 ships) resolve the dependencies of a local
project before they compare its Requires-Python with the interpreter, so on Python 3.10
``pip install -e .`` ended in "No matching distribution found for snakemake>=9.0" (no
snakemake 9 exists for 3.10) instead of naming the Python version. pip runs this file with
the target interpreter while it prepares the metadata, i.e. before resolving, so the user
reads the real reason whatever pip they have.
"""

import re
import sys
from pathlib import Path

from setuptools import setup

_PYPROJECT = Path(__file__).with_name("pyproject.toml").read_text(encoding="utf-8")
_MINIMUM = re.search(r'requires-python\s*=\s*">=(\d+)\.(\d+)"', _PYPROJECT)
_NEEDED = (int(_MINIMUM.group(1)), int(_MINIMUM.group(2))) if _MINIMUM else (3, 11)
if sys.version_info[:2] < _NEEDED:
    sys.exit(
        f"mixing requires Python >= {_NEEDED[0]}.{_NEEDED[1]} (snakemake 9 does too); this is "
        f"Python {sys.version.split()[0]}. Create the environment with a newer Python, e.g. "
        f"python{_NEEDED[0]}.{_NEEDED[1]} -m venv .venv && . .venv/bin/activate && "
        "pip install -e .")

setup()
