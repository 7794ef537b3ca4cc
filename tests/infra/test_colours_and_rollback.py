"""Blue/green, rollback and teardown against the embedded AWS.

The live colour lives in SSM there (AppSync custom domains are 404 in moto; the AWS path,
associate_api, is checked with Stubber in test_aws_only_calls.py).
"""

from __future__ import annotations

import boto3
import pytest

from orchestrator.adapters import cloudformation as cf
from orchestrator.deploy import backend_rollback, rollout
from orchestrator.errors import UserError


def _deploy(env, zips, lines, **kw):
    return rollout.deploy(env, zips=zips, echo=lines.append, poll=0, **kw)


@pytest.fixture
def prod(aws, lines):
    rollout.bootstrap("prod", echo=lines.append)
    return rollout.target("prod", echo=lines.append)


def test_prod_deploys_the_idle_colour_smokes_it_then_switches(prod, zips, lines):
    smoked = []
    first = _deploy("prod", zips, lines, smoke=lambda url, api: smoked.append(api))
    assert first.live_colour == "blue" and first.switched
    assert cf.describe(prod.cfn, "bookingchat-prod-app-blue") and not cf.describe(
        prod.cfn, "bookingchat-prod-app-green"
    )
    assert smoked == [first.outputs["app"]["ApiId"]] * 2  # its own endpoint, then through the domain
    second = _deploy("prod", {**zips, "chat": zips["chat"] + b"\0"}, lines)
    assert second.live_colour == "green" and second.switched
    assert boto3.client("lambda").get_function(FunctionName="bookingchat-prod-green-chat")
    assert rollout.live_colour(prod) == "green"


def test_prod_redeploy_without_changes_switches_nothing(prod, zips, lines):
    _deploy("prod", zips, lines)
    again = _deploy("prod", zips, lines)
    assert again.live_colour == "blue" and not again.switched
    assert [s.outcome for s in again.stacks] == ["up to date"] * 4


def test_a_failed_smoke_test_leaves_the_live_colour_alone(prod, zips, lines):
    _deploy("prod", zips, lines)

    def broken(url, api):
        raise RuntimeError("500 from the API")

    with pytest.raises(rollout.dp.DeployFailed, match="smoke test .* failed: 500 from the API"):
        _deploy("prod", {**zips, "chat": zips["chat"] + b"\0"}, lines, smoke=broken)
    assert rollout.live_colour(prod) == "blue"


def test_prod_rollback_switches_back_and_retire_deletes_only_the_idle_colour(prod, zips, lines):
    _deploy("prod", zips, lines)
    _deploy("prod", {**zips, "chat": zips["chat"] + b"\0"}, lines)
    back = backend_rollback.rollback_backend("prod", echo=lines.append, poll=0)
    assert back["switched_to"] == "blue" and rollout.live_colour(prod) == "blue"
    retired = backend_rollback.retire_colour("prod", echo=lines.append, poll=0)
    assert retired == {"env": "prod", "retired": "green", "live_colour": "blue"}
    assert cf.describe(prod.cfn, "bookingchat-prod-app-green") is None
    assert cf.describe(prod.cfn, "bookingchat-prod-app-blue")["StackStatus"].endswith("COMPLETE")


def test_rollback_outside_prod_redeploys_the_earlier_release_by_digest(dev, zips, lines):
    # Three releases: moto reports a change set empty when its parameters equal the ones the
    # stack was *created* with (a moto quirk), so the rollback goes to the middle one.
    _deploy("dev", zips, lines, version="1.0.0")
    _deploy("dev", {**zips, "chat": zips["chat"] + b"\1"}, lines, version="1.1.0")
    _deploy("dev", {**zips, "chat": zips["chat"] + b"\2"}, lines, version="1.2.0")
    result = backend_rollback.rollback_backend("dev", echo=lines.append, poll=0)
    assert result.version == "1.1.0"
    assert {s.kind: s.outcome for s in result.stacks}["app"] == "updated"
    params = cf.parameters(cf.describe(dev.cfn, "bookingchat-dev-app"))
    assert params["ChatCodeKey"].endswith(f"chat-{result.artifact_digests['chat']}.zip")
    with pytest.raises(UserError, match="no deploy record of '9.9.9'"):
        backend_rollback.rollback_backend("dev", to="9.9.9", echo=lines.append)


def test_teardown_goes_in_reverse_order_and_keeps_data_unless_asked(dev, zips, lines):
    _deploy("dev", zips, lines)
    deleted = backend_rollback.teardown("dev", echo=lines.append, poll=0)
    assert deleted == ["bookingchat-dev-monitoring", "bookingchat-dev-edge", "bookingchat-dev-app"]
    assert cf.describe(dev.cfn, "bookingchat-dev-data")
    with pytest.raises(UserError, match="typed confirmation 'bookingchat-dev'"):
        backend_rollback.teardown("dev", include_data=True, echo=lines.append)
    assert backend_rollback.teardown(
        "dev", include_data=True, confirm="bookingchat-dev", echo=lines.append, poll=0
    ) == ["bookingchat-dev-data"]
    # DeletionPolicy Retain: the table outlives its stack.
    assert boto3.client("dynamodb").describe_table(TableName="bookingchat-dev")


def test_teardown_of_prod_is_refused_without_the_flag(prod):
    with pytest.raises(UserError, match="teardown of prod is refused"):
        backend_rollback.teardown("prod")
