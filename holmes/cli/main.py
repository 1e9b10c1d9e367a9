"""The `holmes` command: a registry of subcommands, each imported only when it runs.

`holmes --help` lists the commands from the registry's help texts without importing them, and
`holmes ask ...` imports `holmes.cli.ask` alone, so no command pays for the engine, the
Kubernetes client or the LLM stack it does not use (bench/startup.py measures it). Adding a
command is one line in COMMANDS.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, MutableMapping
from typing import TYPE_CHECKING, Any, NamedTuple

import typer
from typer.core import TyperGroup

from holmes import __version__

if TYPE_CHECKING:
    from typer._click import Command, Context, HelpFormatter
    from typer._click.shell_completion import CompletionItem


class Entry(NamedTuple):
    """Where a subcommand lives and the one line `holmes --help` shows for it."""

    target: str  # "module:attribute", a command function or a typer.Typer of subcommands
    help: str  # the command's own docstring's first line (a test keeps them equal)


COMMANDS: dict[str, Entry] = {
    "ask": Entry(
        "holmes.cli.ask:ask_command",
        "Find the root cause of a problem, with the evidence and the remediation.",
    ),
    "eval": Entry(
        "holmes.cli.eval:eval_command",
        "Replay every incident of a suite, investigate it, and score the answer.",
    ),
    "replay": Entry(
        "holmes.cli.replay:replay_command",
        "Serve a recorded incident's Kubernetes API, Prometheus and Hubble until Ctrl-C.",
    ),
    "doctor": Entry(
        "holmes.cli.doctor:doctor_command",
        "Check the configured sources: reachable, versions, series, permissions, with fixes.",
    ),
    "record": Entry(
        "holmes.cli.record:record_command",
        "Investigate and save what was read as a recorded incident (a regression test to be).",
    ),
    "serve": Entry(
        "holmes.cli.serve:serve_command",
        "Serve the HTTP API and the Alertmanager webhook, investigating in the background.",
    ),
    "investigate": Entry(
        "holmes.cli.investigate:investigate_app",
        "Investigate alerts pulled from their source.",
    ),
    "config": Entry("holmes.cli.config_command:config_app", "Show the effective configuration."),
    "tools": Entry("holmes.cli.tools:tools_app", "List the tools, or run one."),
    "runbooks": Entry("holmes.cli.runbooks:runbooks_app", "List or validate the runbooks."),
    "version": Entry("holmes.cli.main:version_command", "Print the holmes version."),
}


def version_command() -> None:
    """Print the holmes version."""
    typer.echo(__version__)


def load_command(name: str, entry: Entry) -> Command:
    """Import the module behind `entry` and make its function or typer app a click command."""
    module_name, _, attribute = entry.target.partition(":")
    target = getattr(importlib.import_module(module_name), attribute)
    if isinstance(target, typer.Typer):
        group = typer.main.get_group(target)
        group.name = name
        return group
    # One command: a one-command Typer turns the function's annotations into its options.
    single = typer.Typer(rich_markup_mode=None, add_completion=False)
    single.command(name)(target)
    return typer.main.get_command(single)


class LazyCommands(MutableMapping[str, "Command"]):
    """The group's name -> command table: the registry's commands load on first access."""

    def __init__(self, loaded: MutableMapping[str, Command]) -> None:
        self._loaded: dict[str, Command] = dict(loaded)

    def __getitem__(self, name: str) -> Command:
        if name not in self._loaded:
            if name not in COMMANDS:
                raise KeyError(name)
            self._loaded[name] = load_command(name, COMMANDS[name])
        return self._loaded[name]

    def __setitem__(self, name: str, command: Command) -> None:
        self._loaded[name] = command

    def __delitem__(self, name: str) -> None:
        del self._loaded[name]

    def __iter__(self) -> Iterator[str]:
        yield from self._loaded
        yield from (name for name in COMMANDS if name not in self._loaded)

    def __len__(self) -> int:
        return len(self._loaded.keys() | COMMANDS.keys())

    def __contains__(self, name: object) -> bool:
        return name in self._loaded or name in COMMANDS


class LazyGroup(TyperGroup):
    """A typer group whose help and completion list the registry without importing it."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.commands = LazyCommands(self.commands)

    def list_commands(self, ctx: Context) -> list[str]:
        """The names, in registry order (TyperGroup's version would load every command)."""
        return list(self.commands)

    def format_commands(self, ctx: Context, formatter: HelpFormatter) -> None:
        """The Commands section from the registry's help texts."""
        rows = [(name, entry.help) for name, entry in COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def shell_complete(self, ctx: Context, incomplete: str) -> list[CompletionItem]:
        """Command names from the registry, then the group's options."""
        from typer._click.shell_completion import CompletionItem

        names = [
            CompletionItem(name, help=entry.help)
            for name, entry in COMMANDS.items()
            if name.startswith(incomplete)
        ]
        # Skip TyperGroup's version, which would import every command for its help line.
        return names + super(TyperGroup, self).shell_complete(ctx, incomplete)


# rich_markup_mode=None: typer's rich help formatter imports rich.markdown, pygments and
# rich.traceback (~0.25 s), the whole budget of a `--help`; the plain formatter is instant.
app = typer.Typer(
    name="holmes",
    cls=LazyGroup,
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)


@app.callback()
def main() -> None:
    """Troubleshoot AI infrastructure on Kubernetes: GPUs, DRA claims, Hubble flows, runbooks."""


if __name__ == "__main__":
    app()
