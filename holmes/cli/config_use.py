"""Turn the resolved configuration into what the layers below take: typed objects, not text.

`SourceEndpoints` and `Limits` for the tools, `LLMSettings` and `AgentLimits` for the agent,
the runbook folders, and `server_section` for `holmes serve` (flags > env > file > default).
"""

from __future__ import annotations

import base64
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from holmes.cli.config import ServerConfig
from holmes.cli.config_load import ConfigError, ResolvedConfig, load_config

if TYPE_CHECKING:
    from holmes.agent.llm import LLMSettings
    from holmes.agent.llm.budget import AgentLimits
    from holmes.tools import Limits, SourceEndpoints

# The variable names LLMSettings.from_env reads, per field of the llm section: the provider
# choice stays in one place (holmes/agent/llm/settings.py) whatever set the value.
_LLM_VARIABLES = {
    "model": "HOLMES_LLM_MODEL",
    "base_url": "OPENAI_BASE_URL",
    "api_key": "OPENAI_API_KEY",
    "azure_endpoint": "AZURE_OPENAI_ENDPOINT",
    "azure_api_key": "AZURE_OPENAI_API_KEY",
    "azure_deployment": "AZURE_OPENAI_DEPLOYMENT",
    "api_version": "OPENAI_API_VERSION",
    "timeout_seconds": "HOLMES_LLM_TIMEOUT_SECONDS",
    "max_retries": "HOLMES_LLM_MAX_RETRIES",
    "max_tokens": "HOLMES_LLM_MAX_TOKENS",
    "temperature": "HOLMES_LLM_TEMPERATURE",
    "tool_choice": "HOLMES_LLM_TOOL_CHOICE",
    "profile": "HOLMES_LLM_PROFILE",
    "stream": "HOLMES_LLM_STREAM",
    "price_input_per_1m": "HOLMES_LLM_PRICE_INPUT_PER_1M",
    "price_output_per_1m": "HOLMES_LLM_PRICE_OUTPUT_PER_1M",
}


def source_endpoints(resolved: ResolvedConfig) -> SourceEndpoints:
    """The sources section as the tools' endpoints (kubectl's default kubeconfig if none)."""
    from holmes.tools import SourceEndpoints
    from holmes.tools.context import HubbleTLS, PrometheusTLS

    sources = resolved.config.sources
    kube, prom, hubble = sources.kubernetes, sources.prometheus, sources.hubble
    headers = dict(prom.headers)
    if prom.bearer_token is not None:
        headers["Authorization"] = f"Bearer {prom.bearer_token.get_secret_value()}"
    elif prom.username is not None:
        password = prom.password.get_secret_value() if prom.password else ""
        pair = base64.b64encode(f"{prom.username}:{password}".encode()).decode()
        headers["Authorization"] = f"Basic {pair}"
    prometheus_tls = None
    if prom.ca_file is not None or prom.insecure_skip_verify:
        prometheus_tls = PrometheusTLS(ca_file=prom.ca_file, insecure=prom.insecure_skip_verify)
    hubble_files = (hubble.ca_file, hubble.cert_file, hubble.key_file, hubble.server_name)
    hubble_tls = None
    if hubble.tls or any(item is not None for item in hubble_files):
        hubble_tls = HubbleTLS(
            ca_file=hubble.ca_file,
            cert_file=hubble.cert_file,
            key_file=hubble.key_file,
            server_name=hubble.server_name,
        )
    kubeconfig = kube.kubeconfig
    if resolved.origin("sources.kubernetes.kubeconfig").kind == "env":
        # As kubectl: a $KUBECONFIG naming no file is no kubeconfig, not an error.
        kubeconfig = kubeconfig if kubeconfig and kubeconfig.is_file() else None
    endpoints = SourceEndpoints(
        kubeconfig=kubeconfig,
        kube_context=kube.context,
        in_cluster=kube.in_cluster,
        prometheus_url=prom.url,
        prometheus_headers=headers,
        prometheus_tls=prometheus_tls,
        hubble_address=hubble.address,
        hubble_tls=hubble_tls,
    )
    if not endpoints.has_kubernetes:
        default = Path.home() / ".kube" / "config"
        endpoints.kubeconfig = default if default.is_file() else None
    return endpoints


