"""An LLM judge for `holmes eval --judge`: does the answer find the expected root cause?

Regex scoring (`scoring.py`) checks that the answer says the decisive facts; the judge also
reads `expected.root_cause` and the answer and rules whether they name the same cause. It runs
after the investigation, as scoring does: `expected` never reaches the investigating agent.
A judge that cannot answer rules "fail" with the reason, so a broken judge never passes a suite.
"""

from __future__ import annotations

import json

from holmes.agent.engine.diagnosis import Diagnosis
from holmes.agent.llm import LLMClient, LLMError
from holmes.evals.bundle import Expected

_PROMPT = """\
You grade the answer of a Kubernetes troubleshooting assistant against the known root cause.
Known root cause: {expected}

The assistant's answer:
root cause: {root_cause}
explanation: {explanation}

Does the answer identify the same root cause (wording may differ; a vaguer or different cause
fails)? Reply with JSON only: {{"verdict": "pass" or "fail", "reason": "<one sentence>"}}"""


class LLMJudge:
    """Rules on an answer with the configured model."""

    def __init__(self, llm: LLMClient) -> None:
        self.llm = llm

    async def __call__(self, diagnosis: Diagnosis, expected: Expected) -> tuple[bool, str]:
        """(passed, reason)."""
        if not expected.root_cause:
            return True, "no expected root cause to compare with"
        prompt = _PROMPT.format(
            expected=expected.root_cause,
            root_cause=diagnosis.root_cause,
            explanation=diagnosis.explanation[:2000],
        )
        try:
            reply = await self.llm.complete(
                [{"role": "user", "content": prompt}], response_format={"type": "json_object"}
            )
            ruling = json.loads(reply.content or "")
            verdict, reason = str(ruling["verdict"]).lower(), str(ruling.get("reason", ""))
        except (LLMError, ValueError, KeyError, TypeError) as error:
            return False, f"the judge could not rule ({type(error).__name__}: {error})"
        return verdict == "pass", reason
