"""`inv local-dev`: the whole platform on one machine — no AWS account, no Docker.

1. the embedded AWS (moto, in-process) on 127.0.0.1:4566 (`--aws-port`);
2. `bootstrap` + `deploy` of the `local` environment with the same engine and templates as
   dev/qa/prod (what moto's CloudFormation skips is filled in by `sandbox.py`);
3. the demo tenants from `infra/seed/`; DISABLE_IA on unless Bedrock credentials are configured;
4. the local AppSync (`local_appsync`) on :4000/graphql;
5. the local CDN (`local_cdn`) on :8080, with `/demo/`;
6. the current widget released to `local`'s `latest` channel through the real pipeline
   (`release.run`) — in a throwaway clone (`.local/release-repo`, `git clone --local` of HEAD),
   so the pipeline keeps refusing dirty trees and its manifest commit and tags land in the
   clone, never in the user's tree or tags;
7. `.local/endpoints.json` once everything is ready, removed on exit.

`start()` returns a `Running` with every URL; `Running.stop()` undoes it all. The rich panel
lives in `run_interactive()` (what the task calls); tests and benchmarks use `start()`.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from orchestrator.errors import UserError
from orchestrator.local import appsync as local_appsync
from orchestrator.local import cdn as local_cdn
from orchestrator.local import embedded_aws
from orchestrator.local import endpoints as local_endpoints
from orchestrator.paths import LOCAL, ROOT

ENV = "local"
SERVICES = (
    "embedded AWS",
    "deploy local",
    "demo data",
    "GraphQL",
    "CDN",
    "Sentry",
    "widget release",
    "widget dev",
)
Report = Callable[[str, str, str], None]  # (service, state, detail)


@dataclass
class Options:
    aws_port: int = 4566
    graphql_port: int = 4000
    cdn_port: int = 8080
    widget_dev: bool = False
    dynamodb: str = "embedded"  # or "docker"
    release: bool = True
    root: Path = ROOT  # the repository whose HEAD is released
    local_dir: Path = LOCAL  # where endpoints.json and the release clone go
    zips: dict[str, bytes] | None = None  # Lambda zips (None: package the real backend)
    sentry_dsn: str = ""  # the widget reports its errors there ("" = never loads the SDK)


@dataclass
class Running:
    aws: embedded_aws.EmbeddedAWS
    opts: Options
    outputs: dict = field(default_factory=dict)
    appsync: local_appsync.LocalAppSync | None = None
    cdn: local_cdn.LocalCDN | None = None
    tenants: list[local_cdn.DemoTenant] = field(default_factory=list)
    admins: list[dict] = field(default_factory=list)  # {tenant, email, password}: demo sign-ins
    widget_version: str | None = None
    release_note: str = ""
    ai_mode: str = "guided (DISABLE_IA on)"
    vite: subprocess.Popen | None = None
    vite_url: str | None = None
    dynamodb_note: str = "embedded (moto)"
    docker_container: str | None = None
    _saved_env: dict = field(default_factory=dict, repr=False)

    @property
    def endpoints_file(self) -> Path:
        return local_endpoints.file(self.opts.local_dir)

    def endpoints(self) -> dict:
        return {
            "aws": self.aws.endpoint,
            "graphql": self.appsync.url if self.appsync else None,
            "cdn": self.cdn.url if self.cdn else None,
            "demo": self.cdn.demo_url if self.cdn else None,
            "tenants": local_cdn.to_json(self.tenants),
            "admins": self.admins,
            "widget_version": self.widget_version,
            "widget_dev": self.vite_url,
        }

    def write_endpoints(self) -> Path:
        return local_endpoints.write(self.endpoints(), self.opts.local_dir)

    def stop(self) -> None:
        """Stop everything this run started, in reverse order; idempotent."""
        local_endpoints.remove(self.opts.local_dir)
        if self.vite is not None:
            _stop_process_group(self.vite)
            self.vite = None
        for server in (self.cdn, self.appsync):
            if server is not None:
                server.stop()
        if self.docker_container:
            subprocess.run(["docker", "stop", self.docker_container], capture_output=True, check=False)
            self.docker_container = None
        self.aws.stop()
        for key, value in self._saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        self._saved_env = {}


def _quiet_emulator() -> None:
    """moto's request log and its 'not supported' warnings would drown the panel."""
    import logging
    import warnings

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    logging.getLogger("moto").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", message=".*moto's CloudFormation.*")
    warnings.filterwarnings("ignore", category=UserWarning, module="moto")


