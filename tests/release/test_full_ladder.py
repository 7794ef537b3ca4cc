"""The whole ladder with the backend, as a user runs it against the embedded AWS: environments
bootstrapped and deployed by the deploy engine, targets resolved from their stacks, a release
of widget + backend to dev, promotions to qa and to prod (blue/green), and a widget rollback."""

from __future__ import annotations

import pytest
from release_world import MONOREPO, objects

from orchestrator.core import checklist as cl
from orchestrator.core.release_plan import plan_hash
from orchestrator.deploy import backend_commands, rollout
from orchestrator.engine import target
from orchestrator.release import promote, release, rollback


@pytest.fixture
def environments(aws):
    """First-time set-up of each environment: `./inv bootstrap ENV` and `./inv deploy ENV`."""
    for env in ("dev", "qa", "prod"):
        rollout.bootstrap(env, echo=lambda s: None)
        rollout.deploy(env, version="0.0.0-setup", echo=lambda s: None)


def test_release_then_promote_qa_and_prod_then_roll_back(release_repo, environments, tmp_path):
    schema = (MONOREPO / "infra/graphql/schema.graphql").read_text()
    release_repo.commit("feat: booking api", "infra/graphql/schema.graphql", schema)
    outcome = release.run(release_repo.path, release.Request(env="dev"))
    plan = outcome.journal.plan
    assert set(plan["components"]) == {"widget", "backend"}
    assert plan["steps"].index("deploy-backend") < plan["steps"].index("move-channels")
    manifest = release_repo.manifest()
    assert manifest["environments"]["dev"]["backend"]["version"] == "1.0.0"

    promote.run(release_repo.path, "qa", approval=promote.Approval(approve=True))
    manifest = release_repo.manifest()
    assert manifest["environments"]["qa"]["backend"]["version"] == "1.0.0"
    assert manifest["environments"]["qa"]["channels"]["latest"] == "1.0.0"

    prod_plan, _ = promote.run(release_repo.path, "prod", dry_run=True)
    assert prod_plan["steps"][:3] == ["copy-widget", "publish-widget", "deploy-backend"]
    checklist = tmp_path / "prod.toml"
    checklist.write_text(cl.template(plan_hash(prod_plan), "ana@example.com").replace("= false", "= true"))
    promote.run(release_repo.path, "prod", approval=promote.Approval(True, checklist))
    prod = release_repo.manifest()["environments"]["prod"]
    assert prod["backend"]["version"] == "1.0.0"
    assert prod["backend"]["colour"] in ("blue", "green")
    assert prod["channels"]["latest"] == "1.0.0"

    # A second widget release in dev, up to prod, then an instant rollback there.
    release_repo.commit("feat: slots", "widget/src/app.js", "console.log('slots');\n")
    release.run(release_repo.path, release.Request(env="dev", component="widget"))
    promote.run(release_repo.path, "qa", approval=promote.Approval(approve=True))
    prod_plan, _ = promote.run(release_repo.path, "prod", dry_run=True)
    checklist.write_text(cl.template(plan_hash(prod_plan), "ana@example.com").replace("= false", "= true"))
    promote.run(release_repo.path, "prod", approval=promote.Approval(True, checklist))
    prod_target = target.resolve("prod")
    assert objects(prod_target.widget_bucket)["latest/chat-widget.js"]["version"] == "1.1.0"
    rollback.run(release_repo.path, "rollback-widget", "prod", "latest")
    assert objects(prod_target.widget_bucket)["latest/chat-widget.js"]["version"] == "1.0.0"

    # The backend too: one operation switches colour (or redeploys) and records it, as the CLI does.
    result = backend_commands.rollback_backend(release_repo.path, "prod", echo=lambda s: None)
    event = release_repo.manifest()["events"][-1]
    assert (event["action"], event["env"], event["details"]["id"]) == (
        "rollback-backend",
        "prod",
        result["journal"],
    )
    assert release_repo.manifest()["environments"]["prod"]["backend"]["version"] == event["version"]
