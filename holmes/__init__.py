"""holmes: troubleshoots AI infrastructure on Kubernetes from evidence, with or without an LLM."""

__version__ = "0.1.0"
