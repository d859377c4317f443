"""Benchmarks: `make bench` prints each figure the issues ask for, with the machine noted."""
