"""Release benchmark: `release.run` against the seed docs' own procedure, on the same embedded AWS
with the same widget build.

    .venv/bin/python benchmarks/release/bench_release.py [--mini] [--json]

The seed docs' procedure, with the AWS CLI (from its own hash-locked venv, `.venv-tools/awscli`,
made here on first use from requirements/awscli.lock):

    aws s3 sync build/ s3://<widget bucket>/<version>/
    aws s3 sync build/ s3://<widget bucket>/latest/
    aws cloudfront create-invalidation --distribution-id <id> --paths '/latest/*'

Ours: `release.run` (preflight, lock, journal, content-addressed upload, server-side publish,
channel pointers, invalidation of exactly the moved paths, smoke, manifest + changelog + tag).
Both start from the same finished `npm run build:widget` output (ours finds it and skips the
build), each on its own fresh buckets and distribution. Counted for both the same way, at the
emulator's door (a WSGI wrapper around moto's app): HTTP requests, writes (PUT/POST/DELETE) and
request bytes. Then: a rerun of the finished release, and rollback-widget's writes.

Default widget: the real one (a `git clone --local` of this repo, node_modules linked, as
`inv local-dev` does). `--mini`: the release tests' tiny widget (seconds, no node_modules needed).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
AWSCLI_VENV = ROOT / ".venv-tools" / "awscli"
AWSCLI_LOCK = ROOT / "requirements" / "awscli.lock"
RESULTS = Path(__file__).with_name("results.json")
POINTER = re.compile(r"^PUT /[^/]+/(latest|stable|beta|alpha|canary)/chat-widget\.js$")


# ── counting at the emulator's door ────────────────────────────────────────────────────────


@dataclass
class Tally:
    requests: int = 0
    writes: int = 0
    bytes_in: int = 0  # widget files (versions, pointers, content-addressed artifacts)
    bookkeeping_bytes: int = 0  # journal and lock objects
    by_call: dict[str, int] = field(default_factory=dict)
    write_keys: list[str] = field(default_factory=list)


class Counter:
    """WSGI middleware: every request the emulator receives, whoever sends it."""

    def __init__(self, app):
        self.app, self.tally, self.lock = app, Tally(), threading.Lock()

    def reset(self) -> Tally:
        with self.lock:
            tally, self.tally = self.tally, Tally()
        return tally

    def __call__(self, environ, start_response):
        method = environ["REQUEST_METHOD"]
        path = environ.get("PATH_INFO", "")
        length = int(environ.get("CONTENT_LENGTH") or 0)
        service = "cloudfront" if path.startswith("/2020-05-31/") else "s3"
        auth = environ.get("HTTP_AUTHORIZATION", "")
        if "/sts/" in auth or "/ssm/" in auth:
            service = "sts" if "/sts/" in auth else "ssm"
        with self.lock:
            t = self.tally
            t.requests += 1
            t.by_call[f"{service} {method}"] = t.by_call.get(f"{service} {method}", 0) + 1
            if method in ("PUT", "POST", "DELETE") and service in ("s3", "cloudfront"):
                t.writes += 1
                t.write_keys.append(f"{method} {path}")
            if method in ("PUT", "POST") and ("/journal/" in path or "/locks/" in path):
                t.bookkeeping_bytes += length
            elif method in ("PUT", "POST"):
                t.bytes_in += length
        return self.app(environ, start_response)


def start_emulator() -> tuple[str, Counter, object]:
    from moto.server import DomainDispatcherApplication, create_backend_app
    from werkzeug.serving import make_server

    from orchestrator.local.embedded_aws import FAKE_CREDENTIALS, free_port

    counter = Counter(DomainDispatcherApplication(create_backend_app))
    port = free_port()
    server = make_server("127.0.0.1", port, counter, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    endpoint = f"http://127.0.0.1:{port}"
    os.environ.update({**FAKE_CREDENTIALS, "AWS_ENDPOINT_URL": endpoint})
    import logging

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    return endpoint, counter, server


# ── the world: buckets and a distribution, a repo with a finished build ──────────────────────


def make_env(env: str):
    """An environment's buckets and distribution, made through the real APIs (like tests/release)."""
    from orchestrator.local import sandbox

    return sandbox.bare_environment(env)


def make_repo(tmp: Path, mini: bool) -> Path:
    if mini:
        import git

        repo = tmp / "repo"
        shutil.copytree(
            ROOT / "tests/release/mini_widget",
            repo / "widget",
            ignore=shutil.ignore_patterns("build", "node_modules"),
        )
        (repo / "releases").mkdir()
        shutil.copy(ROOT / "releases/components.toml", repo / "releases/components.toml")
        (repo / ".gitignore").write_text("widget/build/\nwidget/node_modules/\n")
        g = git.Repo.init(repo, initial_branch="main")
        with g.config_writer() as cw:
            cw.set_value("user", "name", "Bench")
            cw.set_value("user", "email", "bench@localhost")
        g.index.add(["widget", "releases/components.toml", ".gitignore"])
        g.index.commit("feat: widget")
        return repo
    from orchestrator.local.dev import release_clone

    repo = release_clone(ROOT, tmp / "repo")
    # Cut from origin: commits landing in this repo meanwhile must not make the clone "behind".
    subprocess.run(["git", "remote", "remove", "origin"], cwd=repo, check=True)
    return repo


def build(repo: Path, version: str) -> Path:
    from orchestrator.adapters import npm

    npm.run_script("build:widget", project=repo / "widget", env={**os.environ, "WIDGET_VERSION": version})
    return repo / "widget" / "build"


