"""CHANGELOG.md text: one section per released component version, newest first. Pure.

Sections are `## <component> <version> — <date>` with Breaking changes / Features / Fixes /
Performance. Graduating a prerelease line to a stable version folds (removes) that line's
prerelease sections: the stable section already lists every commit since the last stable.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from semver import Version

from orchestrator.core.commits import ParsedCommit

SECTIONS = ("Breaking changes", "Features", "Fixes", "Performance")
HEADER = (
    "# Changelog\n\n"
    "Every released version of each component, newest first. Written by `./inv version`;\n"
    "edit an entry's wording freely, but keep the `## component version` headings.\n"
)
_HEADING = re.compile(r"^## (?P<component>\S+) (?P<version>\S+)")


def render_section(component: str, version: Version, day: date, commits: Sequence[ParsedCommit]) -> str:
    lines = [f"## {component} {version} — {day.isoformat()}", ""]
    for title in SECTIONS:
        entries = [c for c in commits if c.section == title]
        if not entries:
            continue
        lines += [f"### {title}", ""]
        for c in entries:
            scope = f"**{c.scope}:** " if c.scope else ""
            lines.append(f"- {scope}{c.subject} ({c.commit.short_sha})")
            if c.breaking_note:
                lines.append(f"  {c.breaking_note}")
        lines.append("")
    if len(lines) == 2:
        lines += ["- First release." if version == Version(1, 0, 0) else "- No user-facing changes.", ""]
    return "\n".join(lines)


def _split(text: str) -> tuple[str, list[tuple[str, str, str]]]:
    """(preamble, [(component, version, section text)])."""
    preamble, sections, current = [], [], None
    for line in text.splitlines(keepends=True):
        match = _HEADING.match(line)
        if match:
            current = [match["component"], match["version"], line]
            sections.append(current)
        elif current is None:
            preamble.append(line)
        else:
            current[2] += line
    return "".join(preamble), [tuple(s) for s in sections]


def insert(text: str, component: str, version: Version, section: str) -> str:
    """Put `section` first; on a stable version drop that line's prerelease sections."""
    preamble, sections = _split(text or HEADER)
    kept = []
    for comp, ver, body in sections:
        if comp == component and ver == str(version):
            continue  # rewritten (a resumed release renders the same section again)
        if comp == component and not version.prerelease and _is_prerelease_of(ver, version):
            continue  # folded into the stable section
        kept.append(body)
    parts = [preamble.strip("\n"), section.strip("\n"), *(b.strip("\n") for b in kept)]
    return "\n\n".join(parts) + "\n"


def _is_prerelease_of(text: str, stable: Version) -> bool:
    try:
        v = Version.parse(text)
    except ValueError:
        return False
    return bool(v.prerelease) and v.finalize_version() == stable


def excerpt(text: str, component: str, version: Version) -> str | None:
    """The section of one component version, without its heading line."""
    for comp, ver, body in _split(text)[1]:
        if comp == component and ver == str(version):
            return body.split("\n", 1)[1].strip()
    return None
