"""Sentry deploys for rollback-backend and canary moves, and set-commits / finalize checked in
Sentry before they are made: each call once, in order, across a crash and resume.

The real sentry-cli (PyPI wheel) talks to tests/sentry_receiver.py through SENTRY_URL: no Sentry
server runs here. The environments' settings are a copy of infra/environments with [sentry] on;
the fixtures `env_dir` and `sentry` and the helpers come from test_sentry_release_calls.
"""

from __future__ import annotations

import io
import json
import subprocess
import zipfile

import pytest
from gitrepo import Repo
from release_world import make_target
from test_sentry_release_calls import RUNNER, W1, calls, env_dir, sentry  # noqa: F401 (fixtures)
from test_sentry_release_calls import run_op as sentry_calls_run_op

from orchestrator.core import sentry_calls
from orchestrator.deploy import rollout
from orchestrator.release import canary, promote, release, rollback

W2 = "booking-chat-widget@1.0.1"
B1, B2 = "booking-chat-backend@1.0.0", "booking-chat-backend@1.0.1"
REQ = release.Request(env="dev", component="widget")


def deploys_in_order(r) -> list[tuple[str, str, str]]:
    """(release, environment, name without the journal id) of each deploy recorded, in order."""
    out = []
    for req in r.requests:
        path = req.path.split("?")[0]
        if req.method == "POST" and path.endswith("/deploys/"):
            release_name = path.rstrip("/").split("/")[-2]
            body = req.json()
            out.append((release_name, body["environment"], body["name"].rsplit(":", 1)[0]))
    return out


def run_op(repo_path, env_dir, targets, op, env, crash=None, **kwargs) -> subprocess.CompletedProcess:  # noqa: F811
    return sentry_calls_run_op(repo_path, env_dir, targets, op, env, crash, json.dumps(kwargs))


def crash_and_resume(repo_path, env_dir, targets, op, env, step, when, **kwargs):  # noqa: F811
    crashed = run_op(repo_path, env_dir, targets, op, env, crash=f"{when}:{step}", **kwargs)
    assert crashed.returncode == 137, crashed.stderr
    resumed = run_op(repo_path, env_dir, targets, op, env, **kwargs)
    assert resumed.returncode == 0, resumed.stderr
    assert json.loads(resumed.stdout.strip().splitlines()[-1])["resumed"] is True


# ── canary moves ────────────────────────────────────────────────────────────────────────


@pytest.fixture
def on_canary(sentry, release_repo, aws):  # noqa: F811
    """1.0.0 is stable/latest in dev; 1.0.1 is released and published there but not on latest."""
    dev = make_target("dev")
    quiet = {"echo": lambda s: None, "tgt": dev}
    release.run(release_repo.path, REQ, **quiet)
    release_repo.commit("fix: quick replies", "widget/src/app.js", "console.log('quick replies');\n")
    release.run(release_repo.path, REQ, **quiet)
    rollback.run(release_repo.path, "set-channel", "dev", "latest", to="1.0.0", **quiet)
    return release_repo, dev


def test_each_canary_move_records_a_named_deploy_in_order(sentry, on_canary):  # noqa: F811
    repo, dev = on_canary
    before = len(deploys_in_order(sentry))
    for action, kw in [
        ("start", {"version": "1.0.1", "percent": "10", "tenants": "salon-luna"}),
        ("set", {"percent": "50"}),
        ("abort", {"reason": "errors up"}),
        ("start", {"version": "1.0.1", "percent": "5"}),
        ("promote", {}),
    ]:
        _, outcome = canary.run(repo.path, action, "dev", tgt=dev, echo=lambda s: None, **kw)
        assert outcome.journal.status == "done"
        assert not [s for s in outcome.journal.steps.values() if (s.get("outputs") or {}).get("warning")]
    assert deploys_in_order(sentry)[before:] == [
        (W2, "dev", "canary 10% + 1 tenant"),
        (W2, "dev", "canary 50% + 1 tenant"),
        (W1, "dev", "canary abort"),  # what everyone runs again
        (W2, "dev", "canary 5%"),
        (W2, "dev", "canary promote"),  # the stable move
    ]
    assert not any("finalize" in c for c in calls(sentry))  # dev: nothing reaches prod


