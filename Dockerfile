# holmes as a container: the CLI and (later) the server. Debian's prometheus is not needed in
# the image: it serves replays for tests, evals and the demo, not a live investigation.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY holmes ./holmes
RUN pip install --no-cache-dir .
USER 65532:65532
ENTRYPOINT ["holmes"]
CMD ["--help"]
