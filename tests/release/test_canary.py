"""`inv canary` against the embedded AWS and a real git repo: the routing object, its invalidation,
the manifest's event log, promote and abort."""

from __future__ import annotations

import json

import boto3
import pytest
from release_world import invalidated_paths, objects, two_releases_latest_on_first, world

from orchestrator.core import canary as cn
from orchestrator.errors import UserError
from orchestrator.release import canary, release, rollback

REQ = release.Request(env="dev", component="widget")


@pytest.fixture
def on_canary(release_repo, dev):
    """1.0.0 is stable/latest in dev; 1.1.0 is released and published there but not on latest."""
    return world("two releases, latest back on 1.0.0", release_repo, dev, two_releases_latest_on_first)


def routing(dev) -> dict:
    return json.loads(boto3.client("s3").get_object(Bucket=dev.widget_bucket, Key=cn.KEY)["Body"].read())


def test_start_writes_the_routing_object_invalidates_it_and_records_the_command(on_canary, dev):
    plan, outcome = canary.run(on_canary.path, "start", "dev", "1.1.0", tenants="salon-luna", tgt=dev)
    assert outcome.journal.status == "done"
    obj = routing(dev)
    assert obj["state"] == "active" and obj["stable"] == "1.0.0"
    assert cn.decide(obj, "salon-luna", "latest", "1.0.0")["version"] == "1.1.0"
    assert cn.decide(obj, "demo-clinic", "latest", "1.0.0") is None
    info = json.loads(
        boto3.client("s3")
        .get_object(Bucket=dev.artifact_bucket, Key="widget/versions/1.1.0/build-info.json")["Body"]
        .read()
    )
    assert obj["canary"]["integrity"] == info["files"]["chat-widget.app.js"]["sha384"]
    assert objects(dev.widget_bucket)[cn.KEY]["cache"] == cn.CACHE_CONTROL
    assert invalidated_paths(dev.distribution_id)[-1] == [cn.PATH]
    event = on_canary.manifest()["events"][-1]
    assert event["action"] == "canary-start"
    assert event["details"]["canary"] == {
        "version": "1.1.0",
        "tenants": ["salon-luna"],
        "percent": 0,
        "state": "active",
    }
    assert on_canary.manifest()["environments"]["dev"]["channels"]["latest"] == "1.0.0"


def test_set_raises_the_percentage_keeping_the_tenants_and_status_reports_it(on_canary, dev):
    canary.run(on_canary.path, "start", "dev", "1.1.0", tenants="salon-luna", tgt=dev)
    canary.run(on_canary.path, "set", "dev", percent="25", tgt=dev)
    obj = routing(dev)
    assert obj["canary"]["percent_bp"] == 2500
    assert obj["canary"]["tenants"] == [cn.tenant_digest("dev:1.1.0", "salon-luna")]
    st = canary.status(on_canary.path, "dev", tgt=dev)
    assert (st["state"], st["version"], st["percent"], st["tenants"]) == (
        "active",
        "1.1.0",
        25,
        ["salon-luna"],
    )
    assert st["since"] and st["last_event"]["action"] == "canary-set"


def test_abort_puts_everyone_back_on_stable(on_canary, dev):
    canary.run(on_canary.path, "start", "dev", "1.1.0", percent="100", tgt=dev)
    canary.run(on_canary.path, "abort", "dev", reason="errors up", tgt=dev)
    obj = routing(dev)
    assert obj["state"] == "aborted" and cn.decide(obj, "anyone", "latest", "1.0.0") is None
    assert invalidated_paths(dev.distribution_id)[-1] == [cn.PATH]
    assert on_canary.manifest()["events"][-1]["details"]["reason"] == "errors up"
    assert canary.status(on_canary.path, "dev", tgt=dev)["state"] == "aborted"


def test_promote_moves_latest_and_stable_then_ends_the_routing(on_canary, dev):
    canary.run(on_canary.path, "start", "dev", "1.1.0", tenants="salon-luna", tgt=dev)
    canary.run(on_canary.path, "promote", "dev", tgt=dev)
    published = objects(dev.widget_bucket)
    assert published["latest/chat-widget.js"]["version"] == "1.1.0"
    assert published["stable/chat-widget.js"]["version"] == "1.1.0"
    assert routing(dev)["state"] == "promoted"
    assert invalidated_paths(dev.distribution_id)[-1] == sorted(
        ["/latest/chat-widget.js", "/stable/chat-widget.js", cn.PATH]
    )
    assert on_canary.manifest()["environments"]["dev"]["channels"]["latest"] == "1.1.0"


