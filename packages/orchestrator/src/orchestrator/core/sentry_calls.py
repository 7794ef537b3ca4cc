"""Which Sentry calls an operation makes, in order: pure data, part of the operation's plan.

A release creates each released component's Sentry release, sets its commits, uploads the
widget's source maps once per version, records a deploy in the environment, and finalizes when
the environment is prod. Promotions and rollbacks record deploys (and finalize on prod). The plan
holds the list, so a resumed operation makes the same calls; each call is one journaled step.
"""

from __future__ import annotations

RELEASE_PREFIX = {"widget": "booking-chat-widget@", "backend": "booking-chat-backend@"}


def release_name(component: str, version: str) -> str:
    return RELEASE_PREFIX[component] + version


def calls(kind: str, env: str, versions: dict[str, str], head_sha: str | None = None) -> list[dict]:
    """The calls of one operation. `versions`: component → version it puts in `env`.

    kind: release | promote | rollback-widget | rollback-backend | set-channel | canary
    """
    # First, the environment's widget config (observability.json): the DSN the widget reads.
    out: list[dict] = [{"id": "sentry-widget-config", "call": "widget-config", "env": env}]
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
        out.append(
            {"id": f"sentry-deploy-{tag}", "call": "deploy", "release": release, "env": env, "name": kind}
        )
        if env == "prod" and kind in ("release", "promote"):
            out.append({"id": f"sentry-finalize-{tag}", "call": "finalize", "release": release})
    return out
