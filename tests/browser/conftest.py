"""Browser tests: Debian's Chromium driven by Playwright for Python, against ONE `inv local-dev`
started for the whole session (a subprocess, stopped with SIGINT like Ctrl-C at the end).

Never a downloaded browser: `executable_path=/usr/bin/chromium` (`.ci/run` installs it).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from orchestrator.adapters.npm import ensure_node_modules
from orchestrator.paths import ROOT

CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "tools" / "axe"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)
            # One worker runs every browser test, so the session starts ONE local-dev (pytest-xdist).
            item.add_marker(pytest.mark.xdist_group("browser"))


@pytest.fixture(scope="session")
def platform(tmp_path_factory):
    """`python -m orchestrator.local.dev` on free ports; yields .local/endpoints.json's content."""
    if not CHROMIUM.exists():
        pytest.skip("no /usr/bin/chromium (Debian's chromium package; .ci/run installs it)")
    local_dir = tmp_path_factory.mktemp("local")
    log = open(local_dir / "stdout.log", "w")  # noqa: SIM115 — closed at teardown
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "orchestrator.local.dev",
            "--aws-port",
            "0",
            "--graphql-port",
            "0",
            "--cdn-port",
            "0",
            "--local-dir",
            str(local_dir),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
        # Ctrl-C as in a terminal: a shell's background job (`./inv test &`) ignores SIGINT, and
        # the child would inherit that and never stop.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    endpoints = local_dir / "endpoints.json"
    deadline = time.monotonic() + 600
    while not endpoints.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            log.close()
            details = (local_dir / "stdout.log").read_text()[-3000:]
            details += (
                (local_dir / "local-dev.log").read_text()[-3000:]
                if (local_dir / "local-dev.log").exists()
                else ""
            )
            pytest.fail(f"local-dev did not become ready:\n{details}")
        time.sleep(0.5)
    data = json.loads(endpoints.read_text())
    data["local_dir"] = local_dir
    yield data
    proc.send_signal(signal.SIGINT)  # what Ctrl-C does
    try:
        proc.wait(timeout=60)
    finally:
        log.close()
    assert not endpoints.exists(), "local-dev left .local/endpoints.json behind after Ctrl-C"


@pytest.fixture(scope="session")
def context(platform, tmp_path_factory):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        ctx = p.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=str(CHROMIUM),
            args=ARGS,
            headless=True,
            viewport={"width": 1280, "height": 800},
            locale="es-ES",
            timezone_id="Europe/Madrid",
            device_scale_factor=1,
        )
        yield ctx
        ctx.close()


@pytest.fixture
def page(context):
    """A fresh page; console errors and page errors are collected in page.errors."""
    pg = context.new_page()
    pg.errors = []
    pg.on("console", lambda msg: pg.errors.append(msg.text) if msg.type == "error" else None)
    pg.on("pageerror", lambda exc: pg.errors.append(str(exc)))
    yield pg
    pg.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    ensure_node_modules(AXE)
    return (AXE / "node_modules" / "axe-core" / "axe.min.js").read_text()
