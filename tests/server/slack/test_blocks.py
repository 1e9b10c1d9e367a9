"""Answers as Block Kit within Slack's limits: 3,000 characters a section, 50 blocks a message."""

from __future__ import annotations

from holmes.server.slack.blocks import MAX_BLOCKS, MAX_SECTION, answer_messages


def _diagnosis(claims: int, explanation: str) -> dict:
    return {
        "summary": "GPU 2 fell off the bus",
        "root_cause": "Xid 79 on gpu-node-3 GPU 2",
        "explanation": explanation,
        "evidence": [{"claim": f"claim {n}", "evidence_ids": [f"E{n}"]} for n in range(claims)],
        "remediation": [{"action": "cordon", "command": "kubectl cordon gpu-node-3"}],
        "confidence": "high",
    }


def test_a_long_answer_is_split_within_the_limits() -> None:
    sentences = "\n".join(f"line {n}: " + "x" * 90 for n in range(2000))  # ~200,000 characters
    messages = answer_messages(_diagnosis(5, sentences), "inv1")
    assert len(messages) > 1
    blocks = [block for message in messages for block in message.blocks]
    assert all(len(message.blocks) <= MAX_BLOCKS for message in messages)
    texts = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    assert all(len(text) <= MAX_SECTION for text in texts)
    assert "".join(texts).count("line 1999:") == 1  # nothing lost in the cutting
    assert messages[-1].blocks[-1]["type"] == "actions"  # the buttons end the last message
    assert all(message.text.startswith("Root cause: Xid 79") for message in messages)


def test_claims_cite_their_evidence_ids_and_commands_are_code() -> None:
    (message,) = answer_messages(_diagnosis(2, "because"), "inv1")
    texts = "\n".join(b["text"]["text"] for b in message.blocks if b["type"] == "section")
    assert "• claim 1 `E1`" in texts
    assert "```kubectl cordon gpu-node-3```" in texts


def test_an_explained_alert_lists_what_to_check() -> None:
    diagnosis = {
        **_diagnosis(1, "Alert KubeHpaMaxedOut: HPA api has run at its maxReplicas"),
        "remediation": [],
        "alert_explanation": {
            "alert": "KubeHpaMaxedOut",
            "source": "kubernetes-mixin/apps",
            "route": "sweep",
            "meaning": "HPA api has run at its maxReplicas",
            "checks": [
                {"action": "The HPA's conditions", "command": "kubectl -n web describe hpa api"}
            ],
        },
    }
    (message,) = answer_messages(diagnosis, "inv1")
    texts = "\n".join(b["text"]["text"] for b in message.blocks if b["type"] == "section")
    assert "*What to check for KubeHpaMaxedOut*\n1. The HPA's conditions" in texts
    assert "```kubectl -n web describe hpa api```" in texts
