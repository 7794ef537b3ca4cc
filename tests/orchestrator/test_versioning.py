import pytest
from semver import Version

from orchestrator.core.commits import Bump, Commit, parse
from orchestrator.core.versioning import decide
from orchestrator.errors import UserError

V = Version.parse


def commits(*messages):
    return [parse(Commit(f"{i:040d}", m)) for i, m in enumerate(messages)]


def test_a_never_released_component_starts_at_1_0_0_whatever_its_commits_say():
    d = decide([], commits("feat!: huge"), commits("feat!: huge"))
    assert (d.next, d.bump, d.reason) == (V("1.0.0"), None, "first release")


def test_first_prerelease_is_1_0_0_beta_1():
    assert decide([], [], [], "beta").next == V("1.0.0-beta.1")


@pytest.mark.parametrize(
    ("message", "expected"),
    [("feat: a", "1.5.0"), ("fix: a", "1.4.1"), ("perf: a", "1.4.1"), ("feat!: a", "2.0.0")],
)
def test_stable_bumps_follow_the_commits(message, expected):
    c = commits(message)
    assert decide([V("1.4.0")], c, c).next == V(expected)


def test_nothing_releasable_means_nothing_to_do():
    c = commits("chore: deps", "docs: x")
    d = decide([V("1.4.0")], c, c)
    assert d.next is None and not d.releases
    assert "no releasable commits" in d.reason


def test_an_explicit_bump_overrides_the_commits_and_releases_even_without_them():
    assert decide([V("1.4.0")], [], [], forced=Bump.MAJOR).next == V("2.0.0")
    assert decide([V("1.4.0")], commits("feat!: x"), commits("feat!: x"), forced=Bump.PATCH).next == V(
        "1.4.1"
    )


def test_prerelease_counters_come_from_existing_versions():
    released = [V("1.4.0"), V("1.5.0-beta.1"), V("1.5.0-beta.2")]
    d = decide(released, commits("fix: y"), commits("feat: x", "fix: y"), "beta")
    assert d.next == V("1.5.0-beta.3")
    assert [c.subject for c in d.commits] == ["y"]  # only what is new since beta.2


def test_prerelease_without_new_commits_does_nothing():
    released = [V("1.4.0"), V("1.5.0-beta.1")]
    assert decide(released, [], commits("feat: x"), "beta").next is None


def test_a_breaking_change_during_a_beta_line_moves_it_to_the_next_major():
    released = [V("1.4.0"), V("1.5.0-beta.1")]
    d = decide(released, commits("feat!: z"), commits("feat: x", "feat!: z"), "beta")
    assert d.next == V("2.0.0-beta.1")


def test_alpha_to_beta_switch_keeps_the_line_and_starts_a_new_counter():
    released = [V("1.4.0"), V("1.5.0-alpha.3")]
    assert decide(released, [], commits("feat: x"), "beta").next == V("1.5.0-beta.1")


def test_going_back_from_beta_to_alpha_on_the_same_line_is_refused():
    released = [V("1.4.0"), V("1.5.0-beta.2")]
    with pytest.raises(UserError, match="would sort before"):
        decide(released, commits("fix: y"), commits("feat: x", "fix: y"), "alpha")


def test_stable_graduates_the_prerelease_line_and_lists_every_commit_since_the_last_stable():
    released = [V("1.4.0"), V("1.5.0-beta.1"), V("1.5.0-beta.2")]
    d = decide(released, [], commits("feat: x", "fix: y"), "stable")
    assert d.next == V("1.5.0") and d.reason == "graduation"
    assert [c.subject for c in d.commits] == ["x", "y"]


def test_graduation_of_a_line_ahead_of_the_commits_keeps_the_line():
    released = [V("1.4.0"), V("2.0.0-beta.1")]  # beta cut with --bump major
    assert decide(released, [], commits("fix: y"), "stable").next == V("2.0.0")


def test_graduation_works_when_nothing_was_ever_stable():
    assert decide([V("1.0.0-beta.2")], [], [], "stable").next == V("1.0.0")


@pytest.mark.parametrize("channel", ["gamma", "canary", "latest"])
def test_unknown_channels_are_refused(channel):
    with pytest.raises(UserError, match="unknown release channel"):
        decide([], [], [], channel)
