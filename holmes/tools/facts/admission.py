"""Why a controller could not create its pods, and why a pod's volume could not mount.

Parsed from the wording the API server and the kubelet use in `FailedCreate` events (and the
ReplicaFailure condition a Deployment copies from its ReplicaSet) and in `FailedMount` events:
ResourceQuota, LimitRange, admission webhook and Pod Security denials; ConfigMap, Secret and
PersistentVolumeClaim references (or keys) that do not exist.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel

DenialKind = Literal[
    "quota",
    "quota-unspecified",
    "limit-range",
    "webhook",
    "webhook-unreachable",
    "pod-security",
    "other",
]

_POD = re.compile(r'pods? "([^"]+)"')
_QUOTA = re.compile(
    r"exceeded quota: ([^,]+), requested: (\S+), used: (\S+), limited: (\S+?)(?:$|\s)"
)
_QUOTA_UNSPECIFIED = re.compile(r"failed quota: ([^:]+): must specify (.+)$")
_WEBHOOK = re.compile(r'admission webhook "([^"]+)" denied the request:?\s*(.*)$')
_WEBHOOK_CALL = re.compile(r'failed calling webhook "([^"]+)":\s*(.*)$')
_PSA = re.compile(r'violates PodSecurity "([a-z]+):([^"]+)":\s*(.*)$')
_LIMIT = re.compile(
    r"(maximum|minimum) (\S+) usage per (Container|Pod|PersistentVolumeClaim) is (\S+), "
    r"but (?:limit|request) is (\S+?)(?:[,\]]|$)"
)
_RATIO = re.compile(r"(\S+) max limit to request ratio per (Container|Pod) is (\S+)")


class QuotaUse(BaseModel):
    """One resource of an exceeded ResourceQuota: what the pod asked, what is used, the hard cap."""

    resource: str
    requested: str
    used: str
    hard: str


class Violation(BaseModel):
    """One Pod Security check a pod fails, with the fields the message names."""

    check: str
    detail: str


class CreateDenial(BaseModel):
    """Why the API server refused to create a controller's pod."""

    kind: DenialKind
    pod: str = ""
    message: str
    quota: str = ""
    resources: list[QuotaUse] = []
    missing: str = ""  # quota-unspecified: "limits.memory for: worker"
    webhook: str = ""
    webhook_message: str = ""
    level: str = ""  # Pod Security level (baseline, restricted) and version
    version: str = ""
    violations: list[Violation] = []
    limits: list[str] = []  # LimitRange sentences, as the API server wrote them

    def summary(self) -> str:
        """One line a person reads: what was denied and by what."""
        if self.kind == "quota":
            parts = [
                f"{r.resource} requested {r.requested}, used {r.used} of hard {r.hard}"
                for r in self.resources
            ]
            return f"ResourceQuota {self.quota} exceeded: " + "; ".join(parts)
        if self.kind == "quota-unspecified":
            return f"ResourceQuota {self.quota} requires the pod to specify {self.missing}"
        if self.kind == "limit-range":
            return "LimitRange violated: " + "; ".join(self.limits)
        if self.kind == "webhook":
            return f'admission webhook "{self.webhook}" denied the request: {self.webhook_message}'
        if self.kind == "webhook-unreachable":
            return f'admission webhook "{self.webhook}" could not be called: {self.webhook_message}'
        if self.kind == "pod-security":
            checks = ", ".join(v.check for v in self.violations)
            return f'violates PodSecurity "{self.level}:{self.version}": {checks}'
        return self.message


