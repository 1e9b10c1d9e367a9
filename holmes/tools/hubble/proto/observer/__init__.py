"""The `observer` proto package: observer.proto and its generated stubs (do not edit the stubs)."""
