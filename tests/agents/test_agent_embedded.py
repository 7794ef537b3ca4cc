"""import/export against the embedded AWS (moto 5.2.5 over HTTP): agents are real there.

moto serves create/get/list/delete of agents only; the parts it lacks (UpdateAgent, action
groups, PrepareAgent, aliases) are not called and must be reported as skipped, never silently.
"""

from __future__ import annotations

import json
import time

import boto3

from orchestrator.agents import cli, pipeline
from orchestrator.engine import manifest_store


def _import(repo, dev, **kw):
    lines: list[str] = []
    result = cli.run(
        repo.path, "import", "dev", echo=lines.append, on_event=lambda e: None, confirm=lambda p: None, **kw
    )
    cli.render(result, lines.append)
    return result, lines


def test_import_creates_then_nothing_new_then_export_leaves_git_clean(agent_repo, dev, monkeypatch):
    monkeypatch.setattr(pipeline.target, "resolve", lambda env: dev)
    first, lines = _import(agent_repo, dev)
    assert first["applied"] and first["plan"]["steps"] == ["agent-definition", "record-agent"]
    skipped = [line for line in lines if "skipped (emulator)" in line]
    assert len(skipped) == 3 and any("PrepareAgent" in s for s in skipped), lines

    agents = boto3.client("bedrock-agent").list_agents()["agentSummaries"]
    assert [a["agentName"] for a in agents] == ["bookingchat-dev-booking"]
    recorded = manifest_store.load(agent_repo.path).environments["dev"].agents["booking"]
    assert recorded.digest == first["plan"]["digest"] and recorded.version is None  # moto cuts none

    again, lines = _import(agent_repo, dev)
    assert again["plan"] is None and not again["applied"]
    assert len(boto3.client("bedrock-agent").list_agents()["agentSummaries"]) == 1
    assert any("nothing to do" in line for line in lines)
    assert sum("skipped (emulator)" in line for line in lines) == 4, lines  # said even when nothing to do

    exported = pipeline.export(agent_repo.path, "dev")
    assert exported.changed == [] and exported.digest == first["plan"]["digest"]
    assert agent_repo.git.git.status("--porcelain") == ""  # git diff --exit-code: clean


def test_a_console_edit_exports_as_a_readable_diff(agent_repo, dev, monkeypatch):
    monkeypatch.setattr(pipeline.target, "resolve", lambda env: dev)
    _import(agent_repo, dev)
    client = boto3.client("bedrock-agent")
    # moto has no UpdateAgent: the "console edit" is a delete and re-create with a new instruction
    live = client.get_agent(agentId=client.list_agents()["agentSummaries"][0]["agentId"])["agent"]
    client.delete_agent(agentId=live["agentId"])
    client.create_agent(
        agentName=live["agentName"],
        foundationModel=live["foundationModel"],
        instruction=live["instruction"].replace("briefly and kindly", "warmly, in two sentences at most"),
        idleSessionTTLInSeconds=live["idleSessionTTLInSeconds"],
        description=live["description"],
        agentResourceRoleArn=live["agentResourceRoleArn"],
    )
    exported = pipeline.export(agent_repo.path, "dev")
    assert exported.changed == ["instructions.en.md"]
    diff = agent_repo.git.git.diff()
    assert "-Answer in the visitor's language" in diff and "warmly, in two sentences at most" in diff

    # and importing the files in git back is a planned update, which moto cannot apply: said so
    agent_repo.git.git.checkout("--", ".")
    result, lines = _import(agent_repo, dev)
    plan = result["plan"]
    assert plan["steps"] == [] and not result["applied"]  # nothing it can do, and it says why
    assert any("UpdateAgent" in s for s in plan["skipped"])
    assert any(line.startswith("-") and "warmly" in line for line in plan["diff"])
    assert any("skipped (emulator): agent-definition: UpdateAgent" in line for line in lines)


def test_bad_input_is_one_refusal(agent_repo, dev, monkeypatch):
    import pytest

    from orchestrator.errors import UserError

    with pytest.raises(UserError, match="no agent 'nope' under infra/agents/"):
        pipeline.plan(agent_repo.path, "dev", "nope")
    with pytest.raises(UserError, match="dev has no agent bookingchat-dev-booking"):
        pipeline.export(agent_repo.path, "dev")
    path = agent_repo.path / "infra/agents/booking/action-group.yaml"
    path.write_text(path.read_text().replace("type: string", "type: integer", 1))
    with pytest.raises(UserError, match="differs from backend.agent's tool models"):
        pipeline.plan(agent_repo.path, "dev")
    assert json.loads(json.dumps(pipeline.emulator_skips(True)))


def test_from_the_command_line_as_a_new_user(agent_repo, aws):
    """`./inv agent import --env dev` twice, then `./inv agent export --env dev`: git stays clean."""
    _deploy_edge("dev")
    first = agent_repo.inv("agent", "import", "--env", "dev", "--yes")
    assert first.returncode == 0, first.stderr
    assert "step: agent-definition" in first.stdout + first.stderr
    assert first.stdout.count("skipped (emulator)") == 3, first.stdout
    again = agent_repo.inv("agent", "import", "--env", "dev", "--json")
    assert again.returncode == 0, again.stderr
    result = json.loads(again.stdout)
    assert result["plan"] is None and len(result["skipped"]) == 4
    exported = agent_repo.inv("agent", "export", "--env", "dev")
    assert exported.returncode == 0 and "no change" in exported.stdout, exported.stderr
    assert agent_repo.git.git.status("--porcelain") == ""

    refused = agent_repo.inv("agent", "promote", "--env", "dev")
    assert refused.returncode == 2 and "unknown agent action 'promote'" in refused.stderr
    assert refused.stderr.count("\n") <= 3  # one line and a hint, no traceback


