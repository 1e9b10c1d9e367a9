"""`holmes replay BUNDLE`: serve a recorded incident over the real protocols.

Prints the endpoints (a kubeconfig, a Prometheus URL, a Hubble address) and what each source
answers through its real client, then serves until Ctrl-C, so a person can point `kubectl`,
a browser or `hubble observe` at the incident. `--once` prints and stops (the demo and CI).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

# The replay servers and rich load when the command runs, not for `holmes replay --help`.
if TYPE_CHECKING:
    from rich.table import Table

    from holmes.evals.replay import ReplayEndpoints


def replay_command(
    bundle: Annotated[Path, typer.Argument(help="Incident folder, e.g. evals/incidents/<id>.")],
    once: Annotated[
        bool, typer.Option("--once", help="Print the endpoints and what they serve, then stop.")
    ] = False,
) -> None:
    """Serve a recorded incident's Kubernetes API, Prometheus and Hubble until Ctrl-C."""
    from rich.console import Console
    from rich.markup import escape

    from holmes.cli.replay_probe import probe_sources
    from holmes.evals import BundleError, load_bundle
    from holmes.evals.replay import replay

    console = Console()
    try:
        loaded = load_bundle(bundle)
    except BundleError as error:
        console.print(f"[red]bad bundle:[/red] {escape(str(error))}")
        raise typer.Exit(2) from error
    with replay(loaded) as endpoints:
        console.print(_endpoints_table(endpoints))
        for line in probe_sources(endpoints):
            console.print(f"  {line}")
        if once:
            return
        if endpoints.kubeconfig:
            console.print(
                f"\nTry: [bold]kubectl --kubeconfig {endpoints.kubeconfig} get pods -A[/bold]"
            )
        console.print("Serving until Ctrl-C.")
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            console.print("stopped")


def _endpoints_table(endpoints: ReplayEndpoints) -> Table:
    from rich.table import Table

    now = f"{endpoints.time:%Y-%m-%dT%H:%M:%SZ}"
    table = Table(title=f"replay of {endpoints.incident_id} (now = {now})")
    table.add_column("source")
    table.add_column("endpoint")
    rows = [
        ("kubernetes", str(endpoints.kubeconfig or "not recorded")),
        ("prometheus", endpoints.prometheus_url or "not recorded"),
        ("hubble", endpoints.hubble_address or "not recorded"),
    ]
    for source, where in rows:
        table.add_row(source, where)
    return table
