"""A wheel installed without ``-e`` and used from another folder loads and runs scenarios.

The scenario schema, the map assets and every other resource must ship inside the package,
not be read from the source tree (``workflow/``, ``config/``) next to it.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile

import pytest
from conftest import REPO

pytestmark = pytest.mark.workflow

SCRIPT = """
import sys, yaml
import mixing
from mixing.io.demo import make_demo_city
from mixing.scenarios import parse_scenarios, run_scenarios
from mixing.viz.maps import inline_assets
from mixing.io.outline import outline

assert mixing.__file__.startswith(sys.argv[1]), mixing.__file__
spec = yaml.safe_load(sys.stdin.read())
scenarios = parse_scenarios(spec)
units = make_demo_city()
chosen = {k: scenarios[k] for k in ("spreiden_50", "herstructurering_sloop")}
table, _ = run_scenarios(units, chosen, seed=1)
assert outline().area > 4e10  # the outline of the Netherlands ships in the package
print(len(scenarios), sorted(set(table["scenario"])))
"""


def test_wheel_from_another_folder_runs_scenarios(tmp_path):
    wheels = tmp_path / "wheels"
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet",
                            "-w", str(wheels), str(REPO)], capture_output=True, text=True)
    assert built.returncode == 0, built.stderr[-3000:]
    (wheel,) = wheels.glob("mixing-*.whl")
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    licences = list(site.glob("mixing-*.dist-info/**/LICENSE"))
    assert [p.read_text(encoding="utf-8") for p in licences] == [
        (REPO / "LICENSE").read_text(encoding="utf-8")]
    assert not (site / "workflow").exists()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(site)], cwd=elsewhere, capture_output=True,
        text=True, input=(REPO / "config" / "scenarios.yaml").read_text(),
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split()[0] == "8"
    assert "spreiden_50" in done.stdout
