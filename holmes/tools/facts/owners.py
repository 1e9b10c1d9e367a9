"""An object's owner chain as typed references: what the describe tools return in
`data["owner_refs"]` and the rules read (the `owners` strings are their renderings)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class OwnerRef(BaseModel):
    """One owner in a chain (ReplicaSet, Deployment, Job, ...), with what was found of it."""

    model_config = ConfigDict(frozen=True)
    kind: str
    name: str
    namespace: str = ""
    api_version: str = ""
    summary: str = ""  # the owner's status summary ("ready 1/2 ...") when it was read
    problem: str = ""  # "not found: deleted?" or "could not read: <why>" when it was not

    @property
    def ref(self) -> str:
        """What kubectl takes: `deployment/name`."""
        return f"{self.kind.lower()}/{self.name}"

    def label(self) -> str:
        """`Deployment ns/name`."""
        return f"{self.kind} {self.namespace + '/' if self.namespace else ''}{self.name}"

    def text(self) -> str:
        """`Deployment ns/name (ready 1/2 ...)`, as the describe tools print the chain."""
        detail = self.problem or self.summary
        return f"{self.label()} ({detail})" if detail else self.label()


def owner_refs(data: Any) -> list[OwnerRef]:
    """The owner chain of a describe tool's data (`owner_refs`), nearest owner first."""
    data = data if isinstance(data, dict) else {}
    return [OwnerRef.model_validate(o) for o in data.get("owner_refs") or [] if isinstance(o, dict)]
