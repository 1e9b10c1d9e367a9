"""Resolve the effective configuration: defaults < YAML file < environment < flags.

`load_config` returns the validated `HolmesConfig` and, per leaf, where its value came from
(`default`, `file PATH:LINE`, `env VAR`, `flag --x`). An unknown key, a malformed file or a
bad value raises `ConfigError`, one line naming the file and line (or the variable, or the
flag) and the key. The file is `--config`, else `$HOLMES_CONFIG`, else
`$XDG_CONFIG_HOME/holmes/config.yaml` (`~/.config/holmes/config.yaml`) when it exists.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from holmes.cli.config import HolmesConfig, Leaf, leaves

_LEAVES: dict[str, Leaf] = {leaf.path: leaf for leaf in leaves()}
_PATH_LISTS = {"runbooks.folders"}  # env values that are os.pathsep-separated lists
_FIRST_OF_LIST = {"sources.kubernetes.kubeconfig"}  # KUBECONFIG lists files: kubectl's first


class ConfigError(ValueError):
    """A configuration problem, already phrased as one line naming where it is."""


@dataclass(frozen=True)
class Origin:
    """Where a value came from."""

    kind: str  # default | file | env | flag
    where: str = ""

    def __str__(self) -> str:
        return self.kind if self.kind == "default" else f"{self.kind} {self.where}"

    @property
    def place(self) -> str:
        """Where to look, for an error message: `PATH:LINE`, `env VAR`, `flag --x`."""
        return self.where if self.kind == "file" else str(self)


@dataclass
class ResolvedConfig:
    """The validated configuration, the file it read (if any), and each value's origin."""

    config: HolmesConfig
    file: Path | None
    origins: dict[str, Origin] = field(default_factory=dict)

    def origin(self, path: str) -> Origin:
        """Where the value at dotted `path` came from."""
        return self.origins.get(path, Origin("default"))

    def value(self, path: str) -> Any:
        """The value at dotted `path`."""
        node: Any = self.config
        for part in path.split("."):
            node = getattr(node, part)
        return node


def config_file(given: Path | None, environ: Mapping[str, str]) -> tuple[Path | None, bool]:
    """The file to read and whether it must exist (named explicitly)."""
    if given is not None:
        return given, True
    if environ.get("HOLMES_CONFIG"):
        return Path(environ["HOLMES_CONFIG"]), True
    base = environ.get("XDG_CONFIG_HOME") or str(Path(environ.get("HOME", "~")) / ".config")
    default = Path(base).expanduser() / "holmes" / "config.yaml"
    return default, False


def load_config(
    given: Path | None = None,
    flags: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> ResolvedConfig:
    """The effective configuration; `flags` maps dotted paths to values given on the command
    line (None: not given). Raises `ConfigError` naming the file:line, variable or flag."""
    environ = os.environ if environ is None else environ
    path, required = config_file(given, environ)
    values: dict[str, tuple[Any, Origin]] = {}
    read: Path | None = None
    if path is not None and (required or path.is_file()):
        values.update(read_file(path))
        read = path
    values.update(read_environment(environ))
    for key, value in (flags or {}).items():
        if key not in _LEAVES:
            raise KeyError(f"no config field {key}")  # a programming error, not the user's
        if value is not None and value != []:
            values[key] = (value, Origin("flag", _LEAVES[key].flag or key))
    nested: dict[str, Any] = {}
    for key, (value, _) in values.items():
        *sections, name = key.split(".")
        node = nested
        for section in sections:
            node = node.setdefault(section, {})
        node[name] = value
    origins = {key: origin for key, (_, origin) in values.items()}
    try:
        config = HolmesConfig.model_validate(nested)
    except ValidationError as invalid:
        raise _named(invalid, origins) from None
    return ResolvedConfig(config=config, file=read, origins=origins)


def read_file(path: Path) -> dict[str, tuple[Any, Origin]]:
    """The leaves set in the YAML file at `path`, each with its line."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(f"{path}: cannot read the config file: {error.strerror}") from None
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise ConfigError(f"{path}{line}: not valid YAML: {problem}") from None
    finally:
        loader.dispose()
    if root is None:
        return {}
    found: dict[str, tuple[Any, Origin]] = {}
    _walk(path, root, HolmesConfig, "", found)
    return found


def _walk(
    path: Path, node: yaml.Node, model: type[BaseModel], prefix: str, found: dict[str, Any]
) -> None:
    line = node.start_mark.line + 1
    if not isinstance(node, yaml.MappingNode):
        where = prefix.rstrip(".") or "the file"
        raise ConfigError(f"{path}:{line}: {where}: expected a mapping of keys")
    for key_node, value_node in node.value:
        key = str(key_node.value)
        dotted = prefix + key
        key_line = key_node.start_mark.line + 1
        info = model.model_fields.get(key)
        if info is None:
            known = ", ".join(model.model_fields)
            raise ConfigError(f"{path}:{key_line}: {dotted}: unknown key (known: {known})")
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            if not (isinstance(value_node, yaml.ScalarNode) and value_node.tag.endswith(":null")):
                _walk(path, value_node, annotation, dotted + ".", found)
            continue
        found[dotted] = (_construct(value_node), Origin("file", f"{path}:{key_line}"))


def _construct(node: yaml.Node) -> Any:
    constructor = yaml.SafeLoader("")
    try:
        return constructor.construct_object(node, deep=True)
    finally:
        constructor.dispose()


def read_environment(environ: Mapping[str, str]) -> dict[str, tuple[Any, Origin]]:
    """The leaves set by environment variables (the first non-empty of each leaf's names)."""
    found: dict[str, tuple[Any, Origin]] = {}
    for leaf in _LEAVES.values():
        for variable in leaf.env:
            raw = environ.get(variable, "").strip()
            if not raw:
                continue
            value: Any = raw
            if leaf.path in _PATH_LISTS:
                value = [p for p in raw.split(os.pathsep) if p]
            elif leaf.path in _FIRST_OF_LIST:
                value = next((p for p in raw.split(os.pathsep) if p), raw)
            found[leaf.path] = (value, Origin("env", variable))
            break
    return found


def _named(invalid: ValidationError, origins: Mapping[str, Origin]) -> ConfigError:
    """The first validation error as one line: where the value came from, the key, why."""
    errors = invalid.errors()
    first = errors[0]
    loc = [str(part) for part in first["loc"]]
    key = ".".join(loc)
    leaf = next((k for k in origins if key == k or key.startswith(k + ".")), key)
    where = origins.get(leaf, Origin("default")).place
    message = str(first["msg"]).removeprefix("Value error, ")
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return ConfigError(f"{where}: {key}: {message}{more}")
