"""Which LLM endpoint to call and how: `LLMSettings`, built by the caller, usually `from_env`.

The CLI builds one `LLMSettings` at start-up from the variables below, as a mapping it passes in
(holmes/cli/config_use.py maps the config's llm section, whatever set each value, onto these
names; nothing here reads `os.environ`, at import time or later), and hands it to `LLMClient`.
`from_env` returns None when no LLM is configured: holmes then answers from the runbooks alone.

Three providers, chosen from which variables are set (the first that applies wins):

    azure       AZURE_OPENAI_ENDPOINT, AZURE_OPENAI_API_KEY, AZURE_OPENAI_DEPLOYMENT (or
                HOLMES_LLM_MODEL as the deployment), OPENAI_API_VERSION (default below)
    compatible  OPENAI_BASE_URL (not api.openai.com) and HOLMES_LLM_MODEL: vLLM, Ollama, a LiteLLM
                proxy... OPENAI_API_KEY is optional there
    openai      OPENAI_API_KEY; HOLMES_LLM_MODEL or OPENAI_MODEL, default DEFAULT_OPENAI_MODEL

Any provider also reads (every LLM variable of holmes is read here, nowhere else):

    HOLMES_LLM_TIMEOUT_SECONDS   one request's limit; unset, it scales with the prompt's size
                                 (a CPU model reads 8k tokens in minutes: see `timeout_for`)
    HOLMES_LLM_MAX_RETRIES       retries after the first attempt (2)
    HOLMES_LLM_MAX_TOKENS        the reply's cap, sent as max_tokens (1200: a final answer is
                                 300-600 tokens; a rambling model is cut there, not at the window)
    HOLMES_LLM_TEMPERATURE       0 by default, so that a retry gets the same answer; `default`
                                 sends none (models that accept only their own)
    HOLMES_LLM_TOOL_CHOICE       `required` (every turn ends in a tool call, final_answer
                                 included) or `auto`; default required for OpenAI and Azure,
                                 auto for compatible servers (not all support required). The
                                 agent never relies on it: calls written in text are parsed too
    HOLMES_LLM_STREAM            `on` or `off`: stream replies (a slow model that keeps writing
                                 is not taken for a dead one); default on in the local profile
    HOLMES_LLM_PROFILE           `local` (small window, caps, fewer tools, stricter output),
                                 `hosted`, or `auto` (default: local when the server's
                                 /v1/models reports a context of 32k tokens or less)
    HOLMES_LLM_PRICE_INPUT_PER_1M / HOLMES_LLM_PRICE_OUTPUT_PER_1M (US dollars per 1M tokens)

An empty variable counts as unset. A bad value raises `LLMSettingsError` naming the variable.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Literal, Self
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from holmes.agent.llm.cost import ModelPrice, known_price

Provider = Literal["openai", "azure", "compatible"]
Profile = Literal["auto", "hosted", "local"]
ToolChoice = Literal["auto", "required"]

# A request's timeout when none is set: a base for the network and the reply, plus the time a
# slow CPU model takes to read the prompt. Measured with llama.cpp on 2 cores: 43-65 prompt
# tokens a second (9,059 tokens in 209 s); 25 a second leaves room for a slower machine.
AUTO_TIMEOUT_BASE_SECONDS = 60.0
AUTO_TIMEOUT_SECONDS_PER_PROMPT_TOKEN = 0.04
# A context window at or under this, reported by /v1/models, selects the local profile.
LOCAL_CONTEXT_TOKENS = 32_768

OPENAI_BASE_URL = "https://api.openai.com/v1"
# Chosen for good tool calling at a low price; override with HOLMES_LLM_MODEL.
DEFAULT_OPENAI_MODEL = "gpt-4.1-mini"
# The latest GA data-plane version of Azure OpenAI chat completions at the time of writing.
DEFAULT_AZURE_API_VERSION = "2024-10-21"


class LLMSettingsError(ValueError):
    """A configuration value is missing or malformed; `variable` names it (env var or field)."""

    def __init__(self, variable: str, message: str) -> None:
        super().__init__(f"{variable}: {message}")
        self.variable = variable


class LLMSettings(BaseModel):
    """Where the LLM is, how to authenticate, how long to wait, and what a token costs."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    provider: Provider
    model: str = Field(min_length=1, description="model name; on Azure the deployment's model")
    api_key: SecretStr | None = None
    base_url: str | None = Field(None, description="OpenAI-compatible base URL, ending in /v1")
    azure_endpoint: str | None = None
    azure_deployment: str | None = None
    api_version: str | None = None
    timeout_seconds: float | None = Field(
        None, gt=0, description="limit for one request; None: scaled with the prompt's size"
    )
    max_retries: int = Field(2, ge=0, le=10, description="retries after the first attempt")
    max_completion_tokens: int = Field(
        1200, ge=64, description="cap of one reply (max_tokens); sized to the final answer"
    )
    temperature: float | None = Field(0.0, ge=0, le=2, description="None: the server's own")
    tool_choice: ToolChoice | None = Field(
        None, description="None: required for openai/azure, auto for compatible servers"
    )
    profile: Profile = "auto"
    stream: bool | None = Field(None, description="None: stream in the local profile only")
    input_usd_per_1m: float | None = Field(None, ge=0)
    output_usd_per_1m: float | None = Field(None, ge=0)

    @field_validator("base_url", "azure_endpoint")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"expected an http(s):// URL, got {value!r}")
        return value.strip().rstrip("/")

    @model_validator(mode="after")
    def _complete_for_provider(self) -> Self:
        if self.provider == "openai" and self.api_key is None:
            raise ValueError("provider 'openai' needs api_key")
        if self.provider == "compatible" and self.base_url is None:
            raise ValueError("provider 'compatible' needs base_url (the server's /v1 URL)")
        if self.provider == "azure":
            missing = [
                name
                for name in ("azure_endpoint", "api_key", "api_version")
                if getattr(self, name) is None
            ]
            if missing:
                raise ValueError(f"provider 'azure' needs {', '.join(missing)}")
        if (self.input_usd_per_1m is None) != (self.output_usd_per_1m is None):
            raise ValueError("give both input_usd_per_1m and output_usd_per_1m, or neither")
        return self

    @property
    def endpoint(self) -> str:
        """The URL requests go to, for messages (it carries no secret)."""
        if self.provider == "azure":
            return str(self.azure_endpoint)
        return self.base_url or OPENAI_BASE_URL

    def timeout_for(self, prompt_tokens: int) -> float:
        """One request's limit: the configured one, else scaled with the prompt's tokens."""
        if self.timeout_seconds is not None:
            return self.timeout_seconds
        return AUTO_TIMEOUT_BASE_SECONDS + AUTO_TIMEOUT_SECONDS_PER_PROMPT_TOKEN * max(
            prompt_tokens, 0
        )

    def deadline_for(self, prompt_tokens: int) -> float:
        """The most one `complete` call may take, retries and backoff included."""
        return self.timeout_for(prompt_tokens) * (self.max_retries + 1)

    @property
    def deadline_seconds(self) -> float:
        """`deadline_for` a small prompt (the configured timeout when one is set)."""
        return self.deadline_for(0)

    @property
    def effective_tool_choice(self) -> ToolChoice:
        """What the client sends as tool_choice when tools are offered."""
        if self.tool_choice is not None:
            return self.tool_choice
        return "auto" if self.provider == "compatible" else "required"

    def price(self) -> ModelPrice | None:
        """The configured price, else the list price of a known OpenAI model, else None."""
        if self.input_usd_per_1m is not None and self.output_usd_per_1m is not None:
            return ModelPrice(self.input_usd_per_1m, self.output_usd_per_1m)
        return known_price(self.model)

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> LLMSettings | None:
        """Settings from environment variables (see the module docstring); None if none is set.

        Raises `LLMSettingsError` naming the variable when a value is missing or malformed.
        """
        env = {key: value.strip() for key, value in environ.items() if value and value.strip()}
        model = env.get("HOLMES_LLM_MODEL") or env.get("OPENAI_MODEL")
        model_var = "HOLMES_LLM_MODEL" if "HOLMES_LLM_MODEL" in env else "OPENAI_MODEL"
        common = _common_from_env(env)
        fields: dict[str, object]

        if "AZURE_OPENAI_ENDPOINT" in env:
            deployment = env.get("AZURE_OPENAI_DEPLOYMENT")
            if "AZURE_OPENAI_API_KEY" not in env:
                raise LLMSettingsError(
                    "AZURE_OPENAI_API_KEY", "AZURE_OPENAI_ENDPOINT is set but the key is not"
                )
            if deployment is None and model is None:
                raise LLMSettingsError(
                    "AZURE_OPENAI_DEPLOYMENT",
                    "set the deployment name (or HOLMES_LLM_MODEL) for AZURE_OPENAI_ENDPOINT",
                )
            fields = {
                "provider": "azure",
                "model": model or deployment,
                "api_key": env["AZURE_OPENAI_API_KEY"],
                "azure_endpoint": env["AZURE_OPENAI_ENDPOINT"],
                "azure_deployment": deployment,
                "api_version": env.get("OPENAI_API_VERSION", DEFAULT_AZURE_API_VERSION),
            }
            variables = {"azure_endpoint": "AZURE_OPENAI_ENDPOINT", "model": model_var}
        elif "OPENAI_BASE_URL" in env and not _is_openai(env["OPENAI_BASE_URL"]):
            if model is None:
                raise LLMSettingsError(
                    "HOLMES_LLM_MODEL",
                    f"OPENAI_BASE_URL={env['OPENAI_BASE_URL']} is set: name the model it serves",
                )
            fields = {
                "provider": "compatible",
                "model": model,
                "api_key": env.get("OPENAI_API_KEY"),
                "base_url": env["OPENAI_BASE_URL"],
            }
            variables = {"base_url": "OPENAI_BASE_URL", "model": model_var}
        elif "OPENAI_API_KEY" in env:
            fields = {
                "provider": "openai",
                "model": model or DEFAULT_OPENAI_MODEL,
                "api_key": env["OPENAI_API_KEY"],
                "base_url": env.get("OPENAI_BASE_URL"),
            }
            variables = {"base_url": "OPENAI_BASE_URL", "model": model_var}
        elif model is not None or "OPENAI_BASE_URL" in env:
            raise LLMSettingsError(
                "OPENAI_API_KEY",
                "an LLM model or URL is set but no endpoint credentials: set OPENAI_API_KEY, "
                "OPENAI_BASE_URL with HOLMES_LLM_MODEL, or AZURE_OPENAI_ENDPOINT",
            )
        else:
            return None

        try:
            return cls.model_validate({**fields, **common})
        except ValueError as error:  # pydantic's ValidationError is a ValueError
            raise _name_variable(error, variables) from error


