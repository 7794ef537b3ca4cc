"""The parameters of the one-time bootstrap stack (infra/github-oidc.yaml), from the environment files.

One place, so `./inv bootstrap ENV --oidc` and the IAM proofs (quality/iam_principals) resolve
the deploy roles with the same values: each environment's API domain (the only domain its role
may re-point) and, once its edge stack exists, its distribution id.
"""

from __future__ import annotations

from collections.abc import Mapping

from orchestrator import environments

DEPLOYED = ("dev", "qa", "prod")


def parameters(owner: str, repo: str, distributions: Mapping[str, str] | None = None) -> dict[str, str]:
    out = {"GitHubOwner": owner, "GitHubRepo": repo}
    for name in DEPLOYED:
        env = environments.load(name)
        out[f"{name.capitalize()}ApiDomain"] = env["api.domain"]
        if (distributions or {}).get(name):
            out[f"{name.capitalize()}DistributionId"] = distributions[name]
    return out
