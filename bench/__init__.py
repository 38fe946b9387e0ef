"""Benchmarks: each script prints a comparison against a baseline measured in the same run."""
