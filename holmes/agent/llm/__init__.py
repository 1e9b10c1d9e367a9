"""The LLM client layer of the agent: settings, one chat-completion call, errors and cost.

The agent builds an `LLMClient` from `LLMSettings` (the CLI and the server get those from
`LLMSettings.from_env(os.environ)`), calls `complete`, and catches `LLMError` to fall back to
the runbook diagnosis. `client.usage` is the running `LLMUsage` for the Diagnosis's cost.
"""

from holmes.agent.llm.client import LLMClient, LLMReply, LLMUsage, TokenUsage, ToolCall
from holmes.agent.llm.cost import KNOWN_PRICES, ModelPrice, estimate_usd, known_price
from holmes.agent.llm.errors import LLMError, LLMErrorKind
from holmes.agent.llm.settings import LLMSettings, LLMSettingsError, Provider

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
