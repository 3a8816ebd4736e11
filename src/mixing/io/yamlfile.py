"""Read a user's YAML file (config, scenarios) strictly, with file and line in every error.

PyYAML's own errors are multi-line tracebacks (``ParserError ... in "<unicode string>"``)
that do not name the file. :func:`read_yaml` turns every problem into ONE
:class:`~mixing.errors.InputError`: a syntax error (an unclosed bracket, a TAB used for
indentation) with its line, a key given twice in one mapping (the second would silently
replace the first), a Python tag such as ``!!python/object`` (never executed: the safe
loader refuses it), a file that is not UTF-8, an empty file or one that is not a mapping.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import yaml

from mixing.errors import InputError

__all__ = ["read_yaml"]


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key twice in one mapping (YAML says keys are unique)."""


def _construct_mapping(loader, node, deep=False):
    seen = {}
    for key_node, _ in node.value:  # this mapping's own keys: a ``<<: *anchor`` merge may
        if key_node.tag == "tag:yaml.org,2002:merge":  # be overridden, that is no duplicate
            continue
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise InputError(
                f"key {key!r} appears twice (lines {seen[key] + 1} and "
                f"{key_node.start_mark.line + 1}); the second would silently replace the first",
                file=loader.name, line=key_node.start_mark.line + 1,
                fix="keep one entry per key",
            )
        seen[key] = key_node.start_mark.line
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _problem(error: yaml.MarkedYAMLError) -> str:
    text = str(error.problem or error.context or "")
    if "'\\t'" in text or "\t" in text:
        return "a TAB character; YAML indents with spaces only"
    tag = re.search(r"tag '([^']+)'", text)
    if isinstance(error, yaml.constructor.ConstructorError) and tag:
        shown = tag.group(1).replace("tag:yaml.org,2002:", "!!")
        return (f"the tag {shown} is not allowed (tags that create Python objects are never "
                "loaded; the file holds plain values only)")
    return f"YAML syntax error: {text}"


def read_yaml(path: str | os.PathLike, *, what: str = "config file",
              example: str = "config/config.yaml") -> dict:
    """A YAML mapping from ``path``; every problem is an InputError naming file and line.

    Parameters
    ----------
    path : path
        The file.
    what : str
        What the file is, in messages ("config file", "scenarios file").
    example : str
        The file to compare with, in the fix.

    Raises
    ------
    InputError
        Naming the file and the line (1-based, as an editor shows it).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        line = path.read_bytes()[: error.start].count(b"\n") + 1
        raise InputError(f"the {what} is not UTF-8 text", file=path, line=line,
                         fix="save it as UTF-8 in your editor") from None
    except OSError as error:
        raise InputError(f"cannot read the {what}: {error.strerror}", file=path,
                         fix="check the path") from None
    try:
        loader = _StrictLoader(text)
        loader.name = str(path)
        try:
            data = loader.get_single_data()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        raise InputError(_problem(error), file=path,
                         line=None if mark is None else mark.line + 1,
                         fix=f"correct that line (compare it with {example})") from None
    except yaml.YAMLError as error:
        raise InputError(f"YAML error: {' '.join(str(error).split())}", file=path,
                         fix=f"compare the file with {example}") from None
    if not isinstance(data, dict) or not data:
        raise InputError(f"the {what} is empty or not a mapping of keys", file=path,
                         fix=f"start from {example}")
    return data
