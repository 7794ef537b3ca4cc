"""Building and running pieces alone: a Lambda handler locally, the backend's zips, the widget."""

from __future__ import annotations

from invoke import Exit, task

from tasks._refusals import refusals


@task(
    help={
        "function": "authorizer, chat, bookings or admin (SAM names like ChatAgentFunction work too)",
        "event": "an event file: a path, or a file name in packages/backend/events/",
        "sam": "hand over to `sam local invoke` (needs sam and a Docker engine)",
    }
)
@refusals
def invoke(c, function, event="", sam=False):
    """Run one Lambda handler locally with an event, against the embedded AWS (never real AWS)."""
    import json as _json

    from orchestrator import ui
    from orchestrator.errors import UserError
    from orchestrator.local import invoke as local_invoke

    try:
        fn = local_invoke.resolve_function(function)
        if sam:
            raise Exit(code=local_invoke.sam_invoke(fn, local_invoke.resolve_event(event or fn)))
        run = local_invoke.invoke(
            fn,
            event or fn,
            on_endpoint=lambda endpoint, throwaway: ui.err_console.print(
                f"[bold yellow]SANDBOX[/] {endpoint}"
                + (" (throwaway, demo tenants seeded)" if throwaway else "")
            ),
        )
    except local_invoke.InvokeRefused as err:
        raise UserError(err.message, err.hint) from None
    print(_json.dumps(run.error or run.result, indent=2, ensure_ascii=False, default=str))
    if run.error:
        raise Exit(code=1)


@task(help={"arch": "x86_64 (default, or $BACKEND_ARCH) or arm64", "out": "output folder"})
@refusals
def package_backend(c, arch="", out="build/backend"):
    """Build one deterministic zip per Lambda function (+ .sha256) with its Lambda-platform deps."""
    from pathlib import Path

    from orchestrator.deploy.packaging import package_backend as build
    from orchestrator.paths import ROOT

    build(ROOT / out if not Path(out).is_absolute() else Path(out), arch=arch or None)


@task(help={"version": "the widget version to stamp (default $WIDGET_VERSION, else 0.0.0-dev)"})
@refusals
def build_widget(c, version=""):
    """Build the widget once into widget/build/ (loader, app, UMD, maps, build-info.json)."""
    import os

    import semver

    from orchestrator.adapters.npm import run_script
    from orchestrator.errors import UserError

    version = version or os.environ.get("WIDGET_VERSION", "") or "0.0.0-dev"
    if not semver.Version.is_valid(version):
        raise UserError(f"{version!r} is not a semantic version", "give one like 1.4.0 or 1.5.0-beta.2")
    run_script("build:widget", env={**os.environ, "WIDGET_VERSION": version})
