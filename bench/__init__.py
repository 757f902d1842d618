"""The benchmark of issue 6: `make bench` (see docs/performance.md)."""
