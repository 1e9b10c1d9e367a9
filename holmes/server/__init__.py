"""The service: HTTP API, Alertmanager webhook, store and queue, workers (`holmes serve`).

`create_app(settings, investigator)` builds the FastAPI app; the CLI builds the investigator
(it knows the sources) and runs the app with uvicorn.
"""

from holmes.server.app import create_app
from holmes.server.auth import AuthConfigError, check_exposure, load_tokens
from holmes.server.investigator import Investigator
from holmes.server.services import ServerSettings
from holmes.server.store import StoreError, default_store_url

__all__ = [
    "AuthConfigError",
    "Investigator",
    "ServerSettings",
    "StoreError",
    "check_exposure",
    "create_app",
    "default_store_url",
    "load_tokens",
]
