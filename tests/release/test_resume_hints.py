"""The hint the engine gives for an unfinished operation names a command that exists and resumes it.

It used to say `./inv canary-start --resume ID` for a crashed canary: no canary task takes
`--resume` (they resume by running the same command again), so the hint failed as typed."""

from __future__ import annotations

import re
import subprocess

import pytest
from gitrepo import INVOKE, MONOREPO

from orchestrator.engine import journal
from orchestrator.engine.operation import _RESUME_FLAG, resume_hint
from orchestrator.errors import UserError
from orchestrator.release import canary, release, rollback

REQ = release.Request(env="dev", component="widget")


def inv_help(command: str) -> str:
    """`./inv --help COMMAND`, as a user would run it (fails when the command does not exist)."""
    out = subprocess.run(
        [str(INVOKE), "--search-root", str(MONOREPO), "--help", command],
        capture_output=True,
        text=True,
        cwd=MONOREPO.parent,
    )
    assert out.returncode == 0, f"./inv {command} does not exist: {out.stderr}"
    return out.stdout


def test_a_crashed_canary_is_named_by_a_command_that_resumes_it(release_repo, dev):
    release.run(release_repo.path, REQ, tgt=dev)
    release_repo.commit("feat: quick replies", "widget/src/app.js", "console.log('quick replies');\n")
    release.run(release_repo.path, REQ, tgt=dev)
    rollback.run(release_repo.path, "set-channel", "dev", "latest", to="1.0.0", tgt=dev)

    def crash_after_the_routing_object(event):
        if event.step == "write-routing" and event.state == "done":
            raise RuntimeError("the runner died")

    args = dict(tenants="salon-luna", percent="10", tgt=dev)
    with pytest.raises(RuntimeError, match="the runner died"):
        canary.run(
            release_repo.path, "start", "dev", "1.1.0", on_event=crash_after_the_routing_object, **args
        )
    [unfinished] = journal.unfinished(dev.artifact_bucket, "dev")

    with pytest.raises(UserError, match="unfinished canary-start") as refused:
        canary.run(release_repo.path, "abort", "dev", tgt=dev)
    hint = refused.value.hint
    assert "--resume" not in hint, hint
    assert "./inv canary-start 1.1.0 --env dev --tenants salon-luna --percent 10" in hint, hint
    command = re.search(r"\./inv (\S+)", hint).group(1)
    assert {"--env", "--tenants", "--percent"} <= set(re.findall(r"--[a-z-]+", inv_help(command)))

    # Typed as the hint says, it resumes the same journal and finishes it.
    _, outcome = canary.run(release_repo.path, "start", "dev", "1.1.0", **args)
    assert outcome.resumed and outcome.journal.id == unfinished.id
    assert outcome.journal.status == "done"


@pytest.mark.parametrize("kind", [*_RESUME_FLAG, "agent-import", "agent-rollback"])
def test_every_resume_flag_the_hint_names_exists_on_its_command(kind):
    hint = resume_hint(kind, "x-1", "qa", {"env": "qa", "agent": "booking"})
    words = hint.split("./inv ", 1)[1].split()
    command = words[0]
    assert "--resume" in inv_help(command), f"./inv {command} has no --resume: {hint}"
