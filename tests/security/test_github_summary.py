"""Commands write a Markdown summary to $GITHUB_STEP_SUMMARY in GitHub Actions, nowhere else."""

from __future__ import annotations

from orchestrator import github


def test_a_release_summary_shows_plan_versions_channels_invalidations_and_links():
    text = github.render_summary(
        github.Summary(
            title="release",
            env="dev",
            outcome="released",
            plan=["upload widget 1.4.0", "move beta → 1.4.0"],
            versions={"widget": "1.4.0", "backend": "2.1.0"},
            channels={"beta": "1.4.0"},
            invalidations=["/beta/chat-widget.js"],
            links={"loader": "https://cdn.example.com/v1.4.0/chat-widget.js"},
        )
    )
    assert text.splitlines()[0] == "## release · `dev` — released"
    assert "1. upload widget 1.4.0" in text and "2. move beta → 1.4.0" in text
    assert "| backend | `2.1.0` |" in text and "| widget | `1.4.0` |" in text
    assert "| beta | `1.4.0` |" in text
    assert "- `/beta/chat-widget.js`" in text
    assert "- [loader](https://cdn.example.com/v1.4.0/chat-widget.js)" in text


def test_empty_sections_are_left_out():
    text = github.render_summary(github.Summary(title="rollback-widget", outcome="up to date"))
    assert text.strip() == "## rollback-widget — up to date"


def test_user_text_cannot_break_a_table():
    text = github.render_summary(github.Summary(title="t", versions={"wid|get": "1.0.0\n| x | y |"}))
    rows = [line for line in text.splitlines() if line.startswith("| wid")]
    assert rows == ["| wid\\|get | `1.0.0 \\| x \\| y \\|` |"]


def test_the_writer_appends_only_when_github_gives_a_file(tmp_path):
    target = tmp_path / "summary.md"
    assert github.write_step_summary("## one", {}) is False
    assert github.publish(github.Summary(title="one"), {"GITHUB_STEP_SUMMARY": str(target)}) is True
    assert github.write_step_summary("## two\n", {"GITHUB_STEP_SUMMARY": str(target)}) is True
    assert target.read_text() == "## one\n\n## two\n\n"


def test_check_results_render_as_a_table_with_a_closing_line():
    text = github.render_checks([("ruff", True, 1.234), ("pytest", False, 30.0)])
    assert "| ruff | ✅ passed | 1.2 |" in text and "| pytest | ❌ FAILED | 30.0 |" in text
    assert text.rstrip().endswith("checks: 1 passed, 1 failed")
