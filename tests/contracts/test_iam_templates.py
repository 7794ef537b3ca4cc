"""The template policy resolver: intrinsics resolved per environment; unknowns refused."""

import json

import pytest

from orchestrator.quality import iam_principals
from orchestrator.quality.iam_templates import Scope, Template, Unresolvable

SCOPE = Scope(account="111122223333", region="eu-west-1")
BODY = {
    "Parameters": {"Env": {"Type": "String"}, "Extra": {"Type": "String", "Default": "x"}},
    "Conditions": {
        "IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]},
        "NotProd": {"Fn::Not": [{"Condition": "IsProd"}]},
    },
    "Resources": {
        "Logs": {
            "Type": "AWS::Logs::LogGroup",
            "Properties": {"LogGroupName": {"Fn::Sub": "/aws/lambda/app-${Env}"}},
        },
        "Managed": {
            "Type": "AWS::IAM::ManagedPolicy",
            "Properties": {
                "ManagedPolicyName": {"Fn::Sub": "app-${Env}-managed"},
                "PolicyDocument": {
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": "s3:GetObject",
                            "Resource": {"Fn::Sub": "arn:${AWS::Partition}:s3:::app-${Env}/*"},
                        }
                    ]
                },
            },
        },
        "Role": {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "RoleName": {"Fn::Join": ["-", ["app", {"Ref": "Env"}]]},
                "ManagedPolicyArns": [{"Ref": "Managed"}],
                "Policies": [
                    {
                        "PolicyName": "inline",
                        "PolicyDocument": {
                            "Statement": [
                                {
                                    "Effect": "Allow",
                                    "Action": "logs:PutLogEvents",
                                    "Resource": {"Fn::GetAtt": ["Logs", "Arn"]},
                                },
                                {
                                    "Effect": "Allow",
                                    "Action": "ssm:GetParameter",
                                    "Resource": {
                                        "Fn::If": [
                                            "NotProd",
                                            {
                                                "Fn::Sub": "arn:aws:ssm:${AWS::Region}:${AWS::AccountId}:parameter/${Env}/*"
                                            },
                                            {"Ref": "AWS::NoValue"},
                                        ]
                                    },
                                },
                            ]
                        },
                    }
                ],
            },
        },
    },
}


def test_intrinsics_resolve_to_the_environment_names():
    t = Template(BODY, {"Env": "dev"}, SCOPE)
    policies = t.role_policies("Role")
    assert [p.name for p in policies] == ["app-dev/inline", "app-dev-managed"]
    inline = policies[0].document["Statement"]
    assert inline[0]["Resource"] == "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/lambda/app-dev:*"
    assert inline[1]["Resource"] == "arn:aws:ssm:eu-west-1:111122223333:parameter/dev/*"
    assert policies[1].document["Statement"][0]["Resource"] == "arn:aws:s3:::app-dev/*"
    assert t.attribute("Role", "Arn") == "arn:aws:iam::111122223333:role/app-dev"
    # AWS::NoValue drops the key
    assert (
        "Resource"
        not in Template(BODY, {"Env": "prod"}, SCOPE).role_policies("Role")[0].document["Statement"][1]
    )


def test_what_only_aws_knows_is_refused_not_guessed():
    body = json.loads(json.dumps(BODY))
    body["Resources"]["Role"]["Properties"]["ManagedPolicyArns"] = [
        "arn:aws:iam::aws:policy/AdministratorAccess"
    ]
    with pytest.raises(Unresolvable, match="not in this template"):
        Template(body, {"Env": "dev"}, SCOPE).role_policies("Role")
    body["Resources"]["Logs"]["Properties"] = {}
    with pytest.raises(Unresolvable, match="generated name"):
        Template(body, {"Env": "dev"}, SCOPE).attribute("Logs", "Arn")
    with pytest.raises(Unresolvable, match="no value and no default"):
        Template(BODY, {}, SCOPE)
    with pytest.raises(Unresolvable, match="unknown parameters"):
        Template(BODY, {"Env": "dev", "Typo": "1"}, SCOPE)
    with pytest.raises(Unresolvable, match="not supported"):
        Template({"Resources": {}}, {}, SCOPE).resolve({"Fn::ImportValue": "x"})


def test_the_real_templates_resolve_for_every_environment():
    for env in ("dev", "qa", "prod"):
        for deployment in iam_principals.app_deployments(env):
            chat = deployment.functions["chat"]
            assert chat.environment["TABLE_NAME"] == f"bookingchat-{env}"
            text = json.dumps([p.document for p in chat.policies])
            assert f':table/bookingchat-{env}"' in text and "${" not in text
            assert chat.role == f"bookingchat-{deployment.label}-chat"
        deploy = iam_principals.deploy_role(env)
        assert deploy.role == f"bookingchat-{env}-deploy" and deploy.policies