EDGE = """
Resources:
  WidgetBucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: {bucket}
Outputs:
  WidgetBucketName:
    Value: !Ref WidgetBucket
"""


def _deploy_edge(env: str) -> None:
    """dev as `./inv deploy` leaves it for `target.resolve`: the edge stack and the artifact bucket."""
    account = boto3.client("sts").get_caller_identity()["Account"]
    boto3.client("s3").create_bucket(Bucket=f"bookingchat-{env}-artifacts-{account}")
    boto3.client("cloudformation").create_stack(
        StackName=f"bookingchat-{env}-edge",
        TemplateBody=EDGE.format(bucket=f"bookingchat-{env}-widget-{account}"),
    )


def test_status_shows_agent_drift(agent_repo, dev, monkeypatch):
    from orchestrator.board import status

    monkeypatch.setattr(pipeline.target, "resolve", lambda env: dev)
    _import(agent_repo, dev)
    manifest = manifest_store.load(agent_repo.path)
    assert status.agent_drift(agent_repo.path, manifest, "dev") == []

    client = boto3.client("bedrock-agent")
    live = client.get_agent(agentId=client.list_agents()["agentSummaries"][0]["agentId"])["agent"]
    client.delete_agent(agentId=live["agentId"])  # a console edit (moto has no UpdateAgent)
    client.create_agent(
        **{
            k: live[k]
            for k in ("agentName", "foundationModel", "idleSessionTTLInSeconds", "agentResourceRoleArn")
        },
        instruction=live["instruction"] + "\nAlways mention the weather.",
        description=live["description"],
    )
    [drift] = status.agent_drift(agent_repo.path, manifest, "dev")
    assert drift.what == "agent" and drift.name == "agent booking" and "live DRAFT" in drift.reason
    assert drift.manifest != drift.real

    board = status.collect(agent_repo.path, ["dev"], resolve=lambda env: dev)
    assert any(d.what == "agent" for d in board[0].drift)


def test_qa_gets_only_a_definition_that_ran_in_dev(agent_repo, aws, monkeypatch):
    import pytest

    from orchestrator.errors import UserError
    from orchestrator.local import sandbox

    dev, qa = sandbox.bare_environment("dev"), sandbox.bare_environment("qa")
    with pytest.raises(UserError, match=r"agent booking sha256:[0-9a-f]{12} never ran in dev"):
        pipeline.plan(agent_repo.path, "qa")
    pipeline.run_import(agent_repo.path, "dev", tgt=dev, echo=lambda s: None)
    plan, outcome = pipeline.run_import(agent_repo.path, "qa", tgt=qa, echo=lambda s: None)
    assert outcome.journal.status == "done"
    agents = boto3.client("bedrock-agent").list_agents()["agentSummaries"]
    assert sorted(a["agentName"] for a in agents) == ["bookingchat-dev-booking", "bookingchat-qa-booking"]
    recorded = manifest_store.load(agent_repo.path).environments
    assert (
        recorded["qa"].agents["booking"].digest == recorded["dev"].agents["booking"].digest == plan["digest"]
    )


def test_an_import_is_refused_while_another_holds_the_environment(agent_repo, dev):
    """Locked like every other change to an environment: another holder's lease refuses the import."""
    import pytest

    from orchestrator.engine import lease as lock
    from orchestrator.errors import UserError

    lease = {
        "env": "dev",
        "holder": "someone@example.com",
        "operation": "release",
        "host": "ci-runner-7",
        "pid": 4242,
        "since": "2026-11-27T10:00:00+00:00",
        "until": "2099-01-01T00:00:00+00:00",
        "token": "t0k3n",
    }
    boto3.client("s3").put_object(
        Bucket=dev.artifact_bucket, Key=lock.key("dev"), Body=json.dumps(lease).encode()
    )
    with pytest.raises(UserError, match="someone@example.com"):
        pipeline.run_import(agent_repo.path, "dev", tgt=dev, echo=lambda s: None)
    assert boto3.client("bedrock-agent").list_agents()["agentSummaries"] == []  # nothing half-done


def test_an_import_killed_after_a_step_resumes_from_its_journal(agent_repo, aws):
    """kill -9 right after the agent was created and journaled: the rerun finishes, creates nothing twice."""
    import os

    _deploy_edge("dev")
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTOR"}
    crashed = agent_repo.inv(
        "agent",
        "import",
        "--env",
        "dev",
        "--yes",
        # a 1 s lease: a killed run's lease is never taken over while it lasts
        env={
            **env,
            "BOOKINGCHAT_CRASH_AT": "journaled:agent-definition",
            "BOOKINGCHAT_LEASE_TTL_SECONDS": "1",
        },
    )
    assert crashed.returncode == 137
    time.sleep(1.2)  # the killed run's lease expires
    assert manifest_store.load(agent_repo.path).environments == {}  # not recorded yet
    again = agent_repo.inv("agent", "import", "--env", "dev", "--yes", "--json")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["applied"]
    assert "agent-definition (journaled, skipped)" in " ".join(again.stderr.split())  # resumed, not redone
    assert len(boto3.client("bedrock-agent").list_agents()["agentSummaries"]) == 1
    assert "booking" in manifest_store.load(agent_repo.path).environments["dev"].agents
