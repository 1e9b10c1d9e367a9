"""The size of the LLM agent's first request for every incident of a suite, and the tools offered.

For each incident: replay it, run the runbook engine (the agent's gather node), build the
system prompt, the first user message and the tool schemas exactly as the agent sends them, and
print the estimated tokens (about 4 characters a token; no tokenizer is downloaded) of the
messages, of the tools, and in all. Asserts nothing. Target: the first message within 8k tokens
for every incident.

    .venv/bin/python bench/prompt_budget.py [--suite DIR]
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from holmes.agent.answer import final_answer_tool
from holmes.agent.budget import AgentLimits, estimate_tokens
from holmes.agent.engine import RunbookEngine
from holmes.agent.prompts import SYSTEM_PROMPT, first_message
from holmes.evals.bundle import load_bundle
from holmes.evals.replay import replay
from holmes.evals.runner import context_for, incident_folders, request_for

INCIDENTS = Path(__file__).resolve().parents[1] / "evals" / "incidents"


async def measure(engine: RunbookEngine, folder: Path, limits: AgentLimits) -> tuple[int, int]:
    """(tokens of the first user message, tokens of system prompt + message + tools)."""
    bundle = load_bundle(folder)
    request = request_for(bundle)
    with replay(bundle) as endpoints:
        ctx = context_for(endpoints)
        try:
            investigation = await engine.investigate(request, ctx)
        finally:
            await ctx.aclose()
    alert = None
    if request.alert:
        alert = {
            "name": request.alert.name,
            "labels": request.alert.labels,
            "annotations": request.alert.annotations,
        }
    message = first_message(request.question or "", alert, investigation, limits)
    tools = [*engine.registry.schemas(), final_answer_tool()]
    total = estimate_tokens(SYSTEM_PROMPT) + estimate_tokens(message) + estimate_tokens(tools)
    return estimate_tokens(message), total


def main() -> None:
    """Print one line per incident and the largest."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suite", type=Path, default=INCIDENTS)
    args = parser.parse_args()
    engine = RunbookEngine()
    limits = AgentLimits()
    tools = len(engine.registry.tools()) + 1
    print(f"{'incident':55} {'message':>8} {'request':>8}  (estimated tokens; {tools} tools)")
    sizes = []
    for folder in incident_folders(args.suite):
        message, total = asyncio.run(measure(engine, folder, limits))
        sizes.append((message, total, folder.name))
        print(f"{folder.name:55} {message:8d} {total:8d}")
    worst = max(sizes)
    within = sum(1 for message, _, _ in sizes if message <= limits.prompt_tokens)
    print(
        f"largest first message: {worst[0]} tokens ({worst[2]}); whole first request "
        f"{max(s[1] for s in sizes)} tokens at most"
    )
    print(f"within {limits.prompt_tokens} tokens: {within}/{len(sizes)}; tools offered: {tools}")


if __name__ == "__main__":
    main()
