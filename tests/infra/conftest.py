"""Fixtures for the infra tests: tiny Lambda zips and a bootstrapped environment."""

from __future__ import annotations

import io
import zipfile

import pytest

from orchestrator.deploy import rollout


def tiny_zip(name: str, text: str = "def handler(event, context):\n    return None\n") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        info = zipfile.ZipInfo(f"backend/{name}.py", date_time=(1980, 1, 1, 0, 0, 0))
        zf.writestr(info, text)
    return buf.getvalue()


@pytest.fixture
def zips() -> dict[str, bytes]:
    return {name: tiny_zip(name) for name in rollout.FUNCTION_PARAMS}


@pytest.fixture
def lines() -> list[str]:
    return []


@pytest.fixture
def dev(aws, lines):
    """`./inv bootstrap dev` done against a fresh embedded AWS."""
    rollout.bootstrap("dev", echo=lines.append)
    return rollout.target("dev", echo=lines.append)
