"""The size of the LLM agent's first request for every incident of a suite, and the tools offered.

For each incident: replay it, run the runbook engine (the agent's gather node), build the
system prompt, the first user message and the tool schemas exactly as the agent sends them
(only the tools of the sources the incident has), and print the estimated tokens (about 4
characters a token; no tokenizer is downloaded) of the messages (system + first user message),
of the tool schemas, and of the whole request. Asserts nothing. Target: messages within 8k
tokens for every incident.

    .venv/bin/python bench/prompt_budget.py [--suite DIR]
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from holmes.agent.budget import AgentLimits, estimate_tokens
from holmes.agent.engine import RunbookEngine
from holmes.agent.nodes import offered_tools
from holmes.agent.prompts import SYSTEM_PROMPT, first_message
from holmes.evals.bundle import load_bundle
from holmes.evals.replay import replay
from holmes.evals.runner import context_for, incident_folders, request_for

INCIDENTS = Path(__file__).resolve().parents[1] / "evals" / "incidents"


async def measure(engine: RunbookEngine, folder: Path, limits: AgentLimits) -> tuple[int, int, int]:
    """(tokens of system prompt + first message, of the tools offered, how many tools)."""
    bundle = load_bundle(folder)
    request = request_for(bundle)
    with replay(bundle) as endpoints:
        ctx = context_for(endpoints)
        try:
            investigation = await engine.investigate(request, ctx)
            tools = offered_tools(engine.registry, ctx.endpoints)
        finally:
            await ctx.aclose()
    message = first_message(request, investigation, limits)
    messages = estimate_tokens(SYSTEM_PROMPT) + estimate_tokens(message)
    return messages, estimate_tokens(tools), len(tools)


def main() -> None:
    """Print one line per incident and the largest."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suite", type=Path, default=INCIDENTS)
    args = parser.parse_args()
    engine = RunbookEngine()
    limits = AgentLimits()
    print(f"{'incident':50} {'messages':>8} {'tools':>6} {'request':>8} {'#tools':>6}")
    sizes = []
    for folder in incident_folders(args.suite):
        messages, tools, count = asyncio.run(measure(engine, folder, limits))
        sizes.append((messages, tools, count, folder.name))
        print(f"{folder.name:50} {messages:8d} {tools:6d} {messages + tools:8d} {count:6d}")
    worst = max(sizes)
    within = sum(1 for messages, *_ in sizes if messages <= limits.prompt_tokens)
    print(
        f"largest messages: {worst[0]} tokens ({worst[3]}); largest whole first request: "
        f"{max(m + t for m, t, _, _ in sizes)} tokens (estimated, ~4 characters a token)"
    )
    print(
        f"messages within {limits.prompt_tokens} tokens: {within}/{len(sizes)}; "
        f"tools offered: {min(s[2] for s in sizes)}-{max(s[2] for s in sizes)}"
    )


if __name__ == "__main__":
    main()
