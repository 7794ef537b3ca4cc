"""A tool-schema change is released as a breaking change (major bump, changelog note), in a real git repo."""

from __future__ import annotations

import datetime as dt
import shutil

import yaml
from gitrepo import MONOREPO

from orchestrator.core import changelog
from orchestrator.release import version


def _release_ready(repo) -> None:
    shutil.copy(MONOREPO / "releases/components.toml", repo.path / "releases/components.toml")
    repo.git.index.add(["releases/components.toml"])
    repo.git.index.commit("chore: components")
    repo.git.create_tag("backend/v1.0.0")


def _edit_tools(repo, change, message: str) -> None:
    path = repo.path / "infra/agents/booking/action-group.yaml"
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    repo.git.index.add([str(path)])
    repo.git.index.commit(message)


def test_removing_a_tool_without_saying_so_is_still_a_breaking_change(agent_repo):
    _release_ready(agent_repo)
    _edit_tools(
        agent_repo,
        lambda d: d.update(functions=[f for f in d["functions"] if f["name"] != "cancel_booking"]),
        "feat(agent): fewer tools",
    )
    plan = version.plan(agent_repo.path, "backend")
    backend = plan.components["backend"].decision
    assert str(backend.next) == "2.0.0"
    [commit] = [c for c in backend.commits if c.subject == "fewer tools"]
    assert commit.breaking and commit.breaking_note == "Agent tool schema: tool cancel_booking removed."
    section = changelog.render_section("backend", backend.next, dt.date(2026, 11, 30), backend.commits)
    assert "### Breaking changes" in section and "tool cancel_booking removed" in section


def test_a_new_description_is_not_a_break(agent_repo):
    _release_ready(agent_repo)

    def describe(d):
        d["functions"][0]["description"] += " Only this conversation's."

    _edit_tools(agent_repo, describe, "docs(agent): clearer tool text")
    plan = version.plan(agent_repo.path, "backend")
    assert not any(c.breaking for c in plan.components["backend"].decision.commits)
