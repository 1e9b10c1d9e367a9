"""Recorded incidents: the bundle loader, the replay servers, scoring and the eval runner."""

from holmes.evals.bundle import Bundle, Expected, Incident, load_bundle
from holmes.evals.errors import BundleError

__all__ = ["Bundle", "BundleError", "Expected", "Incident", "load_bundle"]
