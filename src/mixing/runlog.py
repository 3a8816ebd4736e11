"""Logging set-up for workflow scripts: everything (including warnings) goes to the rule's log.

:func:`script_log` is the one wrapper every workflow script runs in: an input error becomes
one line ``mixing: error: <message>`` on the console and exit status 1; its traceback goes
to the rule's log only.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from mixing.errors import InputError

__all__ = ["log_to", "script_log"]


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


@contextmanager
def script_log(path: str | Path) -> Iterator[logging.Logger]:
    """Run a workflow script's body with its log set up; input errors become one line.

    Examples
    --------
    >>> with script_log(snakemake.log[0]) as log:  # doctest: +SKIP
    ...     log.info("...")
    """
    log = log_to(path)
    try:
        yield log
    except InputError as error:
        log.error("input error", exc_info=True)  # the traceback: log only
        print(f"mixing: error: {error}", file=sys.__stderr__, flush=True)
        raise SystemExit(1) from None
