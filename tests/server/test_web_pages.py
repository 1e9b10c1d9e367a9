"""The web page over real HTTP: sign-in and its cookie, refusals without it, CSRF, escaping,
feedback from the page, evidence output stored in the events. (tests/server/test_web_browser.py
drives the same pages in Chromium.)"""

from __future__ import annotations

import re

import httpx

from tests.llm.scripted_server import scripted_llm
from tests.server.conftest import QUESTION, TOKEN

__all__ = ["scripted_llm"]


def _browser(url: str) -> httpx.Client:
    return httpx.Client(base_url=url, timeout=30, follow_redirects=False)


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF field in the form"
    return found.group(1)


def _sign_in(client: httpx.Client, token: str = TOKEN) -> httpx.Response:
    form = client.get("/sign-in")
    assert form.status_code == 200
    return client.post("/sign-in", data={"token": token, "csrf": _csrf(form.text), "next": "/"})


def test_pages_need_a_session_and_sign_in_sets_a_strict_httponly_cookie(serve):
    running = serve()
    with _browser(running.url) as browser:
        refused = browser.get("/")
        assert refused.status_code == 303 and refused.headers["location"] == "/sign-in?next=/"
        assert browser.get("/investigations/x/events").status_code == 401
        assert browser.post("/ask", data={"question": "q"}).status_code == 401
        assert browser.get("/api/v1/investigations").status_code == 401  # the API: bearer only
        assert browser.get("/static/holmes.css").status_code == 200
        wrong = _sign_in(browser, "not-the-token")
        assert wrong.status_code == 401 and "not valid" in wrong.text
        assert "set-cookie" not in wrong.headers
        signed = _sign_in(browser)
        assert signed.status_code == 303 and signed.headers["location"] == "/"
        cookie = signed.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie and TOKEN not in cookie
        assert browser.get("/").status_code == 200
        # The cookie opens the pages, not the API (scripts use the bearer token).
        assert browser.get("/api/v1/investigations").status_code == 401
    with _browser(running.url) as forged:
        forged.cookies.set("holmes_session", "v1.9999999999.nonce.deadbeef")
        assert forged.get("/").status_code == 303


def test_sign_in_needs_its_csrf_token_and_redirects_only_to_local_paths(serve):
    running = serve()
    with _browser(running.url) as browser:
        no_csrf = browser.post("/sign-in", data={"token": TOKEN})
        assert no_csrf.status_code == 403 and "set-cookie" not in no_csrf.headers
        csrf = _csrf(browser.get("/sign-in").text)
        for target in ("//evil.example/", "https://evil.example/", "/\\evil"):
            answer = browser.post("/sign-in", data={"token": TOKEN, "csrf": csrf, "next": target})
            assert answer.headers["location"] == "/", target


def test_ask_form_needs_csrf_escapes_the_question_and_records_web_feedback(serve):
    running = serve()
    with _browser(running.url) as browser:
        _sign_in(browser)
        ask = browser.get("/ask")
        forged = browser.post("/ask", data={"question": QUESTION})
        assert forged.status_code == 403
        hostile = QUESTION + " <script>alert(1)</script>"
        asked = browser.post("/ask", data={"question": hostile, "csrf": _csrf(ask.text)})
        assert asked.status_code == 303
        investigation_id = asked.headers["location"].rsplit("/", 1)[1]
        assert running.wait_status(investigation_id, "done", "failed")["status"] == "done"
        html = browser.get(f"/investigations/{investigation_id}").text
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert 'id="root-cause"' in html and "gpu-node-3" in html
        # Each evidence id of a claim has its tool call and output on the page (no script).
        claimed = set(re.findall(r'data-evidence="(E\d+)"', html))
        assert claimed and all(f'id="evidence-{eid}"' in html for eid in claimed)
        assert "XID 79" in html  # prometheus_gpu_health's compacted output
        empty = browser.post("/ask", data={"question": " ", "csrf": _csrf(ask.text)})
        assert empty.status_code == 422 and "question or alert" in empty.text
        verdict = browser.post(
            f"/investigations/{investigation_id}/feedback",
            data={"verdict": "wrong", "csrf": _csrf(html)},
        )
        assert verdict.status_code == 303
    feedback = running.client.get(f"/api/v1/investigations/{investigation_id}").json()["feedback"]
    assert feedback["verdict"] == "wrong" and feedback["source"] == "web"


