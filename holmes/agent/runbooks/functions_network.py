"""CEL functions for the network runbooks (registered on import by the loader); pure functions."""

from __future__ import annotations
