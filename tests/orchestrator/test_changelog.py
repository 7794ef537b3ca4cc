from datetime import date

from semver import Version

from orchestrator.core import changelog
from orchestrator.core.commits import Commit, parse

V = Version.parse
DAY = date(2026, 11, 27)


def commits(*messages):
    return [parse(Commit(f"{i:07d}" + "f" * 33, m)) for i, m in enumerate(messages)]


def test_a_section_groups_entries_with_short_shas_in_a_fixed_order():
    text = changelog.render_section(
        "widget",
        V("2.0.0"),
        DAY,
        commits(
            "fix(ui): focus ring",
            "feat: slots",
            "perf: lazy app",
            "feat!: new embed\n\nBREAKING CHANGE: use data-tenant",
        ),
    )
    assert text.splitlines()[0] == "## widget 2.0.0 — 2026-11-27"
    order = [line for line in text.splitlines() if line.startswith("### ")]
    assert order == ["### Breaking changes", "### Features", "### Fixes", "### Performance"]
    assert "- **ui:** focus ring (0000000)" in text
    assert "  use data-tenant" in text


def test_a_first_release_without_listed_commits_says_so():
    assert "- First release." in changelog.render_section("backend", V("1.0.0"), DAY, [])


def test_newest_section_goes_first_after_the_header():
    log = changelog.insert("", "widget", V("1.0.0"), changelog.render_section("widget", V("1.0.0"), DAY, []))
    log = changelog.insert(
        log, "backend", V("1.0.0"), changelog.render_section("backend", V("1.0.0"), DAY, [])
    )
    headings = [line for line in log.splitlines() if line.startswith("## ")]
    assert headings == ["## backend 1.0.0 — 2026-11-27", "## widget 1.0.0 — 2026-11-27"]
    assert log.startswith("# Changelog")
    assert log.endswith("\n") and not log.endswith("\n\n")


def test_graduation_folds_that_lines_prereleases_and_keeps_the_rest():
    log = ""
    for v in ("1.4.0", "1.5.0-beta.1", "1.5.0-beta.2"):
        log = changelog.insert(
            log, "widget", V(v), changelog.render_section("widget", V(v), DAY, commits(f"fix: {v}"))
        )
    log = changelog.insert(
        log, "backend", V("1.5.0-beta.1"), changelog.render_section("backend", V("1.5.0-beta.1"), DAY, [])
    )
    stable = changelog.render_section(
        "widget", V("1.5.0"), DAY, commits("fix: 1.5.0-beta.1", "fix: 1.5.0-beta.2")
    )
    log = changelog.insert(log, "widget", V("1.5.0"), stable)
    headings = [line.split(" — ")[0] for line in log.splitlines() if line.startswith("## ")]
    assert headings == ["## widget 1.5.0", "## backend 1.5.0-beta.1", "## widget 1.4.0"]


def test_inserting_the_same_version_again_replaces_it_instead_of_duplicating():
    section = changelog.render_section("widget", V("1.0.0"), DAY, [])
    log = changelog.insert(changelog.insert("", "widget", V("1.0.0"), section), "widget", V("1.0.0"), section)
    assert log.count("## widget 1.0.0") == 1


def test_excerpt_returns_one_versions_text_without_heading():
    section = changelog.render_section("widget", V("1.1.0"), DAY, commits("feat: slots"))
    log = changelog.insert("", "widget", V("1.1.0"), section)
    assert changelog.excerpt(log, "widget", V("1.1.0")) == "### Features\n\n- slots (0000000)"
    assert changelog.excerpt(log, "widget", V("9.9.9")) is None
