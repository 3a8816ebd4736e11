"""The glue between Snakemake and the scripts: strict config reading, run records, merging."""

from __future__ import annotations

import json
import re

import pytest
from conftest import REPO

from mixing.errors import InputError
from mixing.workflow_io import (
    config_hash,
    missing_files,
    provenance,
    publish,
    recorded_files,
    strict_yaml,
)


def test_duplicate_keys_name_the_key_and_both_lines(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("seed: 1\nmunicipalities:\n  GM0518: {year: 2019}\n  GM0363: {}\n"
                    "  GM0518: {year: 2020}\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"key 'GM0518' appears twice \(lines 3 and 5\)"):
        strict_yaml(path)


def test_anchors_and_merge_keys_are_not_duplicates(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("sources:\n  s: &s {year: 2024, table: t.csv}\nmunicipalities:\n"
                    "  GM0014: *s\n  GM0034: {<<: *s, year: 2023}\n", encoding="utf-8")
    data = strict_yaml(path)
    assert data["municipalities"]["GM0034"] == {"year": 2023, "table": "t.csv"}


@pytest.mark.parametrize(("text", "message"), [
    ("seed: 1\nmunicipalities:\n  DEMO01: {geometry: x\n", r"line 4: YAML syntax error"),
    ("", "empty or not a mapping"),
    ("- a\n- b\n", "empty or not a mapping"),
])
def test_syntax_errors_and_empty_files_name_file_and_line(tmp_path, text, message):
    path = tmp_path / "c.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=message) as raised:
        strict_yaml(path)
    assert str(path) in str(raised.value)


def test_provenance_records_hashes(tmp_path):
    data = tmp_path / "in.csv"
    data.write_bytes(b"abc")
    record = provenance(municipality="GM0518", config={"seed": 7}, inputs=[str(data)])
    assert record["inputs"] == {
        str(data): "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"}
    assert record["seed"] == 7 and record["config_hash"] == config_hash({"seed": 7})
    assert config_hash({"seed": 7, "a": 1}) == config_hash({"a": 1, "seed": 7})
    assert config_hash({"seed": 8}) != config_hash({"seed": 7})


def test_runs_merge_instead_of_overwriting(tmp_path):
    results = tmp_path / "results"
    for code in ("GM0518", "GM0363", "GM0599"):
        (results / code).mkdir(parents=True)
        (results / code / "indices.csv").write_text("x\n", encoding="utf-8")
    (results / "runs").mkdir()
    (results / "runs" / "aaa.json").write_text(json.dumps({"usable": ["GM0518", "GM0363"]}))
    (results / "runs" / "bbb.json").write_text(json.dumps({"usable": ["GM0999"]}))  # gone
    current = {"GM0599": str(results / "GM0599" / "indices.csv")}
    found = recorded_files(results / "runs", "indices.csv", current)
    assert list(found) == ["GM0363", "GM0518", "GM0599"]
    assert found["GM0599"] == current["GM0599"]


def test_missing_files_are_the_records_gone_from_results(tmp_path):
    results = tmp_path / "results"
    batches = {"GM0363-GM0518": ["GM0363", "GM0518"], "GM0599": ["GM0599"]}
    for code, name in (("GM0363", "indices.csv"), ("GM0518", "indices.csv"),
                       ("GM0518", "scenario_units/a.csv")):
        path = results / code / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x", encoding="utf-8")
        folder = results / "batches" / "GM0363-GM0518" / ("scenarios" if "/" in name
                                                          else "indices")
        publish(path, folder / code if "/" in name else folder,
                "scenario_units" if "/" in name else code)
    rules = ("indices", "scenarios", "map")
    assert missing_files(results, batches, rules) == {}
    (results / "GM0518" / "indices.csv").unlink()
    (results / "GM0518" / "scenario_units" / "a.csv").unlink()
    assert missing_files(results, batches, rules) == {
        ("indices", "GM0518"): [str(results / "GM0518" / "indices.csv")],
        ("scenarios", "GM0518"): [str(results / "GM0518" / "scenario_units" / "a.csv")],
    }
    # a rule left out, or a batch that has not run, is not looked at
    assert missing_files(results, batches, ("map",)) == {}
    assert missing_files(results, {"GM0599": ["GM0599"]}, rules) == {}


def test_each_merged_municipality_is_attributed_to_the_run_that_wrote_it(tmp_path):
    from mixing.workflow_io import recorded_runs, run_label

    results = tmp_path / "results"
    for code, run in (("GM0518", "aaa111"), ("DEMO01", "bbb222"), ("GM0363", None)):
        (results / code).mkdir(parents=True)
        if run:
            (results / code / "provenance.json").write_text(json.dumps({"config_hash": run}))
    runs = recorded_runs(results / "runs", ["DEMO01", "GM0518", "GM0363", "GM0599"],
                         current=["GM0518", "GM0599"], current_hash="ccc333")
    # this run's own rows are its own even before its provenance files are rewritten
    assert runs == {"DEMO01": "bbb222", "GM0518": "ccc333", "GM0363": "", "GM0599": "ccc333"}
    assert run_label(["/a/config/config.yaml"], "0123456789abcdef") == "config.yaml (01234567)"
    assert run_label([], "0123456789") == "config (01234567)"


def test_the_workflow_has_one_handler_per_event():
    """Snakemake keeps only the last ``onsuccess:`` (``onerror:``, ``onstart:``) it reads: a
    second one silently replaces the first (the caveats summary was lost that way)."""
    texts = [p.read_text(encoding="utf-8")
             for p in [REPO / "Snakefile", *sorted((REPO / "workflow" / "rules").glob("*.smk"))]]
    for event in ("onsuccess", "onerror", "onstart"):
        handlers = sum(len(re.findall(rf"^{event}:", t, flags=re.M)) for t in texts)
        assert handlers <= 1, f"{handlers} {event}: handlers; merge them into one"
