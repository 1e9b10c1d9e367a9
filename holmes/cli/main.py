"""The `holmes` command: the typer app that every subcommand hangs from."""

from __future__ import annotations

import typer

from holmes import __version__
from holmes.cli.ask import ask_command
from holmes.cli.eval import eval_command
from holmes.cli.investigate import investigate_app
from holmes.cli.replay import replay_command
from holmes.cli.runbooks import runbooks_app
from holmes.cli.serve import serve_command
from holmes.cli.tools import tools_app

app = typer.Typer(
    name="holmes",
    help="Troubleshoot AI infrastructure on Kubernetes: GPUs, DRA claims, Hubble flows, runbooks.",
    no_args_is_help=True,
    add_completion=False,
)
app.command("replay")(replay_command)
app.command("eval")(eval_command)
app.command("ask")(ask_command)
app.command("serve")(serve_command)
app.add_typer(tools_app, name="tools")
app.add_typer(investigate_app, name="investigate")
app.add_typer(runbooks_app, name="runbooks")


@app.command()
def version() -> None:
    """Print the holmes version."""
    typer.echo(__version__)


if __name__ == "__main__":
    app()
