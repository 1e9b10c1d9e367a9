# holmes as a container: `holmes serve` (the HTTP API and the Alertmanager webhook) by default,
# every other `holmes` command with `docker run IMAGE <command>`. Two stages: the builder installs
# holmes and its runtime dependencies from uv.lock (exact versions and hashes, no test extras)
# into a virtualenv; the runtime is the slim Python image plus that virtualenv, run as a non-root
# user, without uv, compilers or caches. Debian's prometheus is not in the image: it serves the
# replays of tests, evals and the demo, never a live investigation.
#
#   docker build -t holmes .
#   docker run -p 5050:5050 -e HOLMES_API_TOKENS=... holmes
#   docker run holmes ask --prometheus-url http://prometheus:9090 --in-cluster "why ..."

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS builder
# The uv that scripts/setup.sh pins; the project's own lock decides every other version.
RUN pip install --no-cache-dir uv==0.13.9
# Bytecode compiled at install (the runtime's root filesystem is read-only); copied, not
# hard-linked, out of uv's cache; the image's own interpreter, nothing downloaded but packages.
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_NO_CACHE=1 \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/opt/holmes
WORKDIR /src
# Dependencies first: this layer is rebuilt only when the lock changes.
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-editable --no-install-project
COPY README.md ./
COPY holmes ./holmes
RUN uv sync --frozen --no-dev --no-editable

FROM ${PYTHON_IMAGE}
# A fixed numeric uid, so that Kubernetes' runAsNonRoot can verify it without a passwd lookup.
RUN groupadd --system --gid 65532 holmes \
    && useradd --system --uid 65532 --gid 65532 --home-dir /var/lib/holmes --create-home \
       --shell /usr/sbin/nologin holmes
COPY --from=builder /opt/holmes /opt/holmes
# The data dir holds the SQLite store and the conversations (an emptyDir or a volume in
# Kubernetes); nothing else is written, so the root filesystem can be mounted read-only.
ENV PATH=/opt/holmes/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOLMES_DATA_DIR=/var/lib/holmes \
    HOLMES_CONVERSATIONS=/var/lib/holmes/conversations.sqlite
USER 65532:65532
WORKDIR /var/lib/holmes
EXPOSE 5050
# The slim image has no curl; Python's urllib raises (exit 1) on a refused connection or a
# non-2xx answer.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:5050/healthz', timeout=4)"]
ENTRYPOINT ["holmes"]
CMD ["serve", "--host", "0.0.0.0", "--port", "5050"]
