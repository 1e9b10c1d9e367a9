"""TSDB blocks for the Prometheus replay: backfill with promtool, cache, link into a data dir.

Called by `PrometheusReplay.start` (`prometheus.py`). Backfilling costs a promtool run; the
blocks depend only on the rendered OpenMetrics text, so they are cached under a key made of
that text's hash and reused by every later replay of the same series. Each server still gets a
fresh data dir of its own (Prometheus writes its WAL, head chunks and query log there, and two
servers must never share one): the immutable block files are hard-linked into it, and the two
small files Prometheus may rewrite (meta.json, tombstones) are copied, so nothing a server does
can change the cache.

Cache location: `$HOLMES_CACHE_DIR/tsdb`, else `$XDG_CACHE_HOME/holmes/tsdb`, else
`~/.cache/holmes/tsdb`. Entries are written to a staging dir and renamed into place, so a reader
never sees half a backfill and concurrent replays of one bundle do not collide.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path

from holmes.evals.replay.prometheus_errors import PrometheusReplayError

__all__ = ["backfill", "default_cache_dir", "install_blocks"]

log = logging.getLogger(__name__)

# Part of every cache key: bump it when the rendering or promtool's invocation changes.
_CACHE_FORMAT = "holmes-tsdb-2"
# Files of a block that Prometheus may replace (compaction marks, deletions); copied, not linked.
_MUTABLE_FILES = frozenset({"meta.json", "tombstones"})
_PROMTOOL_TIMEOUT_SECONDS = 300
# promtool re-reads the whole input once per block it cuts (2h by default): three days of
# series took 3.3 s as 37 blocks, 0.3 s as one. It rounds this down to 2h times a power of 3
# (4374h, about half a year), so a bundle is one block, or two across an alignment boundary.
_MAX_BLOCK_DURATION = "8760h"


def default_cache_dir(environ: Mapping[str, str] | None = None) -> Path:
    """Where backfilled blocks are cached (see the module docstring for the order)."""
    env = os.environ if environ is None else environ
    if env.get("HOLMES_CACHE_DIR"):
        return Path(env["HOLMES_CACHE_DIR"]) / "tsdb"
    base = Path(env["XDG_CACHE_HOME"]) if env.get("XDG_CACHE_HOME") else Path.home() / ".cache"
    return base / "holmes" / "tsdb"


def install_blocks(
    openmetrics: str, data_dir: Path, *, promtool: str, cache_dir: Path | None
) -> bool:
    """Put the blocks for `openmetrics` into `data_dir`; return True when the cache had them.

    With `cache_dir=None`, or a cache dir that cannot be written, promtool backfills straight
    into `data_dir`.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    if cache_dir is not None:
        try:
            entry, hit = _cached_blocks(openmetrics, promtool=promtool, cache_dir=cache_dir)
        except OSError as error:
            # A read-only home must not stop a replay: it only costs the backfill each time.
            log.warning("TSDB cache %s unusable (%s); backfilling without it", cache_dir, error)
        else:
            _link_tree(entry, data_dir)
            return hit
    with tempfile.TemporaryDirectory(prefix="backfill-", dir=data_dir.parent) as scratch:
        backfill(openmetrics, Path(scratch) / "blocks", promtool=promtool)
        _link_tree(Path(scratch) / "blocks", data_dir)
    return False


def backfill(openmetrics: str, output_dir: Path, *, promtool: str) -> None:
    """Run `promtool tsdb create-blocks-from openmetrics` on the text, writing `output_dir`."""
    output_dir.parent.mkdir(parents=True, exist_ok=True)
    input_file = output_dir.parent / f"{output_dir.name}.om"
    input_file.write_text(openmetrics, encoding="utf-8")
    command = [
        promtool, "tsdb", "create-blocks-from", "openmetrics", "--quiet",
        f"--max-block-duration={_MAX_BLOCK_DURATION}", str(input_file), str(output_dir),
    ]  # fmt: skip
    try:
        result = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=_PROMTOOL_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise PrometheusReplayError(
            f"promtool did not finish backfilling {input_file} in {_PROMTOOL_TIMEOUT_SECONDS}s"
        ) from error
    finally:
        input_file.unlink(missing_ok=True)
    if result.returncode != 0:
        said = (result.stderr or result.stdout).strip()[-2000:]
        raise PrometheusReplayError(
            f"promtool could not backfill the bundle's series (exit {result.returncode}): {said}"
        )
    # promtool writes no directory at all for a file without samples.
    output_dir.mkdir(parents=True, exist_ok=True)


def _cached_blocks(openmetrics: str, *, promtool: str, cache_dir: Path) -> tuple[Path, bool]:
    digest = hashlib.sha256(f"{_CACHE_FORMAT}\n{openmetrics}".encode()).hexdigest()
    entry = cache_dir / digest
    if entry.is_dir():
        return entry, True
    cache_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".incoming-", dir=cache_dir))
    try:
        backfill(openmetrics, staging / "blocks", promtool=promtool)
        try:
            os.rename(staging / "blocks", entry)
        except OSError:
            # Another replay finished the same backfill first; its blocks are as good as ours.
            if not entry.is_dir():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return entry, False


def _link_tree(source: Path, target: Path) -> None:
    """Recreate `source` under `target`: hard links for block data, copies for mutable files."""
    for directory, _, files in os.walk(source):
        relative = Path(directory).relative_to(source)
        (target / relative).mkdir(parents=True, exist_ok=True)
        for name in files:
            origin, copy = Path(directory) / name, target / relative / name
            if name in _MUTABLE_FILES:
                shutil.copyfile(origin, copy)
                continue
            try:
                os.link(origin, copy)
            except OSError:
                # Another filesystem (or one without hard links): a copy works, only slower.
                shutil.copyfile(origin, copy)
