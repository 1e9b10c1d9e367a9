#!/usr/bin/env bash
# Installs what holmes and its tests need on a fresh Debian machine: Debian's prometheus and
# prometheus-alertmanager (the replay runs the real servers), postgresql (the service's store in
# tests), chromium and chromium-driver (the web page's browser tests), kubectl when absent,
# and a virtualenv in .venv with holmes and its test extras from uv.lock. Safe to run again:
# it skips what is there.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v prometheus >/dev/null || need+=(prometheus)
command -v promtool >/dev/null || need+=(prometheus)
command -v prometheus-alertmanager >/dev/null || need+=(prometheus-alertmanager)
command -v kubectl >/dev/null || need+=(kubernetes-client)
# The service's tests run two replicas on a throw-away PostgreSQL cluster (initdb/pg_ctl).
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || need+=(postgresql)
# The web page's tests drive Debian's chromium through Debian's chromedriver (Selenium is given
# both paths: nothing downloads a browser or a driver).
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -x /usr/bin/chromedriver ] || need+=(chromium-driver)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "setup: installing Debian packages: ${need[*]}"
  $sudo apt-get update -q
  # The packages' own services are not wanted: replays start their own servers on loopback.
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends \
    $(printf '%s\n' "${need[@]}" | sort -u)
fi

# Python packages come from uv.lock (exact versions and hashes, runtime and test extras), so a
# fresh machine installs what CI last passed with, whatever the registry serves that day.
# After changing pyproject.toml's dependencies: `.venv/bin/uv lock` (see the README).
UV_VERSION=0.13.9
python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
if [ "$(.venv/bin/uv --version 2>/dev/null | cut -d' ' -f2)" != "$UV_VERSION" ]; then
  .venv/bin/python -m pip install -q "uv==$UV_VERSION"
fi
# --inexact keeps uv itself (it is not in the lock); UV_PYTHON_DOWNLOADS=never: the venv's
# interpreter is the one, nothing is downloaded but packages. --compile-bytecode writes the
# packages' .pyc at install, as pip does: without them every `holmes` start compiles typer and
# pydantic from source (0.1 s -> 0.4 s for `holmes version`, see bench/startup.py).
UV_PYTHON_DOWNLOADS=never UV_PROJECT_ENVIRONMENT=.venv \
  .venv/bin/uv sync -q --frozen --inexact --extra test --python .venv/bin/python --compile-bytecode
