"""`inv version`: the first stage of a release — versions, changelog, manifest, commit, tags.

`plan()` reads git and the files and decides (nothing is written); `apply()` writes the
changelog and manifest atomically, commits them, tags each released version and, when asked,
pushes branch and tags in one atomic push. Nothing is published anywhere else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import git
from semver import Version

from orchestrator import components as registry_mod
from orchestrator.adapters import files
from orchestrator.adapters import git as gitx
from orchestrator.agents import changes as agent_changes
from orchestrator.core import changelog
from orchestrator.core import manifest as mf
from orchestrator.core.commits import Bump, parse
from orchestrator.core.versioning import Decision, check_channel, decide
from orchestrator.errors import UserError

MANIFEST = Path("releases/manifest.json")
COMPONENTS = Path("releases/components.toml")
CHANGELOG = Path("CHANGELOG.md")


@dataclass(frozen=True)
class ComponentPlan:
    name: str
    tag_prefix: str
    decision: Decision

    @property
    def tag(self) -> str | None:
        return f"{self.tag_prefix}{self.decision.next}" if self.decision.next else None


@dataclass(frozen=True)
class VersionPlan:
    root: Path
    channel: str
    head_sha: str
    components: dict[str, ComponentPlan]
    repairs: tuple[tuple[str, str], ...] = ()  # (tag, sha) missing after an interrupted run

    @property
    def releasing(self) -> list[ComponentPlan]:
        return [p for p in self.components.values() if p.decision.releases]

    def to_json(self) -> dict:
        return {
            "channel": self.channel,
            "components": {
                name: {
                    "current": str(p.decision.current) if p.decision.current else None,
                    "next": str(p.decision.next) if p.decision.next else None,
                    "bump": p.decision.bump.label if p.decision.bump else None,
                    "tag": p.tag,
                    "reason": p.decision.reason,
                    "commits": [
                        {
                            "sha": c.commit.sha,
                            "type": c.type,
                            "scope": c.scope,
                            "subject": c.subject,
                            "breaking": c.breaking,
                        }
                        for c in p.decision.commits
                    ],
                }
                for name, p in self.components.items()
            },
        }


@dataclass(frozen=True)
class Applied:
    commit: str | None
    tags: list[str] = field(default_factory=list)
    pushed_to: str | None = None


def load_manifest(root: Path) -> mf.Manifest:
    from orchestrator.engine import manifest_store

    return manifest_store.load(root)


def plan(
    root: Path, component: str | None = None, channel: str = "stable", bump: str | None = None
) -> VersionPlan:
    """Decide every selected component's next version. Reads only; needs no credentials."""
    check_channel(channel)
    forced = _parse_bump(bump)
    repo = gitx.open_repo(root)
    root = Path(repo.working_tree_dir)
    if not repo.head.is_valid():
        raise UserError("the repository has no commits yet", "commit something first")
    registry = registry_mod.load(root / COMPONENTS)
    manifest = load_manifest(root)
    plans, repairs = {}, []
    for name, cfg in registry.select(component).items():
        tagged = gitx.tagged_versions(repo, cfg.tag_prefix)
        recorded = manifest.component(name).releases
        released = sorted(set(tagged) | {Version.parse(v) for v in recorded})

        def since(version: Version | None, cfg=cfg, tagged=tagged, recorded=recorded) -> list:
            ref = None
            if version is not None:
                ref = tagged.get(version) or recorded[str(version)].git_sha
            return agent_changes.mark_breaks(
                repo, [parse(c) for c in gitx.commits_touching(repo, cfg.paths, ref)]
            )

        last = max(released, default=None)
        last_stable = max((v for v in released if not v.prerelease), default=None)
        since_last = since(last)
        since_stable = since_last if last_stable == last else since(last_stable)
        decision = decide(released, since_last, since_stable, channel, forced)
        plans[name] = ComponentPlan(name, cfg.tag_prefix, decision)
        for version in recorded:
            if Version.parse(version) not in tagged:
                sha = gitx.find_release_commit(repo, f"{name} {version}")
                if sha:
                    repairs.append((f"{cfg.tag_prefix}{version}", sha))
    return VersionPlan(root, channel, gitx.head_sha(repo), plans, tuple(repairs))


