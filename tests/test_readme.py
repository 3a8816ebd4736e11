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


def test_index_counts_in_the_readme_come_from_the_catalogue():
    from mixing.catalogue import names

    readme = " ".join((REPO / "README.md").read_text(encoding="utf-8").split())
    found = re.search(r"(\d+) aspatial and (\d+) spatial two-group indices, (\d+) multigroup",
                      readme)
    assert found, "the README no longer states the index counts in the tested words"
    stated = tuple(int(n) for n in found.groups())
    assert stated == (len(names("aspatial")), len(names("spatial")), len(names("multigroup")))


def test_every_log_path_in_the_docs_is_one_the_workflow_writes():
    rules = "".join(p.read_text(encoding="utf-8")
                    for p in (REPO / "workflow" / "rules").glob("*.smk"))
    folders = set(re.findall(r"\"logs/(\w+)/", rules))
    assert {"ingest", "map", "overview"} <= folders
    texts = [REPO / "README.md", REPO / "config" / "README.md",
             *sorted((REPO / "docs").rglob("*.rst"))]
    named = {(path.name, folder) for path in texts
             for folder in re.findall(r"\blogs/([^/\s`'\"]+)/", path.read_text(encoding="utf-8"))}
    assert named, "no log path found in the docs"
    wrong = {(name, folder) for name, folder in named
             if folder not in folders and folder not in ("{rule}", "<rule>")}
    assert not wrong, f"log folders no rule writes: {sorted(wrong)}; rules write {sorted(folders)}"
