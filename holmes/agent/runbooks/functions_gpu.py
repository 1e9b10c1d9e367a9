"""CEL functions for the gpu runbooks (registered on import by the loader); pure functions."""

from __future__ import annotations
