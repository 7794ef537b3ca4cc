"""Git through GitPython: state checks, history per path, release commits, tags, atomic push."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import git
from semver import Version

from orchestrator.core.commits import Commit
from orchestrator.errors import UserError


def open_repo(path: Path) -> git.Repo:
    try:
        return git.Repo(path, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise UserError(
            f"{path} is not inside a git repository", "run this from a clone of the repo"
        ) from None


def dirty_paths(repo: git.Repo) -> list[str]:
    """Modified, staged and untracked (not ignored) paths."""
    out = repo.git.status("--porcelain", "--untracked-files=normal")
    return [line[3:] for line in out.splitlines() if line.strip()]


def require_clean(repo: git.Repo) -> None:
    dirty = dirty_paths(repo)
    if dirty:
        shown = ", ".join(dirty[:3]) + (f" and {len(dirty) - 3} more" if len(dirty) > 3 else "")
        raise UserError(f"the working tree is not clean ({shown})", "commit or stash your changes first")


def require_up_to_date(repo: git.Repo) -> None:
    """Refuse when the branch is behind its upstream (fetching first, when there is one)."""
    if repo.head.is_detached:
        raise UserError("HEAD is detached", "check out the branch you release from")
    tracking = repo.active_branch.tracking_branch()
    if tracking is None:
        return
    try:
        repo.remote(tracking.remote_name).fetch(prune=False)
    except git.GitCommandError as err:
        raise UserError(
            f"could not fetch {tracking.remote_name}: {err.stderr.strip() or err}",
            "check the remote and network",
        ) from None
    behind = int(repo.git.rev_list("--count", f"HEAD..{tracking.name}"))
    if behind:
        raise UserError(
            f"{repo.active_branch.name} is {behind} commit(s) behind {tracking.name}", "pull first"
        )


def head_sha(repo: git.Repo) -> str:
    return repo.head.commit.hexsha


def tagged_versions(repo: git.Repo, prefix: str) -> dict[Version, str]:
    """Versions tagged `<prefix><semver>` → the tag's commit sha; other tags are ignored."""
    found = {}
    for tag in repo.tags:
        if not tag.name.startswith(prefix):
            continue
        try:
            found[Version.parse(tag.name[len(prefix) :])] = tag.commit.hexsha
        except ValueError:
            continue
    return found


def commits_touching(repo: git.Repo, paths: list[str], since: str | None) -> list[Commit]:
    """Commits (newest first) since `since` (a tag or sha; None = all history) touching `paths`."""
    rev = f"{since}..HEAD" if since else "HEAD"
    try:
        return [Commit(c.hexsha, c.message) for c in repo.iter_commits(rev, paths=paths)]
    except git.GitCommandError as err:
        if "does not have any commits" in str(err) or "unknown revision" in str(err):
            return []
        raise


def changed_files(repo: git.Repo, sha: str, prefix: str) -> list[str]:
    """Paths under `prefix` that commit `sha` changed (against its first parent)."""
    commit = repo.commit(sha)
    parent = commit.parents[0] if commit.parents else git.NULL_TREE
    diffs = commit.diff(parent, paths=[prefix]) if parent is not git.NULL_TREE else commit.diff(git.NULL_TREE)
    return sorted({d.a_path or d.b_path for d in diffs if (d.a_path or d.b_path).startswith(prefix)})


def file_at(repo: git.Repo, ref: str, path: str) -> str | None:
    """The text of `path` at `ref`, or None where it does not exist."""
    try:
        return repo.git.show(f"{ref}:{path}")
    except git.GitCommandError:
        return None


def commit_files(repo: git.Repo, paths: list[Path], message: str) -> str:
    repo.index.add([str(p) for p in paths])
    if not repo.index.diff("HEAD", paths=[str(p) for p in paths]):
        return head_sha(repo)  # nothing new (a resumed run already committed these contents)
    repo.git.commit("-m", message, "--", *[str(p) for p in paths])
    return head_sha(repo)


def create_tag(repo: git.Repo, name: str, message: str, ref: str = "HEAD") -> None:
    if name in repo.tags:
        if repo.tags[name].commit.hexsha != repo.commit(ref).hexsha:
            raise UserError(
                f"tag {name} already exists on another commit", "tags are never moved; investigate"
            )
        return
    repo.create_tag(name, ref=ref, message=message)


def find_release_commit(repo: git.Repo, subject_fragment: str) -> str | None:
    """The newest release commit whose subject mentions e.g. 'widget 1.4.0' (to repair a missing tag)."""
    for c in repo.iter_commits("HEAD", grep="chore(release):"):
        subject = c.message.split("\n", 1)[0]
        if not subject.startswith("chore(release):"):
            continue
        names = subject.split(":", 1)[1]
        if subject_fragment in [n.strip() for n in names.split(",")]:
            return c.hexsha
    return None


def push_atomic(repo: git.Repo, tags: list[str]) -> str | None:
    """Push the branch and tags in one atomic push; None when the repo has no remote."""
    if not repo.remotes:
        return None
    branch = repo.active_branch
    tracking = branch.tracking_branch()
    remote = tracking.remote_name if tracking else repo.remotes[0].name
    target = tracking.remote_head if tracking else branch.name
    try:
        repo.git.push("--atomic", remote, f"{branch.name}:{target}", *[f"refs/tags/{t}" for t in tags])
    except git.GitCommandError as err:
        raise UserError(
            f"push to {remote} was refused: {err.stderr.strip()}",
            "nothing was pushed (atomic); pull, then run the command again to push",
        ) from None
    return remote


@contextmanager
def worktree_at(repo: git.Repo, sha: str) -> Iterator[Path]:
    """A throwaway detached checkout of `sha` (to read the tree a release was built from)."""
    where = Path(tempfile.mkdtemp(prefix="bookingchat-at-"))
    repo.git.worktree("add", "--detach", str(where), sha)
    try:
        yield where
    finally:
        repo.git.worktree("remove", "--force", str(where))


def is_ancestor(repo: git.Repo, older: str, newer: str) -> bool:
    return repo.is_ancestor(older, newer)


def who(repo: git.Repo | None = None) -> str:
    from orchestrator.adapters import identity

    return identity.who(repo.working_tree_dir if repo is not None else None)