def bedrock_credentials() -> bool:
    """Real credentials in the shell (a profile or keys that are not the emulator's)."""
    key = os.environ.get("AWS_ACCESS_KEY_ID", "")
    return bool(os.environ.get("AWS_PROFILE")) or bool(key and key != "testing")


def _set_env(run: Running, values: dict[str, str]) -> None:
    for key, value in values.items():
        run._saved_env.setdefault(key, os.environ.get(key))
        os.environ[key] = value


def check_ports(opts: Options) -> None:
    """Refuse before starting anything when a port is taken (a clear error, not a traceback)."""
    if not embedded_aws.port_is_free(opts.aws_port):
        raise UserError(
            f"port {opts.aws_port} (the embedded AWS) is already in use",
            f"is another ./inv local-dev running? otherwise choose another port: ./inv local-dev --aws-port {opts.aws_port + 1}",
        )
    for port, what in ((opts.graphql_port, "the local AppSync"), (opts.cdn_port, "the local CDN")):
        if port and not embedded_aws.port_is_free(port):
            raise UserError(
                f"port {port} ({what}) is already in use", "stop what uses it (another ./inv local-dev?)"
            )


def start(
    opts: Options | None = None, report: Report = lambda s, st, d: None, echo=lambda line: None
) -> Running:
    """Bring the platform up; on any failure, stop what was started and re-raise."""
    opts = opts or Options()
    if opts.sentry_dsn and not opts.sentry_dsn.startswith(("http://", "https://")):
        raise UserError(
            f"--sentry-dsn {opts.sentry_dsn!r} is not a DSN",
            "pass one like https://KEY@o1.ingest.sentry.io/2",
        )
    check_ports(opts)
    _quiet_emulator()
    report("embedded AWS", "starting", f"127.0.0.1:{opts.aws_port}")
    aws = embedded_aws.start(opts.aws_port)
    run = Running(aws=aws, opts=opts)
    try:
        bedrock = bedrock_credentials()
        env = dict(aws.env)
        if bedrock:
            # Keep the real credentials (moto accepts any) and send only Bedrock to AWS.
            region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
            env = {
                "AWS_ENDPOINT_URL": aws.endpoint,
                "AWS_REGION": region,
                "AWS_DEFAULT_REGION": region,
                "AWS_ENDPOINT_URL_BEDROCK_RUNTIME": f"https://bedrock-runtime.{region}.amazonaws.com",
            }
        _set_env(run, env)
        report("embedded AWS", "ready", aws.endpoint)
        _deploy(run, report, echo)
        _seed(run, bedrock, report)
        _demo_admins(run, report)
        _serve(run, report)
        _sentry(run, report)
        if opts.release:
            _release(run, report, echo)
        else:
            report("widget release", "skipped", "")
        if opts.widget_dev:
            _widget_dev(run, report)
        run.write_endpoints()
        return run
    except BaseException:
        run.stop()
        raise


def _deploy(run: Running, report: Report, echo) -> None:
    from orchestrator.deploy import rollout

    report("deploy local", "running", "bootstrap")
    rollout.bootstrap(ENV, echo=echo)
    report("deploy local", "running", "data → app → edge → monitoring")
    result = rollout.deploy(ENV, zips=run.opts.zips, echo=echo)
    run.outputs = result.outputs
    report("deploy local", "ready", ", ".join(f"{s.kind} {s.outcome}" for s in result.stacks))


def _seed(run: Running, bedrock: bool, report: Report) -> None:
    from backend import runtime, seed
    from orchestrator.adapters import aws

    table = run.outputs["data"]["TableName"]
    if run.opts.dynamodb == "docker":
        run.dynamodb_note = _dynamodb_docker(run)
    report("demo data", "running", f"seeding {table}")
    _set_env(
        run,
        {
            "TABLE_NAME": table,
            "ENV_NAME": ENV,
            "DISABLE_IA_PARAM": f"/bookingchat/{ENV}/DISABLE_IA",
            "POWERTOOLS_SERVICE_NAME": "bookingchat-local",
            "POWERTOOLS_METRICS_NAMESPACE": "BookingChat",
        },
    )
    runtime.reset()
    ids = seed.seed(table, create_table=run.opts.dynamodb == "docker")
    disabled = "false" if bedrock else "true"
    aws.client("ssm").put_parameter(
        Name=f"/bookingchat/{ENV}/DISABLE_IA", Value=disabled, Type="String", Overwrite=True
    )
    run.ai_mode = "AI (Bedrock, real AWS)" if bedrock else "guided (DISABLE_IA on: no Bedrock credentials)"
    run.tenants = [t for t in local_cdn.tenants_from_seed() if t.id in ids]
    report("demo data", "ready", ", ".join(ids))


