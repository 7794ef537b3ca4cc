"""The GraphQL compatibility gate on `release` and every `promote` (not only prod's checklist).

The world is real: environments bootstrapped and deployed in the embedded AWS, a temp git repo
whose backend schema is the monorepo's, releases and promotions through the engine. The mini
widget 1.0.0 sends `query TenantConfig { tenantConfig { name } }` (tests/release/mini_widget);
a backend that drops `TenantConfig.name` must wait until no environment's widget asks for it.
"""

from __future__ import annotations

import boto3
import pytest
from release_world import MONOREPO, objects

from orchestrator.deploy import rollout
from orchestrator.engine import target
from orchestrator.errors import UserError
from orchestrator.release import promote, release

SCHEMA = "infra/graphql/schema.graphql"
FULL = (MONOREPO / SCHEMA).read_text()
WITHOUT_NAME = FULL.replace("  name: String!\n  greeting: String!", "  greeting: String!", 1)
APPROVED = promote.Approval(approve=True)


@pytest.fixture
def world(release_repo, aws):
    """dev and qa both run widget 1.0.0 and backend 1.0.0 (the full schema)."""
    assert WITHOUT_NAME != FULL
    for env in ("dev", "qa"):
        rollout.bootstrap(env, echo=lambda s: None)
        rollout.deploy(env, version="0.0.0-setup", echo=lambda s: None)
    release_repo.commit("feat: booking api", SCHEMA, FULL)
    release.run(release_repo.path, release.Request(env="dev"))
    promote.run(release_repo.path, "qa", approval=APPROVED)
    return release_repo


def journals(env: str) -> list[str]:
    bucket = target.resolve(env).artifact_bucket
    listed = boto3.client("s3").list_objects_v2(Bucket=bucket, Prefix=f"journal/{env}/")
    return sorted(o["Key"] for o in listed.get("Contents", []))


def unchanged(repo, env: str):
    """A snapshot of what a refused command must not have touched."""
    return (repo.manifest(), repo.tags(), journals(env), objects(target.resolve(env).widget_bucket))


BREAK = (
    r"backend 2\.0\.0 (\(HEAD \w+\) )?breaks widget 1\.0\.0 on latest/stable: "
    r"operation TenantConfig: Cannot query field 'name' on type 'TenantConfig'\."
)


def test_a_breaking_schema_is_refused_on_release_and_promote_a_compatible_one_passes(world):
    repo = world
    repo.commit("feat!: drop the tenant's name", SCHEMA, WITHOUT_NAME)
    before = unchanged(repo, "dev")

    # release: refused before anything changes (and the dry run shows the same refusal)
    with pytest.raises(UserError, match=BREAK) as refused:
        release.plan(repo.path, release.Request(env="dev"))
    assert refused.value.exit_code == 2
    with pytest.raises(UserError, match=BREAK):
        release.run(repo.path, release.Request(env="dev"))
    assert unchanged(repo, "dev") == before

    # The CLI: one line with the reason, one with what to do, exit 2.
    cli = repo.inv("release", "--env", "dev", "--dry-run")
    assert cli.returncode == 2, cli.stderr
    lines = [line for line in cli.stderr.splitlines() if line.strip()]
    assert lines[0].startswith("refused: backend 2.0.0") and "widget 1.0.0 on latest/stable" in lines[0]
    assert lines[1].startswith("→ ship a widget that no longer sends it first")

    # The widget first (it stops asking for `name`), then the backend: each release is compatible.
    build = (repo.path / "widget/build.mjs").read_text()
    repo.commit(
        "fix: the widget no longer asks for the tenant's name",
        "widget/build.mjs",
        build.replace("tenantConfig { name }", "tenantConfig { tenantId }"),
    )
    release.run(repo.path, release.Request(env="dev", component="widget"))
    plan = release.plan(repo.path, release.Request(env="dev"))
    assert plan["graphql"]["checked"] == {"1.0.1": ["latest", "stable"]}
    assert plan["graphql"]["breaks"] == []
    release.run(repo.path, release.Request(env="dev"))
    assert repo.manifest()["environments"]["dev"]["backend"]["version"] == "2.0.0"

    # promote qa: its stable/latest widget 1.0.0 still asks for `name` → refused, nothing written.
    before = unchanged(repo, "qa")
    with pytest.raises(UserError, match=BREAK):
        promote.run(repo.path, "qa", dry_run=True)
    with pytest.raises(UserError, match=BREAK):
        promote.run(repo.path, "qa", approval=APPROVED)
    with pytest.raises(UserError, match=BREAK):
        promote.run(repo.path, "qa", versions="backend=2.0.0", approval=APPROVED)
    assert unchanged(repo, "qa") == before

    # The compatible order passes: the widget first (checked against qa's backend 1.0.0), then the backend.
    plan, _ = promote.run(repo.path, "qa", versions="widget=1.0.1", dry_run=True)
    assert plan["graphql"]["backend"] == "1.0.0"
    assert plan["graphql"]["checked"]["1.0.1"] == ["promoted to stable/latest"]
    promote.run(repo.path, "qa", versions="widget=1.0.1", approval=APPROVED)
    plan, _ = promote.run(repo.path, "qa", approval=APPROVED)
    assert plan["graphql"] == {
        "backend": "2.0.0",
        "checked": {"1.0.1": ["latest", "stable"]},
        "unrecorded": [],
        "breaks": [],
    }
    assert repo.manifest()["environments"]["qa"]["backend"]["version"] == "2.0.0"


def test_a_widget_on_any_channel_and_on_canary_is_checked_too(world):
    """A widget left on beta (or routed by the canary) keeps calling the backend: it counts."""
    repo = world
    from orchestrator.release import rollback

    build = (repo.path / "widget/build.mjs").read_text()
    repo.commit(
        "feat: new widget",
        "widget/build.mjs",
        build.replace("tenantConfig { name }", "tenantConfig { tenantId }"),
    )
    release.run(repo.path, release.Request(env="dev", component="widget"))
    rollback.run(repo.path, "set-channel", "dev", "beta", "1.0.0")
    repo.commit("feat!: drop the tenant's name", SCHEMA, WITHOUT_NAME)
    with pytest.raises(UserError, match=r"breaks widget 1\.0\.0 on beta: operation TenantConfig"):
        release.plan(repo.path, release.Request(env="dev"))
