"""Repository hygiene that `./inv test` gates on, plus the dependency audits it reports.

- no tracked file holds something shaped like an AWS access key id (AKIA…/ASIA… + 16 chars);
- no lock file records download URLs (locks pin names, versions and hashes; where packages come
  from is the installer's business, so a mirror or a private registry never leaks into git);
- detect-secrets finds nothing new against the committed `.secrets.baseline`;
- `pip-audit` and `npm audit --omit=dev` are *reported*, not gated (see `audit`).

Run as `python -m orchestrator.quality.hygiene [tree|secrets|audit [--strict]]`; exit 0 clean, 1 findings.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from orchestrator.paths import ROOT, WIDGET

# The documented prefixes of AWS access key ids (long-term AKIA, temporary ASIA, and the other
# unique-id kinds IAM hands out), then 16 upper-case letters or digits.
ACCESS_KEY_ID = re.compile(
    r"(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|AROA|APKA)[A-Z0-9]{16}(?![A-Z0-9])"
)
DOWNLOAD_URL = re.compile(r"\b(?:https?|git\+https?|git\+ssh|file)://")
LOCK_NAMES = ("package-lock.json", "npm-shrinkwrap.json", "uv.lock", "poetry.lock", "Pipfile.lock")
JSON_LOCKS = ("package-lock.json", "npm-shrinkwrap.json")
BASELINE = ".secrets.baseline"


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    rule: str
    detail: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.rule}: {self.detail}"


def tracked_files(root: Path = ROOT) -> list[str]:
    """Paths git tracks (and files added but not committed), relative to root."""
    out = subprocess.run(["git", "ls-files", "-z"], cwd=root, check=True, capture_output=True).stdout
    return sorted(p for p in out.decode().split("\0") if p)


def is_lock_file(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    return name in LOCK_NAMES or name.endswith(".lock")


def scan_text(path: str, text: str) -> list[Finding]:
    """Pure: the findings for one file's text."""
    findings = []
    lock = is_lock_file(path)
    for number, line in enumerate(text.splitlines(), start=1):
        for match in ACCESS_KEY_ID.finditer(line):
            shown = match.group(0)[:4] + "…" + match.group(0)[-2:]  # never echo a whole key
            findings.append(
                Finding(path, number, "aws-access-key-id", f"{shown} looks like an AWS access key id")
            )
        # npm locks also carry `funding` URLs, which download nothing; only `resolved` counts there.
        if (
            lock
            and (not path.endswith(JSON_LOCKS) or '"resolved"' in line)
            and (url := DOWNLOAD_URL.search(line))
        ):
            findings.append(
                Finding(
                    path, number, "lock-download-url", f"lock file records a download URL ({url.group(0)}…)"
                )
            )
    return findings


def scan_tree(root: Path = ROOT, paths: Iterable[str] | None = None) -> list[Finding]:
    findings = []
    for rel in tracked_files(root) if paths is None else paths:
        file = root / rel
        if not file.is_file():
            continue  # deleted in the working tree
        data = file.read_bytes()
        if b"\0" in data[:8192]:
            continue  # binary
        findings += scan_text(rel, data.decode("utf-8", errors="replace"))
    return findings


def detect_secrets(root: Path = ROOT) -> list[Finding]:
    """detect-secrets over the tracked tree; what the committed baseline does not already hold.

    Uses the library rather than `detect-secrets-hook`, which rewrites the baseline (and fails)
    whenever a known false positive merely moves to another line.
    """
    from detect_secrets.core import baseline
    from detect_secrets.core.secrets_collection import SecretsCollection

    os.chdir(root)  # the baseline's file names are relative to the repository root
    known = baseline.load(baseline.load_from_file(BASELINE), BASELINE)  # also applies its settings
    found = SecretsCollection()
    found.scan_files(*[f for f in tracked_files(root) if (root / f).is_file()], num_processors=1)
    return [
        Finding(path, secret.line_number or 0, "detect-secrets", f"{secret.type} not in {BASELINE}")
        for path, secret in sorted(found - known, key=lambda item: (item[0], item[1].line_number or 0))
    ]


SECRETS_HINT = (
    "Remove real secrets (and rotate them). If one is not a secret, refresh and review the baseline:\n"
    f"  .venv/bin/detect-secrets scan --baseline {BASELINE} && .venv/bin/detect-secrets audit {BASELINE}\n"
    f"then commit {BASELINE}."
)


