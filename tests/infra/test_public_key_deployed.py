"""The public key's limits in a deployed stack on the embedded AWS.

moto's CloudFormation skips AWS::WAFv2::* and AWS::AppSync::* without an error (the stack is
CREATE_COMPLETE, the resources do not exist): what can be checked here is that the deployed
stack carries them with the environment's values; their definitions are held to AWS's rules in
tests/contracts/test_public_key_limits.py.
"""

from __future__ import annotations

import boto3

from orchestrator import environments
from orchestrator.deploy import rollout


def test_the_deployed_app_stack_carries_the_waf_acl_and_the_environments_limits(dev, zips, lines):
    rollout.deploy("dev", zips=zips, echo=lines.append, poll=0)
    cfn = boto3.client("cloudformation")
    app = cfn.describe_stacks(StackName="bookingchat-dev-app")["Stacks"][0]
    params = {p["ParameterKey"]: p["ParameterValue"] for p in app["Parameters"]}
    expected = environments.load("dev").limit_params()
    assert {k: params[k] for k in expected} == expected
    nested = {
        r["LogicalResourceId"]: r["PhysicalResourceId"]
        for r in cfn.list_stack_resources(StackName="bookingchat-dev-app")["StackResourceSummaries"]
        if r["ResourceType"] == "AWS::CloudFormation::Stack"
    }
    api_body = cfn.get_template(StackName=nested["Api"])["TemplateBody"]
    api_body = api_body if isinstance(api_body, str) else str(api_body)
    for name in (
        "AWS::WAFv2::WebACL",
        "AWS::WAFv2::WebACLAssociation",
        "QueryDepthLimit",
        "RateBasedStatement",
    ):
        assert name in api_body
    # dev reserves no concurrency (0 in dev.toml): the authorizer is like the bookings function,
    # which never has a reservation
    fn = boto3.client("lambda")
    none = fn.get_function_concurrency(FunctionName="bookingchat-dev-bookings").get(
        "ReservedConcurrentExecutions"
    )
    authorizer = fn.get_function_concurrency(FunctionName="bookingchat-dev-authorizer")
    assert authorizer.get("ReservedConcurrentExecutions") == none, (authorizer, none)
