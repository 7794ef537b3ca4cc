"""promote qa and prod: same bytes, the ladder, approvals, the checklist bound to the plan hash."""

from __future__ import annotations

import boto3
import pytest
from release_world import make_target, objects

from orchestrator.core import checklist as cl
from orchestrator.core.release_plan import plan_hash
from orchestrator.errors import UserError
from orchestrator.release import promote, release
from orchestrator.release.yank import yank

REQ = release.Request(env="dev", component="widget")
APPROVED = promote.Approval(approve=True)


@pytest.fixture
def ladder(release_repo, dev):
    """dev has widget 1.0.0; qa and prod exist, empty."""
    release.run(release_repo.path, REQ, tgt=dev)
    return {"dev": dev, "qa": make_target("qa"), "prod": make_target("prod")}


def promote_to(repo, ladder, env, **kw):
    source = ladder[promote.source_of(env)]
    return promote.run(repo.path, env, tgt=ladder[env], source=source, **kw)


def version_dir(bucket: str, version: str) -> dict:
    return {
        k.split("/", 1)[1]: v["sha256"] for k, v in objects(bucket).items() if k.startswith(f"v{version}/")
    }


def test_promote_qa_copies_the_exact_bytes_moves_stable_and_records_the_approval(release_repo, ladder):
    plan, outcome = promote_to(release_repo, ladder, "qa", approval=APPROVED)
    assert plan["steps"] == [
        "copy-widget",
        "publish-widget",
        "move-channels",
        "invalidate",
        "smoke",
        "record-environment",
    ]
    assert "build-widget" not in plan["steps"], "promotion never rebuilds"
    assert version_dir(ladder["qa"].widget_bucket, "1.0.0") == version_dir(
        ladder["dev"].widget_bucket, "1.0.0"
    )
    assert objects(ladder["qa"].widget_bucket)["latest/chat-widget.js"]["version"] == "1.0.0"
    event = release_repo.manifest()["events"][-1]
    assert (event["action"], event["env"], event["details"]["smoke"]["passed"]) == ("promote", "qa", True)
    assert event["approval"] == "approved by releaser@example.com"
    assert event["plan_hash"] == plan_hash(plan) == outcome.journal.plan_hash


def test_qa_without_approval_is_refused(release_repo, ladder):
    with pytest.raises(UserError, match="needs an approval"):
        promote_to(release_repo, ladder, "qa")
    assert objects(ladder["qa"].widget_bucket) == {}


def test_dev_is_released_to_never_promoted_to(release_repo, ladder):
    with pytest.raises(UserError, match="dev cannot be promoted to"):
        promote.run(release_repo.path, "dev", approval=APPROVED, tgt=ladder["dev"], source=ladder["dev"])


def test_prod_refuses_what_never_ran_in_qa(release_repo, ladder):
    with pytest.raises(UserError, match="qa runs nothing to promote yet"):
        promote_to(release_repo, ladder, "prod", approval=APPROVED)
    with pytest.raises(UserError, match="widget 1.0.0 never ran in qa"):
        promote_to(release_repo, ladder, "prod", versions="widget=1.0.0", approval=APPROVED)


def test_a_yanked_or_unknown_version_is_refused(release_repo, ladder):
    with pytest.raises(UserError, match="widget 7.0.0 was never released"):
        promote_to(release_repo, ladder, "qa", versions="widget=7.0.0", approval=APPROVED)
    yank(release_repo.path, "1.0.0", "bad")
    with pytest.raises(UserError, match="widget 1.0.0 is yanked"):
        promote_to(release_repo, ladder, "qa", approval=APPROVED)


def test_a_prerelease_is_never_promoted_onto_stable(release_repo, ladder):
    release_repo.commit("feat: cards", "widget/src/app.js", "console.log('cards');\n")
    release.run(
        release_repo.path, release.Request(env="dev", channel="beta", component="widget"), tgt=ladder["dev"]
    )
    beta = release_repo.manifest()["environments"]["dev"]["channels"]["beta"]
    assert "-" in beta  # a prerelease, e.g. 1.1.0-beta.1
    with pytest.raises(UserError, match=f"not the prerelease widget {beta}"):
        promote_to(release_repo, ladder, "qa", versions=f"widget={beta}", approval=APPROVED)
    assert "qa" not in release_repo.manifest()["environments"]


def write_checklist(path, plan, **overrides):
    text = cl.template(plan_hash(plan), "ana@example.com").replace("= false", "= true")
    for item, value in overrides.items():
        text = text.replace(f"{item} = true", f"{item} = {value}")
    path.write_text(text)
    return path


def test_prod_needs_a_checklist_bound_to_this_plan_and_verifies_every_item(release_repo, ladder, tmp_path):
    promote_to(release_repo, ladder, "qa", approval=APPROVED)
    plan, _ = promote_to(release_repo, ladder, "prod", dry_run=True)
    with pytest.raises(UserError, match="prod needs a checklist"):
        promote_to(release_repo, ladder, "prod", approval=APPROVED)

    stale = write_checklist(tmp_path / "stale.toml", {**plan, "channels": {}})
    with pytest.raises(UserError, match="the checklist approves plan sha256:.*but this plan is"):
        promote_to(release_repo, ladder, "prod", approval=promote.Approval(True, stale))

    unconfirmed = write_checklist(tmp_path / "unconfirmed.toml", plan, qa_smoke_passed="false")
    with pytest.raises(UserError, match=r"not confirmed: qa's smoke test passed for it \(qa_smoke_passed\)"):
        promote_to(release_repo, ladder, "prod", approval=promote.Approval(True, unconfirmed))

    # A confirmed item that does not hold is refused too: the tool checks, not the human.
    cw = boto3.client("cloudwatch")
    cw.put_metric_alarm(
        AlarmName="bookingchat-qa-appsync-latency",
        MetricName="Latency",
        Namespace="AWS/AppSync",
        Statistic="Average",
        Period=60,
        EvaluationPeriods=1,
        Threshold=2000,
        ComparisonOperator="GreaterThanThreshold",
    )
    cw.set_alarm_state(AlarmName="bookingchat-qa-appsync-latency", StateValue="ALARM", StateReason="slow")
    good = write_checklist(tmp_path / "good.toml", plan)
    with pytest.raises(UserError, match="alarm\\(s\\) firing in qa: bookingchat-qa-appsync-latency"):
        promote_to(release_repo, ladder, "prod", approval=promote.Approval(True, good))
    cw.delete_alarms(AlarmNames=["bookingchat-qa-appsync-latency"])

    plan, outcome = promote_to(release_repo, ladder, "prod", approval=promote.Approval(True, good))
    assert outcome.journal.status == "done"
    assert version_dir(ladder["prod"].widget_bucket, "1.0.0") == version_dir(
        ladder["dev"].widget_bucket, "1.0.0"
    )
    event = release_repo.manifest()["events"][-1]
    assert event["approval"].startswith("approved by ana@example.com with checklist for sha256:")
    assert release_repo.manifest()["environments"]["prod"]["channels"]["latest"] == "1.0.0"


def test_promoting_again_has_nothing_to_do(release_repo, ladder):
    promote_to(release_repo, ladder, "qa", approval=APPROVED)
    plan, outcome = promote_to(release_repo, ladder, "qa", approval=APPROVED)
    assert plan is None and outcome is None
