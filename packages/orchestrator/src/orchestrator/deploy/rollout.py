"""An environment's backend roll-out: bootstrap, deploy in order, blue/green, rollback, retire.

Order: data → app (prod: the idle colour, smoke-tested, then switched live) → edge →
monitoring. Stacks are wired by outputs. Each deploy leaves a record of exactly what it
deployed (`deployments/<env>/<version>.json` in the artifact bucket), which is what
`rollback_backend` redeploys. Nothing here writes the release manifest: results are returned.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from orchestrator import environments
from orchestrator.adapters import api_domain
from orchestrator.adapters import cloudformation as cf
from orchestrator.adapters import s3 as s3a
from orchestrator.deploy import oidc_stack
from orchestrator.deploy import stacks as dp
from orchestrator.engine import target as engine_target
from orchestrator.engine.target import Target
from orchestrator.errors import UserError
from orchestrator.local import sandbox
from orchestrator.paths import INFRA

OIDC_STACK = "bookingchat-github-oidc"
FUNCTION_PARAMS = {
    "authorizer": "AuthorizerCodeKey",
    "chat": "ChatCodeKey",
    "bookings": "BookingsCodeKey",
    "admin": "AdminCodeKey",
}
Smoke = Callable[[str, str], None]  # (GraphQL URL, API id) → raises on failure


def target(env_name: str, echo: Callable[[str], None] = print) -> Target:
    """Resolve the environment and the AWS account; refuse a mismatch before touching anything."""
    if sandbox.active():
        echo(f"SANDBOX {sandbox.endpoint()}")
    return engine_target.locate(env_name)


def bootstrap(env_name: str, *, oidc: bool = False, echo=print) -> dict:
    """The environment's prerequisites, idempotent: the artifact bucket (and the OIDC stack)."""
    t = target(env_name, echo)
    created = s3a.ensure_bucket(t.s3, t.artifact_bucket, t.config.region)
    echo(f"artifact bucket {t.artifact_bucket}: {'created' if created else 'already there'}")
    result = {"artifact_bucket": t.artifact_bucket, "created": created}
    if oidc:
        owner, repo = t.config["github.owner"], t.config["github.repo"]
        if not owner or not repo:
            raise UserError(
                "--oidc needs github.owner and github.repo",
                f"set [github] in infra/environments/{env_name}.toml",
            )
        packaged = dp.package_template(t.s3, t.artifact_bucket, INFRA / "github-oidc.yaml")
        opts = dp.Options(prod=t.config.is_prod, termination_protection=True, echo=echo)
        res = dp.deploy_stack(
            t.cfn, "github-oidc", OIDC_STACK, packaged, oidc_stack.parameters(owner, repo), {}, opts
        )
        result["oidc"] = res.outcome
    return result


@dataclass
class DeployResult:
    """What the lead's manifest records: outputs, live colour, digests."""

    env: str
    version: str
    artifact_bucket: str
    stacks: list[dp.StackResult]
    outputs: dict[str, dict[str, str]]  # by stack kind
    live_colour: str | None
    template_digests: dict[str, str]
    artifact_digests: dict[str, str]
    record_key: str = ""
    switched: bool = False
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        data = asdict(self)
        data["stacks"] = [{"stack": s.stack, "kind": s.kind, "outcome": s.outcome} for s in self.stacks]
        return data


def deploy(
    env_name: str,
    *,
    version: str = "",
    allow_data_loss: bool = False,
    dry_run: bool = False,
    zips: dict[str, bytes] | None = None,
    smoke: Smoke | None = None,
    echo=print,
    poll: float = cf.POLL_SECONDS,
    tgt: Target | None = None,
) -> DeployResult:
    """Package and deploy every stack of an environment, in order. `tgt`: the environment as the
    caller already resolved it (the engine's, its bucket checked), saving the calls to find it again."""
    if tgt is None:
        t = target(env_name, echo)
        _require_bucket(t)
    else:
        t = tgt
        if t.sandbox:
            echo(f"SANDBOX {sandbox.endpoint()}")
    if allow_data_loss and t.config.is_prod:
        raise UserError(
            "--allow-data-loss is never honoured in prod", "change prod's data by a reviewed migration"
        )
    pkg = dp.package(t.s3, t.artifact_bucket, zips if zips is not None else dp.backend_zips(echo))
    opts = _options(t, allow_data_loss, dry_run, echo, poll)
    return _roll_out(t, pkg, version or f"sha-{_digest(pkg.template_digests)[:12]}", opts, smoke)


