"""Packaging of templates and artifacts, and the per-stack deploy engine.

Packaging: child templates and the backend's zips are uploaded to the artifact bucket under
their sha256 (skipped when already there) and every local `TemplateURL` is rewritten to its
uploaded URL, so a packaged root template pins everything it deploys.

The engine deploys one stack through a change set: the stack's status picks the action
(`core.stack_status`), an empty change set is success, a change set that would replace or
remove stateful data is refused (`core.changes`), events of nested stacks are shown live and
a failure names its root cause. It returns results and writes no manifest.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from orchestrator.adapters import cloudformation as cf
from orchestrator.adapters import s3 as s3a
from orchestrator.adapters.templates import load_template
from orchestrator.core import changes as ch
from orchestrator.core.stack_status import Action, decide, root_cause
from orchestrator.errors import UserError
from orchestrator.local import sandbox
from orchestrator.paths import INFRA

TEMPLATES = {"data": "data.yaml", "app": "app.yaml", "edge": "edge.yaml", "monitoring": "monitoring.yaml"}
SCHEMA = INFRA / "graphql" / "schema.graphql"


class DeployFailed(UserError):
    """A deploy that ran and failed (exit 1), with the root cause as its message."""

    exit_code = 1


# ── packaging ─────────────────────────────────────────────────────────────────────────


def canonical(template: dict) -> bytes:
    # Source order kept: deterministic already, and the embedded AWS creates in that order.
    return json.dumps(template, indent=1).encode()


@dataclass
class PackagedTemplate:
    url: str
    key: str
    sha256: str
    body: dict
    children: dict[str, PackagedTemplate] = field(default_factory=dict)  # by logical id


def package_template(s3, bucket: str, path: Path) -> PackagedTemplate:
    """Upload `path` and (first) every nested template it points to by a local path."""
    body = load_template(path)
    children = {}
    for logical, res in body.get("Resources", {}).items():
        url = (
            res.get("Properties", {}).get("TemplateURL")
            if res.get("Type") == "AWS::CloudFormation::Stack"
            else None
        )
        if isinstance(url, str) and not url.startswith("https://"):
            child = package_template(s3, bucket, (path.parent / url).resolve())
            res["Properties"]["TemplateURL"] = child.url
            children[logical] = child
    stored = s3a.upload_if_absent(s3, bucket, canonical(body), "templates/", ".json", "application/json")
    return PackagedTemplate(s3a.https_url(bucket, stored.key), stored.key, stored.sha256, body, children)


@dataclass
class Package:
    """What a deploy pins: packaged templates by stack kind, artifact keys by name."""

    bucket: str
    templates: dict[str, PackagedTemplate]
    artifacts: dict[str, str]  # name → S3 key (backend zips by function name, "schema")
    artifact_digests: dict[str, str]

    @property
    def template_digests(self) -> dict[str, str]:
        return {kind: t.sha256 for kind, t in self.templates.items()}


def backend_zips(echo: Callable[[str], None] = print) -> dict[str, bytes]:
    """The backend's deterministic zips by function name (orchestrator.deploy.packaging)."""
    try:
        from orchestrator.deploy.packaging import package_backend
    except ImportError:
        raise UserError(
            "the backend packager is not available yet", "orchestrator.deploy.packaging"
        ) from None
    from orchestrator.paths import ROOT

    # x86_64: the architecture app/functions.yaml declares for every function.
    built = package_backend(ROOT / "build" / "backend", arch="x86_64", echo=echo)
    return {name: Path(fn.path).read_bytes() for name, fn in built.items()}


def package(s3, bucket: str, zips: dict[str, bytes], infra: Path = INFRA) -> Package:
    # Every piece is content-addressed and checked with its own HEAD, so they are independent:
    # checked (and, when new, uploaded) side by side — a no-op deploy makes ~11 such calls.
    # Each job runs in a copy of this context, so what is kept in contextvars (the IAM contract's
    # caller, say) follows the call into the pool's thread.
    import contextvars
    from concurrent.futures import ThreadPoolExecutor

    schema = infra / "graphql" / "schema.graphql"
    pieces = {
        f"backend/{name}": (body, f"artifacts/backend/{name}-", ".zip", "application/zip")
        for name, body in sorted(zips.items())
    }
    if schema.exists():
        pieces["schema"] = (schema.read_bytes(), "artifacts/graphql/", ".graphql", "text/plain")
    with ThreadPoolExecutor(max_workers=8) as pool:
        template_jobs = {
            kind: pool.submit(contextvars.copy_context().run, package_template, s3, bucket, infra / name)
            for kind, name in TEMPLATES.items()
        }
        piece_jobs = {
            key: pool.submit(contextvars.copy_context().run, s3a.upload_if_absent, s3, bucket, *args)
            for key, args in pieces.items()
        }
        templates = {kind: job.result() for kind, job in template_jobs.items()}
        stored = {key: job.result() for key, job in piece_jobs.items()}
    artifacts, digests = {}, {}
    for key, piece in stored.items():
        name = key.removeprefix("backend/")
        artifacts[name], digests[name] = piece.key, piece.sha256
    return Package(bucket, templates, artifacts, digests)