def create_denial(message: str) -> CreateDenial | None:
    """The denial in a FailedCreate message, or None when it is not a pod creation failure."""
    text = " ".join(str(message or "").split())
    if "forbidden" not in text and "webhook" not in text:
        return None
    pod_match = _POD.search(text)
    pod = pod_match.group(1) if pod_match else ""
    if found := _QUOTA.search(text):
        return CreateDenial(
            kind="quota",
            pod=pod,
            message=text,
            quota=found.group(1).strip(),
            resources=_quota_uses(*found.group(2, 3, 4)),
        )
    if found := _QUOTA_UNSPECIFIED.search(text):
        return CreateDenial(
            kind="quota-unspecified",
            pod=pod,
            message=text,
            quota=found.group(1).strip(),
            missing=found.group(2).strip(),
        )
    if found := _WEBHOOK.search(text):
        return CreateDenial(
            kind="webhook",
            pod=pod,
            message=text,
            webhook=found.group(1),
            webhook_message=found.group(2).strip(),
        )
    if found := _WEBHOOK_CALL.search(text):
        return CreateDenial(
            kind="webhook-unreachable",
            pod=pod,
            message=text,
            webhook=found.group(1),
            webhook_message=found.group(2).strip(),
        )
    if found := _PSA.search(text):
        return CreateDenial(
            kind="pod-security",
            pod=pod,
            message=text,
            level=found.group(1),
            version=found.group(2),
            violations=_violations(found.group(3)),
        )
    limits = [m.group(0).rstrip(",]") for m in _LIMIT.finditer(text)]
    limits += [m.group(0) for m in _RATIO.finditer(text)]
    if limits:
        return CreateDenial(kind="limit-range", pod=pod, message=text, limits=limits)
    if "forbidden" in text:
        return CreateDenial(kind="other", pod=pod, message=text)
    return None


def _quota_uses(requested: str, used: str, hard: str) -> list[QuotaUse]:
    """Pair the `name=value,...` lists of an exceeded-quota message by resource name."""

    def parse(text: str) -> dict[str, str]:
        return dict(p.split("=", 1) for p in text.strip(",").split(",") if "=" in p)

    asked, in_use, cap = parse(requested), parse(used), parse(hard)
    return [
        QuotaUse(
            resource=name, requested=value, used=in_use.get(name, "?"), hard=cap.get(name, "?")
        )
        for name, value in asked.items()
    ]


def _violations(text: str) -> list[Violation]:
    """Split `check (detail), check (detail)` at the top level (details may hold parentheses)."""
    found: list[Violation] = []
    depth, begin, open_at = 0, 0, 0
    for index, char in enumerate(text):
        if char == "(":
            open_at = index if depth == 0 else open_at
            depth += 1
        elif char == ")" and depth > 0:
            depth -= 1
            if depth == 0:
                check = text[begin:open_at].strip(" ,")
                found.append(Violation(check=check, detail=text[open_at + 1 : index]))
                begin = index + 1
    rest = text[begin:].strip(" ,")
    return found + ([Violation(check=rest, detail="")] if rest else [])


MountKind = Literal["configmap", "secret", "configmap-key", "secret-key", "pvc"]

_MOUNT_MISSING = re.compile(
    r'MountVolume\.SetUp failed for volume "([^"]+)" : (configmap|secret) "([^"]+)" not found'
)
_MOUNT_KEY = re.compile(
    r'MountVolume\.SetUp failed for volume "([^"]+)" : '
    r"(configmap|secret) references non-existent (?:config|secret) key: (\S+)"
)
_PVC_MISSING = re.compile(r'persistentvolumeclaim "([^"]+)" not found')


class MountFailure(BaseModel):
    """A volume that cannot be set up because the object (or key) it reads is missing."""

    kind: MountKind
    volume: str = ""
    object_kind: str  # ConfigMap, Secret, PersistentVolumeClaim
    object_name: str = ""
    key: str = ""
    message: str


def mount_failure(message: str) -> MountFailure | None:
    """The missing object behind a FailedMount (or FailedScheduling) message, or None."""
    text = " ".join(str(message or "").split())
    if found := _MOUNT_MISSING.search(text):
        kind = found.group(2)
        return MountFailure(
            kind=kind,
            volume=found.group(1),
            message=text,
            object_name=found.group(3),
            object_kind="ConfigMap" if kind == "configmap" else "Secret",
        )
    if found := _MOUNT_KEY.search(text):
        kind = found.group(2)
        return MountFailure(
            kind=f"{kind}-key",
            volume=found.group(1),
            key=found.group(3).rstrip(".,"),
            object_kind="ConfigMap" if kind == "configmap" else "Secret",
            message=text,
        )
    if found := _PVC_MISSING.search(text):
        return MountFailure(
            kind="pvc",
            object_kind="PersistentVolumeClaim",
            object_name=found.group(1),
            message=text,
        )
    return None
