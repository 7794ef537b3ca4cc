"""Run one release in its own process (so a test can kill it at a step boundary, as kill -9 would)."""

import json
import sys
from pathlib import Path

from orchestrator.engine.target import Target
from orchestrator.release import release

if __name__ == "__main__":
    repo, target_json, component = sys.argv[1], sys.argv[2], sys.argv[3]
    tgt = Target(**json.loads(target_json))
    outcome = release.run(
        Path(repo), release.Request(env=tgt.env, component=component), tgt=tgt, echo=lambda s: None
    )
    print(json.dumps({"resumed": outcome.resumed, "id": outcome.journal.id if outcome.journal else None}))
