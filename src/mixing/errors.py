"""One error type for bad input, with a message that says where and how to fix it."""

from __future__ import annotations

__all__ = ["InputError"]


class InputError(ValueError):
    """Raised when an input file or argument cannot be turned into a correct result.

    The message always names what was read (file), where the problem is (column, row) and
    what the user can do about it (fix), so nobody needs a traceback to act on it.

    Where in a file, ONE convention: ``line=`` is the 1-based line number in a text file
    (as an editor shows it, header and title lines included); ``feature=`` is the 1-based
    feature number in a map file (GeoPackage, GeoJSON, shapefile, in file order); ``row=``
    is only used for in-memory tables (the 1-based row position).

    Examples
    --------
    >>> raise InputError("codes must look like BU12345678", file="x.csv", column="Codering_3",
    ...                  row=4, value="BUX", fix="check the CBS export")  # doctest: +SKIP
    """

    def __init__(
        self,
        problem: str,
        *,
        file: object = None,
        column: str | None = None,
        row: object = None,
        line: int | None = None,
        feature: int | None = None,
        value: object = None,
        fix: str | None = None,
    ) -> None:
        self.problem = problem
        self.file = None if file is None else str(file)
        self.column = column
        self.row = row
        self.line = line
        self.feature = feature
        self.value = value
        self.fix = fix
        parts = []
        if self.file is not None:
            parts.append(f"in {self.file}")
        if column is not None:
            parts.append(f"column {column!r}")
        if line is not None:
            parts.append(f"line {line}")
        if feature is not None:
            parts.append(f"feature {feature}")
        if row is not None:
            parts.append(f"row {row}")
        where = (", ".join(parts) + ": ") if parts else ""
        message = where + problem
        if value is not None:
            if type(value).__module__ == "numpy" and getattr(value, "ndim", 1) == 0:
                value = value.item()  # "got inf", not "got np.float64(inf)"
            message += f" (got {value!r})"
        if fix:
            message += f". Fix: {fix}"
        super().__init__(message)
