"""`holmes doctor`'s LLM check: the endpoint and the model answer a one-token request.

One request, no retry, bounded by the configured request timeout; the outcome is a `Check`
with a fix chosen by the failure's kind (a 401 names the key, a 404 the model, a refusal the
URL). Costs one prompt of a few tokens.
"""

from __future__ import annotations

import time

from holmes.agent.llm.settings import LLMSettings
from holmes.tools.checks import Check
from holmes.tools.redaction import redact

SOURCE = "llm"
_FIXES = {
    "auth": "the endpoint refused the key: check llm.api_key (OPENAI_API_KEY, "
    "AZURE_OPENAI_API_KEY) and that it may use this model",
    "bad_request": "the endpoint refused the request: check llm.model (HOLMES_LLM_MODEL) or "
    "the Azure deployment, and llm.api_version",
    "connection": "check llm.base_url (OPENAI_BASE_URL) or llm.azure_endpoint: the address, "
    "the scheme, and that it is reachable from here",
    "timeout": "the endpoint did not answer in time: check it is up, or raise "
    "llm.timeout_seconds (HOLMES_LLM_TIMEOUT_SECONDS)",
    "rate_limited": "the endpoint is rate limiting this key: wait, or raise its quota",
    "server_error": "the endpoint failed (HTTP 5xx): check the server's logs or status page",
    "bad_response": "the URL answers but not as an OpenAI chat completions API: check "
    "llm.base_url ends in /v1",
}


async def llm_checks(settings: LLMSettings | None) -> list[Check]:
    """Whether an LLM is configured and answers; never raises."""
    from holmes.agent.llm.client import LLMClient
    from holmes.agent.llm.errors import LLMError

    if settings is None:
        return [
            Check(
                source=SOURCE,
                name="configured",
                status="warn",
                detail="no LLM: the runbook engine answers alone",
                fix="set llm.api_key (OPENAI_API_KEY), or llm.base_url with llm.model, "
                "or the llm.azure_* fields",
            )
        ]
    once = settings.model_copy(update={"max_retries": 0})
    started = time.monotonic()
    try:
        async with LLMClient(once) as client:
            reply = await client.complete([{"role": "user", "content": "ping"}], max_tokens=1)
    except LLMError as error:
        return [
            Check(
                source=SOURCE,
                name="answers",
                status="fail",
                detail=redact(f"{settings.model} at {settings.endpoint}: {error.message}"),
                fix=_FIXES.get(error.kind),
            )
        ]
    seconds = time.monotonic() - started
    answered = reply.model or settings.model
    return [
        Check(
            source=SOURCE,
            name="answers",
            status="ok",
            detail=f"{answered} at {settings.endpoint} answered in {seconds:.2f} s "
            f"({reply.usage.total_tokens} tokens)",
        )
    ]
