"""A canary on one demo tenant in a real Chromium against local-dev: that tenant's page runs the
canary's app, the other tenant's page runs stable; abort and a malformed routing object put both
back on stable, with no console error."""

from __future__ import annotations

import boto3
import pytest

from orchestrator.core import canary as cn
from orchestrator.engine import target
from orchestrator.local.embedded_aws import FAKE_CREDENTIALS
from orchestrator.release import canary, release

VERSION_OF = (
    """(sel) => document.querySelector(sel)?.shadowRoot?.querySelector('.bkc-app')?.dataset.version ?? null"""
)


@pytest.fixture
def local_aws(platform, monkeypatch):
    """This process talks to local-dev's embedded AWS and CDN, as `./inv … --env local` would."""
    for key, value in {**FAKE_CREDENTIALS, "AWS_ENDPOINT_URL": platform["aws"]}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("BOOKINGCHAT_CDN_URL", platform["cdn"])
    return target.resolve("local")


def app_version(page, platform, tenant: str) -> str:
    """Open the tenant's demo page, click its launcher, return the data-version of the app that ran."""
    page.goto(f"{platform['demo']}{tenant}/")
    host = f'[data-booking-chat="{tenant}"]'
    page.locator(f"{host} .bkc-launcher").click()
    page.wait_for_function(VERSION_OF, arg=host)
    return page.evaluate(VERSION_OF, host)


def test_a_canary_on_one_tenant_runs_there_only_until_aborted(platform, context, page, local_aws):
    clone = platform["local_dir"] / "release-repo"
    stable = platform["widget_version"]
    lola, other = (
        "peluqueria-lola",
        next(t["id"] for t in platform["tenants"] if t["id"] != "peluqueria-lola"),
    )
    # A second widget version: a beta release of the clone (it moves only /beta/, never latest).
    (clone / "widget" / "src" / "canary-marker.txt").write_text("canary\n")
    import git

    repo = git.Repo(clone)
    repo.index.add(["widget/src/canary-marker.txt"])
    repo.index.commit("feat: a canary build")
    req = release.Request(env="local", channel="beta", component="widget")
    plan = release.plan(clone, req)
    beta = plan["components"]["widget"]["version"]
    release.run(clone, req, tgt=local_aws, echo=lambda s: None)
    cdp = context.new_cdp_session(page)
    try:
        canary.run(clone, "start", "local", beta, tenants=lola, tgt=local_aws, echo=lambda s: None)
        cdp.send("Network.clearBrowserCache")  # as if the 60 s cache time had passed
        assert app_version(page, platform, lola) == beta
        assert app_version(page, platform, other) == stable

        canary.run(clone, "abort", "local", reason="browser test", tgt=local_aws, echo=lambda s: None)
        cdp.send("Network.clearBrowserCache")
        assert app_version(page, platform, lola) == stable
        assert app_version(page, platform, other) == stable

        boto3.client("s3").put_object(
            Bucket=local_aws.widget_bucket, Key=cn.KEY, Body=b'{"schema": 1, "state": "act'
        )
        cdp.send("Network.clearBrowserCache")
        assert app_version(page, platform, lola) == stable
        assert app_version(page, platform, other) == stable
        assert page.errors == []
    finally:
        now = "2026-01-01T00:00:00Z"
        body = cn.routing_body(cn.routing_object(env="local", state="aborted", stable=stable, updated=now))
        boto3.client("s3").put_object(Bucket=local_aws.widget_bucket, Key=cn.KEY, Body=body)