# ── dependency audits ────────────────────────────────────────────────────────────────────
# Reported, not gated, in `./inv test`: an advisory published tomorrow would turn today's green
# commit red with no change in the repo, block unrelated fixes and rollbacks, and the audits
# need the registries (a laptop offline could not run the tests). CI shows the report in the job
# summary on every run and runs `audit --strict` on a weekly schedule, where a finding fails.


@dataclass(frozen=True)
class AuditReport:
    tool: str
    ran: bool
    vulnerabilities: list[str]
    note: str = ""


def parse_pip_audit(payload: dict) -> list[str]:
    """Pure: 'name version: ID (fix: x)' lines from `pip-audit -f json`."""
    lines = []
    for dep in payload.get("dependencies", []):
        for vuln in dep.get("vulns", []):
            fix = ", ".join(vuln.get("fix_versions", [])) or "none"
            lines.append(f"{dep['name']} {dep.get('version', '?')}: {vuln['id']} (fix: {fix})")
    return lines


def parse_npm_audit(payload: dict) -> list[str]:
    """Pure: 'name severity: title' lines from `npm audit --json` (lockfile v3 format)."""
    lines = []
    for name, vuln in sorted(payload.get("vulnerabilities", {}).items()):
        titles = [v["title"] for v in vuln.get("via", []) if isinstance(v, dict) and "title" in v]
        lines.append(
            f"{name} {vuln.get('severity', '?')}: {'; '.join(titles) or 'via ' + str(vuln.get('via'))}"
        )
    return lines


def _run_json(argv: list[str], cwd: Path) -> tuple[dict | None, str]:
    try:
        proc = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, str(exc)
    try:
        return json.loads(proc.stdout), ""
    except json.JSONDecodeError:
        return None, (proc.stderr.strip().splitlines() or ["no output"])[-1]


def audit(root: Path = ROOT) -> list[AuditReport]:
    bin_dir = Path(sys.executable).parent
    reports = []
    payload, err = _run_json(
        [
            str(bin_dir / "pip-audit"),
            "-r",
            "requirements/dev.lock",
            "--disable-pip",
            "--no-deps",
            "--progress-spinner",
            "off",
            "-f",
            "json",
        ],
        root,
    )
    reports.append(
        AuditReport(
            "pip-audit requirements/dev.lock", payload is not None, parse_pip_audit(payload or {}), err
        )
    )
    if (WIDGET / "package-lock.json").exists():
        payload, err = _run_json(["npm", "audit", "--omit=dev", "--json"], WIDGET)
        ran = payload is not None and "error" not in payload
        note = err or (payload or {}).get("message") or (payload or {}).get("error", {}).get("summary", "")
        reports.append(
            AuditReport("npm audit --omit=dev (widget)", ran, parse_npm_audit(payload or {}), note)
        )
    return reports


def render_audit(reports: list[AuditReport]) -> str:
    """Pure: Markdown for the terminal and the GitHub step summary."""
    out = ["### Dependency audits (reported, not gated)", ""]
    for r in reports:
        if not r.ran:
            out.append(f"- **{r.tool}**: did not run ({r.note or 'unknown error'})")
        elif not r.vulnerabilities:
            out.append(f"- **{r.tool}**: no known vulnerabilities")
        else:
            out.append(f"- **{r.tool}**: {len(r.vulnerabilities)} known vulnerabilities")
            out += [f"  - {v}" for v in r.vulnerabilities]
    return "\n".join(out) + "\n"


def main(argv: list[str]) -> int:
    what = argv[0] if argv else "tree"
    if what == "tree":
        findings = scan_tree()
        for f in findings:
            print(f)
        print(f"hygiene: {len(tracked_files())} tracked files, {len(findings)} finding(s)")
        return 1 if findings else 0
    if what == "secrets":
        findings = detect_secrets()
        for f in findings:
            print(f)
        print(f"detect-secrets: {len(findings)} new finding(s) against {BASELINE}")
        if findings:
            print(SECRETS_HINT)
        return 1 if findings else 0
    if what == "audit":
        from orchestrator import github

        reports = audit()
        text = render_audit(reports)
        print(text)
        github.write_step_summary(text)
        found = any(r.vulnerabilities for r in reports)
        return 1 if "--strict" in argv and (found or not all(r.ran for r in reports)) else 0
    print(f"usage: python -m orchestrator.quality.hygiene [tree|secrets|audit [--strict]] (not {what!r})")
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
