"""sentry-cli, run as a subprocess with the standard SENTRY_* variables (the PyPI wheel's binary).

Thin: each function is one CLI command. A refusal, a timeout or an unreachable server is a
`SentryUnavailable` with the CLI's own words; callers decide that it is only a warning.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

VARIABLES = ("SENTRY_URL", "SENTRY_ORG", "SENTRY_PROJECT", "SENTRY_AUTH_TOKEN")
TIMEOUT_S = 120


class SentryUnavailable(Exception):
    """Sentry could not be reached or refused the call."""


def binary() -> str:
    here = Path(sys.executable).parent / "sentry-cli"
    found = str(here) if here.exists() else shutil.which("sentry-cli")
    if not found:
        raise SentryUnavailable("sentry-cli is not installed (it comes with the dev venv: ./inv --list)")
    return found


def _call(
    args: list[str], environ: Mapping[str, str], cwd: Path | None = None
) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SENTRY_")}
    env.update({k: environ[k] for k in VARIABLES if environ.get(k)})
    # Hermetic and quick to give up: no .env from the working directory, no update check, one retry.
    env.update(
        {"SENTRY_LOAD_DOTENV": "0", "SENTRY_DISABLE_UPDATE_CHECK": "true", "SENTRY_HTTP_MAX_RETRIES": "1"}
    )
    try:
        return subprocess.run(
            [binary(), *args],
            env=env,
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise SentryUnavailable(f"sentry-cli {args[0]} {args[1]} timed out after {TIMEOUT_S} s") from None


def _run(args: list[str], environ: Mapping[str, str], cwd: Path | None = None) -> str:
    done = _call(args, environ, cwd)
    if done.returncode != 0:
        raise SentryUnavailable(f"sentry-cli {' '.join(args[:2])}: {_reason(done)}")
    return done.stdout


def _reason(done: subprocess.CompletedProcess) -> str:
    """The CLI's error line and the innermost cause, without its backtrace and bug-report advice."""
    lines = [ln.strip() for ln in (done.stderr or "").split("Stack backtrace:")[0].splitlines() if ln.strip()]
    error = next((ln for ln in lines if ln.lower().startswith("error:")), f"exit {done.returncode}")
    causes = [ln.split(":", 1)[1].strip() for ln in lines if ln[:1].isdigit() and ":" in ln]
    return f"{error} ({causes[-1]})" if causes else error


def new_release(release: str, environ: Mapping[str, str]) -> None:
    _run(["releases", "new", release], environ)


def release_exists(release: str, environ: Mapping[str, str]) -> bool:
    """True when Sentry has the release; False when it answers that it does not."""
    done = _call(["releases", "info", release, "--quiet"], environ)
    if done.returncode == 0:
        return True
    if done.returncode == 1 and not done.stderr.strip():
        return False  # the CLI's way of saying "no such release": exit 1, nothing printed
    raise SentryUnavailable(f"sentry-cli releases info: {_reason(done)}")


def set_commits(release: str, repo: Path, environ: Mapping[str, str]) -> None:
    """The release's commits from the local git history (no repository integration needed)."""
    _run(["releases", "set-commits", release, "--local", "--ignore-missing"], environ, cwd=repo)


def upload_sourcemaps(release: str, directory: Path, environ: Mapping[str, str]) -> None:
    """One artifact bundle of the scripts and maps in `directory`, matched to events by debug ID."""
    _run(["sourcemaps", "upload", "--release", release, "--no-rewrite", str(directory)], environ)


def new_deploy(release: str, env: str, name: str, environ: Mapping[str, str]) -> None:
    _run(["deploys", "new", "--release", release, "--env", env, "--name", name], environ)


def deploys(release: str, environ: Mapping[str, str]) -> list[tuple[str, str]]:
    """(environment, name) of the release's deploys, read from the CLI's table."""
    out = _run(["deploys", "list", "--release", release], environ)
    rows = [[cell.strip() for cell in line.strip().strip("|").split("|")] for line in out.splitlines()]
    rows = [r for r in rows if len(r) >= 2 and out and not set(r[0]) <= {"-", "+"}]
    return [(r[0], r[1]) for r in rows[1:]] if rows and rows[0][0] == "Environment" else []


def finalize(release: str, environ: Mapping[str, str]) -> None:
    _run(["releases", "finalize", release], environ)


def _table(out: str) -> list[list[str]]:
    """The rows of one of the CLI's tables (title row first), a multi-line cell's lines joined by
    newlines: `+---+` borders are dropped and a row whose first cell is blank continues the last."""
    rows: list[list[str]] = []
    for line in out.splitlines():
        line = line.strip()
        if not line.startswith("|"):
            continue
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if rows and not cells[0] and len(cells) == len(rows[-1]):
            rows[-1] = [f"{a}\n{b}".strip() for a, b in zip(rows[-1], cells, strict=True)]
        else:
            rows.append(cells)
    return rows


def release_commits(release: str, environ: Mapping[str, str]) -> list[str]:
    """The commit SHAs Sentry holds for the release (`releases info --show-commits`); [] for none.

    The CLI prints `-` both for no commits and when it could not read them: either way the
    caller sets them (again), which is safe."""
    rows = _table(_run(["releases", "info", release, "--show-commits"], environ))
    if len(rows) < 2 or "Commits" not in rows[0]:
        return []
    cell = rows[1][rows[0].index("Commits")]
    return [] if cell == "-" else cell.split()


def is_finalized(release: str, environ: Mapping[str, str]) -> bool:
    """Whether Sentry has a release date for the release (`releases list`: its Released column).

    The list is Sentry's first page of the project's newest releases; a release not on it reads
    as not finalized, and the caller finalizes it (again) — a later date, never a lost one."""
    rows = _table(_run(["releases", "list"], environ))
    if not rows or "Released" not in rows[0] or "Version" not in rows[0]:
        return False
    released, version = rows[0].index("Released"), rows[0].index("Version")
    return any(r[version] == release and r[released] != "(unreleased)" for r in rows[1:])
