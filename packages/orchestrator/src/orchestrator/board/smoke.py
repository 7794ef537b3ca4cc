"""Smoke tests: what visitors get through the CDN matches what the manifest says was released,
and the API answers a widget's calls.

Through the CDN when one serves the environment (CloudFront, or the local CDN of
`inv local-dev`); otherwise straight from the origin bucket, and the report says so.

`./inv smoke ENV` (`run`) checks every channel loader and every file of each version on a
channel against the manifest's digests, then the GraphQL API with the smoke tenant's key:
health (`__typename`), `TenantConfig`, and one `SendMessage` round trip — using the operation
documents the widget on `latest` records (what real visitors send). It records an event
`smoke` in the manifest (details.smoke.passed, details.versions) — the prod checklist's
"qa smoke passed" reads it.

The smoke tenant's key: an SSM SecureString `/bookingchat/<env>/smoke-api-key` (a dedicated
tenant per environment, created with the admin API's createTenant; its key is rotated like any
other). `BOOKINGCHAT_SMOKE_API_KEY` overrides it; in the sandbox, the first demo tenant of
`.local/endpoints.json` (written by `inv local-dev`) is used when neither is set.
The API: `BOOKINGCHAT_GRAPHQL_URL`, else the sandbox's local AppSync (`.local/endpoints.json`),
else `https://<api.domain>/graphql`, else the app stack's `GraphQLUrl` output.
"""

from __future__ import annotations

import hashlib
import urllib.error
import urllib.request
from dataclasses import dataclass, field

from orchestrator.adapters import cdn
from orchestrator.engine.target import Target

CHECKED_FILES = ("chat-widget.js", "chat-widget.app.js", "chat-widget.umd.js", "build-info.json")


@dataclass
class Report:
    via: str
    checked: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _fetch(target: Target, key: str) -> bytes | None:
    if target.cdn_url:
        url = f"{target.cdn_url.rstrip('/')}/{key}"
        try:
            with urllib.request.urlopen(
                urllib.request.Request(url, headers={"Cache-Control": "no-cache"}), timeout=20
            ) as r:
                return r.read()
        except urllib.error.HTTPError as err:
            if err.code in (403, 404):  # CloudFront with origin access control answers 403 for a missing key
                return None
            raise
    try:
        return cdn.get_bytes(target.widget_bucket, key)
    except cdn.ClientError:
        return None


def check_channels(target: Target, channels: dict[str, str]) -> Report:
    """Each channel serves its version's loader; each version serves its files, byte for byte."""
    from orchestrator.release.widget_steps import LOADER, version_files

    report = Report(via=target.cdn_url or f"s3://{target.widget_bucket} (origin)")
    expected: dict[str, dict[str, str]] = {}
    for version in sorted(set(channels.values())):
        expected[version] = version_files(target.artifact_bucket, version)
        for name in CHECKED_FILES:
            _compare(target, f"v{version}/{name}", expected[version].get(name), report)
    for channel, version in sorted(channels.items()):
        _compare(target, f"{channel}/{LOADER}", expected[version][LOADER], report)
    return report


def _compare(target: Target, key: str, sha256: str | None, report: Report) -> None:
    body = _fetch(target, key)
    report.checked.append(key)
    if body is None:
        report.problems.append(f"/{key} is not served")
    elif sha256 and hashlib.sha256(body).hexdigest() != sha256:
        report.problems.append(f"/{key} serves other bytes than released")


# ── `./inv smoke ENV`: the CDN against the manifest, the API with the smoke tenant's key ───────

SMOKE_KEY_PARAM = "/bookingchat/{env}/smoke-api-key"
SMOKE_MESSAGE = "hola"