_NUMBERS: dict[str, tuple[str, type[int] | type[float]]] = {
    "HOLMES_LLM_TIMEOUT_SECONDS": ("timeout_seconds", float),
    "HOLMES_LLM_MAX_RETRIES": ("max_retries", int),
    "HOLMES_LLM_MAX_TOKENS": ("max_completion_tokens", int),
    "HOLMES_LLM_TEMPERATURE": ("temperature", float),
    "HOLMES_LLM_PRICE_INPUT_PER_1M": ("input_usd_per_1m", float),
    "HOLMES_LLM_PRICE_OUTPUT_PER_1M": ("output_usd_per_1m", float),
}


def _common_from_env(env: Mapping[str, str]) -> dict[str, object]:
    """The numeric settings every provider shares, parsed with the variable named on error."""
    fields: dict[str, object] = _choices_from_env(env)
    for variable, (field, kind) in _NUMBERS.items():
        if variable not in env:
            continue
        if variable == "HOLMES_LLM_TEMPERATURE" and env[variable].lower() == "default":
            fields[field] = None
            continue
        raw = env[variable]
        try:
            value = kind(raw)
        except ValueError:
            noun = "a whole number" if kind is int else "a number"
            raise LLMSettingsError(variable, f"expected {noun}, got {raw!r}") from None
        if not math.isfinite(value) or value < 0 or (field == "timeout_seconds" and value == 0):
            raise LLMSettingsError(variable, f"expected a positive number, got {raw!r}")
        if field == "max_retries" and value > 10:
            raise LLMSettingsError(variable, f"at most 10 retries, got {raw!r}")
        if field == "temperature" and value > 2:
            raise LLMSettingsError(variable, f"expected 0 to 2 (or 'default'), got {raw!r}")
        if field == "max_completion_tokens" and value < 64:
            raise LLMSettingsError(variable, f"at least 64 tokens, got {raw!r}")
        fields[field] = value
    if ("input_usd_per_1m" in fields) != ("output_usd_per_1m" in fields):
        raise LLMSettingsError(
            "HOLMES_LLM_PRICE_INPUT_PER_1M",
            "set both HOLMES_LLM_PRICE_INPUT_PER_1M and HOLMES_LLM_PRICE_OUTPUT_PER_1M, or neither",
        )
    return fields


