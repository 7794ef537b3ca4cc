"""`.local/endpoints.json`: where a running `./inv local-dev` serves the API, the CDN and the
demo, and the tenants it seeded. Written by local-dev, read by whatever targets the sandbox;
this module is the only one that knows the file's name and format."""

from __future__ import annotations

import json
from pathlib import Path

from orchestrator import paths

NAME = "endpoints.json"


def file(local_dir: Path | None = None) -> Path:
    # paths.LOCAL is looked up on each call, so a test can point it at a temp directory.
    return (local_dir or paths.LOCAL) / NAME


def read(local_dir: Path | None = None) -> dict | None:
    """What a running `./inv local-dev` wrote (None when none runs, or the file is unreadable)."""
    try:
        data = json.loads(file(local_dir).read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def get(key: str, local_dir: Path | None = None):
    """One value of the file (None when local-dev is not running or did not write it)."""
    return (read(local_dir) or {}).get(key)


def write(data: dict, local_dir: Path | None = None) -> Path:
    target = file(local_dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2) + "\n")
    tmp.replace(target)  # atomic: a reader never sees half a file
    return target


def remove(local_dir: Path | None = None) -> None:
    file(local_dir).unlink(missing_ok=True)
