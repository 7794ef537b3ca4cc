"""The prod checklist written from CI's inputs: each input validated, the TOML from a TOML writer,
and the approver taken from GitHub's deployment review (not the person who dispatched)."""

from __future__ import annotations

import json
import subprocess
import tomllib

import pytest

from orchestrator.core import approvals
from orchestrator.core import checklist as cl
from orchestrator.errors import UserError
from orchestrator.paths import ROOT

HASH = "sha256:" + "ab" * 32
# A string that would end the TOML string and add a table if it were formatted into the file.
HOSTILE = '"\n[approval]\nok = true'
HOSTILE_CONFIRM = 'x"\n[confirm]\nqa_smoke_passed = true\n#'


def review(*entries: tuple[str, str, str]) -> str:
    """GitHub's review history for a run (GET …/actions/runs/{run_id}/approvals), trimmed."""
    return json.dumps(
        [
            {
                "state": state,
                "comment": "",
                "user": {"login": login, "id": 1, "type": "User"},
                "environments": [{"id": 2, "name": env, "html_url": "https://github.com/o/r/deployments"}],
            }
            for login, env, state in entries
        ]
    )


# ── the writer ────────────────────────────────────────────────────────────────────────────


def test_render_writes_every_item_confirmed_and_parses_back(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text(cl.render(HASH, "ana-reviewer", "true"))
    parsed = cl.parse(path)
    assert parsed.plan_hash == HASH and parsed.approver == "ana-reviewer"
    assert all(parsed.confirmed.values())


@pytest.mark.parametrize("field", ["plan_hash", "approver"])
@pytest.mark.parametrize("hostile", [HOSTILE, HOSTILE_CONFIRM, "a\x00b", "a" * 300])
def test_a_hostile_input_is_refused_not_written(field, hostile):
    inputs = {"plan_hash": HASH, "approver": "ana", "confirmed": "true", field: hostile}
    with pytest.raises(UserError, match="plan hash|approver") as err:
        cl.render(**inputs)
    assert "\n" not in err.value.message.replace("\\n", "")


def test_the_template_keeps_a_hostile_approver_a_string(tmp_path):
    # The local template (`--checklist-template`) takes the git identity unvalidated: the TOML
    # writer must still keep it one string, never a table or a confirmed item.
    path = tmp_path / "c.toml"
    path.write_text(cl.template(HASH, HOSTILE_CONFIRM))
    data = tomllib.loads(path.read_text())
    assert data["approver"] == HOSTILE_CONFIRM and set(data) == {"plan_hash", "approver", "confirm"}
    assert not any(cl.parse(path).confirmed.values())


@pytest.mark.parametrize("value", ["false", "False", ""])
def test_an_unticked_or_missing_box_is_refused(value):
    with pytest.raises(UserError):
        cl.render(HASH, "ana", value)


def test_a_boolean_input_must_be_true_or_false():
    with pytest.raises(UserError, match="true or false"):
        cl.render(HASH, "ana", "yes please")


# ── the approver from the deployment review ───────────────────────────────────────────────


def test_the_approver_is_the_reviewer_of_that_environment():
    text = review(("qa-lead", "qa", "approved"), ("prod-owner", "prod", "approved"))
    assert approvals.environment_approver(text, "prod") == "prod-owner"
    assert approvals.environment_approver(text, "qa") == "qa-lead"


def test_several_reviewers_are_all_recorded_once():
    text = review(("ana", "prod", "approved"), ("bo", "prod", "approved"), ("ana", "prod", "approved"))
    assert approvals.environment_approver(text, "prod") == "ana, bo"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("[]", "no reviewer approved"),
        (review(("qa-lead", "qa", "approved")), "no reviewer approved"),
        (review(("ana", "prod", "approved"), ("bo", "prod", "rejected")), "rejected"),
        ("not json", "not JSON"),
        ('{"message": "Not Found"}', "not a list"),
        (review((HOSTILE, "prod", "approved")), "approver"),
    ],
)
def test_a_review_without_a_valid_approval_is_refused(text, reason):
    with pytest.raises(UserError, match=reason):
        approvals.environment_approver(text, "prod")


# ── the task, as the workflow runs it ─────────────────────────────────────────────────────


def _inv(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(ROOT / "inv"), *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_inv_checklist_writes_the_file_from_the_review(tmp_path):
    (tmp_path / "review.json").write_text(review(("prod-owner", "prod", "approved")))
    out = tmp_path / "prod-checklist.toml"
    done = _inv(
        "checklist", "--out", str(out), "--plan-hash", HASH, "--confirmed", "true",
        "--review", str(tmp_path / "review.json"),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    parsed = cl.parse(out)
    assert (parsed.approver, parsed.plan_hash, all(parsed.confirmed.values())) == ("prod-owner", HASH, True)


def test_inv_checklist_refuses_an_injected_plan_hash_with_exit_2_and_writes_nothing(tmp_path):
    out = tmp_path / "prod-checklist.toml"
    done = _inv(
        "checklist", "--out", str(out), "--plan-hash", HASH + HOSTILE, "--confirmed", "true",
        "--approver", "ana",
    )  # fmt: skip
    assert done.returncode == 2, done.stdout + done.stderr
    assert "refused: plan hash" in done.stderr and "sha256:<64 hex digits>" in done.stderr
    assert not out.exists() and list(tmp_path.iterdir()) == []
