"""The LLM agent's whole first request for every incident of a suite, as the agent builds it.

For each incident: replay it and run the agent's own gather node (the runbook engine, then the
system prompt, the first user message and the tools offered, fitted to the budget), without
calling any model. Prints per incident the estimated tokens (budget.py's safe estimate,
calibrated on small models' server-reported counts: no tokenizer is downloaded) of the
messages, of the tool schemas and of the whole request, and how many tools are offered.
`--dump DIR` writes each whole request (messages and tools, as sent) to DIR/<incident>.json.
Target: every whole first request within 8,000 tokens. Asserts nothing.

    .venv/bin/python bench/prompt_budget.py [--suite DIR] [--profile hosted|local] [--dump DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path

from holmes.agent.engine.gather import Gatherer
from holmes.agent.engine.runbook_engine import RunbookEngine
from holmes.agent.llm import LLMClient, LLMSettings
from holmes.agent.llm.budget import AgentLimits, estimate_request
from holmes.agent.llm.graph_nodes import AgentNodes
from holmes.agent.llm.profile import ModelProfile, resolve_profile
from holmes.agent.llm.state import AgentRun
from holmes.evals.bundle import load_bundle
from holmes.evals.replay import replay
from holmes.evals.runner import context_for, incident_folders, request_for

INCIDENTS = Path(__file__).resolve().parents[1] / "evals" / "incidents"
TARGET = 8000
# Never called: the gather node builds the request without a model.
UNUSED_ENDPOINT = "http://127.0.0.1:9/v1"


async def first_request(
    engine: RunbookEngine, folder: Path, llm: LLMClient, profile: ModelProfile, limits: AgentLimits
) -> dict:
    """The whole first request (messages and tools) the agent would send for one incident."""
    bundle = load_bundle(folder)
    with replay(bundle) as endpoints:
        ctx = context_for(endpoints)
        try:
            gatherer = Gatherer(engine.registry, ctx)
            nodes = AgentNodes(AgentRun(engine, llm, ctx, gatherer, limits, profile))
            state = await nodes.gather({"request": request_for(bundle).model_dump(mode="json")})
        finally:
            await ctx.aclose()
    return {"messages": state["messages"], "tools": nodes.tools}


async def measure_all(args: argparse.Namespace) -> None:
    """Print one line per incident and the largest."""
    engine = RunbookEngine()
    settings = LLMSettings(
        provider="compatible", model="bench", base_url=UNUSED_ENDPOINT, profile=args.profile
    )
    llm = LLMClient(settings)
    profile, limits = await resolve_profile(llm, AgentLimits())
    print(f"profile {profile.name}; context {limits.context_tokens} tokens")
    print(f"{'incident':50} {'messages':>8} {'tools':>6} {'request':>8} {'#tools':>6}")
    sizes = []
    for folder in incident_folders(args.suite):
        request = await first_request(engine, folder, llm, profile, limits)
        messages = estimate_request(request["messages"], [])
        tools = estimate_request([], request["tools"])
        whole = estimate_request(request["messages"], request["tools"])  # one rounding
        sizes.append((whole, folder.name, len(request["tools"])))
        print(f"{folder.name:50} {messages:8d} {tools:6d} {whole:8d} {sizes[-1][2]:6d}")
        if args.dump:
            args.dump.mkdir(parents=True, exist_ok=True)
            (args.dump / f"{folder.name}.json").write_text(json.dumps(request, indent=1))
    await llm.aclose()
    worst = max(sizes)
    within = sum(1 for size, *_ in sizes if size <= TARGET)
    print(
        f"largest whole first request: {worst[0]} tokens ({worst[1]}), estimated at "
        f"2.4 characters a token (schemas 3.2); within {TARGET}: {within}/{len(sizes)}; "
        f"tools offered: {min(s[2] for s in sizes)}-{max(s[2] for s in sizes)}"
    )


def main() -> None:
    """Parse the options and measure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suite", type=Path, default=INCIDENTS)
    parser.add_argument("--profile", choices=("hosted", "local"), default="hosted")
    parser.add_argument("--dump", type=Path, default=None, help="write each request here")
    asyncio.run(measure_all(parser.parse_args()))


if __name__ == "__main__":
    main()
