"""The reported symptom, in the asker's words: "the training job stalls", "requests time out".

Taken from the clause of the question that names a symptom (stalls, times out, 5xx, slow,
Pending, crashes, fails, drops...), turned from a question into a statement ("why does the
job stall?" -> "the job stalls"); else from the alert's summary or description; else None.
A question that only names a subject ("what's wrong with X?") has no symptom. Called by
`frame.py`.
"""

from __future__ import annotations

import re

from holmes.agent.engine.intake import InvestigationRequest

# Words that report a symptom, each with its third-person form after "does" where it is a verb.
_VERBS = {
    "stall": "stalls",
    "hang": "hangs",
    "freeze": "freezes",
    "time out": "times out",
    "timeout": "times out",
    "fail": "fails",
    "crash": "crashes",
    "restart": "restarts",
    "drop": "drops",
    "keep": "keeps",
    "return": "returns",
    "get": "gets",
    "stop": "stops",
    "lose": "loses",
    "error": "errors",
}
_SYMPTOM = re.compile(
    r"\b(stall\w*|hang\w*|hung|stuck|freez\w*|frozen|no progress|making progress|"
    r"tim(?:e|es|ed|ing)[ -]?outs?|timeouts?|\b5\d\d\b|5xx|errors?|slow\w*|latency|"
    r"pending|unschedulable|not (?:being )?scheduled|not start\w*|"
    r"(?:won.?t|doesn.?t|does not) start|crash\w*|restart\w*|oom\w*|"
    r"fail\w*|broken|down\b|not working|unreachable|refused|can'?t (?:reach|connect)|"
    r"drop\w*|not ready|unready|evicted|throttl\w*|degraded)",
    re.IGNORECASE,
)
_PAST = {
    "stall": "stalled",
    "hang": "hung",
    "time out": "timed out",
    "fail": "failed",
    "crash": "crashed",
    "restart": "restarted",
    "drop": "dropped",
    "stop": "stopped",
    "freeze": "froze",
}
_LINKING = {"become", "gone", "been", "got", "gotten", "started", "kept", "stop", "keep"}
_LEAD = re.compile(
    r"^(?:(?:hey|hi|please|so|ok|and|but)\b[\s,]*)*(?:why|how come|what makes|what causes|"
    r"can you (?:check|tell me|find out) why|any idea why|do you know why)\b\s*",
    re.IGNORECASE,
)
_AUX = re.compile(r"^(does|do|did|is|are|was|were|has|have|keeps)\s+", re.IGNORECASE)
_HYPOTHESIS = re.compile(
    r"^\s*(?:is it|could it be|i think|maybe|i suspect|or is it|it'?s probably)\b", re.I
)


def symptom_of(request: InvestigationRequest) -> str | None:
    """The symptom the asker reports, as a short statement, or None."""
    for clause in _clauses(request.question or ""):
        if _HYPOTHESIS.match(clause):
            continue
        found = _SYMPTOM.search(clause)
        if found:
            return _statement(clause, found)
    alert = request.alert
    if alert is not None:
        text = alert.annotations.get("summary") or alert.annotations.get("description") or ""
        text = text.strip().rstrip(".").split("\n")[0]
        if text and len(text) <= 160:
            return text
    return None


def _clauses(question: str) -> list[str]:
    parts = re.split(
        # A period ends a clause only before a space or the end: not inside a URL, host or version.
        r"[?!;]\s*|\.(?:\s+|$)|\s+-\s+|,\s+(?=(?:is it|could|or|but|i think|maybe|why|how come)\b)",
        question,
        flags=re.IGNORECASE,
    )
    return [p.strip() for p in parts if p and p.strip()]


def _statement(clause: str, found: re.Match[str]) -> str:
    """`why does the job stall` -> `the job stalls`; `why is X pending` -> `X is pending`."""
    led = _LEAD.match(clause)
    if not led:
        return _trim(clause)
    rest = clause[led.end() :]
    aux = _AUX.match(rest)
    if not aux:
        return _trim(rest)
    verb, body = aux[1].lower(), rest[aux.end() :]
    at = _SYMPTOM.search(body)
    if at is None:
        return _trim(body)
    head, tail = body[: at.start()].rstrip(), body[at.start() :]
    words = head.split()
    if words and (words[-1].lower().endswith("ing") or words[-1].lower() in _LINKING):
        # "why is X returning 500s" -> "X is returning 500s"; "why has X become slow".
        head, tail = " ".join(words[:-1]), f"{words[-1]} {tail}"
    elif words and verb in ("does", "did") and words[-1].lower() in _VERBS:
        head, tail = " ".join(words[:-1]), f"{words[-1]} {tail}"
    if verb in ("is", "are", "was", "were", "has", "have"):
        return _trim(f"{head} {verb} {tail}")
    if verb == "does":
        tail = _inflected(tail, _VERBS)
    elif verb == "did":
        tail = _inflected(tail, _PAST)
    return _trim(f"{head} {tail}")


def _inflected(tail: str, forms: dict[str, str]) -> str:
    """`tail` with its leading verb in the form `forms` gives (as it was when unknown)."""
    lowered = tail.lower()
    for base, third in sorted(forms.items(), key=lambda kv: -len(kv[0])):
        if lowered.startswith(base) and (len(tail) == len(base) or not tail[len(base)].isalpha()):
            return third + tail[len(base) :]
    return tail


def _trim(text: str) -> str:
    """At most 14 words, without a trailing filler."""
    words = text.strip().strip(",").split()
    return " ".join(words[:14])
