"""Pure numpy kernels: segregation indices, inference and spatial autocorrelation, batched by
group id. They take arrays and return numbers, arrays or frozen dataclasses; no frames, no files."""
