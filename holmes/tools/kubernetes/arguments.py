"""The Kubernetes tools' argument types: names, namespaces, kinds and apiVersions as the API
server accepts them, checked before any request.

The tools' pydantic `Input` models use these types, so the registry refuses a bad value as
`bad_arguments` naming the argument and the rule, and no request leaves. This matters because
the tools are the LLM's function-calling schemas: a name such as `../secrets/db`,
`gpu-node-1/proxy/configz` or `pod/exec?command=ls`, planted in a log the model reads, would
otherwise walk the request to another resource or a subresource. The rules are the API
server's (k8s.io/apimachinery/pkg/util/validation and each kind's ValidateXName):

    namespace                        RFC 1123 label       `serving`, at most 63 characters
    container                        RFC 1123 label
    Service name                     RFC 1035 label       starts with a letter
    Role/ClusterRole(Binding) name   path segment name    anything but `/`, `%`, `.`, `..`
    any other name (Pods, Nodes,     RFC 1123 subdomain   `gpu-node-3`, `trainer-0.ml`,
      workloads, custom resources)                         at most 253 characters
    kind                             letters and digits   `Pod`, `deploy`, `resourceclaims`
    apiVersion                       [group/]version      `v1`, `resource.k8s.io/v1`

Path segments are also percent-escaped where the URL is built (resources.py), so a value that
slipped past these checks still names one segment.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, ValidationInfo

# The naming rules themselves live in facts, where triage checks a question's names too.
from holmes.tools.facts.object_names import (
    LABEL_RULE,
    PATH_SEGMENT_RULE,
    SUBDOMAIN_RULE,
    is_label,
    is_path_segment,
    is_subdomain,
    name_rule,
)
from holmes.tools.kubernetes.resources import well_known

_LABEL = r"[a-z0-9](?:[-a-z0-9]*[a-z0-9])?"

_KIND = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_API_VERSION = re.compile(rf"(?:{_LABEL}(?:\.{_LABEL})*/)?{_LABEL}")

KIND_RULE = "a kind or resource name: letters and digits only, at most 63 characters"
API_VERSION_RULE = (
    "`version` or `group/version` in lowercase letters, digits, '-' and '.', e.g. apps/v1"
)


def _refuse(value: str, what: str, rule: str) -> ValueError:
    return ValueError(f"{value!r} is not a valid {what}: it must be {rule}")


def check_label(what: str) -> AfterValidator:
    """A validator refusing anything but an RFC 1123 label (`what` names it in the message)."""

    def check(value: str | None) -> str | None:
        if value is not None and not is_label(value):
            raise _refuse(value, what, LABEL_RULE)
        return value

    return AfterValidator(check)


def check_subdomain(what: str) -> AfterValidator:
    """A validator refusing anything but an RFC 1123 subdomain."""

    def check(value: str | None) -> str | None:
        if value is not None and not is_subdomain(value):
            raise _refuse(value, what, SUBDOMAIN_RULE)
        return value

    return AfterValidator(check)


def check_name_for_kind(value: str | None, info: ValidationInfo) -> str | None:
    """A field validator for `name`: the rule of the `kind` argument validated before it."""
    if value is None:
        return None
    kind = info.data.get("kind")
    rule, valid = name_rule(kind)
    if not valid(value):
        what = f"{(well_known(kind) or ('', kind))[1]} name" if kind else "object name"
        raise _refuse(value, what, rule)
    return value


def _check_kind(value: str | None) -> str | None:
    if value is not None and not (len(value) <= 63 and _KIND.fullmatch(value)):
        raise _refuse(value, "kind", KIND_RULE)
    return value


def _check_api_version(value: str | None) -> str | None:
    if value is not None and not (len(value) <= 316 and _API_VERSION.fullmatch(value)):
        raise _refuse(value, "apiVersion", API_VERSION_RULE)
    return value


def _blank_is_none(value: object) -> object:
    """An empty or blank string means "not given" (a model often sends "" for all namespaces)."""
    return None if isinstance(value, str) and not value.strip() else value


Namespace = Annotated[str, check_label("namespace")]
OptionalNamespace = Annotated[str | None, BeforeValidator(_blank_is_none), check_label("namespace")]
OptionalContainerName = Annotated[
    str | None, BeforeValidator(_blank_is_none), check_label("container name")
]
NodeName = Annotated[str, check_subdomain("Node name")]
PodName = Annotated[str, check_subdomain("Pod name")]
Kind = Annotated[str, AfterValidator(_check_kind)]


def _check_object_name(value: str) -> str:
    if not (len(value) <= 253 and is_path_segment(value)):
        raise _refuse(value, "object name", "at most 253 characters, " + PATH_SEGMENT_RULE)
    return value


# A name whose kind is not known yet (`kubernetes_lookup`): the loosest rule of any kind.
ObjectName = Annotated[str, AfterValidator(_check_object_name)]
OptionalKind = Annotated[str | None, BeforeValidator(_blank_is_none), AfterValidator(_check_kind)]
ApiVersion = Annotated[
    str | None, BeforeValidator(_blank_is_none), AfterValidator(_check_api_version)
]