def test_promote_onto_canary_names_the_deploy_and_canary_promote_records_the_stable_move(
    sentry,  # noqa: F811
    release_repo,
    aws,
):
    dev, qa = make_target("dev"), make_target("qa")
    release.run(release_repo.path, REQ, tgt=dev, echo=lambda s: None)
    promote.run(
        release_repo.path,
        "qa",
        approval=promote.Approval(approve=True),
        tgt=qa,
        source=dev,
        canary={"tenants": "salon-luna", "percent": "10"},
        echo=lambda s: None,
    )
    canary.run(release_repo.path, "promote", "qa", tgt=qa, echo=lambda s: None)
    assert [d for d in deploys_in_order(sentry) if d[1] == "qa"] == [
        (W1, "qa", "canary 10% + 1 tenant"),
        (W1, "qa", "canary promote"),
    ]


def test_prod_finalizes_on_canary_promote_not_when_the_canary_starts(env_dir):  # noqa: F811
    planned = sentry_calls.calls("promote", "prod", {"widget": "1.0.1", "backend": "1.0.1"})
    on = sentry_calls.on_canary(planned, sentry_calls.canary_label(1000, 0))
    assert [(c["call"], c.get("release"), c.get("name")) for c in on] == [
        ("widget-config", None, None),
        ("deploy", B2, "promote"),
        ("finalize", B2, None),  # the backend is not on canary: everyone has it
        ("deploy", W2, "canary 10%"),
    ]
    routing = {"stable": "1.0.0", "canary": {"version": "1.0.1", "percent_bp": 1000}}
    promoted = canary.with_sentry(
        {
            "kind": "canary-promote",
            "env": "prod",
            "components": {"widget": {"version": "1.0.1"}},
            "routing": routing,
            "steps": ["move-channels", "write-routing", "invalidate", "smoke", "record-environment"],
        }
    )
    assert promoted["steps"][-4:] == [
        "sentry-widget-config",
        "sentry-deploy-widget-1.0.1",
        "sentry-finalize-widget-1.0.1",
        "record-environment",
    ]
    assert promoted["sentry"][1]["name"] == "canary promote"


@pytest.mark.parametrize("when", ["applied", "journaled"])
@pytest.mark.parametrize(
    ("action", "kwargs", "label"),
    [
        ("start", {"version": "1.0.1", "percent": "10"}, "canary 10%"),
        ("abort", {}, "canary abort"),
        ("promote", {}, "canary promote"),
    ],
    ids=["start", "abort", "promote"],
)
def test_a_crash_at_a_canary_deploy_resumes_with_one_deploy(
    sentry,  # noqa: F811
    env_dir,  # noqa: F811
    on_canary,
    action,
    kwargs,
    label,
    when,
):
    repo, dev = on_canary
    if action != "start":
        canary.run(repo.path, "start", "dev", "1.0.1", percent="10", tgt=dev, echo=lambda s: None)
    before = len(deploys_in_order(sentry))
    version = "1.0.0" if action == "abort" else "1.0.1"  # abort: stable is everyone's again
    crash_and_resume(
        repo.path,
        env_dir,
        {"dev": dev},
        "canary",
        "dev",
        f"sentry-deploy-widget-{version}",
        when,
        action=action,
        **kwargs,
    )
    assert deploys_in_order(sentry)[before:] == [(f"booking-chat-widget@{version}", "dev", label)]
    assert repo.manifest()["events"][-1]["action"] == f"canary-{action}"


def test_a_crash_while_promoting_onto_canary_records_one_deploy(sentry, env_dir, release_repo, aws):  # noqa: F811
    targets = {"dev": make_target("dev"), "qa": make_target("qa")}
    release.run(release_repo.path, REQ, tgt=targets["dev"], echo=lambda s: None)
    crash_and_resume(
        release_repo.path,
        env_dir,
        targets,
        "promote",
        "qa",
        "sentry-deploy-widget-1.0.0",
        "applied",
        canary={"tenants": "", "percent": "25"},
    )
    assert [d for d in deploys_in_order(sentry) if d[1] == "qa"] == [(W1, "qa", "canary 25%")]


# ── rollback-backend ────────────────────────────────────────────────────────────────────


