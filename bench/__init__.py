"""Measurements run by hand (docs/benchmarks.md); tests/test_fanout_smoke.py imports bench.fanout."""
