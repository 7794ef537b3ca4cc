"""Conventional Commits: parse a commit message and decide the bump it asks for.

`feat` → minor, `fix`/`perf` → patch, `!` after the type or a `BREAKING CHANGE:` footer → major;
any other type (or a message that is not conventional) releases nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import IntEnum


class Bump(IntEnum):
    NONE = 0
    PATCH = 1
    MINOR = 2
    MAJOR = 3

    @property
    def label(self) -> str | None:
        return None if self is Bump.NONE else self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Bump:
        try:
            bump = cls[text.upper()]
        except KeyError:
            bump = cls.NONE
        if bump is cls.NONE:
            raise ValueError(text)
        return bump


_HEADER = re.compile(r"^(?P<type>[a-zA-Z]+)(?:\((?P<scope>[^()\r\n]*)\))?(?P<bang>!)?: (?P<subject>.+)$")
_BREAKING_FOOTER = re.compile(r"^BREAKING[ -]CHANGE: ?(?P<text>.*)$", re.MULTILINE)
_TYPE_BUMPS = {"feat": Bump.MINOR, "fix": Bump.PATCH, "perf": Bump.PATCH}


@dataclass(frozen=True)
class Commit:
    """A commit as the release core sees it: plain data, no git object."""

    sha: str
    message: str

    @property
    def short_sha(self) -> str:
        return self.sha[:7]


@dataclass(frozen=True)
class ParsedCommit:
    commit: Commit
    type: str | None  # None when the header is not conventional
    scope: str | None
    subject: str
    breaking: bool
    breaking_note: str | None

    @property
    def bump(self) -> Bump:
        if self.breaking:
            return Bump.MAJOR
        return _TYPE_BUMPS.get(self.type or "", Bump.NONE)

    @property
    def section(self) -> str | None:
        """The changelog section this commit belongs to, or None when it is not listed."""
        if self.breaking:
            return "Breaking changes"
        return {"feat": "Features", "fix": "Fixes", "perf": "Performance"}.get(self.type or "")


def parse(commit: Commit) -> ParsedCommit:
    header, _, body = commit.message.strip().partition("\n")
    match = _HEADER.match(header.strip())
    footer = _BREAKING_FOOTER.search(body)
    if not match:
        return ParsedCommit(commit, None, None, header.strip(), False, None)
    bang = bool(match["bang"])
    return ParsedCommit(
        commit=commit,
        type=match["type"].lower(),
        scope=match["scope"] or None,
        subject=match["subject"].strip(),
        breaking=bang or footer is not None,
        breaking_note=(footer["text"].strip() or None) if footer else None,
    )


def bump_for(commits: list[ParsedCommit]) -> Bump:
    """The highest bump any of these commits asks for."""
    return max((c.bump for c in commits), default=Bump.NONE)