def _options(t: Target, allow_data_loss: bool, dry_run: bool, echo, poll: float) -> dp.Options:
    return dp.Options(
        prod=t.config.is_prod,
        allow_data_loss=allow_data_loss,
        dry_run=dry_run,
        termination_protection=bool(t.config["deploy.termination_protection"]),
        role_arn=t.config["deploy.execution_role_arn"],
        echo=echo,
        poll=poll,
    )


def _require_bucket(t: Target) -> None:
    if not s3a.bucket_exists(t.s3, t.artifact_bucket):
        raise UserError(
            f"artifact bucket {t.artifact_bucket} does not exist", f"run ./inv bootstrap {t.env} first"
        )


def _digest(obj) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True).encode()).hexdigest()


def _one(
    t: Target, kind: str, stack: str, pkg: dp.Package, params: dict, opts: dp.Options, tags=None
) -> dp.StackResult:
    tags = {"bookingchat:env": t.env, **(tags or {})}
    res = dp.deploy_stack(t.cfn, kind, stack, pkg.templates[kind], params, tags, opts)
    if sandbox.active() and res.outcome != "dry run":
        res.outputs = sandbox.emulate_deployed(
            t.s3, t.artifact_bucket, kind, stack, params, res.outputs, unchanged=res.outcome == "up to date"
        )
    if kind == "app" and res.outputs.get("ApiId") and not res.outputs.get("GraphQLUrl"):
        res.outputs["GraphQLUrl"] = api_domain.graphql_url(
            api_domain.client(t.config.region), res.outputs["ApiId"]
        )
    return res


def _roll_out(
    t: Target, pkg: dp.Package, version: str, opts: dp.Options, smoke: Smoke | None
) -> DeployResult:
    env, results, outs = t.config, [], {}
    data = _one(
        t,
        "data",
        env.stack_name("data"),
        pkg,
        {"EnvName": env.name, "AdminMfa": env["identity.admin_mfa"]},
        opts,
    )
    results.append(data)
    outs["data"] = data.outputs
    live, switched = None, False
    if env.blue_green:
        live = live_colour(t)
        idle = "green" if live == "blue" else "blue"
        app_params = _keep_switch(t, _app_params(t, pkg, data.outputs, idle, version), live)
        digest = _digest({"t": pkg.templates["app"].sha256, "p": _colourless(app_params)})
        current = cf.describe(t.cfn, env.stack_name(f"app-{live}")) if live else None
        if current and {"Key": "bookingchat:app-digest", "Value": digest} in current.get("Tags", []):
            opts.echo(f"{env.stack_name(f'app-{live}')}: up to date (live)")
            app = dp.StackResult(
                current["StackName"],
                "app",
                "up to date",
                _outputs(t, "app", current),
                pkg.templates["app"].sha256,
            )
        else:
            app = _one(
                t,
                "app",
                env.stack_name(f"app-{idle}"),
                pkg,
                app_params,
                opts,
                {"bookingchat:app-digest": digest, "bookingchat:version": version},
            )
            if not opts.dry_run:
                _smoke(smoke, app.outputs, f"{idle} colour's own endpoint", opts)
                switch_colour(t, idle, app.outputs["ApiId"], opts.echo)
                _smoke(
                    smoke,
                    {**app.outputs, "GraphQLUrl": f"https://{env['api.domain']}/graphql"},
                    "the domain",
                    opts,
                )
                live, switched = idle, True
    else:
        params = _keep_switch(t, _app_params(t, pkg, data.outputs, None, version), "app")
        app = _one(t, "app", env.stack_name("app"), pkg, params, opts)
    results.append(app)
    outs["app"] = app.outputs
    edge = _one(t, "edge", env.stack_name("edge"), pkg, _edge_params(env, app.outputs), opts)
    results.append(edge)
    outs["edge"] = edge.outputs
    if not opts.dry_run and edge.outputs.get("WidgetBucketName"):
        # The widget's run-time config ({} when Sentry is off): always there, so no host page
        # logs a 404 for it, and turning Sentry on or off takes a deploy, not a rebuild.
        from orchestrator.observability import settings, widget_config

        widget_config.publish_for(edge.outputs["WidgetBucketName"], settings.settings(env))
    mon = _one(
        t,
        "monitoring",
        env.stack_name("monitoring"),
        pkg,
        _monitoring_params(env, app.outputs, edge.outputs),
        opts,
    )
    results.append(mon)
    outs["monitoring"] = mon.outputs
    result = DeployResult(
        env.name, version, t.artifact_bucket, results, outs, live, pkg.template_digests, pkg.artifact_digests
    )
    result.switched = switched
    if not opts.dry_run:
        result.record_key = _record(t, pkg, version)
    return result


