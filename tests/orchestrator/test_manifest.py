import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from orchestrator.core import manifest as mf
from orchestrator.errors import UserError

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[2]


def release(version="1.4.0"):
    return mf.Release(version=version, tag=f"widget/v{version}", git_sha="a" * 40, date=NOW, changelog="x")


def test_round_trip_is_stable_and_sorted():
    m = mf.with_release(mf.Manifest(), "widget", release())
    text = mf.dumps(m)
    assert mf.dumps(mf.parse(text)) == text
    assert text.endswith("}\n")
    assert list(json.loads(text)) == sorted(json.loads(text))


def test_transitions_return_new_manifests_and_keep_the_old_ones():
    empty = mf.Manifest()
    one = mf.with_release(empty, "widget", release("1.0.0"))
    two = mf.with_release(one, "widget", release("1.1.0"))
    assert empty.components == {}
    assert [str(v) for v in two.component("widget").versions()] == ["1.0.0", "1.1.0"]
    logged = mf.with_event(two, mf.Event(at=NOW, by="ana", action="version"))
    assert len(logged.events) == 1 and two.events == []


def test_invalid_json_is_one_line_naming_line_and_column():
    with pytest.raises(UserError, match=r"releases/manifest.json:1:\d+: not valid JSON"):
        mf.parse('{"components": ')


@pytest.mark.parametrize(
    ("data", "where"),
    [
        ({"schema_version": 2}, "$.schema_version"),
        (
            {"components": {"widget": {"releases": {"1.0.0": {"version": "1.0.0"}}}}},
            '$.components.widget.releases["1.0.0"].tag',
        ),
        (
            {
                "components": {
                    "widget": {
                        "releases": {
                            "x": {
                                "version": "one",
                                "tag": "t",
                                "git_sha": "a",
                                "date": "2026-01-01T00:00:00Z",
                            }
                        }
                    }
                }
            },
            "$.components.widget.releases.x.version",
        ),
        (
            {"environments": {"dev": {"channels": {"nightly": "1.0.0"}}}},
            "$.environments.dev.channels.nightly",
        ),
        ({"surprise": 1}, "$.surprise"),
    ],
)
def test_schema_violations_name_the_json_path(data, where):
    with pytest.raises(UserError) as err:
        mf.parse(json.dumps(data))
    assert f": {where}: " in err.value.message
    assert "\n" not in err.value.message


def test_the_committed_json_schema_matches_the_model():
    committed = (ROOT / "releases" / "manifest.schema.json").read_text()
    assert committed == mf.json_schema(), "regenerate it with `./inv manifest-schema`"
