"""The `flow` proto package: flow.proto and its generated stubs (do not edit the stubs)."""