# ── one stack ─────────────────────────────────────────────────────────────────────────


@dataclass
class StackResult:
    stack: str
    kind: str
    outcome: str  # created | updated | up to date | dry run
    outputs: dict[str, str]
    template_sha256: str
    changes: list[ch.Change] = field(default_factory=list)


@dataclass
class Options:
    prod: bool = False
    allow_data_loss: bool = False
    dry_run: bool = False
    termination_protection: bool = False
    role_arn: str = ""  # the CloudFormation execution role (github-oidc stack); "" = the caller's rights
    echo: Callable[[str], None] = print
    poll: float = cf.POLL_SECONDS


def _token(*parts: str) -> str:
    """Same attempt → same token, so a retried call is idempotent; a new attempt gets a new one."""
    return "bc-" + hashlib.sha256("\0".join(parts).encode()).hexdigest()[:40]


def _settle(cfn, stack: str, opts: Options) -> dict | None:
    """Bring the stack to a state a change set can start from (the recovery rules)."""
    for _ in range(5):
        desc = cf.describe(cfn, stack)
        decision = decide(desc["StackStatus"] if desc else None, prod=opts.prod)
        if decision.action in (Action.CREATE, Action.UPDATE):
            return desc
        if decision.action is Action.REFUSE:
            raise UserError(f"{stack}: {decision.reason}", decision.hint)
        opts.echo(f"{stack}: {decision.reason} → {decision.action.value}")
        token = _token(
            stack, desc["StackId"], str(desc.get("LastUpdatedTime", desc["CreationTime"])), "recover"
        )
        if decision.action is Action.DELETE_THEN_CREATE:
            if desc.get("EnableTerminationProtection"):  # qa: an empty stack, protected since its create
                cf.set_termination_protection(cfn, stack, False)
            cf.delete_stack(cfn, desc["StackId"], token)
        elif decision.action is Action.CONTINUE_ROLLBACK:
            cf.continue_update_rollback(cfn, stack, token)
        cf.wait_stack(cfn, desc["StackId"], None, lambda _e: None, opts.poll)
    raise UserError(f"{stack} did not settle", "look at its events in the console")


def _event_line(e: dict) -> str:
    reason = f" — {e['ResourceStatusReason']}" if e.get("ResourceStatusReason") else ""
    return f"  {e['StackName']} {e['LogicalResourceId']} {e['ResourceStatus']}{reason}"


def _nested_change_rows(cfn, stack: str, change_set: dict) -> list[ch.Change]:
    rows = ch.from_change_set(stack, change_set["Changes"])
    for item in change_set["Changes"]:
        nested_arn = item.get("ResourceChange", {}).get("ChangeSetId")
        if nested_arn:
            child = cf.describe_change_set(cfn, nested_arn)
            rows += _nested_change_rows(cfn, f"{stack}/{item['ResourceChange']['LogicalResourceId']}", child)
    return rows


def _static_rows(
    cfn, stack: str, desc: dict, packaged: PackagedTemplate, params: dict[str, str]
) -> list[ch.Change]:
    rows = ch.static_risks(stack, cf.template(cfn, stack), packaged.body, cf.parameters(desc), params)
    deployed_children = dict(cf.nested_stacks(cfn, stack))
    for logical, child in packaged.children.items():
        if logical in deployed_children:
            child_id = deployed_children[logical]
            child_desc = cf.describe(cfn, child_id)
            child_params = cf.parameters(child_desc)
            rows += _static_rows(cfn, child_id, child_desc, child, child_params)
    return rows


def _unchanged(cfn, desc: dict | None, packaged: PackagedTemplate, params: dict, tags: dict) -> bool:
    """The stack already runs this exact template with these parameters and tags.

    Then a change set could only come back empty: skip its create, wait and delete (most of a
    no-op deploy's time). Child templates and Lambda zips are content-addressed (their keys are
    in this template and its parameters), so an equal root means equal children."""
    if not desc or desc["StackStatus"] not in ("CREATE_COMPLETE", "UPDATE_COMPLETE"):
        return False
    if cf.parameters(desc) != {k: str(v) for k, v in params.items()} or cf.tags(desc) != tags:
        return False
    return cf.template(cfn, desc["StackId"]) == packaged.body