def _outputs(t: Target, kind: str, desc: dict) -> dict[str, str]:
    outs = cf.outputs(t.cfn, desc["StackName"])
    return sandbox.emulate(kind, desc["StackName"], cf.parameters(desc), outs) if sandbox.active() else outs


def _colourless(params: dict) -> dict:
    # DisableIa is the switch's state, not the release: flipping it must not make a new colour.
    # BackendVersion only labels errors: the same code under a new version number is no new deploy.
    return {
        k: v for k, v in params.items() if k not in ("NamePrefix", "Colour", "DisableIa", "BackendVersion")
    }


def _keep_switch(t: Target, params: dict[str, str], kind: str | None) -> dict[str, str]:
    """A deploy keeps the AI switch as `./inv ia` left it: DisableIa comes from the parameter the
    live app stack owns (`app-<colour>` in blue/green, else `app`); only a first deploy takes
    `app.disable_ia`. So no deploy reverts the switch, and a new colour inherits it."""
    if not kind:
        return params
    from orchestrator.deploy.disable_ia import live_value

    current = live_value(t.config, t.config.stack_name(kind if kind == "app" else f"app-{kind}"))
    return {**params, "DisableIa": current} if current in ("true", "false") else params


def sentry_params(env) -> dict[str, str]:
    """The Lambdas' error reporting: the DSN parameter is always named (a Lambda reports only
    when it holds a DSN, see backend.error_reports), with the environment's sample rate."""
    from orchestrator.observability.settings import settings

    s = settings(env)
    return {"SentryDsnParamName": s.dsn_parameter, "SentrySampleRate": str(s.backend_sample_rate)}


def _app_params(
    t: Target, pkg: dp.Package, data_out: dict, colour: str | None, version: str = ""
) -> dict[str, str]:
    env = t.config
    missing = [n for n in FUNCTION_PARAMS if n not in pkg.artifacts]
    if missing or "schema" not in pkg.artifacts:
        raise UserError(
            f"nothing packaged for {', '.join(missing or ['the GraphQL schema'])}", "./inv package-backend"
        )
    return {
        "EnvName": env.name,
        "NamePrefix": f"bookingchat-{env.name}" + (f"-{colour}" if colour else ""),
        "Colour": colour or "none",
        "ArtifactBucket": t.artifact_bucket,
        **{param: pkg.artifacts[name] for name, param in FUNCTION_PARAMS.items()},
        "SchemaS3Location": f"s3://{t.artifact_bucket}/{pkg.artifacts['schema']}",
        "TableName": data_out.get("TableName", ""),
        "TableArn": data_out.get("TableArn", ""),
        "UserPoolId": data_out.get("UserPoolId", ""),
        "ModelId": env["app.model_id"],
        "DisableIa": "true" if env["app.disable_ia"] else "false",
        "LogRetentionDays": str(env["app.log_retention_days"]),
        **env.limit_params(),
        **sentry_params(env),
        "BackendVersion": version or "0.0.0-dev",
        **ai_params(env),
    }


