"""The `relay` proto package: relay.proto and its generated stubs (do not edit the stubs)."""
