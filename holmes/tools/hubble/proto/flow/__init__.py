"""Generated Hubble protobuf stubs (see scripts/generate_hubble_stubs.sh); do not edit."""
