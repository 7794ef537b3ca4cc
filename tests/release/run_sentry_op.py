"""Run one release, promotion, rollback or canary move in its own process with Sentry on (so a test
can kill it at a step boundary, as kill -9 would). argv: repo, env dir, targets json, op, env, and
for `canary` / `promote` an optional JSON of keyword arguments (the canary's action, tenants, …)."""

import functools
import json
import sys
from pathlib import Path

from orchestrator import environments
from orchestrator.deploy import backend_commands
from orchestrator.engine.target import Target
from orchestrator.release import canary, promote, release, rollback

if __name__ == "__main__":
    repo, env_dir, targets_json, op, env = sys.argv[1:6]
    kwargs = json.loads(sys.argv[6]) if len(sys.argv) > 6 else {}
    # The environments' settings come from the test's copy of infra/environments (Sentry on).
    environments.load = functools.partial(environments.load, env_dir=Path(env_dir))
    targets = {name: Target(**t) for name, t in json.loads(targets_json).items()}
    quiet = {"echo": lambda s: None}
    if op == "release":
        outcome = release.run(
            Path(repo), release.Request(env=env, component="widget"), tgt=targets[env], **quiet
        )
    elif op == "promote":
        source = targets[promote.source_of(env)]
        _, outcome = promote.run(
            Path(repo),
            env,
            approval=promote.Approval(approve=True),
            tgt=targets[env],
            source=source,
            **kwargs,
            **quiet,
        )
    elif op == "canary":
        _, outcome = canary.run(Path(repo), env=env, tgt=targets.get(env), **kwargs, **quiet)
    elif op == "rollback-backend":
        out = backend_commands.rollback_backend(Path(repo), env, poll=0, **quiet)
        print(json.dumps({"resumed": out.get("resumed", False), "id": out.get("journal")}))
        sys.exit(0)
    else:
        _, outcome = rollback.run(Path(repo), "rollback-widget", env, "stable", tgt=targets[env], **quiet)
    journal = outcome.journal if outcome else None
    print(json.dumps({"resumed": bool(outcome and outcome.resumed), "id": journal.id if journal else None}))
