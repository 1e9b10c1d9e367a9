"""Estimated prices of LLM calls, for the cost line of a `Diagnosis`.

`client.py` asks `price_for(settings)` once per client and `estimate_usd` per reply. Prices set
in `LLMSettings` win; otherwise the model name is looked up in `KNOWN_PRICES`; an unknown model
(a local vLLM or Ollama model, an Azure deployment named after nothing we know) has no price and
its cost is reported as unknown (None) rather than as zero.
"""

from __future__ import annotations

import re
from typing import NamedTuple


class ModelPrice(NamedTuple):
    """US dollars per one million tokens."""

    input_usd_per_1m: float
    output_usd_per_1m: float


# OpenAI list prices (standard tier, uncached input) as published on openai.com/api/pricing,
# checked 2025-08. They are estimates: cached-input discounts, batch and priority tiers, Azure's
# own price sheet and later price changes are not reflected. Set
# HOLMES_LLM_PRICE_INPUT_PER_1M / HOLMES_LLM_PRICE_OUTPUT_PER_1M for exact figures.
KNOWN_PRICES: dict[str, ModelPrice] = {
    "gpt-4o": ModelPrice(2.50, 10.00),
    "gpt-4o-mini": ModelPrice(0.15, 0.60),
    "gpt-4.1": ModelPrice(2.00, 8.00),
    "gpt-4.1-mini": ModelPrice(0.40, 1.60),
    "gpt-4.1-nano": ModelPrice(0.10, 0.40),
    "o3": ModelPrice(2.00, 8.00),
    "o3-mini": ModelPrice(1.10, 4.40),
    "o4-mini": ModelPrice(1.10, 4.40),
    "gpt-5": ModelPrice(1.25, 10.00),
    "gpt-5-mini": ModelPrice(0.25, 2.00),
    "gpt-5-nano": ModelPrice(0.05, 0.40),
}

# A dated snapshot ("gpt-4o-2024-08-06") costs what its family does.
_SNAPSHOT_SUFFIX = re.compile(r"-\d{4}-\d{2}-\d{2}$")


def known_price(model: str | None) -> ModelPrice | None:
    """The list price of an OpenAI model name or dated snapshot; None for any other name.

    Matching is exact after dropping the date, so "gpt-4o-mini" never gets gpt-4o's price.
    """
    if not model:
        return None
    name = _SNAPSHOT_SUFFIX.sub("", model.strip().lower())
    return KNOWN_PRICES.get(name)


def estimate_usd(
    price: ModelPrice | None, prompt_tokens: int, completion_tokens: int
) -> float | None:
    """The cost in US dollars of one call's tokens at `price`; None when the price is unknown."""
    if price is None:
        return None
    return (
        prompt_tokens * price.input_usd_per_1m + completion_tokens * price.output_usd_per_1m
    ) / 1_000_000