def test_the_tool_finished_events_carry_the_compacted_output(serve):
    running = serve()
    answer = running.client.post("/api/v1/ask", json={"question": QUESTION}).json()
    listed = running.client.get("/api/v1/investigations").json()["items"][0]
    with running.client.stream("GET", listed["links"]["events"]) as response:
        lines = [line for line in response.iter_lines() if line.startswith("data:")]
    assert answer["evidence"]
    assert any('"text":"GPU health' in line for line in lines), lines[:3]


def test_an_open_server_shows_pages_without_sign_in_but_still_checks_csrf(serve):
    running = serve(tokens=[])
    with _browser(running.url) as browser:
        assert browser.get("/").status_code == 200
        assert browser.post("/ask", data={"question": QUESTION}).status_code == 403
        csrf = _csrf(browser.get("/ask").text)
        assert browser.post("/ask", data={"question": QUESTION, "csrf": csrf}).status_code == 303


def test_the_follow_up_box_asks_the_agent_in_llm_mode_only(serve, scripted_llm):
    from holmes.agent.llm import LLMSettings
    from tests.llm.scripted_server import tool_calls_reply
    from tests.server.test_follow_ups import _final

    scripted_llm.script(
        [
            tool_calls_reply([_final("GPU 2 on gpu-node-3 fell off the bus")]),
            tool_calls_reply([_final("GPUs 0, 1 and 3 on gpu-node-3 still report")]),
        ]
    )
    llm = LLMSettings(
        provider="compatible", model="gpt-4o-mini", base_url=scripted_llm.url, api_key="sk-test"
    )
    running = serve(llm=llm)
    first = running.client.post("/api/v1/investigations", json={"question": QUESTION}).json()
    assert running.wait_status(first["id"], "done", "failed")["status"] == "done"
    with _browser(running.url) as browser:
        _sign_in(browser)
        html = browser.get(f"/investigations/{first['id']}").text
        assert 'id="follow-up"' in html and "fell off the bus" in html
        asked = browser.post(
            f"/investigations/{first['id']}/follow-ups",
            data={"question": "and the others?", "csrf": _csrf(html)},
        )
        assert asked.status_code == 303
        second_id = asked.headers["location"].rsplit("/", 1)[1]
        assert running.wait_status(second_id, "done", "failed")["status"] == "done"
        second = browser.get(f"/investigations/{second_id}").text
        assert "still report" in second and f'href="/investigations/{first["id"]}"' in second


def test_no_follow_up_box_without_an_llm(serve):
    running = serve()
    created = running.client.post("/api/v1/ask", json={"question": QUESTION})
    assert created.status_code == 200
    investigation_id = running.client.get("/api/v1/investigations").json()["items"][0]["id"]
    page = running.client.get(f"/investigations/{investigation_id}")  # a bearer token works too
    assert page.status_code == 200 and 'id="follow-up"' not in page.text
    assert 'id="verdict-correct"' in page.text


def test_the_pages_event_stream_resumes_after_last_event_id(serve):
    from tests.server.conftest import sse_events

    running = serve()
    running.client.post("/api/v1/ask", json={"question": QUESTION})
    investigation_id = running.client.get("/api/v1/investigations").json()["items"][0]["id"]
    url = f"/investigations/{investigation_id}/events"
    with running.client.stream("GET", url) as response:
        everything = sse_events(response)
    with running.client.stream("GET", url, params={"after": everything[2]["id"]}) as response:
        after = sse_events(response)
    resumed_at = everything[5]["id"]
    with running.client.stream(
        "GET", url, params={"after": everything[2]["id"]}, headers={"Last-Event-ID": resumed_at}
    ) as response:
        resumed = sse_events(response)
    assert [e["id"] for e in after] == [e["id"] for e in everything[3:]]
    assert [e["id"] for e in resumed] == [e["id"] for e in everything[6:]]
    assert everything[-1]["event"] == "answer"


def test_page_errors_are_pages_naming_the_problem(serve):
    running = serve()
    missing = running.client.get("/investigations/nope")
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("text/html")
    assert "no investigation nope" in missing.text
    created = running.client.post("/api/v1/ask", json={"question": QUESTION})
    assert created.status_code == 200
    done = running.client.get("/api/v1/investigations").json()["items"][0]["id"]
    refused = running.client.post(
        f"/investigations/{done}/follow-ups", data={"question": "and node 2?"}
    )
    assert refused.status_code == 409 and "LLM" in refused.text
    bad = running.client.post(f"/investigations/{done}/feedback", data={"verdict": "maybe"})
    assert bad.status_code == 422 and "verdict" in bad.text
    assert running.client.get("/api/v1/investigations/nope").json()["detail"]  # the API: JSON
