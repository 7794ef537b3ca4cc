"""CloudFormation templates read from disk, as plain data (cfn-lint's YAML loader knows the tags)."""

from __future__ import annotations

import json
from pathlib import Path


def load_template(path: Path) -> dict:
    """A YAML/JSON template as plain JSON-able data (short-form tags become long form)."""
    from cfnlint.decode.cfn_yaml import loads

    return json.loads(json.dumps(loads(path.read_text(encoding="utf-8"))))
