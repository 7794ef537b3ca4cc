"""Every `bedrock-agent` (build-time) call the orchestrator makes. Thin: boto3 inside, no decisions.

Facts it is built on (docs/deployment/README.md "The agent"): UpdateAgent replaces the whole
agent; PrepareAgent is asynchronous (poll GetAgent until PREPARED); there is no
CreateAgentVersion — a version is cut when an alias is created or updated WITHOUT
routingConfiguration, and an alias WITH `[{agentVersion}]` points at an existing version.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable

import boto3
from botocore.config import Config

RETRIES = Config(retries={"mode": "standard", "max_attempts": 5}, connect_timeout=5, read_timeout=30)
DRAFT = "DRAFT"


class AgentFailed(Exception):
    """The agent or alias ended in a failed state, or did not settle in time."""


@functools.cache
def _client_for(endpoint: str | None, region: str | None):
    return boto3.client("bedrock-agent", config=RETRIES)


def client():
    import os

    # keyed by endpoint/region so tests that switch the embedded AWS get a fresh client
    return _client_for(os.environ.get("AWS_ENDPOINT_URL"), os.environ.get("AWS_DEFAULT_REGION"))


def find_agent(name: str) -> dict | None:
    """GetAgent of the agent called `name`, or None."""
    for page in client().get_paginator("list_agents").paginate():
        for summary in page.get("agentSummaries", []):
            if summary["agentName"] == name:
                return client().get_agent(agentId=summary["agentId"])["agent"]
    return None


def get_agent(agent_id: str) -> dict:
    return client().get_agent(agentId=agent_id)["agent"]


def create_agent(body: dict) -> dict:
    return client().create_agent(**body)["agent"]


def update_agent(agent_id: str, body: dict) -> dict:
    return client().update_agent(agentId=agent_id, **body)["agent"]


def find_action_group(agent_id: str, name: str, version: str = DRAFT) -> dict | None:
    """GetAgentActionGroup of the group called `name` on `version`, or None."""
    paginator = client().get_paginator("list_agent_action_groups")
    for page in paginator.paginate(agentId=agent_id, agentVersion=version):
        for summary in page.get("actionGroupSummaries", []):
            if summary["actionGroupName"] == name:
                return client().get_agent_action_group(
                    agentId=agent_id, agentVersion=version, actionGroupId=summary["actionGroupId"]
                )["agentActionGroup"]
    return None


def create_action_group(agent_id: str, body: dict) -> dict:
    return client().create_agent_action_group(agentId=agent_id, **body)["agentActionGroup"]


def update_action_group(agent_id: str, action_group_id: str, body: dict) -> dict:
    return client().update_agent_action_group(agentId=agent_id, actionGroupId=action_group_id, **body)[
        "agentActionGroup"
    ]


def prepare(
    agent_id: str,
    timeout: float = 300,
    sleep: Callable[[float], None] = time.sleep,
    tick: Callable[[str], None] = lambda status: None,
) -> dict:
    """PrepareAgent, then poll GetAgent (with backoff) until PREPARED; FAILED or a timeout raises."""
    client().prepare_agent(agentId=agent_id)
    return wait_agent(agent_id, timeout, sleep, tick)


def wait_agent(agent_id, timeout=300.0, sleep=time.sleep, tick=lambda status: None) -> dict:
    waited, delay = 0.0, 1.0
    while True:
        agent = get_agent(agent_id)
        status = agent["agentStatus"]
        tick(status)
        if status == "PREPARED":
            return agent
        if status in ("FAILED", "NOT_PREPARED", "DELETING"):
            reasons = "; ".join(agent.get("failureReasons", [])) or "no reason given"
            raise AgentFailed(f"agent {agent_id} is {status} ({reasons})")
        if waited >= timeout:
            raise AgentFailed(f"agent {agent_id} still {status} after {timeout:.0f}s")
        sleep(delay)
        waited += delay
        delay = min(delay * 2, 15)


def find_alias(agent_id: str, name: str) -> dict | None:
    """GetAgentAlias of the alias called `name`, or None."""
    for page in client().get_paginator("list_agent_aliases").paginate(agentId=agent_id):
        for summary in page.get("agentAliasSummaries", []):
            if summary["agentAliasName"] == name:
                return client().get_agent_alias(agentId=agent_id, agentAliasId=summary["agentAliasId"])[
                    "agentAlias"
                ]
    return None


def point_alias(agent_id: str, name: str, description: str, version: str | None) -> dict:
    """Create or update the alias. version None cuts a new version from DRAFT; else routes to it."""
    routing = {"routingConfiguration": [{"agentVersion": version}]} if version else {}
    alias = find_alias(agent_id, name)
    if alias is None:
        return client().create_agent_alias(
            agentId=agent_id, agentAliasName=name, description=description, **routing
        )["agentAlias"]
    return client().update_agent_alias(
        agentId=agent_id,
        agentAliasId=alias["agentAliasId"],
        agentAliasName=name,
        description=description,
        **routing,
    )["agentAlias"]


def wait_alias(
    agent_id: str, alias_id: str, timeout: float = 300, sleep: Callable[[float], None] = time.sleep
) -> dict:
    """Poll GetAgentAlias until PREPARED (its routing then names the version it serves)."""
    waited, delay = 0.0, 1.0
    while True:
        alias = client().get_agent_alias(agentId=agent_id, agentAliasId=alias_id)["agentAlias"]
        status = alias["agentAliasStatus"]
        if status == "PREPARED":
            return alias
        if status in ("FAILED", "DELETING", "DISSOCIATED"):
            raise AgentFailed(f"alias {alias_id} is {status} ({'; '.join(alias.get('failureReasons', []))})")
        if waited >= timeout:
            raise AgentFailed(f"alias {alias_id} still {status} after {timeout:.0f}s")
        sleep(delay)
        waited += delay
        delay = min(delay * 2, 15)


def alias_version(alias: dict) -> str | None:
    routing = alias.get("routingConfiguration") or []
    return routing[0].get("agentVersion") if routing else None
