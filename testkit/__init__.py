"""What the tests and the benchmarks share: a small site built in code, devices run on a
thread of their own, the console's site on real parts, and a bounded wait.

`tests/` and `bench/` both import this package; neither imports the other.
"""