DEMO_ADMIN_PASSWORD = "Demo-Admin-2026!"  # pragma: allowlist secret — local demo only


def _demo_admins(run: Running, report: Report) -> None:
    """One admin per demo tenant, through the one creation path (backend.admins), with a known
    password so the admin operations can be tried at once (local only: no invitation mail)."""
    from backend import admins
    from orchestrator.adapters import aws

    pool_id = run.outputs["data"].get("UserPoolId", "")
    if not pool_id:
        report("demo admins", "skipped", "no user pool")
        return
    idp = aws.client("cognito-idp")
    run.admins = []
    for tenant in run.tenants:
        made = admins.create_admin(pool_id, tenant.id, f"admin@{tenant.id}.test", invite=False, idp=idp)
        idp.admin_set_user_password(
            UserPoolId=pool_id, Username=made.email, Password=DEMO_ADMIN_PASSWORD, Permanent=True
        )
        run.admins.append({"tenant": made.tenant_id, "email": made.email, "password": DEMO_ADMIN_PASSWORD})
    report("demo admins", "ready", ", ".join(a["email"] for a in run.admins))


def _dynamodb_docker(run: Running) -> str:
    """`--dynamodb docker`: amazon/dynamodb-local when a Docker engine answers."""
    why = None
    if not shutil.which("docker"):
        why = "docker is not installed"
    else:
        try:
            if subprocess.run(["docker", "info"], capture_output=True, timeout=20).returncode != 0:
                why = "no Docker engine answers (docker info failed)"
        except (OSError, subprocess.TimeoutExpired):
            why = "no Docker engine answers (docker info timed out)"
    if why:
        return f"embedded (moto): {why}"
    name = f"bookingchat-dynamodb-{run.aws.port}"
    subprocess.run(
        ["docker", "run", "-d", "--rm", "--name", name, "-p", "127.0.0.1:8000:8000", "amazon/dynamodb-local"],
        check=True,
        capture_output=True,
    )
    run.docker_container = name
    _set_env(run, {"AWS_ENDPOINT_URL_DYNAMODB": "http://127.0.0.1:8000"})
    import urllib.error
    import urllib.request

    for _ in range(60):
        try:
            urllib.request.urlopen("http://127.0.0.1:8000", timeout=1)
            break
        except urllib.error.HTTPError:
            break  # it answers (400 to a bare GET): up
        except OSError:
            time.sleep(0.5)
    return f"docker amazon/dynamodb-local ({name})"


def _serve(run: Running, report: Report) -> None:
    data, app, edge = run.outputs["data"], run.outputs["app"], run.outputs["edge"]
    report("GraphQL", "starting", f":{run.opts.graphql_port}")
    demo_key = run.tenants[0].api_key if run.tenants else ""
    run.appsync = local_appsync.start(
        run.opts.graphql_port,
        aws_endpoint=run.aws.endpoint,
        user_pool_id=data.get("UserPoolId", ""),
        api_id=app.get("ApiId", "local"),
        demo_key=demo_key,
    )
    report("GraphQL", "ready", run.appsync.url)
    site = local_cdn.Site(
        bucket=edge["WidgetBucketName"],
        graphql_url=run.appsync.url,
        tenants=run.tenants,
        distribution_id=edge.get("DistributionId", ""),
    )
    run.cdn = local_cdn.start(site, run.opts.cdn_port)
    # The release's smoke test reads the CDN from here (target.local_cdn_url).
    _set_env(run, {"BOOKINGCHAT_CDN_URL": run.cdn.url})
    report("CDN", "ready", run.cdn.url)


def _sentry(run: Running, report: Report) -> None:
    """The local CDN's observability.json: with --sentry-dsn the widget reports there, else nothing."""
    from orchestrator.observability import widget_config

    bucket = run.outputs["edge"]["WidgetBucketName"]
    dsn = run.opts.sentry_dsn
    widget_config.publish(bucket, ENV, dsn, 1.0)
    report("Sentry", "ready" if dsn else "skipped", dsn or "no --sentry-dsn: the widget never loads the SDK")


