"""Options several `holmes` commands share: runbook folders and source endpoints."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from holmes.evals import Bundle, BundleError, load_bundle

# Typed option aliases: one help text per option, whichever command offers it.
IncidentOption = Annotated[
    Path | None, typer.Option(help="Replay this recorded incident and run against it.")
]
KubeconfigOption = Annotated[Path | None, typer.Option(help="Live cluster: kubeconfig.")]
ContextOption = Annotated[str | None, typer.Option(help="Live cluster: kubeconfig context.")]
PrometheusOption = Annotated[
    str | None, typer.Option(help="Live Prometheus URL.", envvar="HOLMES_PROMETHEUS_URL")
]
HubbleOption = Annotated[
    str | None, typer.Option(help="Live Hubble Relay host:port.", envvar="HOLMES_HUBBLE_ADDRESS")
]
RunbooksOption = Annotated[
    list[Path] | None, typer.Option("--runbooks", help="Another folder of runbooks.")
]


def runbook_folders(given: list[Path] | None) -> list[Path]:
    """Folders of extra runbooks: `--runbooks` options, else `HOLMES_RUNBOOKS` (path list)."""
    if given:
        return list(given)
    configured = os.environ.get("HOLMES_RUNBOOKS", "")
    return [Path(p) for p in configured.split(os.pathsep) if p]


def load_incident(path: Path) -> Bundle:
    """The bundle `--incident` names; a bad one is a usage error naming file and problem."""
    try:
        return load_bundle(path)
    except BundleError as error:
        raise typer.BadParameter(str(error), param_hint="--incident") from error