def ai_params(env, manifest=None) -> dict[str, str]:
    """[ai] engine for the chat Lambda; with `agent`, the alias ARN the last agent import recorded."""
    engine = env["ai.engine"]
    if engine not in ("converse", "agent"):
        raise UserError(f"[ai] engine = {engine!r} in {env.name}", "use converse or agent")
    if engine == "converse":
        return {"AiEngine": "converse", "AgentId": "", "AgentAliasId": ""}
    from orchestrator.core import manifest as mf
    from orchestrator.engine import manifest_store
    from orchestrator.paths import ROOT

    manifest = manifest or manifest_store.load(ROOT)
    recorded = manifest.environments.get(env.name, mf.Environment()).agents.get(env["ai.agent"])
    if recorded is None or not recorded.alias_arn:
        raise UserError(
            f"{env.name} runs [ai] engine = agent but no alias of agent {env['ai.agent']} is recorded",
            f"import it first: ./inv agent import --env {env.name} (or set engine = converse)",
        )
    agent_id, _, alias_id = recorded.alias_arn.partition(":agent-alias/")[2].partition("/")
    return {"AiEngine": "agent", "AgentId": agent_id, "AgentAliasId": alias_id}


def _edge_params(env, app_out: dict) -> dict[str, str]:
    return {
        "EnvName": env.name,
        "PriceClass": env["edge.price_class"],
        "ApiDomain": env["api.domain"],
        "ApiCertificateArn": env["api.certificate_arn"],
        "LiveApiId": app_out.get("ApiId", ""),
    }


def _monitoring_params(env, app_out: dict, edge_out: dict) -> dict[str, str]:
    return {
        "EnvName": env.name,
        "AppPrefix": app_out.get("NamePrefix") or f"bookingchat-{env.name}",
        "ApiId": app_out.get("ApiId", ""),
        "DistributionId": edge_out.get("DistributionId", ""),
        "AlarmEmail": env["monitoring.alarm_email"],
        "LatencyMs": str(env["monitoring.latency_ms"]),
        "ErrorRatePercent": str(env["monitoring.error_rate_percent"]),
        "BedrockTokensPerHour": str(env["monitoring.bedrock_tokens_per_hour"]),
        "CacheHitRatioPercent": str(env["monitoring.cache_hit_ratio_percent"]),
    }


def _smoke(smoke: Smoke | None, outputs: dict, what: str, opts: dp.Options) -> None:
    opts.echo(f"smoke test: {what}")
    try:
        (smoke or default_smoke)(outputs.get("GraphQLUrl", ""), outputs.get("ApiId", ""))
    except Exception as err:
        raise dp.DeployFailed(
            f"smoke test of {what} failed: {err}", "the live colour was not changed"
        ) from None


def default_smoke(url: str, api_id: str) -> None:
    """The API answers at all: its record exists (sandbox) or its endpoint is not 5xx (AWS)."""
    if sandbox.active():
        api_domain.client().get_graphql_api(apiId=api_id)
        return
    import urllib.error
    import urllib.request

    req = urllib.request.Request(
        url, data=b'{"query":"{__typename}"}', headers={"content-type": "application/json"}
    )
    try:
        urllib.request.urlopen(req, timeout=15).read()
    except urllib.error.HTTPError as err:
        if err.code >= 500:
            raise


# ── colours ───────────────────────────────────────────────────────────────────────────


def live_colour(t: Target) -> str | None:
    """Which colour the API domain serves (sandbox: the SSM record sandbox.py keeps)."""
    if sandbox.active():
        return sandbox.live_colour(t.env)
    api_id = api_domain.associated_api(api_domain.client(t.config.region), t.config["api.domain"])
    for colour in environments.COLOURS:
        if api_id and cf.outputs(t.cfn, t.config.stack_name(f"app-{colour}")).get("ApiId") == api_id:
            return colour
    return None


def switch_colour(t: Target, colour: str, api_id: str, echo=print) -> None:
    echo(f"switching {t.config['api.domain']} to {colour} ({api_id})")
    if sandbox.active():
        sandbox.switch_colour(t.env, colour)
    else:
        api_domain.associate(api_domain.client(t.config.region), t.config["api.domain"], api_id)


def _record(t: Target, pkg: dp.Package, version: str) -> str:
    key = f"deployments/{t.env}/{version}.json"
    body = {
        "version": version,
        "deployed_at": dt.datetime.now(dt.UTC).isoformat(timespec="microseconds"),
        "templates": {k: {"key": p.key, "sha256": p.sha256} for k, p in pkg.templates.items()},
        "artifacts": pkg.artifacts,
        "artifact_digests": pkg.artifact_digests,
    }
    t.s3.put_object(
        Bucket=t.artifact_bucket, Key=key, Body=json.dumps(body, indent=1, sort_keys=True).encode()
    )
    return key
