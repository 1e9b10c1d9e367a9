"""The LLM client layer of the agent: settings, one chat-completion call, errors and cost.

The agent builds an `LLMClient` from `LLMSettings` (the CLI gets those from its config, through
`LLMSettings.from_env`), calls `complete`, and catches `LLMError` to fall back to
the runbook diagnosis. `client.usage` is the running `LLMUsage` for the Diagnosis's cost.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from holmes.agent.llm.cost import KNOWN_PRICES, ModelPrice, estimate_usd, known_price
from holmes.agent.llm.settings import LLMSettings, LLMSettingsError, Provider

if TYPE_CHECKING:
    from holmes.agent.llm.client import LLMClient
    from holmes.agent.llm.errors import LLMError, LLMErrorKind
    from holmes.agent.llm.models import LLMReply, LLMUsage, TokenUsage, ToolCall

# The client and its errors import the openai SDK (about a second): only when first used, so
# that reading settings, or any command that needs no LLM, does not pay for it.
_LAZY = {
    "LLMClient": "client",
    "LLMReply": "models",
    "LLMUsage": "models",
    "TokenUsage": "models",
    "ToolCall": "models",
    "LLMError": "errors",
    "LLMErrorKind": "errors",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(f"holmes.agent.llm.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "KNOWN_PRICES",
    "LLMClient",
    "LLMError",
    "LLMErrorKind",
    "LLMReply",
    "LLMSettings",
    "LLMSettingsError",
    "LLMUsage",
    "ModelPrice",
    "Provider",
    "TokenUsage",
    "ToolCall",
    "estimate_usd",
    "known_price",
]
