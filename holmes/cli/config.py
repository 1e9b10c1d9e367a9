"""The holmes configuration: one model, documented field by field.

Read by the CLI (holmes/cli/config_load.py) from a YAML file, the environment and the flags,
in that order of increasing precedence, then handed down as typed objects (`SourceEndpoints`,
`LLMSettings`, `AgentLimits`...): no layer below the CLI reads it or the environment.

Each leaf field says, in its `json_schema_extra`, the environment variables that set it (the
first non-empty one wins; several names keep older variables working), the flag that sets it,
and whether it is a secret (masked by `holmes config show`). The README's reference table is
generated from these fields (`python -m holmes.cli.config_docs`, a test keeps them equal).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr


def setting(
    default: Any,
    description: str,
    *,
    env: tuple[str, ...] = (),
    flag: str | None = None,
    secret: bool = False,
    **constraints: Any,
) -> Any:
    """A documented leaf field: its default, description, env variables, flag, secrecy."""
    extra = {"env": list(env), "flag": flag, "secret": secret}
    return Field(default, description=description, json_schema_extra=extra, **constraints)


class Section(BaseModel):
    """A section of the file: unknown keys are errors, not silently ignored."""

    model_config = ConfigDict(extra="forbid")


class KubernetesSource(Section):
    """How to reach the Kubernetes API."""

    kubeconfig: Path | None = setting(
        None,
        "kubeconfig file (default: the first file of $KUBECONFIG, else ~/.kube/config)",
        env=("KUBECONFIG",),
        flag="--kubeconfig",
    )
    context: str | None = setting(
        None,
        "kubeconfig context (default: its current context)",
        env=("HOLMES_KUBE_CONTEXT",),
        flag="--context",
    )
    in_cluster: bool = setting(
        False,
        "use the pod's service account instead of a kubeconfig",
        env=("HOLMES_IN_CLUSTER",),
        flag="--in-cluster",
    )


class PrometheusSource(Section):
    """How to reach Prometheus (or a compatible API: Thanos, Mimir, VictoriaMetrics)."""

    url: str | None = setting(
        None,
        "Prometheus base URL, e.g. http://prometheus.monitoring:9090",
        env=("HOLMES_PROMETHEUS_URL",),
        flag="--prometheus-url",
        pattern=r"^https?://\S+$",
    )
    bearer_token: SecretStr | None = setting(
        None,
        "sent as `Authorization: Bearer ...`",
        env=("HOLMES_PROMETHEUS_BEARER_TOKEN",),
        secret=True,
    )
    username: str | None = setting(
        None, "basic auth user (with password)", env=("HOLMES_PROMETHEUS_USERNAME",)
    )
    password: SecretStr | None = setting(
        None, "basic auth password", env=("HOLMES_PROMETHEUS_PASSWORD",), secret=True
    )
    headers: dict[str, str] = setting(
        {}, "more HTTP headers sent with every request (e.g. X-Scope-OrgID)", secret=True
    )
    ca_file: Path | None = setting(
        None,
        "PEM file of the CA that signed the server's certificate",
        env=("HOLMES_PROMETHEUS_CA_FILE",),
    )
    insecure_skip_verify: bool = setting(
        False, "accept any server certificate (testing only)", env=("HOLMES_PROMETHEUS_INSECURE",)
    )


class HubbleSource(Section):
    """How to reach Cilium's Hubble Relay (gRPC)."""

    address: str | None = setting(
        None,
        "Hubble Relay host:port, e.g. hubble-relay.kube-system:80",
        env=("HOLMES_HUBBLE_ADDRESS",),
        flag="--hubble-address",
    )
    tls: bool = setting(
        False, "connect with TLS (implied by any file below)", env=("HOLMES_HUBBLE_TLS",)
    )
    ca_file: Path | None = setting(
        None, "PEM file of the Relay's CA", env=("HOLMES_HUBBLE_CA_FILE",)
    )
    cert_file: Path | None = setting(
        None, "client certificate (mTLS), PEM", env=("HOLMES_HUBBLE_CERT_FILE",)
    )
    key_file: Path | None = setting(None, "client key (mTLS), PEM", env=("HOLMES_HUBBLE_KEY_FILE",))
    server_name: str | None = setting(
        None,
        "name to verify in the Relay's certificate (e.g. *.hubble-relay.cilium.io)",
        env=("HOLMES_HUBBLE_SERVER_NAME",),
    )


