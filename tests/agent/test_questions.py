"""Which questions ask for data (answered from the tools) and which for a diagnosis."""

from __future__ import annotations

from datetime import timedelta

import pytest
import yaml

from holmes.agent.engine.questions import direct_question, question_window
from tests.conftest import INCIDENTS


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("show me the logs of web in shop", "logs"),
        ("fetch the logs of pod web-0", "logs"),
        ("tail the trainer's logs", "logs"),
        ("what errors are in the logs of the trainer?", "log_errors"),
        ("any exceptions in web's logs?", "log_errors"),
        ("which pods in team-a are not ready?", "not_ready"),
        ("list the failing pods in namespace shop", "not_ready"),
        ("are any pods in shop crashlooping?", "not_ready"),
        ("what changed in shop in the last hour?", "changes"),
        ("what was deployed in ml in the last 2 hours?", "changes"),
        ("any recent rollouts in payments?", "changes"),
    ],
)
def test_direct_questions(question, kind):
    asked = direct_question(question)
    assert asked is not None and asked.kind == kind


@pytest.mark.parametrize(
    "question",
    [
        "why is web failing?",
        "Why does the embedding worker in namespace search keep restarting?",
        "the web pods are failing, what is wrong?",
        "What is wrong with the logs pipeline?",
        "my pods are stuck pending, why?",
        "Is anything broken in namespace ml?",
        "GPU node gpu-node-3 shows errors, what is going on?",
        "explain the errors in the logs of web",
        "",
    ],
)
def test_diagnoses_are_not_direct_questions(question):
    assert direct_question(question) is None


def test_every_recorded_diagnosis_question_stays_a_diagnosis():
    for path in sorted(INCIDENTS.glob("*/incident.yaml")):
        incident = yaml.safe_load(path.read_text())
        direct = "direct-question" in (incident.get("tags") or [])
        asked = direct_question(incident.get("question"))
        assert (asked is not None) == direct, (path.parent.name, incident.get("question"))


@pytest.mark.parametrize(
    ("text", "window"),
    [
        ("in the last hour", timedelta(hours=1)),
        ("over the past 30 minutes", timedelta(minutes=30)),
        ("in the last 2 hours", timedelta(hours=2)),
        ("during the last day", timedelta(days=1)),
        ("what changed today", timedelta(hours=24)),
        ("what changed", None),
    ],
)
def test_windows(text, window):
    assert question_window(text) == window


def test_what_changed_defaults_to_an_hour():
    asked = direct_question("what changed in shop?")
    assert asked is not None and asked.window == timedelta(hours=1)
