"""Compare every CSV table of two workflow output directories (SLURM run vs local run).

Usage: python compare_tables.py DIR_A DIR_B

Tables are matched by their path relative to the directory (`.snakemake/` is skipped).
Equal means: same set of files, same columns in the same order, same number of rows, text
columns identical and numeric columns equal at rtol 1e-12 (NaN equal to NaN). Prints one
line per table and a summary; exits 1 on any difference.
"""

import sys
from pathlib import Path

import numpy as np
import pandas as pd

RTOL = 1e-12


def tables(root: Path) -> set[str]:
    return {
        str(p.relative_to(root))
        for p in root.rglob("*.csv")
        if ".snakemake" not in p.relative_to(root).parts
    }


def compare(a: Path, b: Path) -> str | None:
    """None when equal, else a short reason."""
    if a.read_bytes() == b.read_bytes():
        return None
    x = pd.read_csv(a, keep_default_na=True)
    y = pd.read_csv(b, keep_default_na=True)
    if list(x.columns) != list(y.columns):
        return f"columns differ: {list(x.columns)} vs {list(y.columns)}"
    if x.shape != y.shape:
        return f"shape differs: {x.shape} vs {y.shape}"
    for col in x.columns:
        u, v = x[col], y[col]
        if pd.api.types.is_numeric_dtype(u) and pd.api.types.is_numeric_dtype(v):
            ok = np.isclose(u.to_numpy(float), v.to_numpy(float), rtol=RTOL, atol=0.0,
                            equal_nan=True)
            if not ok.all():
                i = int(np.flatnonzero(~ok)[0])
                return (f"column {col!r}: {int((~ok).sum())} values differ "
                        f"(row {i}: {u.iloc[i]!r} vs {v.iloc[i]!r})")
        else:
            ok = (u.astype(str) == v.astype(str)) | (u.isna() & v.isna())
            if not ok.all():
                i = int(np.flatnonzero(~ok.to_numpy())[0])
                return (f"column {col!r}: {int((~ok).sum())} values differ "
                        f"(row {i}: {u.iloc[i]!r} vs {v.iloc[i]!r})")
    return None  # equal within tolerance (e.g. last-digit float formatting)


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    root_a, root_b = Path(argv[1]), Path(argv[2])
    in_a, in_b = tables(root_a), tables(root_b)
    problems = 0
    for name in sorted(in_a ^ in_b):
        where = root_a if name in in_a else root_b
        print(f"  ONLY IN {where}: {name}")
        problems += 1
    byte_equal = 0
    for name in sorted(in_a & in_b):
        reason = compare(root_a / name, root_b / name)
        if reason:
            print(f"  DIFFERS {name}: {reason}")
            problems += 1
        else:
            byte_equal += (root_a / name).read_bytes() == (root_b / name).read_bytes()
            print(f"  same    {name}")
    print(f"  {len(in_a & in_b)} tables compared ({byte_equal} byte-identical), "
          f"{problems} differences")
    if not in_a and not in_b:
        print("  no tables found", file=sys.stderr)
        return 1
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