class Sources(Section):
    """Where the evidence comes from."""

    kubernetes: KubernetesSource = KubernetesSource()
    prometheus: PrometheusSource = PrometheusSource()
    hubble: HubbleSource = HubbleSource()


class LLMConfig(Section):
    """The LLM endpoint; none configured means the runbook engine answers alone."""

    model: str | None = setting(
        None,
        "model name (on Azure: the deployment when azure_deployment is unset)",
        env=("HOLMES_LLM_MODEL", "OPENAI_MODEL"),
        flag="--model",
    )
    base_url: str | None = setting(
        None,
        "OpenAI-compatible base URL ending in /v1 (vLLM, Ollama, LiteLLM...)",
        env=("OPENAI_BASE_URL",),
    )
    api_key: SecretStr | None = setting(
        None,
        "API key (prefer api_key_file or the env variable to a literal)",
        env=("OPENAI_API_KEY",),
        secret=True,
    )
    api_key_file: Path | None = setting(
        None,
        "file holding the API key (a mounted Secret), read at start",
        env=("HOLMES_LLM_API_KEY_FILE",),
    )
    azure_endpoint: str | None = setting(
        None,
        "Azure OpenAI resource URL (selects the Azure provider)",
        env=("AZURE_OPENAI_ENDPOINT",),
    )
    azure_api_key: SecretStr | None = setting(
        None, "Azure OpenAI key", env=("AZURE_OPENAI_API_KEY",), secret=True
    )
    azure_deployment: str | None = setting(
        None, "Azure OpenAI deployment name", env=("AZURE_OPENAI_DEPLOYMENT",)
    )
    api_version: str | None = setting(
        None, "Azure OpenAI API version (default 2024-10-21)", env=("OPENAI_API_VERSION",)
    )
    context_tokens: int = setting(
        120_000,
        "the model's context window: no request may exceed it",
        env=("HOLMES_LLM_CONTEXT_TOKENS",),
        ge=2000,
    )
    timeout_seconds: float | None = setting(
        None,
        "limit for one LLM request (default: 60 s + 0.04 s per prompt token)",
        env=("HOLMES_LLM_TIMEOUT_SECONDS",),
        gt=0,
    )
    max_tokens: int | None = setting(
        None, "the reply's cap (default 1200)", env=("HOLMES_LLM_MAX_TOKENS",), ge=1
    )
    temperature: str | None = setting(
        None,
        "sampling temperature (default 0, repeatable); `default` sends none",
        env=("HOLMES_LLM_TEMPERATURE",),
        pattern=r"^(default|\d+(\.\d+)?)$",
    )
    tool_choice: str | None = setting(
        None,
        "`required` or `auto` (default: required for OpenAI/Azure, auto otherwise)",
        env=("HOLMES_LLM_TOOL_CHOICE",),
        pattern=r"^(auto|required)$",
    )
    profile: str | None = setting(
        None,
        "`local`, `hosted` or `auto` (default: local when /v1/models reports <= 32k tokens)",
        env=("HOLMES_LLM_PROFILE",),
        pattern=r"^(auto|hosted|local)$",
    )
    stream: bool | None = setting(
        None, "stream replies (default: on in the local profile)", env=("HOLMES_LLM_STREAM",)
    )
    max_retries: int = setting(
        2, "retries of a failed LLM request", env=("HOLMES_LLM_MAX_RETRIES",), ge=0, le=10
    )
    price_input_per_1m: float | None = setting(
        None,
        "US dollars per 1M input tokens (with price_output_per_1m)",
        env=("HOLMES_LLM_PRICE_INPUT_PER_1M",),
        ge=0,
    )
    price_output_per_1m: float | None = setting(
        None, "US dollars per 1M output tokens", env=("HOLMES_LLM_PRICE_OUTPUT_PER_1M",), ge=0
    )
    conversations_file: Path | None = setting(
        None,
        "SQLite file of follow-up conversations (default ~/.cache/holmes/...)",
        env=("HOLMES_CONVERSATIONS",),
    )


class LimitsConfig(Section):
    """Bounds on tool calls and on one LLM investigation."""

    tool_timeout_seconds: float = setting(
        10.0,
        "wall time of one tool call (one source request)",
        env=("HOLMES_TOOL_TIMEOUT_SECONDS",),
        flag="--timeout",
        gt=0,
    )
    max_steps: int = setting(
        8, "model turns (LLM calls) at most", env=("HOLMES_AGENT_MAX_STEPS",), ge=1
    )
    max_tool_calls: int = setting(
        16, "tool calls the model may make", env=("HOLMES_AGENT_MAX_TOOL_CALLS",), ge=0
    )
    max_tokens: int = setting(
        60_000, "prompt + completion tokens in all", env=("HOLMES_AGENT_MAX_TOKENS",), ge=1000
    )
    max_seconds: float = setting(
        90.0, "wall time of one LLM investigation", env=("HOLMES_AGENT_MAX_SECONDS",), gt=0
    )
    prompt_tokens: int = setting(
        8_000,
        "budget of the system prompt and the first message",
        env=("HOLMES_AGENT_PROMPT_TOKENS",),
        ge=1000,
    )


