"""The one configuration: file < environment < flags, origins, errors naming file:line and key,
secrets masked, every field documented in the README, and what the commands build from it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from holmes.cli.config import leaves
from holmes.cli.config_docs import reference_table
from holmes.cli.config_load import ConfigError, load_config
from holmes.cli.config_use import (
    agent_limits,
    llm_settings,
    server_section,
    source_endpoints,
    store_url,
    tool_limits,
)
from holmes.cli.main import app
from tests.conftest import REPO

runner = CliRunner()

FILE = """\
sources:
  kubernetes:
    context: prod
  prometheus:
    url: http://127.0.0.1:9090
    bearer_token: file-token-1234
  hubble:
    address: 127.0.0.1:4245
    ca_file: /etc/hubble/ca.pem
llm:
  base_url: http://127.0.0.1:8000/v1
  model: qwen2.5-72b
limits:
  max_steps: 4
  tool_timeout_seconds: 5
runbooks:
  folders: [/srv/runbooks]
server:
  port: 6060
  store_url: postgresql://holmes:hunter2@db:5432/holmes
slack:
  bot_token: xoxb-not-shown
"""


def write(tmp_path: Path, text: str = FILE) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_file_values_carry_their_line(tmp_path: Path) -> None:
    path = write(tmp_path)
    resolved = load_config(path, {}, {})
    assert resolved.config.sources.prometheus.url == "http://127.0.0.1:9090"
    assert str(resolved.origin("sources.prometheus.url")) == f"file {path}:5"
    assert str(resolved.origin("limits.max_steps")) == f"file {path}:14"
    assert str(resolved.origin("limits.max_tokens")) == "default"


def test_env_overrides_the_file_and_flags_override_both(tmp_path: Path) -> None:
    path = write(tmp_path)
    env = {"HOLMES_AGENT_MAX_STEPS": "6", "HOLMES_PROMETHEUS_URL": "http://127.0.0.1:9191"}
    flags = {"sources.prometheus.url": "http://127.0.0.1:9292", "limits.max_steps": None}
    resolved = load_config(path, flags, env)
    assert resolved.config.limits.max_steps == 6
    assert str(resolved.origin("limits.max_steps")) == "env HOLMES_AGENT_MAX_STEPS"
    assert resolved.config.sources.prometheus.url == "http://127.0.0.1:9292"
    assert str(resolved.origin("sources.prometheus.url")) == "flag --prometheus-url"


def test_the_file_is_found_through_holmes_config_then_xdg(tmp_path: Path) -> None:
    path = write(tmp_path)
    assert load_config(None, {}, {"HOLMES_CONFIG": str(path)}).file == path
    (tmp_path / "xdg" / "holmes").mkdir(parents=True)
    (tmp_path / "xdg" / "holmes" / "config.yaml").write_text("limits: {max_steps: 3}\n")
    resolved = load_config(None, {}, {"XDG_CONFIG_HOME": str(tmp_path / "xdg")})
    assert resolved.config.limits.max_steps == 3
    # No file at the default place is no error; a named file that is missing is one.
    assert load_config(None, {}, {"HOME": str(tmp_path / "empty")}).file is None
    with pytest.raises(ConfigError, match="cannot read the config file"):
        load_config(tmp_path / "missing.yaml", {}, {})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("limits:\n  max_steps: 4\n  max_stepz: 5\n", ":3: limits.max_stepz: unknown key"),
        ("llm:\n  model: m\nsurces: {}\n", ":3: surces: unknown key"),
        ("limits:\n  max_steps: zero\n", ":2: limits.max_steps: Input should be a valid integer"),
        ("server:\n\n  port: 70000\n", ":3: server.port: Input should be less than or equal"),
        ("sources:\n  prometheus:\n    url: prometheus:9090\n", ":3: sources.prometheus.url"),
        ("limits: [1, 2]\n", ":1: limits: expected a mapping"),
        ("llm:\n  model: [unclosed\n", ": not valid YAML"),
    ],
)
def test_a_bad_file_names_file_line_and_key(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as raised:
        load_config(path, {}, {})
    assert str(raised.value).startswith(str(path))
    assert message in str(raised.value)


def test_a_bad_environment_value_names_the_variable() -> None:
    with pytest.raises(ConfigError, match=r"^env HOLMES_LLM_MAX_RETRIES: llm\.max_retries: "):
        load_config(None, {}, {"HOLMES_LLM_MAX_RETRIES": "11"})


def test_the_cli_reports_a_config_error_on_one_line_with_exit_2(tmp_path: Path) -> None:
    path = write(tmp_path, "limits:\n  max_stepz: 5\n")
    for command in (["config", "show"], ["ask", "--no-llm", "why?"], ["doctor"]):
        result = runner.invoke(app, [*command, "--config", str(path)])
        assert result.exit_code == 2, (command, result.output)
        assert result.output.strip() == (
            f"holmes: config: {path}:2: limits.max_stepz: unknown key (known: "
            "tool_timeout_seconds, max_steps, max_tool_calls, max_tokens, max_seconds, "
            "prompt_tokens)"
        )
        assert "Traceback" not in result.output


def test_show_checks_that_the_llm_fields_make_an_endpoint(tmp_path: Path) -> None:
    path = write(tmp_path, "llm:\n  model: qwen\n")
    result = runner.invoke(
        app, ["config", "show", "--config", str(path)], env={"OPENAI_API_KEY": ""}
    )
    assert result.exit_code == 2
    assert result.output.startswith(f"holmes: config: {path}:2: llm.api_key: an LLM model")


def test_show_prints_origins_and_masks_secrets(tmp_path: Path) -> None:
    path = write(tmp_path)
    env = {"HOLMES_CONFIG": str(path), "OPENAI_API_KEY": "sk-env-secret-5678"}
    env |= {"HOLMES_AGENT_MAX_TOOL_CALLS": "9"}
    result = runner.invoke(app, ["config", "show"], env=env)
    assert result.exit_code == 0, result.output
    rows = {line.split()[0]: line for line in result.output.splitlines()[1:]}
    assert rows["limits.max_tool_calls"].split()[1:] == ["9", "env", "HOLMES_AGENT_MAX_TOOL_CALLS"]
    assert rows["sources.hubble.address"].endswith(f"file {path}:8")
    assert rows["llm.api_key"].split()[1:] == ["********", "env", "OPENAI_API_KEY"]
    assert "postgresql://holmes:********@db:5432/holmes" in rows["server.store_url"]
    for secret in ("file-token-1234", "sk-env-secret-5678", "hunter2", "xoxb-not-shown"):
        assert secret not in result.output
    flagged = runner.invoke(app, ["config", "show", "--timeout", "3"], env=env)
    (timeout,) = [line for line in flagged.output.splitlines() if "tool_timeout" in line]
    assert timeout.split()[1:] == ["3.0", "flag", "--timeout"]
    shown = runner.invoke(app, ["config", "show", "--json"], env=env)
    settings = {row["key"]: row for row in json.loads(shown.output)["settings"]}
    assert settings["server.port"] == {"key": "server.port", "value": 6060,
                                       "origin": f"file {path}:19"}  # fmt: skip
    assert [leaf.path for leaf in leaves()] == list(settings)


def test_every_older_variable_name_still_sets_its_field(tmp_path: Path) -> None:
    (tmp_path / "kube").write_text("apiVersion: v1\nkind: Config\n")
    env = {
        "OPENAI_MODEL": "gpt-4.1",
        "OPENAI_API_KEY": "sk-x",
        "HOLMES_LLM_CONTEXT_TOKENS": "8192",
        "HOLMES_AGENT_MAX_SECONDS": "30",
        "HOLMES_RUNBOOKS": f"/a{':'}/b",
        "KUBECONFIG": f"{tmp_path / 'kube'}:/other",
        "HOLMES_HUBBLE_ADDRESS": "127.0.0.1:4245",
    }
    resolved = load_config(None, {}, env)
    settings = llm_settings(resolved)
    assert settings is not None and settings.model == "gpt-4.1" and settings.provider == "openai"
    limits = agent_limits(resolved)
    assert (limits.context_tokens, limits.max_seconds) == (8192, 30.0)
    assert resolved.config.runbooks.folders == [Path("/a"), Path("/b")]
    endpoints = source_endpoints(resolved)
    assert endpoints.kubeconfig == tmp_path / "kube"
    assert endpoints.hubble_address == "127.0.0.1:4245"


def test_sources_become_endpoints_with_auth_and_tls(tmp_path: Path) -> None:
    resolved = load_config(write(tmp_path), {}, {})
    endpoints = source_endpoints(resolved)
    assert endpoints.kube_context == "prod"
    assert endpoints.prometheus_headers == {"Authorization": "Bearer file-token-1234"}
    assert endpoints.hubble_tls is not None
    assert endpoints.hubble_tls.ca_file == Path("/etc/hubble/ca.pem")
    assert tool_limits(resolved).timeout_seconds == 5
    basic = "sources:\n  prometheus:\n    username: u\n    password: p\n"
    basic += "    insecure_skip_verify: true\n"
    endpoints = source_endpoints(load_config(write(tmp_path, basic), {}, {}))
    assert endpoints.prometheus_headers == {"Authorization": "Basic dTpw"}
    assert endpoints.prometheus_tls is not None and endpoints.prometheus_tls.insecure


def test_llm_from_the_file_and_errors_naming_where(tmp_path: Path) -> None:
    settings = llm_settings(load_config(write(tmp_path), {}, {}))
    assert settings is not None and settings.provider == "compatible"
    assert settings.base_url == "http://127.0.0.1:8000/v1"
    key_file = tmp_path / "key"
    key_file.write_text("sk-from-file\n")
    text = f"llm:\n  azure_endpoint: https://x.openai.azure.com\n  api_key_file: {key_file}\n"
    resolved = load_config(write(tmp_path, text), {"llm.model": "gpt4o-prod"}, {})
    azure = llm_settings(resolved)
    assert azure is not None and azure.provider == "azure"
    assert azure.api_key is not None and azure.api_key.get_secret_value() == "sk-from-file"
    assert azure.azure_deployment == "gpt4o-prod"
    path = write(tmp_path, "llm:\n  base_url: http://127.0.0.1:8000/v1\n")
    with pytest.raises(ConfigError, match=rf"^{path}:2: llm\.model: OPENAI_BASE_URL=\S+ is set"):
        llm_settings(load_config(path, {}, {}))


def test_server_section_for_holmes_serve(tmp_path: Path) -> None:
    path = write(tmp_path)
    server = server_section(path, port=None, workers=8)
    assert (server.port, server.workers, server.host) == (6060, 8, "127.0.0.1")
    assert store_url(server) == "postgresql://holmes:hunter2@db:5432/holmes"
    assert store_url(server_section(write(tmp_path, "")), {"HOME": "/h"}) == (
        "sqlite:////h/.local/share/holmes/holmes.db"
    )
    with pytest.raises(ConfigError, match=r"flag --queue-size: server\.queue_size"):
        server_section(path, queue_size=0)


def test_the_readme_documents_every_field() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert reference_table() in readme, "regenerate: python -m holmes.cli.config_docs"
    for leaf in leaves():
        assert leaf.description, leaf.path


def test_config_show_help_loads_no_settings_library() -> None:
    code = (
        "from holmes.cli.main import app\n"
        "try:\n    app(['--help'], prog_name='holmes')\n"
        "except SystemExit:\n    pass\n"
        "import sys; print('yaml' in sys.modules, 'holmes.cli.config' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert done.stdout.splitlines()[-1] == "False False"


def _sample(path: str, type_name: str, default: object) -> str:
    """A valid text for an environment variable of this field."""
    if default not in (None, [], {}):
        return str(default).lower() if isinstance(default, bool) else str(default)
    special = {"sources.prometheus.url": "http://127.0.0.1:9090", "llm.base_url": "http://h/v1",
               "llm.azure_endpoint": "https://x.openai.azure.com",
               "server.store_url": "sqlite:////tmp/h.db", "llm.max_tokens": "800",
               "llm.temperature": "0.2", "llm.tool_choice": "auto", "llm.profile": "local",
               "llm.stream": "true"}  # fmt: skip
    if path in special:
        return special[path]
    return "1.5" if "float" in type_name else "/srv/x" if "Path" in type_name else "v"


@pytest.mark.parametrize(
    ("path", "variable"), [(leaf.path, name) for leaf in leaves() for name in leaf.env]
)
def test_every_variable_sets_its_field(path: str, variable: str) -> None:
    leaf = next(leaf for leaf in leaves() if leaf.path == path)
    resolved = load_config(None, {}, {variable: _sample(path, leaf.type_name, leaf.default)})
    assert str(resolved.origin(path)) == f"env {variable}"
