"""`./inv rehearse`: the real ladder in a throwaway clone against a throwaway embedded AWS.

One test, because one rehearsal takes a minute or two: it runs the whole thing in-process on
this repository's HEAD (real widget build, real backend packages, every deploy), then reads
what the kept clone recorded and checks that nothing leaked into this tree, its tags or the
process environment.
"""

from __future__ import annotations

import json
import os
import subprocess

from orchestrator.local import rehearse
from orchestrator.paths import ROOT


def _tags(path) -> list[str]:
    return subprocess.run(["git", "tag"], cwd=path, capture_output=True, text=True, check=True).stdout.split()


def test_rehearsal_walks_the_whole_ladder_in_a_clone_and_leaves_this_tree_alone(
    tmp_path, monkeypatch, embedded
):
    # moto keeps its state per process, shared by every server in it: the rehearsal's own embedded
    # AWS would see what the previous test on this worker left (a bucket name "not available").
    embedded.reset()
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # whatever the shell had: restored after
    monkeypatch.setenv("AWS_PROFILE", "someone-elses")
    tags_before = _tags(ROOT)
    seen: list[tuple[str, str]] = []

    summary = rehearse.run(
        ROOT, keep=True, workdir=tmp_path, on_step=lambda s: seen.append((s.step, s.result))
    )

    assert summary.exit_code == 0, [(s.step, s.result, s.detail) for s in summary.steps if s.result != "ok"]
    assert [s.result for s in summary.steps] == ["ok"] * len(summary.steps)
    assert [s.step for s in summary.steps][-9:] == [
        "canary prod",
        "canary set prod",
        "client reports (worse)",
        "canary watch prod",
        "canary start prod",
        "client reports (healthy)",
        "canary watch --promote",
        "rollback-widget prod",
        "rollback-backend prod",
    ]
    assert ("promote prod", "running") in seen and ("promote prod", "ok") in seen

    # The process targets what it targeted before; the user's tags are untouched.
    assert os.environ["AWS_ENDPOINT_URL"] == "http://127.0.0.1:9"
    assert os.environ["AWS_PROFILE"] == "someone-elses"
    assert "BOOKINGCHAT_CDN_URL" not in os.environ
    assert _tags(ROOT) == tags_before

    # The kept clone holds what the ladder recorded: its own tags, no remote to push to.
    clone = summary.clone
    assert clone.is_relative_to(tmp_path) and clone.exists()
    assert subprocess.run(["git", "remote"], cwd=clone, capture_output=True, text=True).stdout.strip() == ""
    clone_tags = set(_tags(clone)) - set(tags_before)
    # Versions this tree had released already are not the ladder's (a clone without the tags —
    # CI's fresh clone — gets their tags back from the manifest).
    released_before = set(
        json.loads((ROOT / "releases/manifest.json").read_text())["components"]["widget"]["releases"]
    )
    widget_versions = sorted(
        v
        for t in clone_tags
        if t.startswith("widget/v") and (v := t.removeprefix("widget/v")) not in released_before
    )
    assert len(widget_versions) == 2 and any(t.startswith("backend/v") for t in clone_tags)

    manifest = json.loads((clone / "releases/manifest.json").read_text())
    prod = manifest["environments"]["prod"]
    first, second = sorted(widget_versions, key=lambda v: tuple(int(p) for p in v.split(".")))
    assert prod["channels"]["latest"] == first  # rolled back from the second version
    digests = {
        env: manifest["environments"][env]["agents"]["booking"]["digest"] for env in ("dev", "qa", "prod")
    }
    assert len(set(digests.values())) == 1  # the agent reached prod through dev and qa, the same digest
    actions = [(e["action"], e["env"]) for e in manifest["events"]]
    assert ("promote", "prod") in actions and ("rollback-widget", "prod") in actions
    # The backend rollback is recorded as the CLI records it: prod now runs the colour before.
    last = manifest["events"][-1]
    assert (last["action"], last["env"]) == ("rollback-backend", "prod")
    assert (
        prod["backend"]["version"] == last["version"] != manifest["environments"]["dev"]["backend"]["version"]
    )
    prod_smokes = [
        e["details"]["smoke"]["via"]
        for e in manifest["events"]
        if e["env"] == "prod" and "smoke" in e["details"] and not e["action"].startswith("agent-")
    ]
    assert prod_smokes and all(via.startswith("http://127.0.0.1:") for via in prod_smokes)

    # The canary ladder, as the manifest recorded it: one tenant, then 50 %, the watch's abort with
    # its numbers (prod's minimum of 800 boots per arm reached, not lowered), a second canary
    # promoted by the watch, then the widget rollback from it.
    step = {s.step: s for s in summary.steps}
    canary_events = [
        e
        for e in manifest["events"]
        if e["env"] == "prod" and (e["action"].startswith("canary-") or "canary" in e["details"])
    ]
    assert [e["action"] for e in canary_events] == [
        "promote", "canary-set", "canary-abort", "canary-start", "canary-promote",
    ]  # fmt: skip
    on_canary, raised, aborted, restarted, promoted_canary = canary_events
    assert on_canary["details"]["canary"] == {
        "version": second, "tenants": ["peluqueria-lola"], "percent": 0.0, "state": "active",
    }  # fmt: skip
    assert raised["details"]["canary"]["percent"] == 50.0
    assert raised["details"]["canary"]["tenants"] == ["peluqueria-lola"]
    watched = aborted["details"]["watch"]
    assert watched["canary"] == {"version": second, "boots": 800, "errors": 120}
    assert watched["stable"] == {"version": first, "boots": 800, "errors": 8}
    assert watched["verdict"]["outcome"] == "fail" and watched["percent"] == 50.0
    assert "canary watch: canary is worse: canary 15.00% vs stable 1.00%" in aborted["details"]["reason"]
    assert step["canary watch prod"].data["routing"]["state"] == "aborted"
    assert step["canary watch prod"].data["routing"]["stable"] == first
    assert restarted["details"]["canary"]["version"] == second
    healthy = promoted_canary["details"]["watch"]
    assert healthy["canary"] == {"version": second, "boots": 800, "errors": 8}
    # its own minute: neither the aborted run's canary errors nor its stable boots are counted again
    assert healthy["stable"] == {"version": first, "boots": 800, "errors": 8}
    assert healthy["verdict"]["outcome"] == "pass"
    assert promoted_canary["details"]["channels"] == {"latest": second, "stable": second}
    assert 0 <= step["client reports (healthy)"].data["waited_s"] <= 60
    # At that point latest was the canary version: the widget rollback that follows moved it back.
    after = manifest["events"][manifest["events"].index(promoted_canary) + 1]
    assert after["action"] == "rollback-widget"
    assert after["details"]["from"]["latest"] == second and after["details"]["versions"] == {"widget": first}
    final = step["canary watch --promote"].data["routing"]
    assert final["state"] == "promoted" and final["stable"] == second and "canary" not in final
    as_json = summary.to_json()["steps"]
    assert (
        next(s for s in as_json if s["step"] == "canary watch prod")["data"]["check"]["canary"]["errors"]
        == 120
    )

    # prod's promotion deployed the idle colour, so the backend rollback was the instant switch.
    promoted = next(s for s in summary.steps if s.step == "promote prod").detail
    switched = next(s for s in summary.steps if s.step == "rollback-backend prod").detail
    live_after_promotion = promoted.rsplit("live colour ", 1)[1]
    assert switched.startswith(f"colour {live_after_promotion} → ")
    assert "instant switch" in switched and not switched.endswith(
        f"→ {live_after_promotion} (instant switch)"
    )
