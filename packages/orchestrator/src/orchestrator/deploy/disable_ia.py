"""The DISABLE_IA parameters the app stacks own: which exist, and what each says.

A deploy reads them so it never reverts `./inv ia` (a new colour inherits the switch); the AI
switch (`board/ai_switch.py`) writes only these, so no later deploy collides on a name.
"""

from __future__ import annotations

from botocore.exceptions import ClientError

from orchestrator import environments
from orchestrator.adapters import aws

LOGICAL_ID = "DisableIaParameter"  # infra/app.yaml


def owned_parameters(env: environments.Environment) -> dict[str, str]:
    """stack → the DISABLE_IA parameter it owns, for each app stack that exists."""
    cfn = aws.client("cloudformation", env.region)
    owned = {}
    for stack in env.app_stacks():
        try:
            res = cfn.describe_stack_resource(StackName=stack, LogicalResourceId=LOGICAL_ID)
        except ClientError as err:
            if "does not exist" in str(err):
                continue  # no such stack (a retired colour): it owns nothing to set
            raise
        owned[stack] = res["StackResourceDetail"]["PhysicalResourceId"]
    return owned


def value_of(ssm, name: str) -> str | None:
    try:
        return ssm.get_parameter(Name=name)["Parameter"]["Value"]
    except ssm.exceptions.ParameterNotFound:
        return None


def live_value(env: environments.Environment, stack: str) -> str | None:
    """The switch as the stack's own parameter says (for a new colour to inherit), None without one."""
    name = owned_parameters(env).get(stack)
    return value_of(aws.client("ssm", env.region), name) if name else None