def deploy_stack(
    cfn, kind: str, stack: str, packaged: PackagedTemplate, params: dict[str, str], tags: dict, opts: Options
) -> StackResult:
    """Change set → review → execute → wait, for one stack (and its nested stacks)."""
    desc = _settle(cfn, stack, opts)
    if _unchanged(cfn, desc, packaged, params, tags):
        opts.echo(f"{stack}: up to date")  # nothing changed since `desc`: its outputs are current
        return StackResult(stack, kind, "up to date", cf.outputs_of(desc), packaged.sha256)
    change_kind = "UPDATE" if desc else "CREATE"
    marker = str(desc.get("LastUpdatedTime", desc["CreationTime"])) if desc else "new"
    token = _token(
        stack, marker, packaged.sha256, json.dumps(params, sort_keys=True), json.dumps(tags, sort_keys=True)
    )
    arn = cf.create_change_set(
        cfn,
        stack=stack,
        name=token,
        kind=change_kind,
        template_url=packaged.url,
        parameters=params,
        tags=tags,
        token=token,
        role_arn=opts.role_arn,
    )
    change_set = cf.wait_change_set(cfn, arn, opts.poll)
    executed = False
    try:
        if cf.is_empty(change_set):
            opts.echo(f"{stack}: up to date")
            return StackResult(stack, kind, "up to date", cf.outputs(cfn, stack), packaged.sha256)
        if change_set["Status"] != "CREATE_COMPLETE":
            raise DeployFailed(
                f"{stack}: change set failed: {change_set.get('StatusReason')}", "fix the template"
            )
        rows = _nested_change_rows(cfn, stack, change_set)
        if desc:
            rows = ch.merge(rows, _static_rows(cfn, stack, desc, packaged, params))
        for row in rows:
            flag = "  [bold red]DATA LOSS[/]" if row.destroys_data else ""
            repl = f" (replacement: {row.replacement})" if row.replacement else ""
            why = f" — {row.reason}" if row.reason else ""
            opts.echo(f"  {row.action:<7} {row.stack} {row.logical_id} {row.resource_type}{repl}{why}{flag}")
        lossy = [r for r in rows if r.destroys_data]
        if lossy and (opts.prod or not opts.allow_data_loss):
            names = ", ".join(f"{r.logical_id} ({r.resource_type})" for r in lossy)
            hint = "never allowed in prod" if opts.prod else "rerun with --allow-data-loss if you mean it"
            raise UserError(f"{stack}: the change set would replace or remove stateful data: {names}", hint)
        if opts.dry_run:
            opts.echo(f"{stack}: dry run — change set not executed")
            return StackResult(stack, kind, "dry run", cf.outputs(cfn, stack), packaged.sha256, rows)
        executed = True
        _execute(cfn, stack, arn, token, opts)
    finally:
        if not executed:  # empty, refused, failed or a dry run: never leave a reviewable change set behind
            cf.delete_change_set(cfn, arn)
            if change_kind == "CREATE":  # and no empty REVIEW_IN_PROGRESS stack that we just made
                cf.delete_stack(cfn, stack, _token(stack, token, "discard"))
    if opts.termination_protection:
        _protect(cfn, stack, opts)
    outcome = "updated" if desc else "created"
    opts.echo(f"{stack}: {outcome}")
    return StackResult(stack, kind, outcome, cf.outputs(cfn, stack), packaged.sha256, rows)


def _execute(cfn, stack: str, arn: str, token: str, opts: Options) -> None:
    from botocore.exceptions import ClientError

    try:
        since = cf.execute_change_set(cfn, arn, token)
    except ClientError as err:
        # The embedded AWS runs the whole stack inside the call: its error *is* the root cause.
        raise DeployFailed(
            f"{stack} failed: {err.response['Error']['Message']}", _failure_hint(opts)
        ) from None
    status = cf.wait_stack(cfn, stack, since, lambda e: opts.echo(_event_line(e)), opts.poll)
    if status not in ("CREATE_COMPLETE", "UPDATE_COMPLETE"):
        cause = root_cause(cf.events(cfn, stack, since))
        where = (
            f"{cause['StackName']} {cause['LogicalResourceId']}: {cause.get('ResourceStatusReason')}"
            if cause
            else "?"
        )
        raise DeployFailed(f"{stack} ended {status}; root cause: {where}", _failure_hint(opts))


def _failure_hint(opts: Options) -> str:
    return "fix the cause and deploy again (a stack that never got created is recreated automatically)" + (
        "" if not opts.prod else "; in prod it must be deleted by hand first"
    )


def _protect(cfn, stack: str, opts: Options) -> None:
    if sandbox.active():
        opts.echo(f"{stack}: termination protection not set (the embedded AWS does not implement it)")
        return
    cf.set_termination_protection(cfn, stack, True)
