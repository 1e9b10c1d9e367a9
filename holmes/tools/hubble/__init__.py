"""Hubble toolset: flow queries against a Hubble Relay (`observer.Observer/GetFlows`).

`proto/` holds our own wire-compatible subset of Cilium's Hubble protos and the stubs generated
from it by `scripts/generate_hubble_stubs.sh`; the replay server in `holmes.evals.replay.hubble`
and the live client both import the generated `*_pb2` modules from there.
"""
