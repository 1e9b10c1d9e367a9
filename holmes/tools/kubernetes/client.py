"""The Kubernetes API client of one investigation, and the per-call handle tools use.

Called by every tool of the toolset: `session(ctx)` returns a `KubeSession` bound to the shared
`KubeClient` (created once per investigation through `ctx.client`, from a kubeconfig file and
optional context, or from the in-cluster service account) and to the call's deadline. The
kubernetes client is synchronous, so each request runs in a worker thread of the client's own
pool (the default executor has only cpu+4 threads, and triage alone sends ten lists at once)
and carries a `_request_timeout` equal to what is left of the call's time limit: a hung API
server cannot hold a thread or a socket past the limit. Retries are off (a retry would outlive
the limit; the caller decides whether to try again). Errors are translated by `errors.py`.
"""

from __future__ import annotations

import asyncio
import functools
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import yaml
from kubernetes import config as kube_config
from kubernetes.client import ApiClient, Configuration
from kubernetes.client.exceptions import ApiException
from kubernetes.config.config_exception import ConfigException

from holmes.tools.base import ToolFailure
from holmes.tools.context import SourceEndpoints, ToolContext
from holmes.tools.kubernetes.errors import SOURCE, not_configured, not_json, raise_translated
from holmes.tools.kubernetes.kubeconfig import KubeconfigError, check_kubeconfig
from holmes.tools.recorder import SourceRecorder

_CLIENT_KEY = "kubernetes"
_MIN_TIMEOUT = 0.05  # seconds; a request is never sent with no time at all
_DEADLINE_SHARE = 0.9
_THREADS = 16  # concurrent requests of one investigation

Query = list[tuple[str, str]]


class KubeClient:
    """The ApiClient of one investigation and its discovery cache (group version -> resources)."""

    def __init__(self, endpoints: SourceEndpoints) -> None:
        self.configuration = _configuration(endpoints)
        # One pooled connection per thread, set before the ApiClient builds its pool manager.
        self.configuration.connection_pool_maxsize = max(
            self.configuration.connection_pool_maxsize or 0, _THREADS
        )
        self.api = ApiClient(self.configuration)
        self.server = self.configuration.host
        self.discovery: dict[str, list[dict[str, Any]] | None] = {}
        self.groups: list[dict[str, Any]] | None = None
        self.pool = ThreadPoolExecutor(max_workers=_THREADS, thread_name_prefix="holmes-kube")

    def close(self) -> None:
        """Release the connection pool and the threads (called by `ToolContext.aclose`)."""
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.api.rest_client.close()
        self.api.close()


def _configuration(endpoints: SourceEndpoints) -> Configuration:
    configuration = Configuration()
    if endpoints.kubeconfig is not None and not endpoints.in_cluster:
        try:
            check_kubeconfig(endpoints.kubeconfig)
        except KubeconfigError as error:
            message = f"kubernetes kubeconfig {error.path} is unusable: {error.problem}"
            raise ToolFailure(SOURCE, "unavailable", message) from error
    try:
        if endpoints.in_cluster:
            kube_config.load_incluster_config(client_configuration=configuration)
        else:
            kube_config.load_kube_config(
                config_file=str(endpoints.kubeconfig) if endpoints.kubeconfig else None,
                context=endpoints.kube_context,
                client_configuration=configuration,
                persist_config=False,
            )
    except (
        ConfigException,
        OSError,
        ValueError,
        TypeError,
        AttributeError,
        yaml.YAMLError,
    ) as error:
        where = (
            "in-cluster configuration"
            if endpoints.in_cluster
            else (
                f"kubeconfig {endpoints.kubeconfig or '(default location)'}"
                + (f", context {endpoints.kube_context}" if endpoints.kube_context else "")
            )
        )
        message = f"kubernetes {where} is unusable: {error}"
        raise ToolFailure(SOURCE, "unavailable", message, fault="unreachable") from error
    configuration.retries = False
    return configuration


def session(ctx: ToolContext) -> KubeSession:
    """The handle for one tool call: the shared client and the call's deadline."""
    if not ctx.endpoints.has_kubernetes:
        raise not_configured()
    client = ctx.client(_CLIENT_KEY, lambda: KubeClient(ctx.endpoints))
    ctx.addresses[SOURCE] = client.server
    return KubeSession(client, ctx.limits.timeout_seconds, ctx.recorder)


async def probe(ctx: ToolContext) -> None:
    """Ask the API server for its version: raises the `ToolFailure` of a server that does not
    answer (`holmes.tools.probe` calls it at the start of an investigation)."""
    await session(ctx).get("/version")


class KubeSession:
    """Requests of one tool call, each bounded by what is left of the call's time limit."""

    def __init__(
        self, client: KubeClient, timeout: float, recorder: SourceRecorder | None = None
    ) -> None:
        self.client = client
        self.timeout = timeout
        self.recorder = recorder  # `holmes record`: told every document and log read
        # A little short of the registry's limit, so that a hung server is reported by the
        # client (naming its address) rather than by the registry's cancellation.
        self.deadline = time.monotonic() + timeout * _DEADLINE_SHARE

    @property
    def server(self) -> str:
        """The API server's address, for messages."""
        return self.client.server

    async def get(
        self, path: str, query: Query | None = None, accept: str = "application/json"
    ) -> dict[str, Any]:
        """GET a JSON document (an object, a list, a discovery document); `accept` may ask
        for another representation of it (a metadata-only Table)."""
        document = await self._request(path, query or [], "object", accept)
        if not isinstance(document, dict):
            raise not_json(self.server, path, document)
        return document

    async def get_or_none(self, path: str, query: Query | None = None) -> dict[str, Any] | None:
        """GET a JSON document; None when the API server answers 404."""
        try:
            return await self.get(path, query)
        except ToolFailure as failure:
            if failure.error.kind == "not_found":
                return None
            raise

    async def text(self, path: str, query: Query | None = None) -> str:
        """GET a text body (pod logs)."""
        body = await self._request(path, query or [], "str", "text/plain, */*")
        return body if isinstance(body, str) else str(body or "")

    async def _request(self, path: str, query: Query, response_type: str, accept: str) -> Any:
        remaining = max(_MIN_TIMEOUT, self.deadline - time.monotonic())
        call = functools.partial(self._blocking, path, query, response_type, accept, remaining)
        body = await asyncio.get_running_loop().run_in_executor(self.client.pool, call)
        if self.recorder is not None:
            if response_type == "str":
                self.recorder.kubernetes_log(path, query)
            elif isinstance(body, dict):
                self.recorder.kubernetes_document(body)
        return body

    def _blocking(
        self, path: str, query: Query, response_type: str, accept: str, timeout: float
    ) -> Any:
        api = self.client.api
        try:
            method, url, headers, _, _ = api.param_serialize(
                "GET",
                path,
                query_params=query,
                header_params={"Accept": accept},
                auth_settings=["BearerToken"],
            )
            response = api.call_api(method, url, headers, _request_timeout=timeout)
            response.read()
            return api.response_deserialize(response, {"200": response_type}).data
        except ApiException as error:
            raise_translated(error, self.server, self.timeout)
        except Exception as error:  # urllib3 and socket errors: translated, never raised raw
            raise_translated(error, self.server, self.timeout)