def check_against_manifest(target: Target, manifest, env: str) -> Report:
    """Every channel of `env` and every file of its versions, against the manifest's digests.

    build-info.json is not among a release's artifacts: its digest comes from the version's
    index in the artifact bucket (which the upload step made from the same build).
    """
    from orchestrator.release.widget_steps import BUILD_INFO, LOADER, version_files

    report = Report(
        via=target.cdn_url or f"s3://{target.widget_bucket} (origin: nothing serves the CDN here)"
    )
    channels = dict(manifest.environments[env].channels) if env in manifest.environments else {}
    if not channels:
        report.skipped.append(f"{env} has no widget channel in the manifest")
    releases = manifest.component("widget").releases
    expected: dict[str, dict[str, str | None]] = {}
    for version in sorted(set(channels.values())):
        release = releases.get(version)
        if release is None:
            report.problems.append(f"widget {version} is on a channel but not released in the manifest")
            continue
        digests = {name: a.sha256 for name, a in release.artifacts.items()}
        try:
            digests.setdefault(BUILD_INFO, version_files(target.artifact_bucket, version)[BUILD_INFO])
        except cdn.ClientError:
            digests.setdefault(BUILD_INFO, None)  # checked for presence only
        expected[version] = digests
        for name in CHECKED_FILES:
            if name not in digests:
                report.problems.append(f"the manifest has no digest of {name} of widget {version}")
                continue
            _compare(target, f"v{version}/{name}", digests[name], report)
    for channel, version in sorted(channels.items()):
        if version in expected:
            _compare(target, f"{channel}/{LOADER}", expected[version].get(LOADER), report)
    return report


def graphql_url(env_name: str) -> str | None:
    import os

    from orchestrator import environments
    from orchestrator.local import endpoints, sandbox

    if os.environ.get("BOOKINGCHAT_GRAPHQL_URL"):
        return os.environ["BOOKINGCHAT_GRAPHQL_URL"]
    if sandbox.active():
        return endpoints.get("graphql")
    env = environments.load(env_name)
    if env["api.domain"]:
        return f"https://{env['api.domain']}/graphql"
    from orchestrator.engine.target import stack_outputs

    return stack_outputs(env.stack_name("app")).get("GraphQLUrl") or None


def smoke_key(env_name: str) -> str | None:
    import os

    from orchestrator.adapters import aws
    from orchestrator.local import endpoints, sandbox

    if os.environ.get("BOOKINGCHAT_SMOKE_API_KEY"):
        return os.environ["BOOKINGCHAT_SMOKE_API_KEY"]
    ssm = aws.client("ssm")
    try:
        name = SMOKE_KEY_PARAM.format(env=env_name)
        return ssm.get_parameter(Name=name, WithDecryption=True)["Parameter"]["Value"]
    except ssm.exceptions.ParameterNotFound:
        pass
    if sandbox.active():
        tenants = endpoints.get("tenants") or []
        return tenants[0].get("api_key") if tenants else None
    return None


def _post(url: str, key: str, query: str, operation: str | None, variables: dict | None = None) -> dict:
    import json

    body = {"query": query, "variables": variables or {}}
    if operation:
        body["operationName"] = operation
    req = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        # AppSync hands its Lambda authorizer the Authorization header only.
        headers={"content-type": "application/json", "authorization": key},
        method="POST",
    )
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.load(r)
    except urllib.error.HTTPError as err:
        raise RuntimeError(f"HTTP {err.code}") from None


def widget_operations(root, manifest, env: str) -> dict[str, str]:
    """The documents the widget on `latest` sends, as its build recorded them; an operation it did
    not record comes from the widget's source (one document; operationName picks)."""
    source = root / "widget" / "src" / "api" / "operations.graphql"
    if not source.exists():
        from orchestrator.paths import WIDGET

        source = WIDGET / "src" / "api" / "operations.graphql"
    text = source.read_text(encoding="utf-8") if source.exists() else ""
    ops = {"TenantConfig": text, "SendMessage": text} if text else {}
    channels = manifest.environments[env].channels if env in manifest.environments else {}
    version = channels.get("latest") or channels.get("stable")
    release = manifest.component("widget").releases.get(version) if version else None
    return {**ops, **(dict(release.graphql_operations) if release else {})}


