"""Expensive geometry, built once and passed in: spatial weights, distances and areas,
and areal crosswalks between geometries."""