def release_clone(root: Path, dest: Path) -> Path:
    """A throwaway `git clone --local` of root's HEAD that can build the widget.

    widget/node_modules is a symlink to root's (installed first when stale), excluded in the
    clone's own .git/info/exclude so the pipeline's clean-tree check still means something.
    """
    from orchestrator.adapters.npm import ensure_node_modules

    if dest.exists():
        shutil.rmtree(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["git", "clone", "--quiet", "--local", str(root), str(dest)], check=True, capture_output=True
    )
    for key, fallback in (("user.name", "inv local-dev"), ("user.email", "local-dev@localhost")):
        got = subprocess.run(["git", "config", key], cwd=root, capture_output=True, text=True).stdout.strip()
        subprocess.run(["git", "config", key, got or fallback], cwd=dest, check=True)
    if (root / "widget" / "package-lock.json").exists():
        ensure_node_modules(root / "widget")
        (dest / "widget" / "node_modules").symlink_to(root / "widget" / "node_modules")
        with open(dest / ".git" / "info" / "exclude", "a") as fh:
            fh.write("\n/widget/node_modules\n")
    return dest


def _release(run: Running, report: Report, echo) -> None:
    from orchestrator.release import release

    report("widget release", "running", "git clone --local → .local/release-repo")
    clone = release_clone(run.opts.root, run.opts.local_dir / "release-repo")
    req = release.Request(env=ENV, channel="stable", component="widget")
    if release.plan(clone, req) is None:
        # HEAD is already a released widget version: this fresh sandbox still needs one on
        # `latest`, so the clone releases the next patch (its tag never leaves the clone).
        req = release.Request(env=ENV, channel="stable", component="widget", bump="patch")
        run.release_note = "HEAD is already released: the clone releases the next patch"
    plan = release.plan(clone, req)
    version = plan["components"]["widget"]["version"]
    report("widget release", "running", f"{version} → latest (build, upload, publish, channels, smoke)")
    release.run(clone, req, echo=echo, on_event=lambda e: None, confirm=lambda p: None)
    run.widget_version = version
    report("widget release", "ready", f"{version} on latest")


def _widget_dev(run: Running, report: Report) -> None:
    from orchestrator.adapters.npm import ensure_node_modules
    from orchestrator.paths import WIDGET

    report("widget dev", "starting", "npm start (Vite)")
    ensure_node_modules(WIDGET)
    port = embedded_aws.free_port() if not embedded_aws.port_is_free(5173) else 5173
    tenant = run.tenants[0] if run.tenants else None
    env = {
        **os.environ,
        "PORT": str(port),
        "VITE_GRAPHQL_ENDPOINT": run.appsync.url,
        "VITE_API_KEY": tenant.api_key if tenant else "",
        "VITE_TENANT": tenant.id if tenant else "",
    }
    run.vite = subprocess.Popen(
        ["npm", "start", "--silent"],
        cwd=WIDGET,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    run.vite_url = f"http://127.0.0.1:{port}/"
    report("widget dev", "ready", f"{run.vite_url} (hot reload, against the local GraphQL)")


def _stop_process_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)  # the group of the child we started, only
        proc.wait(timeout=10)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)


# ── the live panel ──────────────────────────────────────────────────────────────────────────


class Panel:
    """Service states, URLs, tenants' keys and the last log lines, as one rich renderable."""

    def __init__(self) -> None:
        self.states: dict[str, tuple[str, str]] = {}
        self.lines: list[str] = []
        self.running: Running | None = None
        self.started = time.monotonic()
        self.ready_after: float | None = None
        self._lock = threading.Lock()

    def report(self, service: str, state: str, detail: str) -> None:
        with self._lock:
            self.states[service] = (state, detail)

    def echo(self, line) -> None:
        with self._lock:
            self.lines = (self.lines + [str(line)])[-6:]

    def __rich__(self):
        from rich.console import Group
        from rich.panel import Panel as RichPanel
        from rich.table import Table

        colours = {
            "ready": "green",
            "running": "yellow",
            "starting": "yellow",
            "skipped": "dim",
            "failed": "red",
        }
        services = Table(show_edge=False, expand=True)
        for col in ("service", "state", "where / what"):
            services.add_column(col)
        with self._lock:
            for name in SERVICES:
                if name in self.states:
                    state, detail = self.states[name]
                    services.add_row(name, f"[{colours.get(state, 'white')}]{state}[/]", detail)
            lines = list(self.lines)
        parts = [services]
        run = self.running
        if run is not None:
            urls = Table(show_edge=False, show_header=False)
            urls.add_column(style="bold")
            urls.add_column()
            for label, value in (
                ("demo", run.cdn.demo_url if run.cdn else ""),
                ("GraphQL + GraphiQL", run.appsync.url if run.appsync else ""),
                ("CDN", run.cdn.url if run.cdn else ""),
                ("embedded AWS", f"{run.aws.endpoint}   (export AWS_ENDPOINT_URL={run.aws.endpoint})"),
                ("widget on latest", run.widget_version or "—"),
                ("chat", run.ai_mode),
                ("DynamoDB", run.dynamodb_note),
                ("widget dev", run.vite_url or "—  (--widget-dev)"),
                ("admin password", DEMO_ADMIN_PASSWORD if run.admins else "—"),
                ("endpoints", str(run.endpoints_file)),
            ):
                urls.add_row(label, value)
            keys = Table(title="demo tenants", show_edge=False)
            for col in ("tenant", "locale", "api key (Authorization header)", "admin", "page"):
                keys.add_column(col)
            admin_of = {a["tenant"]: a["email"] for a in run.admins}
            for t in run.tenants:
                page = f"{run.cdn.url}/demo/{t.id}/" if run.cdn else ""
                keys.add_row(t.id, t.locale, t.api_key, admin_of.get(t.id, ""), page)
            parts += [urls, keys]
        if lines:
            parts.append("[dim]" + "\n".join(line[:160] for line in lines) + "[/]")
        footer = (
            f"ready in {self.ready_after:.1f}s · Ctrl-C stops everything"
            if self.ready_after is not None
            else f"starting… {time.monotonic() - self.started:.0f}s"
        )
        return RichPanel(Group(*parts), title="Booking Chat · ./inv local-dev", subtitle=footer)