def check_graphql(url: str, key: str, operations: dict[str, str], report: Report) -> None:
    """Health, TenantConfig, one SendMessage round trip — each a line of the report."""
    import uuid

    calls = [
        ("health", "query Health { __typename }", None, None, lambda d: d.get("__typename") == "Query"),
        ("TenantConfig", operations.get("TenantConfig"), "TenantConfig", None,
         lambda d: bool(d.get("tenantConfig"))),
        ("SendMessage", operations.get("SendMessage"), "SendMessage",
         {"input": {"text": SMOKE_MESSAGE, "clientToken": f"smoke-{uuid.uuid4().hex}"}},
         lambda d: bool((d.get("sendMessage") or {}).get("conversationId") and d["sendMessage"].get("message"))),
    ]  # fmt: skip
    for name, query, operation, variables, ok in calls:
        if not query:
            report.problems.append(f"GraphQL {name}: the widget records no such operation")
            continue
        try:
            answer = _post(url, key, query, operation, variables)
        except (RuntimeError, OSError) as err:
            report.problems.append(f"GraphQL {name} at {url}: {err}")
            continue
        if answer.get("errors") or not ok(answer.get("data") or {}):
            errors = (
                "; ".join(e.get("message", "?") for e in answer.get("errors") or []) or "unexpected answer"
            )
            report.problems.append(f"GraphQL {name}: {errors}")
        else:
            report.checked.append(f"GraphQL {name}")


@dataclass
class SmokeRun:
    env: str
    report: Report
    versions: dict
    graphql: str | None
    commit: str | None = None

    def to_json(self) -> dict:
        r = self.report
        return {
            "env": self.env,
            "passed": r.ok,
            "via": r.via,
            "graphql": self.graphql,
            "versions": self.versions,
            "checked": r.checked,
            "problems": r.problems,
            "skipped": r.skipped,
            "commit": self.commit,
        }


def run(root, env: str, tgt: Target | None = None, record: bool = True, push: bool = False) -> SmokeRun:
    """`./inv smoke ENV`: the CDN and the API; recorded in the manifest unless record=False."""
    from pathlib import Path

    from orchestrator.adapters import git as gitx
    from orchestrator.core import manifest as mf
    from orchestrator.engine import manifest_store, target
    from orchestrator.local import sandbox

    repo = gitx.open_repo(Path(root))
    root = Path(repo.working_tree_dir)
    tgt = tgt or target.resolve(env)
    manifest = manifest_store.load(root)
    report = check_against_manifest(tgt, manifest, env)
    url, key = graphql_url(env), smoke_key(env)
    if url is None:
        (report.skipped if sandbox.active() else report.problems).append(
            "GraphQL: nothing serves the API" + (" (start ./inv local-dev)" if sandbox.active() else "")
        )
    elif key is None:
        report.problems.append(
            f"GraphQL: no smoke key (put the smoke tenant's key in the SecureString {SMOKE_KEY_PARAM.format(env=env)})"
        )
    else:
        check_graphql(url, key, widget_operations(root, manifest, env), report)
    state = manifest.environments.get(env, mf.Environment())
    channels = dict(state.channels)
    versions = {
        k: v
        for k, v in {
            "widget": channels.get("latest") or channels.get("stable"),
            "backend": state.backend.version if state.backend else None,
        }.items()
        if v
    }
    result = SmokeRun(env, report, versions, url)
    if record:
        result.commit = manifest_store.commit_event(
            root,
            "smoke",
            env,
            {
                "versions": versions,
                "widget_channels": channels,
                "smoke": {
                    "passed": report.ok,
                    "via": report.via,
                    "graphql": url,
                    "problems": report.problems,
                    "skipped": report.skipped,
                },
            },
            f"smoke {env}: {'passed' if report.ok else 'FAILED'}",
            push=push,
        )
    return result
