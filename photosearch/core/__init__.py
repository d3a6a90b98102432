"""Qt-free engine. Nothing in this package may import Qt (tests/unit/test_layering.py checks it)."""
