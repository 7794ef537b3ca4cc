"""Decide a component's next version from its released versions and its commits. Pure.

Versions come from git tags (the source of truth), never from memory, and so do prerelease
counters. `stable` releases plain versions (graduating a prerelease line); `alpha`/`beta`
release `X.Y.Z-<channel>.N`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from semver import Version

from orchestrator.core.commits import Bump, ParsedCommit, bump_for
from orchestrator.errors import UserError

VERSION_CHANNELS = ("stable", "beta", "alpha")
PRERELEASE_CHANNELS = ("alpha", "beta")
FIRST = Version(1, 0, 0)


@dataclass(frozen=True)
class Decision:
    """What `inv version` will do for one component."""

    current: Version | None
    next: Version | None  # None: nothing to release
    bump: Bump | None  # the bump applied to the last stable version (None for a first release)
    commits: tuple[ParsedCommit, ...]  # the commits the changelog lists for `next`
    reason: str

    @property
    def releases(self) -> bool:
        return self.next is not None


def check_channel(channel: str) -> str:
    if channel not in VERSION_CHANNELS:
        hint = "use --channel stable, beta or alpha"
        if channel == "canary":
            hint = "canary carries an existing version: point it with `inv set-channel canary VERSION`"
        raise UserError(f"unknown release channel {channel!r}", hint)
    return channel


def _base(version: Version) -> Version:
    return version.finalize_version()


def _channel_of(version: Version) -> str | None:
    return version.prerelease.split(".")[0] if version.prerelease else None


def _counter(version: Version) -> int:
    try:
        return int(version.prerelease.rsplit(".", 1)[1])
    except (IndexError, ValueError):
        return 0


def decide(
    released: Sequence[Version],
    since_last: Sequence[ParsedCommit],
    since_stable: Sequence[ParsedCommit],
    channel: str = "stable",
    forced: Bump | None = None,
) -> Decision:
    """The next version of one component.

    `since_last`: commits touching the component since its latest release (any channel);
    `since_stable`: since its latest plain release. Both are the whole history when there is none.
    """
    check_channel(channel)
    current = max(released, default=None)
    stables = [v for v in released if not v.prerelease]
    last_stable = max(stables, default=None)
    listed = lambda commits: tuple(c for c in commits if c.section)  # noqa: E731

    if current is None:
        first = FIRST if channel == "stable" else FIRST.replace(prerelease=f"{channel}.1")
        return Decision(None, first, None, listed(since_stable), "first release")

    new_since_last = forced or bump_for(list(since_last))
    bump = forced or bump_for(list(since_stable))
    if channel == "stable":
        if bump:
            target = _bumped(last_stable, bump)
        elif current.prerelease:
            target = _base(current)  # graduate the prerelease line as it is
        else:
            return Decision(current, None, None, (), f"no releasable commits since {current}")
        if current.prerelease and _base(current) > target:
            target = _base(current)  # the prerelease line is already ahead: graduate it
        reason = "graduation" if current.prerelease else "release"
        return Decision(current, target, bump or None, listed(since_stable), reason)

    # A prerelease channel.
    switching = bool(current.prerelease) and _channel_of(current) != channel
    if not new_since_last and not switching:
        return Decision(current, None, None, (), f"no releasable commits since {current}")
    target = _bumped(last_stable, bump) if bump else _base(current)
    if current.prerelease and _base(current) > target:
        target = _base(current)  # keep climbing the line already started
    taken = [_counter(v) for v in released if _base(v) == target and _channel_of(v) == channel]
    candidate = target.replace(prerelease=f"{channel}.{max(taken, default=0) + 1}")
    if candidate <= current:
        raise UserError(
            f"{candidate} would sort before the current {current}",
            "release on the same or a later channel (alpha < beta < stable), or pass --bump",
        )
    return Decision(current, candidate, bump or None, listed(since_last), "prerelease")


def _bumped(last_stable: Version | None, bump: Bump) -> Version:
    if last_stable is None:
        return FIRST
    return getattr(last_stable, f"bump_{bump.name.lower()}")()
