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

Any provider also reads HOLMES_LLM_TIMEOUT_SECONDS, HOLMES_LLM_MAX_RETRIES and the prices
HOLMES_LLM_PRICE_INPUT_PER_1M / HOLMES_LLM_PRICE_OUTPUT_PER_1M (US dollars per 1M tokens).
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
    timeout_seconds: float = Field(60.0, gt=0, description="limit for one request")
    max_retries: int = Field(2, ge=0, le=10, description="retries after the first attempt")
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

    @property
    def deadline_seconds(self) -> float:
        """The most one `complete` call may take, retries and backoff included."""
        return self.timeout_seconds * (self.max_retries + 1)

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
    "HOLMES_LLM_PRICE_INPUT_PER_1M": ("input_usd_per_1m", float),
    "HOLMES_LLM_PRICE_OUTPUT_PER_1M": ("output_usd_per_1m", float),
}


def _common_from_env(env: Mapping[str, str]) -> dict[str, object]:
    """The numeric settings every provider shares, parsed with the variable named on error."""
    fields: dict[str, object] = {}
    for variable, (field, kind) in _NUMBERS.items():
        if variable not in env:
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
        fields[field] = value
    if ("input_usd_per_1m" in fields) != ("output_usd_per_1m" in fields):
        raise LLMSettingsError(
            "HOLMES_LLM_PRICE_INPUT_PER_1M",
            "set both HOLMES_LLM_PRICE_INPUT_PER_1M and HOLMES_LLM_PRICE_OUTPUT_PER_1M, or neither",
        )
    return fields


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
