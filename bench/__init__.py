"""Measuring instruments, not pipeline: the synthetic generator, the gold scorer and the benchmark."""
