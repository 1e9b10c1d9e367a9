"""The `holmes` command loads lazily: its registry, and what a start imports (not timed).

The timing itself is bench/startup.py's; these tests pin the cause of a fast start: importing
the CLI, or asking a command for its help, imports none of the heavy stacks.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import typer
from typer.testing import CliRunner

from holmes.cli.main import COMMANDS, app, load_command
from tests.conftest import REPO

runner = CliRunner()

HEAVY = [
    "kubernetes",
    "cel",
    "holmes.agent.engine.runbook_engine",
    "holmes.tools.kubernetes",
    "fastapi",
    "sqlalchemy",
    "langgraph",
    "openai",
    "grpc",
    "rich.markdown",
    "slack_bolt",
    "slack_sdk",
    "aiohttp",
]


def modules_loaded_by(code: str) -> set[str]:
    """The modules in sys.modules after a fresh interpreter runs `code`."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, check=True
    )
    return set(json.loads(done.stdout.splitlines()[-1]))


def test_importing_the_cli_imports_no_heavy_stack() -> None:
    loaded = modules_loaded_by("import holmes.cli.main")
    assert "holmes.cli.main" in loaded
    assert not {module for module in HEAVY if module in loaded}


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_a_commands_help_imports_no_heavy_stack(name: str) -> None:
    code = (
        "from holmes.cli.main import app\n"
        f"try:\n    app([{name!r}, '--help'], prog_name='holmes')\n"
        "except SystemExit:\n    pass"
    )
    loaded = modules_loaded_by(code)
    module = COMMANDS[name].target.partition(":")[0]
    assert module in loaded  # the command itself was loaded, to print its options
    assert not {heavy for heavy in HEAVY if heavy in loaded}


def test_top_level_help_lists_every_command_without_importing_it() -> None:
    code = (
        "from holmes.cli.main import app\n"
        "try:\n    app(['--help'], prog_name='holmes')\n"
        "except SystemExit:\n    pass"
    )
    loaded = modules_loaded_by(code)
    command_modules = {entry.target.partition(":")[0] for entry in COMMANDS.values()}
    assert command_modules & loaded == {"holmes.cli.main"}
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    words = " ".join(result.output.split())  # the help column wraps at the terminal's width
    for name, entry in COMMANDS.items():
        assert f"{name} {entry.help}" in words


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_registry_help_is_the_commands_own(name: str) -> None:
    entry = COMMANDS[name]
    module_name, _, attribute = entry.target.partition(":")
    target = getattr(__import__(module_name, fromlist=[attribute]), attribute)
    own = target.info.help if isinstance(target, typer.Typer) else target.__doc__
    assert own is not None and own.strip().splitlines()[0] == entry.help
    assert load_command(name, entry).name == name


def test_ask_help_shows_its_options() -> None:
    result = runner.invoke(app, ["ask", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    for option in ("--incident", "--alert", "--no-llm", "--json", "--prometheus-url", "QUESTION"):
        assert option in result.output


def test_a_mistyped_command_is_named_with_a_suggestion() -> None:
    result = runner.invoke(app, ["aks"])
    assert result.exit_code == 2
    assert "No such command 'aks'" in result.output and "'ask'" in result.output


def test_version_prints_the_package_version() -> None:
    from holmes import __version__

    result = runner.invoke(app, ["version"])
    assert result.exit_code == 0 and result.output.strip() == __version__
