"""Benchmark `inv local-dev`: time to .local/endpoints.json, sendMessage p50/p95 on the local
AppSync, and time to first launcher paint / app ready on the demo page (Debian's Chromium).

    .venv/bin/python benchmarks/local/local_dev.py [--messages 50] [--runs 5] [--latency 0]

Numbers go to benchmarks/README.md by hand; nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

SEND = "mutation SendMessage($input: SendMessageInput!) { sendMessage(input: $input) { conversationId message mode } }"


def start(local_dir: Path) -> tuple[subprocess.Popen, dict, float]:
    t0 = time.monotonic()
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
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
    )
    endpoints = local_dir / "endpoints.json"
    while not endpoints.exists():
        if proc.poll() is not None:
            raise SystemExit(f"local-dev exited ({proc.returncode}); see {local_dir}/local-dev.log")
        time.sleep(0.1)
    return proc, json.loads(endpoints.read_text()), time.monotonic() - t0


def send_latency(ep: dict, n: int) -> list[float]:
    key = ep["tenants"][0]["api_key"]
    times = []
    for i in range(n):
        body = json.dumps(
            {"query": SEND, "variables": {"input": {"text": f"Hola, quiero un corte ({i})", "locale": "es"}}}
        )
        req = urllib.request.Request(
            ep["graphql"],
            data=body.encode(),
            headers={"content-type": "application/json", "authorization": key},
        )
        t = time.perf_counter()
        with urllib.request.urlopen(req, timeout=30) as r:
            assert "errors" not in json.load(r)
        times.append((time.perf_counter() - t) * 1000)
    return times


def page_timings(ep: dict, runs: int = 5, latency: int = 0) -> dict[str, list[float]]:
    """Per run (cold cache, a fresh browser context each): load → launcher, the bytes the page
    downloaded from the CDN in the 3 s after the launcher showed before any intent (the loader
    alone when the app waits for intent), then open-to-ready three ways, each on its own page:

    - `click`: Playwright's click alone (it moves the pointer onto the launcher and presses at
      once: no hover lead time, the worst case for intent loading);
    - `hover`: a person's path — the pointer moves over the launcher, and the click comes
      150 ms later (a real mouse hovers before it presses); timed from the click;
    - `api`: a cold `BookingChat.open()` from the page's own script (no pointer at all).

    Open-to-ready ends when the app's message box is visible. `latency` (ms, Chromium's network
    emulation) adds a round-trip time to every request, as a real CDN at a distance has; the
    local CDN alone has none. `app_fetches` counts requests for chat-widget.app.js per page
    (1: a preloaded copy was reused, not fetched twice)."""
    from playwright.sync_api import sync_playwright

    out: dict[str, list[float]] = {
        "paint": [],
        "before_intent": [],
        "click": [],
        "hover": [],
        "api": [],
        "app_fetches": [],
    }
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            headless=True,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        url = ep["demo"] + ep["tenants"][0]["id"] + "/"
        for _ in range(runs):
            for how in ("click", "hover", "api"):
                ctx = browser.new_context()  # cold cache each time
                page = ctx.new_page()
                cdn_bytes = [0]

                def count(r, total=cdn_bytes):
                    if r.url.startswith(ep["cdn"]) and "/demo/" not in r.url:
                        total[0] += r.sizes()["responseBodySize"]

                page.on("requestfinished", count)
                app_fetches = [0]
                page.on(
                    "request",
                    lambda r, n=app_fetches: (
                        r.url.endswith("/chat-widget.app.js") and n.__setitem__(0, n[0] + 1)
                    ),
                )
                if latency:
                    cdp = ctx.new_cdp_session(page)
                    cdp.send("Network.enable")
                    cdp.send(
                        "Network.emulateNetworkConditions",
                        {
                            "offline": False,
                            "latency": latency,
                            "downloadThroughput": -1,
                            "uploadThroughput": -1,
                        },
                    )
                launcher = page.get_by_role("button", name="Abrir chat de reservas")
                t = time.perf_counter()
                page.goto(url)
                launcher.wait_for()
                if how == "click":
                    out["paint"].append((time.perf_counter() - t) * 1000)
                    page.wait_for_timeout(3000)  # idle: the old loader preloaded the app here
                    out["before_intent"].append(cdn_bytes[0])
                else:
                    page.wait_for_timeout(1000)  # the page settles, as a visitor reads it first
                if how == "hover":
                    launcher.hover()
                    page.wait_for_timeout(150)
                t_open = time.perf_counter()
                if how == "api":
                    page.evaluate("window.BookingChat.open()")
                else:
                    launcher.click()
                page.get_by_role("textbox", name="Escribe tu mensaje").wait_for()
                out[how].append((time.perf_counter() - t_open) * 1000)
                out["app_fetches"].append(app_fetches[0])
                ctx.close()
        browser.close()
    return out


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) > 1 else values[0]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--messages", type=int, default=50, help="sendMessage calls (0: skip)")
    ap.add_argument("--runs", type=int, default=5, help="page loads per open-to-ready path")
    ap.add_argument("--latency", type=int, default=0, help="ms of emulated round trip per request")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        proc, ep, ready_s = start(Path(tmp))
        try:
            lat = send_latency(ep, a.messages) if a.messages else []
            pages = page_timings(ep, a.runs, a.latency)
        finally:
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=60)
    med = {k: statistics.median(v) for k, v in pages.items()}
    print(f"local-dev → endpoints.json: {ready_s:.1f} s (emulated latency {a.latency} ms)")
    if lat:
        print(
            f"sendMessage ({a.messages}, guided, first turn): p50 {pct(lat, 50):.0f} ms, p95 {pct(lat, 95):.0f} ms"
        )
    print(f"demo page → launcher visible: median {med['paint']:.0f} ms")
    print(f"bytes from the CDN before intent (3 s idle): median {med['before_intent']:.0f} B")
    print(f"open-to-ready, Playwright click without hover: median {med['click']:.0f} ms")
    print(
        f"open-to-ready, hover then click 150 ms later (timed from the click): median {med['hover']:.0f} ms"
    )
    print(f"open-to-ready, cold BookingChat.open(): median {med['api']:.0f} ms")
    print(json.dumps({k: [round(x) for x in v] for k, v in pages.items()}))


if __name__ == "__main__":
    main()