def test_dry_run_changes_nothing(on_canary, dev):
    plan, outcome = canary.run(on_canary.path, "start", "dev", "1.1.0", percent="10", dry_run=True, tgt=dev)
    assert outcome is None and plan["routing"]["canary"]["percent_bp"] == 1000
    assert routing(dev)["state"] == "idle"


@pytest.mark.parametrize(
    ("action", "kwargs", "message"),
    [
        ("start", {"version": "1.1.0"}, "a canary for nobody"),
        ("start", {"version": "9.9.9", "percent": "5"}, "never released"),
        ("start", {"version": "1.0.0", "percent": "5"}, "already stable"),
        ("start", {"version": "1.1.0", "percent": "150"}, "out of range"),
        ("set", {"percent": "5"}, "no active canary"),
        ("abort", {}, "no active canary"),
        ("promote", {}, "no active canary"),
    ],
)
def test_bad_requests_are_refused_before_anything_is_written(on_canary, dev, action, kwargs, message):
    with pytest.raises(UserError, match=message):
        canary.run(on_canary.path, action, "dev", tgt=dev, **kwargs)
    assert routing(dev)["state"] == "idle"


def test_a_second_version_cannot_be_started_over_an_active_canary(on_canary, dev):
    canary.run(on_canary.path, "start", "dev", "1.1.0", percent="5", tgt=dev)
    on_canary.commit("feat: more", "widget/src/app.js", "console.log('more');\n")
    release.run(on_canary.path, REQ, tgt=dev)
    rollback.run(on_canary.path, "set-channel", "dev", "latest", to="1.0.0", tgt=dev)
    with pytest.raises(UserError, match="already has 1.1.0 on canary"):
        canary.run(on_canary.path, "start", "dev", "1.2.0", percent="5", tgt=dev)


def test_a_release_leaves_an_idle_routing_object_so_loaders_never_meet_a_403(on_canary, dev):
    obj = routing(dev)
    assert obj["state"] == "idle" and obj["schema"] == cn.SCHEMA
    assert cn.decide(obj, "anyone", "latest", "1.0.0") is None
    assert canary.status(on_canary.path, "dev", tgt=dev)["state"] == "idle"


def test_promote_with_canary_reaches_canary_without_moving_latest_then_canary_promote_finishes(
    release_repo, dev
):
    from release_world import make_target

    from orchestrator.release import promote

    release.run(release_repo.path, REQ, tgt=dev)
    qa = make_target("qa")
    approved = promote.Approval(approve=True)
    plan, outcome = promote.run(
        release_repo.path,
        "qa",
        approval=approved,
        tgt=qa,
        source=dev,
        canary={"tenants": "salon-luna", "percent": ""},
    )
    assert outcome.journal.status == "done"
    assert "move-channels" not in plan["steps"] and "write-routing" in plan["steps"]
    published = objects(qa.widget_bucket)
    assert "v1.0.0/chat-widget.app.js" in published and "latest/chat-widget.js" not in published
    assert cn.decide(routing(qa), "salon-luna", "latest", "0.9.0")["version"] == "1.0.0"
    assert canary.status(release_repo.path, "qa", tgt=qa)["tenants"] == ["salon-luna"]

    canary.run(release_repo.path, "promote", "qa", tgt=qa)
    assert objects(qa.widget_bucket)["latest/chat-widget.js"]["version"] == "1.0.0"
    assert routing(qa)["state"] == "promoted"


def test_promote_with_a_canary_for_nobody_is_refused(release_repo, dev):
    from release_world import make_target

    from orchestrator.release import promote

    release.run(release_repo.path, REQ, tgt=dev)
    qa = make_target("qa")
    with pytest.raises(UserError, match="a canary for nobody"):
        promote.run(
            release_repo.path, "qa", approval=promote.Approval(approve=True), tgt=qa, source=dev,
            canary={"tenants": "", "percent": "0"},
        )  # fmt: skip
