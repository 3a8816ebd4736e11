"""Expensive geometry, built once and passed in: spatial weights, distances and areas,
aggregation of buurten to wijken/gemeenten, and areal crosswalks between geometries."""
