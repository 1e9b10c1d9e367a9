"""`holmes doctor`'s checks of the Kubernetes API: reachable and authenticated (server version),
the DRA API versions served, and the permissions of the configured user or service account.

Called by `holmes doctor` with the investigation's `ToolContext`. Permissions are asked of the
API server itself, one SelfSubjectAccessReview per (group, resource) of `access.READS` and per
flagged write, so the answer is the authorizer's (RBAC, webhooks), not a reading of roles.
"""

from __future__ import annotations

import asyncio
import time

from kubernetes.client import (
    AuthorizationV1Api,
    V1ResourceAttributes,
    V1SelfSubjectAccessReview,
    V1SelfSubjectAccessReviewSpec,
)

from holmes.tools.base import ToolFailure
from holmes.tools.checks import Check
from holmes.tools.context import ToolContext
from holmes.tools.facts import dra_layout
from holmes.tools.facts.dra_layout import DRA_GROUP
from holmes.tools.kubernetes.access import FLAGGED, READS
from holmes.tools.kubernetes.client import KubeSession, session
from holmes.tools.kubernetes.errors import SOURCE, translate

# The DRA tools and runbooks read any of these (dra_layout.py); older ones are not read.
DRA_VERSIONS = tuple(f"{DRA_GROUP}/{version}" for version in dra_layout.DRA_VERSIONS)
_ROLE_FIX = (
    "bind the read-only ClusterRole of deploy/base/clusterrole.yaml (kubectl apply -k deploy/), "
    "or grant get/list/watch on these to the user of the kubeconfig"
)


async def kubernetes_checks(ctx: ToolContext) -> list[Check]:
    """Version, DRA and permission checks; just the first failure when the API is unusable."""
    try:
        kube = session(ctx)
        version = await kube.get("/version")
    except ToolFailure as failure:
        return [_unusable(failure)]
    reached = Check(
        source=SOURCE,
        name="version",
        status="ok",
        detail=f"Kubernetes {version.get('gitVersion', '?')} at {kube.server}",
    )
    return [reached, await _dra(kube), *await _permissions(kube)]


def _unusable(failure: ToolFailure) -> Check:
    fixes = {
        "forbidden": "the credentials were refused: renew the kubeconfig's token or "
        "certificate (or the pod's service account token)",
        "timeout": "the API server did not answer in time: check the address and the network "
        "path, or raise --timeout",
    }
    fix = fixes.get(
        failure.error.kind,
        "check --kubeconfig/--context (or $KUBECONFIG), the server address in it and that "
        "it is reachable from here; in a pod use --in-cluster",
    )
    return Check(
        source=SOURCE, name="reachable", status="fail", detail=failure.error.message, fix=fix
    )


async def _dra(kube: KubeSession) -> Check:
    try:
        groups = (await kube.get("/apis")).get("groups") or []
    except ToolFailure as failure:
        return Check(source=SOURCE, name="DRA", status="fail", detail=failure.error.message)
    served = [
        version.get("groupVersion", "")
        for group in groups
        if group.get("name") == DRA_GROUP
        for version in group.get("versions") or []
    ]
    if any(version in served for version in DRA_VERSIONS):
        return Check(source=SOURCE, name="DRA", status="ok", detail=f"serves {', '.join(served)}")
    detail = f"serves {', '.join(served)}" if served else f"{DRA_GROUP} is not served"
    return Check(
        source=SOURCE,
        name="DRA",
        status="warn",
        detail=f"{detail}; the DRA runbooks read {', '.join(DRA_VERSIONS)}",
        fix="DRA claims and ResourceSlices need Kubernetes 1.32+ (resource.k8s.io/v1beta1; "
        "v1 from 1.34); without them the GPU-claim runbooks have no evidence",
    )


async def _permissions(kube: KubeSession) -> list[Check]:
    reads = [("list", access.group, access.resource) for access in READS]
    reads = [("get" if r == "pods/log" else verb, g, r) for verb, g, r in reads]
    try:
        answers = await asyncio.gather(*(_allowed(kube, *ask) for ask in [*reads, *FLAGGED]))
    except ToolFailure as failure:
        return [
            Check(
                source=SOURCE,
                name="permissions",
                status="warn",
                detail=f"could not ask the API server (SelfSubjectAccessReview): "
                f"{failure.error.message}",
                fix="a real API server answers every authenticated user; a replay does not",
            )
        ]
    granted = dict(zip([*reads, *FLAGGED], answers, strict=True))
    missing = [_name(ask) for ask in reads if not granted[ask]]
    held = [_name(ask) for ask in FLAGGED if granted[ask]]
    checks = [
        Check(
            source=SOURCE,
            name="read permissions",
            status="fail" if missing else "ok",
            detail=f"missing {len(missing)} of {len(reads)}: {', '.join(missing)}"
            if missing
            else f"all {len(reads)} reads the tools make are granted",
            fix=_ROLE_FIX if missing else None,
        )
    ]
    checks.append(
        Check(
            source=SOURCE,
            name="least privilege",
            status="warn" if held else "ok",
            detail=f"also holds {', '.join(held)}; holmes never writes"
            if held
            else "holds none of the write or Secret verbs checked",
            fix="run holmes as a service account bound only to deploy/base/clusterrole.yaml"
            if held
            else None,
        )
    )
    return checks


def _name(ask: tuple[str, str, str]) -> str:
    verb, group, resource = ask
    return f"{verb} {resource}{'.' + group if group else ''}"


async def _allowed(kube: KubeSession, verb: str, group: str, resource: str) -> bool:
    resource, _, subresource = resource.partition("/")
    attributes = V1ResourceAttributes(
        verb=verb, group=group, resource=resource, subresource=subresource or None
    )
    body = V1SelfSubjectAccessReview(
        api_version="authorization.k8s.io/v1",
        kind="SelfSubjectAccessReview",
        spec=V1SelfSubjectAccessReviewSpec(resource_attributes=attributes),
    )
    timeout = max(0.05, kube.deadline - time.monotonic())

    def review() -> bool:
        try:
            answer = AuthorizationV1Api(kube.client.api).create_self_subject_access_review(
                body, _request_timeout=timeout
            )
        except Exception as error:  # ApiException, urllib3: translated, never raised raw
            raise translate(error, kube.server, kube.timeout) from error
        return bool(answer.status and answer.status.allowed)

    return await asyncio.get_running_loop().run_in_executor(kube.client.pool, review)
