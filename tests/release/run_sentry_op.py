"""Run one release, promotion or rollback in its own process with Sentry on (so a test can kill it
at a step boundary, as kill -9 would). argv: repo, env dir, targets json, op, env."""

import functools
import json
import sys
from pathlib import Path

from orchestrator import environments
from orchestrator.engine.target import Target
from orchestrator.release import promote, release, rollback

if __name__ == "__main__":
    repo, env_dir, targets_json, op, env = sys.argv[1:6]
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
            Path(repo), env, approval=promote.Approval(approve=True), tgt=targets[env], source=source, **quiet
        )
    else:
        _, outcome = rollback.run(Path(repo), "rollback-widget", env, "stable", tgt=targets[env], **quiet)
    journal = outcome.journal if outcome else None
    print(json.dumps({"resumed": bool(outcome and outcome.resumed), "id": journal.id if journal else None}))
