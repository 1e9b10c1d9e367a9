"""The API's routers, one per resource: investigations, ask, alertmanager, operations."""
