"""Which Sentry calls an operation makes, in order: pure data, part of the operation's plan.

A release creates each released component's Sentry release, sets its commits, uploads the
widget's source maps once per version, records a deploy in the environment, and finalizes when
the environment is prod. Promotions, rollbacks (widget and backend) and canary moves record
deploys, named after what happened (`canary 10%`, `canary abort`, …) so Sentry shows what runs
where; what reaches everyone in prod is finalized. The plan holds the list, so a resumed
operation makes the same calls; each call is one journaled step.
"""

from __future__ import annotations

RELEASE_PREFIX = {"widget": "booking-chat-widget@", "backend": "booking-chat-backend@"}
# Kinds whose versions reach everyone in the environment: finalized when that is prod.
FINALIZING = ("release", "promote", "canary-promote")


def release_name(component: str, version: str) -> str:
    return RELEASE_PREFIX[component] + version


def calls(
    kind: str,
    env: str,
    versions: dict[str, str],
    head_sha: str | None = None,
    names: dict[str, str] | None = None,
) -> list[dict]:
    """The calls of one operation. `versions`: component → version it puts in `env`.

    kind: release | promote | rollback-widget | rollback-backend | set-channel | canary-*
    names: component → its deploy's name, when not the kind (a canary's `canary 10%`).
    """
    out: list[dict] = []
    if "widget" in versions:  # first, the environment's widget config (observability.json): its DSN
        out.append({"id": "sentry-widget-config", "call": "widget-config", "env": env})
    for component in sorted(versions):
        if component not in RELEASE_PREFIX:
            continue
        version = versions[component]
        release = release_name(component, version)
        tag = f"{component}-{version}"
        if kind == "release":
            out.append(
                {"id": f"sentry-new-{tag}", "call": "new-release", "release": release},
            )
            out.append(
                {
                    "id": f"sentry-commits-{tag}",
                    "call": "set-commits",
                    "release": release,
                    "commit": head_sha,
                },
            )
            if component == "widget":
                out.append(
                    {
                        "id": f"sentry-maps-{tag}",
                        "call": "upload-sourcemaps",
                        "release": release,
                        "version": version,
                    }
                )
        name = (names or {}).get(component, kind)
        out.append(
            {"id": f"sentry-deploy-{tag}", "call": "deploy", "release": release, "env": env, "name": name}
        )
        if env == "prod" and kind in FINALIZING:
            out.append({"id": f"sentry-finalize-{tag}", "call": "finalize", "release": release})
    return out


def canary_label(percent_bp: int, tenants: int) -> str:
    """A canary's deploy name: its share of tenants and how many are listed by name
    (`canary 10%`, `canary 10% + 2 tenants`, `canary 1 tenant`)."""
    share = [f"{percent_bp / 100:g}%"] if percent_bp else []
    if tenants:
        share.append(f"{tenants} tenant{'s' if tenants != 1 else ''}")
    return "canary " + " + ".join(share)


def on_canary(planned: list[dict], label: str) -> list[dict]:
    """A promotion's calls when its widget reaches canary only (`promote ENV --canary N`): the
    widget's deploy is named after the canary and not finalized, since not everyone runs it yet."""
    out = []
    for c in planned:
        widget = c.get("release", "").startswith(RELEASE_PREFIX["widget"])
        if widget and c["call"] == "finalize":
            continue
        out.append({**c, "name": label} if widget and c["call"] == "deploy" else c)
    return out