def _zips(marker: bytes = b"") -> dict[str, bytes]:
    out = {}
    for name in rollout.FUNCTION_PARAMS:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            info = zipfile.ZipInfo(f"backend/{name}.py", date_time=(1980, 1, 1, 0, 0, 0))
            zf.writestr(info, "def handler(event, context):\n    return None\n" + marker.decode())
        out[name] = buf.getvalue()
    return out


@pytest.fixture
def prod_two_colours(sentry, aws, tmp_path):  # noqa: F811
    """prod with backend 1.0.0 on blue and 1.0.1 on green (live), and a repo to record in."""
    quiet = {"echo": lambda s: None, "poll": 0}
    rollout.bootstrap("prod", echo=lambda s: None)
    rollout.deploy("prod", version="1.0.0", zips=_zips(), **quiet)
    rollout.deploy("prod", version="1.0.1", zips=_zips(b"# 1.0.1\n"), **quiet)
    repo = Repo(tmp_path / "repo")
    repo.commit("chore: start", "README.md", "booking chat\n")
    return repo


@pytest.mark.parametrize("when", ["applied", "journaled"])
def test_rollback_backend_records_one_deploy_of_the_release_rolled_back_to(
    sentry,  # noqa: F811
    env_dir,  # noqa: F811
    prod_two_colours,
    when,
):
    repo = prod_two_colours
    crash_and_resume(repo.path, env_dir, {}, "rollback-backend", "prod", "sentry-deploy-backend-1.0.0", when)
    assert rollout.live_colour(rollout.target("prod", lambda s: None)) == "blue"
    assert deploys_in_order(sentry) == [(B1, "prod", "rollback-backend")]
    assert not any("finalize" in c for c in calls(sentry))  # a rollback finalizes nothing
    assert repo.manifest()["events"][-1]["action"] == "rollback-backend"


def test_rollback_backend_with_sentry_unreachable_is_a_warning(env_dir, aws, tmp_path, monkeypatch):  # noqa: F811
    from sentry_receiver import SentryReceiver

    from orchestrator.deploy import backend_commands

    with SentryReceiver() as r:
        dead = r.url  # closed when the block ends: nothing listens there any more
    for key, value in {
        "SENTRY_URL": dead,
        "SENTRY_ORG": "acme",
        "SENTRY_PROJECT": "p",
        "SENTRY_AUTH_TOKEN": "t",
    }.items():
        monkeypatch.setenv(key, value)
    rollout.bootstrap("dev", echo=lambda s: None)
    rollout.deploy("dev", version="1.0.0", zips=_zips(), echo=lambda s: None, poll=0)
    rollout.deploy("dev", version="1.0.1", zips=_zips(b"# 1.0.1\n"), echo=lambda s: None, poll=0)
    repo = Repo(tmp_path / "repo")
    repo.commit("chore: start", "README.md", "booking chat\n")
    result = backend_commands.rollback_backend(repo.path, "dev", poll=0, echo=lambda s: None)
    assert result["status"] == "done"
    assert result["plan"]["choice"] == {"mode": "redeploy", "version": "1.0.0"}
    warning = result["steps"]["sentry-deploy-backend-1.0.0"]["warning"]
    assert "Could not connect" in warning and "booking-chat-backend@1.0.0" in warning


# ── set-commits and finalize: asked of Sentry, not repeated ─────────────────────────────


@pytest.mark.parametrize("step", ["sentry-commits-widget-1.0.0", "sentry-finalize-widget-1.0.0"])
def test_a_crash_right_after_set_commits_or_finalize_does_not_repeat_it(
    sentry,  # noqa: F811
    env_dir,  # noqa: F811
    release_repo,
    aws,
    step,
):
    """The call landed, the journal never heard: the resumed run asks Sentry and skips it."""
    targets = {"prod": make_target("prod")}
    crash_and_resume(release_repo.path, env_dir, targets, "release", "prod", step, "applied")
    changing = calls(sentry)
    assert changing.count(f"PUT /releases/{W1}/") == 2  # one set-commits, one finalize
    puts = [r.json() for r in sentry.requests if r.method == "PUT"]
    assert ["commits" in p for p in puts] == [True, False]
    assert ["dateReleased" in p for p in puts] == [False, True]
    assert sentry.released[W1] and sentry.commits[W1]
