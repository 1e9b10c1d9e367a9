"""The service's store and queue: SQLite (embedded) or PostgreSQL (replicas), one schema.

`Store.open(url)` connects and migrates; everything else goes through its methods.
"""

from holmes.server.store.engine import StoreError, default_store_url
from holmes.server.store.records import (
    EventRecord,
    FiringAlert,
    IngestedAlerts,
    InvestigationRecord,
    NewInvestigation,
)
from holmes.server.store.repository import CursorError, Store

__all__ = [
    "CursorError",
    "EventRecord",
    "FiringAlert",
    "IngestedAlerts",
    "InvestigationRecord",
    "NewInvestigation",
    "Store",
    "StoreError",
    "default_store_url",
]
