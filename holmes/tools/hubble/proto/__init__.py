"""Our wire-compatible subset of Cilium's Hubble protos and the stubs generated from it.

Regenerate with scripts/generate_hubble_stubs.sh; the `*_pb2*.py` and `*.pyi` files are never
edited by hand (tests/test_hubble_stubs.py compares them with fresh ones).
"""
