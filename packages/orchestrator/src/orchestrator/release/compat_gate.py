"""The GraphQL compatibility gate of `release` and every `promote` (and the prod checklist's fact).

Before a backend reaches an environment, every widget version its visitors may still run there —
each channel and the canary routing (`core.compat.live_widgets`), plus the widget being released
or promoted — must still validate against the backend's schema. The schema is read from git at
the backend's commit (HEAD for a release that builds it, else the release's recorded `git_sha`);
the operations each widget version sends are recorded per version in the manifest (build-info.json
→ `graphql_operations`). A break refuses the command before anything changes (exit 2, one line).
"""

from __future__ import annotations

from pathlib import Path

from graphql import GraphQLError

from orchestrator.adapters import git as gitx
from orchestrator.core import compat
from orchestrator.core import manifest as mf
from orchestrator.errors import UserError

SCHEMA = "infra/graphql/schema.graphql"
WIDGET_OPERATIONS = "widget/src/api/operations.graphql"


def _schema(sdl: str, backend: str):
    from backend.graphql_schema import load_schema_text  # the one loader AppSync's scalars agree on

    try:
        return load_schema_text(sdl)
    except (GraphQLError, TypeError) as err:
        raise UserError(
            f"backend {backend}'s {SCHEMA} does not load: {str(err).splitlines()[0]}", "fix the schema"
        ) from None


def run(
    root: Path,
    manifest: mf.Manifest,
    env: str,
    backend: str | None,
    backend_sha: str | None,
    extra: dict[str, tuple[str, dict[str, str]]] | None = None,
) -> dict | None:
    """Check and refuse on a break; the result (for the plan and --dry-run), None when `env` has no
    backend to check against. `extra`: version → (where it is going, its operations)."""
    if backend is None or backend_sha is None:
        return None
    sdl = gitx.file_at(gitx.open_repo(root), backend_sha, SCHEMA)
    if sdl is None:
        return None  # that backend serves no GraphQL schema, so no widget operation can break on it
    where = compat.live_widgets(manifest, env)
    releases = manifest.component("widget").releases
    operations = {v: dict(releases[v].graphql_operations) for v in where if v in releases}
    for version, (label, ops) in (extra or {}).items():
        where.setdefault(version, []).append(label)
        operations[version] = {**operations.get(version, {}), **ops}
    result = compat.check(_schema(sdl, backend), backend, where, operations)
    if line := compat.refusal(result):
        raise UserError(
            line,
            "ship a widget that no longer sends it first (or keep the field, deprecated); "
            f"./inv status --env {env} shows which widget runs where",
        )
    return result


def env_backend(manifest: mf.Manifest, env: str) -> tuple[str | None, str | None]:
    """(version, git sha) of the backend `env` runs now, per the manifest."""
    state = manifest.environments.get(env)
    if not state or not state.backend:
        return None, None
    release = manifest.component("backend").releases.get(state.backend.version)
    return state.backend.version, release.git_sha if release else None


def widget_operations_at(root: Path, sha: str) -> dict[str, str]:
    """What a widget built from `sha` will send (`widget/src/api/operations.graphql`), known before
    the build: one document, validated whole (its fragments are shared between operations)."""
    text = gitx.file_at(gitx.open_repo(root), sha, WIDGET_OPERATIONS)
    return {"operations.graphql": text} if text else {}