def run_interactive(opts: Options, console=None, panel_on: bool = True) -> None:
    """The task: start with a live panel, then wait for Ctrl-C (or SIGTERM) and stop cleanly.

    Everything the steps print (npm, moto, the handlers' JSON logs) goes to .local/local-dev.log
    so the panel stays readable; the panel itself draws on a copy of the original stderr.
    """
    import sys

    from rich.console import Console
    from rich.live import Live

    opts.local_dir.mkdir(parents=True, exist_ok=True)
    log = open(opts.local_dir / "local-dev.log", "w", buffering=1)  # noqa: SIM115 — closed below
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    terminal = sys.stderr.isatty()
    console = console or Console(file=os.fdopen(os.dup(2), "w"), force_terminal=terminal or None)
    os.dup2(log.fileno(), 1)
    os.dup2(log.fileno(), 2)
    panel = Panel()
    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *a: stop.set())
    running = None
    live = Live(panel, console=console, refresh_per_second=4, auto_refresh=panel_on and terminal)
    try:
        with live:
            try:
                running = start(opts, report=panel.report, echo=panel.echo)
            except KeyboardInterrupt:
                panel.echo("interrupted while starting: stopped what had started")
                return
            panel.running = running
            panel.ready_after = time.monotonic() - panel.started
            live.refresh()
            if not terminal:
                console.print(json.dumps(running.endpoints(), indent=2))
            try:
                while not stop.wait(0.5):
                    pass
            except KeyboardInterrupt:
                pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        if running is not None:
            running.stop()
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        log.close()
        if running is not None:
            console.print("local-dev stopped: servers down, .local/endpoints.json removed")


def main(argv: list[str] | None = None) -> None:
    """`python -m orchestrator.local.dev` (tests, benchmarks): ports 0 pick free ones."""
    import argparse

    p = argparse.ArgumentParser(prog="python -m orchestrator.local.dev")
    p.add_argument("--aws-port", type=int, default=4566)
    p.add_argument("--graphql-port", type=int, default=4000)
    p.add_argument("--cdn-port", type=int, default=8080)
    p.add_argument("--local-dir", type=Path, default=LOCAL)
    p.add_argument("--no-release", action="store_true")
    p.add_argument("--widget-dev", action="store_true")
    p.add_argument("--dynamodb", choices=("embedded", "docker"), default="embedded")
    p.add_argument("--sentry-dsn", default="")
    a = p.parse_args(argv)
    opts = Options(
        aws_port=a.aws_port,
        graphql_port=a.graphql_port,
        cdn_port=a.cdn_port,
        local_dir=a.local_dir,
        release=not a.no_release,
        widget_dev=a.widget_dev,
        dynamodb=a.dynamodb,
        sentry_dsn=a.sentry_dsn,
    )
    try:
        run_interactive(opts)
    except UserError as err:
        import sys

        print(f"refused: {err.message}\n→ {err.hint}", file=sys.stderr)
        raise SystemExit(err.exit_code) from None


if __name__ == "__main__":
    main()