_CHOICES: dict[str, tuple[str, tuple[str, ...]]] = {
    "HOLMES_LLM_PROFILE": ("profile", ("auto", "hosted", "local")),
    "HOLMES_LLM_TOOL_CHOICE": ("tool_choice", ("auto", "required")),
}


def _choices_from_env(env: Mapping[str, str]) -> dict[str, object]:
    """The settings that take one of a few words, checked with the variable named on error."""
    fields: dict[str, object] = {}
    for variable, (field, allowed) in _CHOICES.items():
        if variable not in env:
            continue
        value = env[variable].lower()
        if value not in allowed:
            raise LLMSettingsError(
                variable, f"expected one of {', '.join(allowed)}, got {env[variable]!r}"
            )
        fields[field] = value
    if "HOLMES_LLM_STREAM" in env:
        word = env["HOLMES_LLM_STREAM"].lower()
        if word not in _ON | _OFF:
            raise LLMSettingsError(
                "HOLMES_LLM_STREAM", f"expected on or off, got {env['HOLMES_LLM_STREAM']!r}"
            )
        fields["stream"] = word in _ON
    return fields


_ON = frozenset({"on", "true", "1", "yes"})
_OFF = frozenset({"off", "false", "0", "no"})


def _is_openai(url: str) -> bool:
    """Whether a base URL is OpenAI's own API (then the provider is `openai`, with its prices)."""
    return urlsplit(url).hostname == "api.openai.com"


def _name_variable(error: ValueError, variables: Mapping[str, str]) -> LLMSettingsError:
    """Rewrite a pydantic validation error so that it names the environment variable."""
    errors = getattr(error, "errors", None)
    if callable(errors):
        for item in errors():
            loc = item.get("loc") or ()
            field = str(loc[0]) if loc else ""
            message = str(item.get("msg", error)).removeprefix("Value error, ")
            if field in variables:
                return LLMSettingsError(variables[field], message)
            return LLMSettingsError(field or "LLM settings", message)
    return LLMSettingsError("LLM settings", str(error))
