"""Input and output: CBS readers, the column registry, the missing-data policy, downloads,
the demo city, aggregation of the read buurten to wijken/gemeenten and atomic file writers.
Only this layer (and workflow scripts) touch files."""
