"""README's two set-up commands stay true: CI runs the test command, the demo is the default."""

import re

from conftest import REPO


def _commands():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    quick = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.+?)\n```", quick)


def test_readme_gives_exactly_two_commands():
    commands = _commands()
    assert len(commands) == 2, commands
    assert "snakemake" in commands[0] and "pytest" in commands[1]


def test_ci_runs_the_readme_test_command():
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert _commands()[1] in ci.splitlines()


def test_default_config_runs_the_demo_city():
    config = (REPO / "config" / "config.yaml").read_text(encoding="utf-8")
    assert "DEMO01:" in config and "data/raw/demo/buurten.gpkg" in config