class RunbooksConfig(Section):
    """Runbooks beyond the built-in ones."""

    folders: list[Path] = setting(
        [],
        "folders of extra runbooks (env: a path list)",
        env=("HOLMES_RUNBOOKS",),
        flag="--runbooks",
    )


class ServerConfig(Section):
    """`holmes serve`: the HTTP API, its queue and its store."""

    host: str = setting(
        "127.0.0.1", "address to listen on", env=("HOLMES_SERVER_HOST",), flag="--host"
    )
    port: int = setting(
        5050, "port to listen on", env=("HOLMES_SERVER_PORT",), flag="--port", ge=1, le=65535
    )
    workers: int = setting(
        2,
        "concurrent investigations",
        env=("HOLMES_SERVER_WORKERS",),
        flag="--workers",
        ge=1,
        le=64,
    )
    queue_size: int = setting(
        100,
        "queued investigations before the API answers 429",
        env=("HOLMES_QUEUE_SIZE",),
        flag="--queue-size",
        ge=1,
    )
    tokens_file: Path | None = setting(
        None, "API tokens, one per line", env=("HOLMES_API_TOKENS_FILE",), flag="--tokens-file"
    )
    api_tokens: SecretStr | None = setting(
        None,
        "API tokens, comma-separated (prefer tokens_file)",
        env=("HOLMES_API_TOKENS",),
        secret=True,
    )
    store_url: str | None = setting(
        None,
        "sqlite:///PATH or postgresql://... (default sqlite in the data dir)",
        env=("HOLMES_STORE_URL",),
        flag="--store",
        secret=True,
        pattern=r"^(sqlite:///|postgres(ql)?://)\S+$",
    )
    data_dir: Path | None = setting(
        None,
        "where the default SQLite store lives (default ~/.local/share/holmes)",
        env=("HOLMES_DATA_DIR",),
    )


class SlackConfig(Section):
    """The Slack app (Socket Mode or events API)."""

    bot_token: SecretStr | None = setting(
        None, "bot token (xoxb-...)", env=("SLACK_BOT_TOKEN",), secret=True
    )
    signing_secret: SecretStr | None = setting(
        None, "signing secret of the events API", env=("SLACK_SIGNING_SECRET",), secret=True
    )
    app_token: SecretStr | None = setting(
        None, "app-level token for Socket Mode (xapp-...)", env=("SLACK_APP_TOKEN",), secret=True
    )


class HolmesConfig(Section):
    """The whole configuration file (every section optional)."""

    sources: Sources = Sources()
    llm: LLMConfig = LLMConfig()
    limits: LimitsConfig = LimitsConfig()
    runbooks: RunbooksConfig = RunbooksConfig()
    server: ServerConfig = ServerConfig()
    slack: SlackConfig = SlackConfig()


class Leaf(BaseModel):
    """One settable value: its dotted path and how it is documented and set."""

    path: str
    description: str
    default: Any
    env: list[str]
    flag: str | None
    secret: bool
    type_name: str


def leaves(model: type[BaseModel] = HolmesConfig, prefix: str = "") -> list[Leaf]:
    """Every leaf field of the model, depth first, in declaration order."""
    found: list[Leaf] = []
    for name, info in model.model_fields.items():
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            found.extend(leaves(annotation, f"{prefix}{name}."))
            continue
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        found.append(
            Leaf(
                path=prefix + name,
                description=info.description or "",
                default=info.get_default(call_default_factory=True),
                env=list(extra.get("env") or []),  # type: ignore[arg-type]
                flag=extra.get("flag"),  # type: ignore[arg-type]
                secret=bool(extra.get("secret")),
                type_name=_type_name(annotation),
            )
        )
    return found


def _type_name(annotation: Any) -> str:
    text = str(annotation).replace("pathlib.", "").replace("pydantic.types.", "")
    text = text.replace("<class '", "").replace("'>", "")
    return text.replace("SecretStr", "secret").replace("NoneType", "None")