def _parse_bump(bump: str | None) -> Bump | None:
    if not bump:
        return None
    try:
        return Bump.parse(bump)
    except ValueError:
        raise UserError(f"unknown bump {bump!r}", "use --bump major, minor or patch") from None


def preflight(root: Path) -> git.Repo:
    """Everything that would stop `apply` halfway is checked before anything is written."""
    repo = gitx.open_repo(root)
    dirty = gitx.dirty_paths(repo)
    if dirty and set(dirty) <= {str(CHANGELOG), str(MANIFEST)}:
        raise UserError(
            "CHANGELOG.md / releases/manifest.json have uncommitted changes (an interrupted `inv version`?)",
            "discard them with `git checkout -- CHANGELOG.md releases/manifest.json`, then run it again",
        )
    gitx.require_clean(repo)
    gitx.require_up_to_date(repo)
    try:
        repo.config_reader().get_value("user", "name")
        repo.config_reader().get_value("user", "email")
    except Exception:  # noqa: BLE001 — configparser raises several types
        raise UserError("git has no user.name/user.email", "set them with `git config user.name …`") from None
    return repo


def apply(
    plan: VersionPlan,
    push: bool = False,
    now: datetime | None = None,
    extend: Callable[[mf.Manifest, datetime], mf.Manifest] | None = None,
    onto: Path | None = None,
) -> Applied:
    """Write, commit, tag (and push). `extend` adds what a release knows beyond versions
    (artifacts, channels, events) to the same manifest commit.

    `onto`: a checkout whose HEAD descends from `plan.head_sha` (main moved while a release ran):
    the plan's sections and manifest entries are applied to *its* CHANGELOG and manifest — whose
    event log already holds what others recorded meanwhile — and the tags point at that commit."""
    repo = preflight(onto or plan.root)
    if onto is None and gitx.head_sha(repo) != plan.head_sha:
        raise UserError("HEAD moved since the plan was made", "run the command again")
    if onto is not None and not gitx.is_ancestor(repo, plan.head_sha, gitx.head_sha(repo)):
        raise UserError(
            f"HEAD does not contain {plan.head_sha[:7]}, the commit this release was built from",
            "check out the branch it was released from",
        )
    now = now or datetime.now(UTC).replace(microsecond=0)
    root = onto or plan.root
    tags: list[str] = []
    commit = None
    if plan.releasing:
        log = files.read_text(root / CHANGELOG)
        manifest = load_manifest(root)
        for p in plan.releasing:
            d = p.decision
            section = changelog.render_section(p.name, d.next, now.date(), d.commits)
            log = changelog.insert(log, p.name, d.next, section)
            excerpt = changelog.excerpt(log, p.name, d.next) or ""
            release = mf.Release(
                version=str(d.next), tag=p.tag, git_sha=plan.head_sha, date=now, changelog=excerpt
            )
            manifest = mf.with_release(manifest, p.name, release)
            manifest = mf.with_event(
                manifest,
                mf.Event(
                    at=now,
                    by=gitx.who(repo),
                    action="version",
                    component=p.name,
                    version=str(d.next),
                    details={"channel": plan.channel, "bump": d.bump.label if d.bump else None},
                ),
            )
        if extend is not None:
            manifest = extend(manifest, now)
        files.write_atomic(root / CHANGELOG, log)
        files.write_atomic(root / MANIFEST, mf.dumps(manifest))
        subject = ", ".join(f"{p.name} {p.decision.next}" for p in plan.releasing)
        commit = gitx.commit_files(repo, [CHANGELOG, MANIFEST], f"chore(release): {subject}")
        for p in plan.releasing:
            gitx.create_tag(repo, p.tag, f"{p.name} {p.decision.next}\n\n{_excerpt_of(root, p)}", commit)
            tags.append(p.tag)
    for tag, sha in plan.repairs if onto is None else ():
        gitx.create_tag(repo, tag, tag, sha)
        tags.append(tag)
    pushed = gitx.push_atomic(repo, tags) if push and tags else None
    return Applied(commit, tags, pushed)


def _excerpt_of(root: Path, p: ComponentPlan) -> str:
    return changelog.excerpt(files.read_text(root / CHANGELOG), p.name, p.decision.next) or ""
