"""Smoke tests: what visitors get through the CDN matches what the manifest says was released.

Through the CDN when one serves the environment (CloudFront, or the local CDN of
`inv local-dev`); otherwise straight from the origin bucket, and the report says so.
"""

from __future__ import annotations

import hashlib
import urllib.error
import urllib.request
from dataclasses import dataclass, field

from orchestrator.adapters import cdn
from orchestrator.target import Target

CHECKED_FILES = ("chat-widget.js", "chat-widget.app.js", "chat-widget.umd.js", "build-info.json")


@dataclass
class Report:
    via: str
    checked: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _fetch(target: Target, key: str) -> bytes | None:
    if target.cdn_url:
        url = f"{target.cdn_url.rstrip('/')}/{key}"
        try:
            with urllib.request.urlopen(
                urllib.request.Request(url, headers={"Cache-Control": "no-cache"}), timeout=20
            ) as r:
                return r.read()
        except urllib.error.HTTPError as err:
            if err.code == 404:
                return None
            raise
    try:
        return cdn.get_bytes(target.widget_bucket, key)
    except cdn.ClientError:
        return None


def check_channels(target: Target, channels: dict[str, str]) -> Report:
    """Each channel serves its version's loader; each version serves its files, byte for byte."""
    from orchestrator.steps.widget import LOADER, version_files

    report = Report(via=target.cdn_url or f"s3://{target.widget_bucket} (origin)")
    expected: dict[str, dict[str, str]] = {}
    for version in sorted(set(channels.values())):
        expected[version] = version_files(target.artifact_bucket, version)
        for name in CHECKED_FILES:
            _compare(target, f"v{version}/{name}", expected[version].get(name), report)
    for channel, version in sorted(channels.items()):
        _compare(target, f"{channel}/{LOADER}", expected[version][LOADER], report)
    return report


def _compare(target: Target, key: str, sha256: str | None, report: Report) -> None:
    body = _fetch(target, key)
    report.checked.append(key)
    if body is None:
        report.problems.append(f"/{key} is not served")
    elif sha256 and hashlib.sha256(body).hexdigest() != sha256:
        report.problems.append(f"/{key} serves other bytes than released")
