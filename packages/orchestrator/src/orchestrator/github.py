"""GitHub Actions job summaries: what a command did, as Markdown, in `$GITHUB_STEP_SUMMARY`.

`render_summary` is pure (plain data in, Markdown out) so it is tested without GitHub;
`write_step_summary` is the whole side effect and does nothing outside GitHub Actions.

Commands build a `Summary` from what they already know and call `publish(summary)`:

    from orchestrator import github
    github.publish(github.Summary(
        title="release dev", outcome="released",
        plan=["upload widget 1.4.0", "move beta → 1.4.0", "invalidate /beta/chat-widget.js"],
        versions={"widget": "1.4.0", "backend": "2.1.0"},
        channels={"beta": "1.4.0"},
        invalidations=["/beta/chat-widget.js"],
        links={"widget": "https://cdn.example.com/v1.4.0/chat-widget.js"},
    ))
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ENV_VAR = "GITHUB_STEP_SUMMARY"


@dataclass(frozen=True)
class Summary:
    title: str
    outcome: str = ""  # one word or phrase: released, promoted, rolled back, up to date, refused …
    env: str = ""
    plan: Sequence[str] = ()
    versions: Mapping[str, str] = field(default_factory=dict)
    channels: Mapping[str, str] = field(default_factory=dict)
    invalidations: Sequence[str] = ()
    links: Mapping[str, str] = field(default_factory=dict)
    notes: Sequence[str] = ()


def _cell(text: object) -> str:
    """A table cell: pipes escaped, newlines folded, so user text cannot break the table."""
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def _code(text: object) -> str:
    value = str(text).replace("\n", " ")
    fence = "``" if "`" in value else "`"
    return f"{fence}{value}{fence}" if fence == "`" else f"{fence} {value} {fence}"


def _table(head: tuple[str, str], rows: Mapping[str, str]) -> list[str]:
    out = [f"| {head[0]} | {head[1]} |", "|---|---|"]
    out += [f"| {_cell(k)} | {_code(_cell(v))} |" for k, v in sorted(rows.items())]
    return out + [""]


def render_summary(summary: Summary) -> str:
    """Pure: the Markdown for one command run (sections only when they have content)."""
    heading = f"## {summary.title}"
    if summary.env:
        heading += f" · `{summary.env}`"
    if summary.outcome:
        heading += f" — {summary.outcome}"
    out = [heading, ""]
    if summary.plan:
        out += ["**Plan**", ""] + [f"{i}. {_cell(step)}" for i, step in enumerate(summary.plan, 1)] + [""]
    if summary.versions:
        out += _table(("component", "version"), summary.versions)
    if summary.channels:
        out += _table(("channel", "version"), summary.channels)
    if summary.invalidations:
        out += ["**CloudFront invalidations**", ""] + [f"- {_code(p)}" for p in summary.invalidations] + [""]
    if summary.links:
        out += ["**Links**", ""] + [f"- [{_cell(k)}]({v})" for k, v in sorted(summary.links.items())] + [""]
    if summary.notes:
        out += [f"> {_cell(n)}" for n in summary.notes] + [""]
    return "\n".join(out)


def render_checks(rows: Sequence[tuple[str, bool, float]]) -> str:
    """Pure: a `./inv test` result table, rows of (check name, passed, seconds)."""
    out = ["## ./inv test", "", "| check | result | seconds |", "|---|---|---:|"]
    out += [f"| {_cell(n)} | {'✅ passed' if ok else '❌ FAILED'} | {s:.1f} |" for n, ok, s in rows]
    failed = sum(1 for _, ok, _ in rows if not ok)
    return "\n".join(out + ["", f"checks: {len(rows) - failed} passed, {failed} failed", ""])


def write_step_summary(markdown: str, environ: Mapping[str, str] | None = None) -> bool:
    """Append to the job summary when running in GitHub Actions; False (and no effect) elsewhere."""
    target = (os.environ if environ is None else environ).get(ENV_VAR, "")
    if not target:
        return False
    with Path(target).open("a", encoding="utf-8") as fh:
        fh.write(markdown.rstrip("\n") + "\n\n")  # a blank line keeps the next summary apart
    return True


def publish(summary: Summary, environ: Mapping[str, str] | None = None) -> bool:
    return write_step_summary(render_summary(summary), environ)
