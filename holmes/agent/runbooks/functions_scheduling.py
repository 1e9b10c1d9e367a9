"""CEL functions for the scheduling runbooks (registered on import by the loader); pure functions."""

from __future__ import annotations