def tool_limits(resolved: ResolvedConfig) -> Limits:
    """Bounds on one tool call."""
    from holmes.tools import Limits

    return Limits(timeout_seconds=resolved.config.limits.tool_timeout_seconds)


def agent_limits(resolved: ResolvedConfig) -> AgentLimits:
    """Bounds on one LLM investigation (the limits section and llm.context_tokens)."""
    from holmes.agent.llm.budget import AgentLimits

    limits = resolved.config.limits
    fields = limits.model_dump(exclude={"tool_timeout_seconds"})
    return AgentLimits(**fields, context_tokens=resolved.config.llm.context_tokens)


def llm_settings(resolved: ResolvedConfig) -> LLMSettings | None:
    """The configured LLM, None without one; a bad or missing value is a `ConfigError`."""
    from holmes.agent.llm import LLMSettings, LLMSettingsError

    llm = resolved.config.llm
    values: dict[str, Any] = llm.model_dump()
    for name in ("api_key", "azure_api_key"):
        secret = getattr(llm, name)
        values[name] = secret.get_secret_value() if secret is not None else None
    if llm.api_key_file is not None:
        key = _read_key(llm.api_key_file, resolved)
        values["api_key"] = values["api_key"] or key
        if llm.azure_endpoint:
            values["azure_api_key"] = values["azure_api_key"] or key
    mapping = {
        variable: str(values[name])
        for name, variable in _LLM_VARIABLES.items()
        if values[name] is not None
    }
    try:
        settings = LLMSettings.from_env(mapping)
    except LLMSettingsError as error:
        field = next((n for n, v in _LLM_VARIABLES.items() if v == error.variable), "model")
        origin = resolved.origin(f"llm.{field}")
        if origin.kind == "default":  # a missing value: point at the llm setting that needs it
            given = [resolved.origin(f"llm.{name}") for name in _LLM_VARIABLES]
            origin = next((o for o in given if o.kind != "default"), origin)
        place = origin.place
        message = str(error).removeprefix(f"{error.variable}: ")
        raise ConfigError(f"{place}: llm.{field}: {message}") from None
    from_flag = resolved.origin("llm.model").kind == "flag"
    if settings is not None and from_flag and settings.provider == "azure":
        # --model names the deployment on Azure.
        settings = settings.model_copy(update={"azure_deployment": settings.model})
    return settings


def _read_key(path: Path, resolved: ResolvedConfig) -> str:
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError as error:
        place = resolved.origin("llm.api_key_file").place
        raise ConfigError(f"{place}: llm.api_key_file: {error.strerror}") from None


def runbook_folders(resolved: ResolvedConfig) -> list[Path]:
    """Folders of extra runbooks."""
    return list(resolved.config.runbooks.folders)


def conversations_file(resolved: ResolvedConfig, environ: Mapping[str, str]) -> Path:
    """Where follow-up conversations are kept."""
    from holmes.agent.llm.conversations import conversation_file

    configured = resolved.config.llm.conversations_file
    return configured if configured is not None else conversation_file(environ)


def server_section(config: Path | None = None, **flags: Any) -> ServerConfig:
    """The server section for `holmes serve`: flags (host=, port=, workers=, queue_size=,
    tokens_file=, store_url=; None when not given) over env over the file over defaults.
    Raises `ConfigError` (one line naming file:line, variable or flag)."""
    resolved = load_config(config, {f"server.{name}": value for name, value in flags.items()})
    return resolved.config.server


def store_url(server: ServerConfig, environ: Mapping[str, str] | None = None) -> str:
    """The store URL: the configured one, else `sqlite:///<data dir>/holmes.db` (the data dir
    being server.data_dir, else ~/.local/share/holmes), as holmes serve opens it."""
    if server.store_url:
        return server.store_url
    environ = os.environ if environ is None else environ
    home = Path(environ.get("HOME") or Path.home())
    folder = server.data_dir or home / ".local" / "share" / "holmes"
    return f"sqlite:///{Path(folder) / 'holmes.db'}"
