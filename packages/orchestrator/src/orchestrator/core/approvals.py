"""Who approved a deployment: the environment's reviewers, read from GitHub's deployment review. Pure.

In CI the person who dispatched a workflow is not the approval: the GitHub environment's required
reviewers are. The workflow fetches `GET /repos/{owner}/{repo}/actions/runs/{run_id}/approvals`
(GitHub's review history for the run: `[{"state", "user": {"login"}, "environments": [{"name"}]}]`)
and hands the JSON to the orchestrator, which picks the approvals for the environment here.
"""

from __future__ import annotations

import json

from orchestrator.core.checklist import valid_approver
from orchestrator.errors import UserError

HINT = "the job must run in the GitHub environment with required reviewers, and one of them approve it"


def environment_approver(review_json: str, environment: str) -> str:
    """The login(s) that approved this run for `environment`, validated; refused when none did."""
    try:
        reviews = json.loads(review_json)
    except json.JSONDecodeError as err:
        raise UserError(f"the deployment review is not JSON ({err.msg})", HINT) from None
    if not isinstance(reviews, list):
        raise UserError("the deployment review is not a list of approvals", HINT)
    approvers: list[str] = []
    for review in reviews:
        if not isinstance(review, dict):
            raise UserError("the deployment review holds an entry that is not an approval", HINT)
        names = {e.get("name") for e in review.get("environments") or [] if isinstance(e, dict)}
        if environment not in names:
            continue
        if review.get("state") == "rejected":
            raise UserError(f"a reviewer rejected the deployment to {environment}", HINT)
        login = (review.get("user") or {}).get("login")
        if review.get("state") == "approved" and isinstance(login, str) and login not in approvers:
            approvers.append(login)
    if not approvers:
        raise UserError(f"no reviewer approved this run for the {environment} environment", HINT)
    return valid_approver(",".join(approvers))
