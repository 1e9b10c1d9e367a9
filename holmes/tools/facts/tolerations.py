"""Taints and tolerations, matched by the scheduler's rule (`Toleration.ToleratesTaint` in
k8s.io/api/core/v1): an effect and a key, when set, must be equal; `Exists` then tolerates,
`Equal` (or no operator) needs equal values; any other operator tolerates nothing."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

NO_SCHEDULE_EFFECTS = ("NoSchedule", "NoExecute")


class Taint(BaseModel):
    """A node's (or a DRA device's) taint."""

    model_config = ConfigDict(frozen=True, extra="ignore")
    key: str = ""
    value: str = ""
    effect: str = ""

    @classmethod
    def of(cls, raw: Any) -> Taint:
        """A taint from its API object (missing or null fields read as empty)."""
        raw = raw if isinstance(raw, dict) else {}
        return cls(**{field: str(raw.get(field) or "") for field in ("key", "value", "effect")})

    def text(self) -> str:
        """`key=value:Effect` (or `key:Effect`), as `kubectl taint` writes it."""
        value = f"={self.value}" if self.value else ""
        effect = f":{self.effect}" if self.effect else ""
        return f"{self.key}{value}{effect}"


class Toleration(BaseModel):
    """A pod's (or a DRA request's) toleration."""

    model_config = ConfigDict(frozen=True, extra="ignore")
    key: str = ""
    operator: str = ""
    value: str = ""
    effect: str = ""

    @classmethod
    def of(cls, raw: Any) -> Toleration:
        """A toleration from its API object (missing or null fields read as empty)."""
        raw = raw if isinstance(raw, dict) else {}
        fields = ("key", "operator", "value", "effect")
        return cls(**{field: str(raw.get(field) or "") for field in fields})

    def tolerates(self, taint: Taint) -> bool:
        """The scheduler's rule for one toleration and one taint."""
        if self.effect and self.effect != taint.effect:
            return False
        if self.key and self.key != taint.key:
            return False
        if self.operator == "Exists":
            return True
        return self.operator in ("", "Equal") and self.value == taint.value


def tolerated(raw_tolerations: Any, raw_taint: Any) -> bool:
    """Whether any of the tolerations (API objects) tolerates the taint (an API object)."""
    if not isinstance(raw_taint, dict):
        return False
    taint = Taint.of(raw_taint)
    return any(
        Toleration.of(raw).tolerates(taint)
        for raw in raw_tolerations or []
        if isinstance(raw, dict)
    )
