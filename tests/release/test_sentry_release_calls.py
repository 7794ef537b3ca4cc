"""Sentry kept in step by release, promote and rollback-widget: the calls, in order, exactly once
across a crash and resume; unreachable Sentry is a warning; Sentry on without SENTRY_* is exit 2.

The real sentry-cli (PyPI wheel) talks to tests/sentry_receiver.py through SENTRY_URL: no Sentry
server runs here. The environments' settings are a copy of infra/environments with [sentry] on.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import boto3
import forked
import pytest
from gitrepo import MONOREPO
from release_world import make_target, objects
from sentry_receiver import SentryReceiver

from orchestrator import environments
from orchestrator.core import sentry_calls
from orchestrator.engine.lease import TTL_ENV
from orchestrator.engine.runner import CRASH_ENV
from orchestrator.errors import UserError
from orchestrator.release import promote, release, rollback

RUNNER = Path(__file__).with_name("run_sentry_op.py")
W1, W2 = "booking-chat-widget@1.0.0", "booking-chat-widget@1.0.1"
ORG = "/api/0/organizations/acme"
# What `inv release` of widget 1.0.0 changes in Sentry, in order (GETs and chunk uploads left out).
RELEASE_CALLS = [
    "POST /releases/",  # releases new
    "POST /releases/",  # set-commits makes sure the release exists (sentry-cli does), …
    f"PUT /releases/{W1}/",  # … then sets its commits
    "POST /artifactbundle/assemble/",  # the source maps: Sentry asks for the chunk …
    "POST /artifactbundle/assemble/",  # … (uploaded in between) and assembles the bundle
    f"POST /releases/{W1}/deploys/",
]


@pytest.fixture
def env_dir(tmp_path, monkeypatch):
    """infra/environments with Sentry on in dev, qa and prod; the orchestrator reads this copy."""
    out = tmp_path / "environments"
    shutil.copytree(MONOREPO / "infra/environments", out)
    for env in ("dev", "qa", "prod"):
        with (out / f"{env}.toml").open("a") as f:
            f.write("\n[sentry]\nenabled = true\n")
    monkeypatch.setattr(environments, "load", functools.partial(environments.load, env_dir=out))
    return out


@pytest.fixture
def sentry(env_dir, aws, monkeypatch):
    with SentryReceiver() as r:
        for env in ("dev", "qa", "prod"):  # each environment's DSN, where the widget config comes from
            boto3.client("ssm").put_parameter(
                Name=f"/bookingchat/{env}/SENTRY_DSN", Value=r.dsn(3), Type="String"
            )
        for key, value in {
            "SENTRY_URL": r.url,
            "SENTRY_ORG": "acme",
            "SENTRY_PROJECT": "booking-chat",
            "SENTRY_AUTH_TOKEN": "sntrys_test_token",
            "MINI_WIDGET_MAPS": "1",
        }.items():
            monkeypatch.setenv(key, value)
        yield r


def calls(r: SentryReceiver) -> list[str]:
    """The calls that change something in Sentry, as `METHOD path` below the organisation."""
    out = []
    for method, path in r.api_calls():
        if method == "GET":
            continue
        out.append(f"{method} {path.removeprefix(ORG)}")
    return out


def deploys(r: SentryReceiver) -> list[tuple[str, str, str]]:
    return sorted(
        (rel, d["environment"], d["name"].split(":")[0]) for rel, ds in r.deploys.items() for d in ds
    )


def test_release_promote_and_rollback_make_the_calls_in_order(sentry, release_repo, aws):
    dev, qa = make_target("dev"), make_target("qa")
    outcome = release.run(
        release_repo.path, release.Request(env="dev", component="widget"), tgt=dev, echo=print
    )
    from orchestrator import ui

    assert ui.warnings(outcome.journal) == []
    assert calls(sentry) == RELEASE_CALLS
    commits = next(r for r in sentry.requests if r.method == "PUT").json()["commits"]
    assert [c["id"] for c in commits][0] == outcome.journal.plan["head_sha"]  # the released commit first
    bundle = sentry.bundle_files()
    assert (
        bundle["~/chat-widget.app.js.map"]["headers"]["debug-id"]
        == bundle["~/chat-widget.app.js"]["headers"]["debug-id"]
    )
    # the maps went to Sentry, never to the CDN
    assert not [k for k in objects(dev.widget_bucket) if k.endswith(".map")]
    # the widget finds dev's DSN on dev's CDN (widget/src/app/observability.js reads this shape)
    config = json.loads(
        boto3.client("s3").get_object(Bucket=dev.widget_bucket, Key="observability.json")["Body"].read()
    )
    assert config == {"sentry": {"dsn": sentry.dsn(3), "environment": "dev", "sampleRate": 1.0}}

    promote.run(
        release_repo.path,
        "qa",
        approval=promote.Approval(approve=True),
        tgt=qa,
        source=dev,
        echo=lambda s: None,
    )
    release_repo.commit("fix: quick replies", "widget/src/app.js", "console.log('quick replies');\n")
    release.run(
        release_repo.path, release.Request(env="dev", component="widget"), tgt=dev, echo=lambda s: None
    )
    rollback.run(release_repo.path, "rollback-widget", "dev", "stable", tgt=dev, echo=lambda s: None)

    assert deploys(sentry) == [
        (W1, "dev", "release"),
        (W1, "dev", "rollback-widget"),
        (W1, "qa", "promote"),
        (W2, "dev", "release"),
    ]
    assert [c for c in calls(sentry) if "assemble" in c] == [
        "POST /artifactbundle/assemble/"
    ] * 4  # 2 per version
    assert not any("finalize" in c for c in calls(sentry))  # only prod finalizes


def test_prod_finalizes_what_reaches_it():
    planned = sentry_calls.calls("promote", "prod", {"widget": "1.0.0", "backend": "2.0.0"})
    assert [c["call"] for c in planned] == ["widget-config", "deploy", "finalize", "deploy", "finalize"]
    assert [c.get("release") for c in planned][1:3] == ["booking-chat-backend@2.0.0"] * 2
    rollback_calls = sentry_calls.calls("rollback-widget", "prod", {"widget": "1.0.0"})
    assert [c["call"] for c in rollback_calls] == ["widget-config", "deploy"]


_last_crash = [0.0]  # when the last run was killed (monotonic)


def run_op(repo, env_dir, targets, op, env, crash=None, *extra: str) -> subprocess.CompletedProcess:
    """Run `op` in a process of its own (forked), killed at `crash` if given."""
    environ = {k: v for k, v in os.environ.items() if k != CRASH_ENV}
    # A killed run's lease is never taken over while it lasts: a 1 s lease, and a rerun only
    # once it expired (1.2 s after the kill), keep the crash tests quick.
    environ[TTL_ENV] = "1"
    if crash:
        environ[CRASH_ENV] = crash
    else:
        time.sleep(max(0.0, _last_crash[0] + 1.2 - time.monotonic()))
    payload = json.dumps({n: dataclasses.asdict(t) for n, t in targets.items()})
    done = forked.run(
        RUNNER, [str(getattr(repo, "path", repo)), str(env_dir), payload, op, env, *extra], environ
    )
    if done.returncode == 137:
        _last_crash[0] = time.monotonic()
    return done


@pytest.mark.parametrize("when", ["applied", "journaled"])
@pytest.mark.parametrize(
    "step", ["sentry-new-widget-1.0.0", "sentry-maps-widget-1.0.0", "sentry-deploy-widget-1.0.0"]
)
def test_a_crash_at_a_sentry_step_resumes_with_each_call_made_once(
    sentry, env_dir, release_repo, aws, step, when
):
    targets = {"dev": make_target("dev")}
    crashed = run_op(release_repo, env_dir, targets, "release", "dev", crash=f"{when}:{step}")
    assert crashed.returncode == 137, crashed.stderr
    resumed = run_op(release_repo, env_dir, targets, "release", "dev")
    assert resumed.returncode == 0, resumed.stderr
    assert json.loads(resumed.stdout)["resumed"] is True
    assert calls(sentry) == RELEASE_CALLS  # what an uninterrupted release makes: nothing twice
    assert len(sentry.chunks) == 1
    assert deploys(sentry) == [(W1, "dev", "release")]


def test_a_crash_while_promoting_records_one_deploy(sentry, env_dir, release_repo, aws):
    targets = {"dev": make_target("dev"), "qa": make_target("qa")}
    assert run_op(release_repo, env_dir, targets, "release", "dev").returncode == 0
    crashed = run_op(
        release_repo, env_dir, targets, "promote", "qa", crash="applied:sentry-deploy-widget-1.0.0"
    )
    assert crashed.returncode == 137, crashed.stderr
    resumed = run_op(release_repo, env_dir, targets, "promote", "qa")
    assert resumed.returncode == 0, resumed.stderr
    assert deploys(sentry) == [(W1, "dev", "release"), (W1, "qa", "promote")]


def test_sentry_unreachable_is_a_warning_in_the_summary_not_a_failed_release(
    env_dir, release_repo, aws, monkeypatch
):
    with SentryReceiver() as r:
        dead = r.url  # closed when the block ends: nothing listens there any more
    for key, value in {
        "SENTRY_URL": dead,
        "SENTRY_ORG": "acme",
        "SENTRY_PROJECT": "p",
        "SENTRY_AUTH_TOKEN": "t",
        "MINI_WIDGET_MAPS": "1",
    }.items():
        monkeypatch.setenv(key, value)
    dev = make_target("dev")
    echoed = []
    outcome = release.run(
        release_repo.path, release.Request(env="dev", component="widget"), tgt=dev, echo=echoed.append
    )
    assert outcome.journal.status == "done"
    from orchestrator import ui

    warned = ui.warnings(outcome.journal)
    assert len(warned) == 5  # the DSN parameter is missing; new, commits, maps, deploy
    assert "/bookingchat/dev/SENTRY_DSN holds no DSN" in warned[0]
    assert all("Could not connect" in w for w in warned[1:])
    assert any("warning:" in line for line in echoed)


def test_sentry_on_without_a_token_is_refused_in_preflight(env_dir, release_repo, aws, monkeypatch):
    for key in ("SENTRY_AUTH_TOKEN", "SENTRY_ORG", "SENTRY_PROJECT"):
        monkeypatch.delenv(key, raising=False)
    dev = make_target("dev")
    with pytest.raises(UserError) as err:
        release.run(release_repo.path, release.Request(env="dev", component="widget"), tgt=dev)
    assert err.value.exit_code == 2
    assert "Sentry is on for dev but SENTRY_ORG, SENTRY_PROJECT, SENTRY_AUTH_TOKEN are not set" in str(
        err.value
    )
    assert objects(dev.widget_bucket) == {}  # refused before anything changed


def test_sentry_off_makes_no_call_and_needs_no_token(release_repo, aws, monkeypatch):
    monkeypatch.delenv("SENTRY_AUTH_TOKEN", raising=False)
    dev = make_target("dev")
    outcome = release.run(
        release_repo.path, release.Request(env="dev", component="widget"), tgt=dev, echo=lambda s: None
    )
    assert "sentry" not in outcome.journal.plan
    assert not any(s.startswith("sentry-") for s in outcome.journal.plan["steps"])


def test_status_says_whether_each_environment_reports_to_sentry(env_dir, monkeypatch):
    from orchestrator.board.status import sentry_state

    for key in ("SENTRY_AUTH_TOKEN", "SENTRY_ORG", "SENTRY_PROJECT"):
        monkeypatch.delenv(key, raising=False)
    assert sentry_state("local") == "off"
    assert sentry_state("qa") == (
        "on (DSN in SSM /bookingchat/qa/SENTRY_DSN, widget 1, backend 1); "
        "SENTRY_ORG, SENTRY_PROJECT, SENTRY_AUTH_TOKEN are not set here"
    )
    monkeypatch.setenv("SENTRY_ORG", "acme")
    monkeypatch.setenv("SENTRY_PROJECT", "p")
    monkeypatch.setenv("SENTRY_AUTH_TOKEN", "t")
    assert sentry_state("qa") == "on (DSN in SSM /bookingchat/qa/SENTRY_DSN, widget 1, backend 1)"
