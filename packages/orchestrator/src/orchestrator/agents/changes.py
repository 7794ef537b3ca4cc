"""A tool-schema change is a breaking change of the agent, called out in the changelog.

Like a GraphQL break, a removed tool or parameter, a changed type or a new required parameter
in `infra/agents/*/action-group.yaml` breaks agents already in use. A commit that makes one is
released as breaking even when its message forgot to say so (`feat!:`/`BREAKING CHANGE:`): the
version bumps major and the changelog lists it under "Breaking changes" with what broke.
"""

from __future__ import annotations

from dataclasses import replace

import yaml

from orchestrator.adapters import git as gitx
from orchestrator.core import agent_definition as ad
from orchestrator.core.commits import ParsedCommit

PREFIX = "infra/agents/"


def _functions(text: str | None) -> list[ad.Function]:
    if not text:
        return []
    try:
        data = yaml.safe_load(text) or {}
        return [ad.Function.model_validate(f) for f in data.get("functions", [])]
    except (yaml.YAMLError, ValueError):
        return []  # an unreadable file is the import's refusal to make, not the changelog's


def unmarked_breaks(repo, commits: list[ParsedCommit]) -> list[str]:
    """'<sha> <file>: <break>' for each tool-schema break in a commit not marked breaking."""
    found = []
    for c in commits:
        if c.breaking:
            continue
        sha = c.commit.sha
        for path in gitx.changed_files(repo, sha, PREFIX):
            if not path.endswith("/action-group.yaml"):
                continue
            before = _functions(gitx.file_at(repo, f"{sha}^", path))
            after = _functions(gitx.file_at(repo, sha, path))
            found += [f"{sha[:7]} {path}: {b}" for b in ad.tool_schema_breaks(before, after)]
    return found


def mark_breaks(repo, commits: list[ParsedCommit]) -> list[ParsedCommit]:
    """The commits, each unmarked one with a tool-schema break marked breaking, with a note."""
    out = []
    for c in commits:
        found = [] if c.breaking else unmarked_breaks(repo, [c])
        if found:
            note = "Agent tool schema: " + "; ".join(f.split(": ", 1)[1] for f in found) + "."
            c = replace(c, breaking=True, breaking_note=note)
        out.append(c)
    return out