def awscli() -> Path:
    exe = AWSCLI_VENV / "bin" / "aws"
    if not exe.exists():
        subprocess.run(["uv", "venv", "--quiet", str(AWSCLI_VENV)], check=True)
        subprocess.run(
            [
                "uv",
                "pip",
                "sync",
                "--quiet",
                "--require-hashes",
                "--python",
                str(AWSCLI_VENV / "bin" / "python"),
                str(AWSCLI_LOCK),
            ],
            check=True,
        )
    return exe


# ── the runs ────────────────────────────────────────────────────────────────────────────────


@dataclass
class Run:
    name: str
    seconds: float
    requests: int
    writes: int
    bytes_uploaded: int
    bookkeeping_bytes: int
    by_call: dict[str, int]
    notes: str = ""


def measure(name: str, counter: Counter, fn, notes: str = "") -> tuple[Run, Tally]:
    counter.reset()
    start = time.perf_counter()
    fn()
    seconds = time.perf_counter() - start
    t = counter.reset()
    return Run(
        name,
        seconds,
        t.requests,
        t.writes,
        t.bytes_in,
        t.bookkeeping_bytes,
        dict(sorted(t.by_call.items())),
        notes,
    ), t


def seed_procedure(aws: Path, build_dir: Path, version: str, tgt) -> None:
    env = {**os.environ, "AWS_PAGER": ""}
    bucket = tgt.widget_bucket
    for dest in (f"s3://{bucket}/{version}/", f"s3://{bucket}/latest/"):
        subprocess.run(
            [str(aws), "s3", "sync", str(build_dir) + "/", dest, "--only-show-errors"], check=True, env=env
        )
    subprocess.run(
        [
            str(aws),
            "cloudfront",
            "create-invalidation",
            "--distribution-id",
            tgt.distribution_id,
            "--paths",
            "/latest/*",
        ],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--mini", action="store_true", help="the release tests' tiny widget instead of the real one"
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT / "packages/orchestrator/src"))

    aws = awscli()
    subprocess.run([str(aws), "--version"], check=True, capture_output=True)  # warm: not timing .pyc compiles
    endpoint, counter, server = start_emulator()
    from orchestrator.release import release, rollback

    quiet = lambda *a, **k: None  # noqa: E731
    runs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="bench-release-") as tmp:
        repo = make_repo(Path(tmp), args.mini)
        req = release.Request(env="dev", component="widget")
        plan = release.plan(repo, req)
        if plan is None:
            req = release.Request(env="dev", component="widget", bump="patch")
            plan = release.plan(repo, req)
        version = plan["components"]["widget"]["version"]
        build_dir = build(repo, version)
        files = sorted(p for p in build_dir.rglob("*") if p.is_file())
        build_bytes = sum(p.stat().st_size for p in files)

        seed_env, ours = make_env("qa"), make_env("dev")
        run, _ = measure(
            "seed docs (aws s3 sync ×2 + create-invalidation)",
            counter,
            lambda: seed_procedure(aws, build_dir, version, seed_env),
        )
        runs.append(run)
        run, _ = measure(
            "release.run (first release)", counter, lambda: release.run(repo, req, tgt=ours, echo=quiet)
        )
        runs.append(run)
        run, _ = measure(
            "release.run again (finished: nothing to do)",
            counter,
            lambda: release.run(repo, req, tgt=ours, echo=quiet),
        )
        runs.append(run)

        # A second version, then rollback-widget: writes must not depend on the widget's file count.
        (repo / "widget" / "src" / "bench.txt").write_text("second\n")
        subprocess.run(["git", "add", "widget/src/bench.txt"], cwd=repo, check=True)
        subprocess.run(["git", "commit", "-qm", "fix(widget): bench second version"], cwd=repo, check=True)
        second_req = release.Request(env="dev", component="widget")
        second = release.plan(repo, second_req)["components"]["widget"]["version"]
        build(repo, second)
        release.run(repo, second_req, tgt=ours, echo=quiet)
        rolled = {}

        def do_rollback():
            rolled["plan"], _ = rollback.run(repo, "rollback-widget", "dev", "latest", echo=quiet, tgt=ours)

        run, tally = measure(f"rollback-widget latest {second} → {version}", counter, do_rollback)
        pointer_writes = [k for k in tally.write_keys if POINTER.search(k)]
        invalidations = [k for k in tally.write_keys if k.startswith("POST /2020-05-31/")]
        version_dir_writes = [k for k in tally.write_keys if f"/v{version}/" in k or f"/v{second}/" in k]
        run.notes = (
            f"{len(pointer_writes)} pointer copies, {len(invalidations)} invalidation, "
            f"{len(version_dir_writes)} writes to version directories, "
            f"{tally.writes - len(pointer_writes) - len(invalidations)} lock/journal writes, 1 manifest commit (git)"
        )
        runs.append(run)

    server.shutdown()
    results = {
        "widget": "mini (tests/release/mini_widget)" if args.mini else "real (widget/)",
        "version": version,
        "build_files": len(files),
        "build_bytes": build_bytes,
        "runs": [asdict(r) for r in runs],
    }
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print(markdown(results))
    return results


def markdown(results: dict) -> str:
    lines = [
        f"widget: {results['widget']}, version {results['version']}, build: {results['build_files']} files, "
        f"{results['build_bytes']:,} bytes",
        "",
        "| run | wall time (s) | API requests | writes | bytes uploaded | journal + lock bytes |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in results["runs"]:
        lines.append(
            f"| {r['name']} | {r['seconds']:.2f} | {r['requests']} | {r['writes']} | {r['bytes_uploaded']:,} "
            f"| {r['bookkeeping_bytes']:,} |"
        )
    notes = [f"- {r['name']}: {r['notes']}" for r in results["runs"] if r["notes"]]
    return "\n".join(lines + ([""] + notes if notes else []))


if __name__ == "__main__":
    main()
