"""Shared fixtures: the real CBS data in ../shared, and one seed for every random draw."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SEED = 20191231


def _shared_cbs_dir() -> Path:
    env = os.environ.get("MIXING_SHARED_DATA")
    return Path(env) if env else REPO.parent / "shared" / "data" / "cbs"


@pytest.fixture(scope="session")
def cbs_dir() -> Path:
    """``../shared/data/cbs``. Missing real data is a failure, never a skip: CI has it."""
    path = _shared_cbs_dir()
    if not (path / "PROVENANCE.md").is_file():
        pytest.fail(
            f"real CBS test data not found at {path}; put the shared/ folder beside the "
            "repository (or set MIXING_SHARED_DATA to its data/cbs folder)"
        )
    return path


@pytest.fixture(scope="session")
def seed() -> int:
    return SEED
