"""``python -m mixing.scenarios [path]``: regenerate the workflow's copy of the schema."""

import sys

from mixing.scenarios.types import write_schema_copy

write_schema_copy(*sys.argv[1:2])
