"""The web page in a real browser: Debian's chromium, headless, through Debian's chromedriver.

Against `holmes serve --incident gpu-xid-79-node-3` as a real process with a token set: signing
in (refused with a wrong token), asking from the form, the progress list growing from the event
stream, the root cause, an evidence id opening its tool call and output, the page at a phone's
width. Screenshots of the list and of an answer are written to the test's tmp folder;
`HOLMES_UPDATE_SCREENSHOTS=1` also writes the two in docs/ that the README shows. Selenium
Manager downloads nothing: the driver and the browser are given by path.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml

from tests.server.conftest import QUESTION, REPO, XID, free_port, wait_until_ready

pytestmark = pytest.mark.slow

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
TOKEN = "web-test-token-7d2e"
DOCS = REPO / "docs"


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[str]:
    """`holmes serve` with one worker (so queued work makes a form's investigation wait)."""
    folder = tmp_path_factory.mktemp("serve")
    port = free_port()
    env = {**os.environ, "HOLMES_API_TOKENS": TOKEN, "HOME": str(folder)}
    for variable in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "AZURE_OPENAI_ENDPOINT"):
        env.pop(variable, None)
    command = [sys.executable, "-m", "holmes.cli.main", "serve", "--incident", str(XID)]
    command += ["--port", str(port), "--workers", "1", "--store", f"sqlite:///{folder}/h.db"]
    process = subprocess.Popen(
        command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(process, url)
        yield url
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=30)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Headless chromium driven by chromedriver, with a fresh profile."""
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.fail("chromium and chromium-driver are missing: run scripts/setup.sh")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="holmes-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--window-size=1280,1000",
    ):
        options.add_argument(argument)
    if os.geteuid() == 0:
        options.add_argument("--no-sandbox")  # chromium's sandbox refuses to run as root
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.implicitly_wait(0)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _wait(condition, timeout: float = 20.0, step: float = 0.05):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        assert time.monotonic() < deadline, "timed out waiting in the browser"
        time.sleep(step)


def _screenshot(driver, tmp_path: Path, name: str) -> Path:  # type: ignore[no-untyped-def]
    path = tmp_path / name
    driver.save_screenshot(str(path))
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 10_000
    if os.environ.get("HOLMES_UPDATE_SCREENSHOTS"):
        DOCS.mkdir(exist_ok=True)
        shutil.copyfile(path, DOCS / name)
    return path


def test_sign_in_is_refused_with_a_wrong_token_then_opens_the_pages(server, browser):
    from selenium.webdriver.common.by import By

    browser.get(f"{server}/")
    assert browser.current_url.startswith(f"{server}/sign-in")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Sign in"
    browser.find_element(By.ID, "token").send_keys("wrong-token")
    browser.find_element(By.CSS_SELECTOR, "#sign-in button").click()
    error = _wait(lambda: browser.find_elements(By.ID, "sign-in-error"))
    assert "not valid" in error[0].text
    assert browser.get_cookies() == []
    browser.find_element(By.ID, "token").send_keys(TOKEN)
    browser.find_element(By.CSS_SELECTOR, "#sign-in button").click()
    _wait(lambda: browser.find_elements(By.ID, "investigations"))
    cookie = browser.get_cookie("holmes_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and TOKEN not in cookie["value"]


def test_ask_watch_progress_see_the_root_cause_and_open_evidence(server, browser, tmp_path):
    from selenium.webdriver.common.by import By

    api = httpx.Client(base_url=server, headers={"Authorization": f"Bearer {TOKEN}"})
    # Work ahead in the single worker's queue: the form's investigation starts after the page
    # has opened its event stream, so the page sees every tool call arrive.
    for n in range(2):
        api.post("/api/v1/investigations", json={"question": f"{QUESTION} ({n})"})
    browser.get(f"{server}/ask")
    browser.find_element(By.ID, "question").send_keys(QUESTION)
    browser.find_element(By.ID, "namespace").send_keys("ml")
    browser.find_element(By.CSS_SELECTOR, "#ask button").click()
    _wait(lambda: "/investigations/" in browser.current_url)
    counts: list[int] = []

    def answered() -> bool:
        if browser.find_elements(By.ID, "root-cause"):
            return True
        counts.append(len(browser.find_elements(By.CSS_SELECTOR, "#progress li")))
        return False

    _wait(answered, timeout=30, step=0.02)
    grew = sorted({count for count in counts if count})
    assert len(grew) >= 2, f"the progress list did not grow live: {counts}"
    assert "Xid 79" in browser.find_element(By.ID, "root-cause").text
    assert len(browser.find_elements(By.CSS_SELECTOR, "#progress li")) >= grew[-1]
    link = browser.find_element(By.CSS_SELECTOR, "#claims a.evidence-link")
    evidence_id = link.text
    details = browser.find_element(By.ID, f"evidence-{evidence_id}")
    assert details.get_attribute("open") is None
    link.click()
    _wait(lambda: details.get_attribute("open") is not None)
    output = details.find_element(By.CSS_SELECTOR, "pre.output")
    assert output.is_displayed() and len(output.text) > 20
    assert details.find_element(By.TAG_NAME, "summary").text.startswith(evidence_id)
    copy = browser.find_element(By.CSS_SELECTOR, "#remediation button.copy")
    assert copy.is_displayed()  # unhidden by the script
    browser.execute_script("window.scrollTo(0, 0)")
    _screenshot(browser, tmp_path, "web-answer.png")
    browser.find_element(By.ID, "verdict-correct").click()
    verdict = _wait(lambda: browser.find_elements(By.ID, "verdict"))
    assert "correct" in verdict[0].text
    # An alert through the webhook: the list shows its source and subject too.
    incident = yaml.safe_load((XID / "incident.yaml").read_text())
    sent = api.post("/api/v1/alertmanager", json={"alerts": [incident["alert"]]}).json()
    alert_id = sent["investigations"][0]
    _wait(lambda: api.get(f"/api/v1/investigations/{alert_id}").json()["status"] == "done")
    browser.get(f"{server}/")
    rows = browser.find_elements(By.CSS_SELECTOR, "#investigations tbody tr")
    assert len(rows) == 4
    assert "alertmanager" in rows[0].text and "GPUXidError: XID 79 on gpu-node-3" in rows[0].text
    rows[0].find_element(By.TAG_NAME, "a").click()
    labels = _wait(lambda: browser.find_elements(By.CSS_SELECTOR, "#alert-h + .two dl"))
    assert "gpu-node-3" in labels[0].text and "critical" in labels[0].text
    browser.back()
    rows = browser.find_elements(By.CSS_SELECTOR, "#investigations tbody tr")
    assert "correct" in rows[1].text and "Xid 79" in rows[1].text
    _screenshot(browser, tmp_path, "web-list.png")


def test_an_answer_fits_a_phone_screen(server, browser):
    from selenium.webdriver.common.by import By

    browser.get(f"{server}/")
    browser.find_element(By.CSS_SELECTOR, "#investigations tbody a").click()
    _wait(lambda: browser.find_elements(By.ID, "root-cause"))
    browser.set_window_size(390, 844)
    try:
        width = browser.execute_script(
            "return [document.documentElement.scrollWidth, window.innerWidth]"
        )
        assert width[0] <= width[1], f"the page scrolls sideways at phone width: {width}"
    finally:
        browser.set_window_size(1280, 1000)
