"""Logging set-up for workflow scripts: everything (including warnings) goes to the rule's log."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

__all__ = ["log_to"]


def log_to(path: str | Path, level: int = logging.INFO) -> logging.Logger:
    """Send log records, Python warnings and stderr to ``path``; return the ``mixing`` logger.

    Snakemake keeps one log per rule and wildcard; the readers' warnings about hidden CBS
    values or repaired geometries must land there, not vanish.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, mode="w", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.captureWarnings(True)
    sys.stderr = open(path, "a", encoding="utf-8", buffering=1)  # noqa: SIM115 - lives as long as the job
    return logging.getLogger("mixing")
