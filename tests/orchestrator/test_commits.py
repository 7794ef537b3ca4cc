import pytest

from orchestrator.core.commits import Bump, Commit, bump_for, parse


def p(message: str):
    return parse(Commit("a" * 40, message))


@pytest.mark.parametrize(
    ("message", "bump"),
    [
        ("feat: add slots", Bump.MINOR),
        ("feat(widget): add slots", Bump.MINOR),
        ("fix: off by one", Bump.PATCH),
        ("perf: faster", Bump.PATCH),
        ("feat!: new api", Bump.MAJOR),
        ("fix(api)!: drop field", Bump.MAJOR),
        ("refactor: tidy\n\nBREAKING CHANGE: removed x", Bump.MAJOR),
        ("chore: deps\n\nBREAKING-CHANGE: y", Bump.MAJOR),
        ("chore: deps", Bump.NONE),
        ("docs: readme", Bump.NONE),
        ("Update things", Bump.NONE),
        ("feat:missing space", Bump.NONE),
    ],
)
def test_conventional_types_map_to_bumps(message, bump):
    assert p(message).bump is bump


def test_scope_subject_and_breaking_note_are_parsed():
    c = p("feat(chat)!: new reply shape\n\nbody\n\nBREAKING CHANGE: `reply` is now an object")
    assert (c.type, c.scope, c.subject, c.breaking) == ("feat", "chat", "new reply shape", True)
    assert c.breaking_note == "`reply` is now an object"
    assert c.section == "Breaking changes"


def test_only_releasable_commits_have_a_changelog_section():
    assert p("chore: x").section is None
    assert p("fix: x").section == "Fixes"
    assert p("perf: x").section == "Performance"


def test_the_highest_bump_wins():
    assert bump_for([p("fix: a"), p("feat: b"), p("chore: c")]) is Bump.MINOR
    assert bump_for([]) is Bump.NONE


def test_bump_names_parse_and_unknown_ones_do_not():
    assert Bump.parse("Major") is Bump.MAJOR
    with pytest.raises(ValueError):
        Bump.parse("huge")
