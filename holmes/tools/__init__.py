"""Toolsets over the sources (Kubernetes, Prometheus, Hubble) and their evidence shaping."""
