"""`inv rehearse`: the whole release ladder, end to end, in a throwaway clone against a throwaway AWS.

What a release manager does over days, in a few minutes on one machine:

    set up dev, qa, prod        bootstrap + first deploy of each (the same engine and templates)
    release dev                 widget + backend through `release.run`
    promote qa                  with --approve
    promote prod                with a checklist written from the plan hash (the tool verifies each item)
    release dev (widget)        a second widget version (a commit in the clone), up to qa
    promote qa
    canary prod                 `promote prod --canary-tenants peluqueria-lola`: the second version is
                                  copied to prod and routed to one demo tenant; latest stays
    canary set prod             raised to 50 % of tenants
    client reports (worse)      the widget's own `reportClientEvent` calls through a local AppSync with
                                  prod's handlers: boots of both versions, many errors on the canary
    canary watch prod           judges from CloudWatch and aborts by itself, the numbers recorded
    canary start prod           a second canary of the same version (same salt, same tenants), 50 %
    client reports (healthy)    boots of both versions, the same error rate on each
    canary watch --promote      healthy at its last step: promoted to stable/latest by itself
    rollback-widget prod        latest → the previous good version
    rollback-backend prod       the instant switch back to the other colour

Nothing touches the user's tree, tags or shell: the ladder runs in `git clone --local` of HEAD
(`local_dev.release_clone`) in a temporary folder, against its own embedded AWS on a free port;
AWS_* variables point there only for the duration and are restored after. Each environment's
widget bucket is served by its own local CDN, so every smoke test reads through a CDN as it
would through CloudFront (and never through a `./inv local-dev` that happens to be running).

The canary watch's bake is rehearsed, not waited for: the watch gets a clock that starts at the
minute its reports began in and moves on by each sleep at once, so a two-minute bake costs no
minutes, while the reports, the metrics and the judge's thresholds (prod's [canary] config,
unchanged: enough boots are sent) are the real ones. The one real wait: the second canary's
reports start in a minute after the first one's (CloudWatch sums whole minutes), up to 60 s.

`run()` returns a `Summary` (one row per step: what, seconds, result, and the numbers a step
measured in `data`); rendering is `render()`.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from orchestrator.errors import UserError
from orchestrator.local import embedded_aws
from orchestrator.paths import ROOT

ENVIRONMENTS = ("dev", "qa", "prod")
APPROVER_FALLBACK = "rehearsal@localhost"
# Variables that would send boto3 elsewhere than the throwaway AWS, or the smoke test elsewhere
# than this rehearsal's CDN: cleared for the duration, restored after.
SHADOWING = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE")
CDN_VAR = "BOOKINGCHAT_CDN_URL"
CANARY_TENANT = "peluqueria-lola"  # the one demo tenant the second version is canaried to first
CANARY_PERCENT = "50"
# The bake (= interval) the watch is given: two of CloudWatch's one-minute periods, so the window
# holds reports that straddle a minute boundary; see the module doc.
WATCH_BAKE = "2m"


@dataclass
class StepRecord:
    step: str
    what: str
    seconds: float = 0.0
    result: str = "pending"  # ok | failed | refused | not run
    detail: str = ""
    data: dict = field(default_factory=dict)  # what the step measured (the canary watch's numbers)

    def to_json(self) -> dict:
        out = {
            "step": self.step,
            "what": self.what,
            "seconds": round(self.seconds, 1),
            "result": self.result,
            "detail": self.detail,
        }
        return {**out, "data": self.data} if self.data else out


@dataclass
class Summary:
    steps: list[StepRecord] = field(default_factory=list)
    clone: Path | None = None
    kept: bool = False
    aws: str = ""
    log: list[str] = field(default_factory=list, repr=False)  # the failed step's own output

    @property
    def failed(self) -> StepRecord | None:
        return next((s for s in self.steps if s.result in ("failed", "refused")), None)

    @property
    def ok(self) -> bool:
        return self.failed is None and all(s.result == "ok" for s in self.steps)

    @property
    def exit_code(self) -> int:
        """0 all went through; 2 a step was refused (a UserError); 1 anything else."""
        failed = self.failed
        if failed is None:
            return 0 if self.ok else 1
        return 2 if failed.result == "refused" else 1

    @property
    def seconds(self) -> float:
        return sum(s.seconds for s in self.steps)

    def to_json(self) -> dict:
        return {
            "ok": self.ok,
            "exit_code": self.exit_code,
            "seconds": round(self.seconds, 1),
            "failed_step": self.failed.step if self.failed else None,
            "clone": str(self.clone) if self.kept and self.clone else None,
            "steps": [s.to_json() for s in self.steps],
        }


# ── the sandbox: a throwaway AWS and one CDN per environment, env vars restored after ──────────


@dataclass
class _Sandbox:
    aws: embedded_aws.EmbeddedAWS
    cdns: dict = field(default_factory=dict)  # env → local_cdn.LocalCDN

    def serve(self, env: str) -> None:
        """Serve env's widget bucket through a local CDN (once its edge stack exists)."""
        from orchestrator.engine import target
        from orchestrator.local import cdn as local_cdn

        if env not in self.cdns:
            bucket = target.resolve(env).widget_bucket
            self.cdns[env] = local_cdn.start(local_cdn.Site(bucket=bucket, graphql_url=""), port=0)

    def aim(self, env: str) -> None:
        """The next operation's smoke test reads env's CDN (target.local_cdn_url)."""
        if env in self.cdns:
            os.environ[CDN_VAR] = self.cdns[env].url
        else:
            os.environ.pop(CDN_VAR, None)


def _quiet_emulator() -> None:
    """moto's request log and 'not supported' warnings would drown the summary."""
    import logging
    import warnings

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    logging.getLogger("moto").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", category=UserWarning, module="moto")


@contextmanager
def sandbox() -> Iterator[_Sandbox]:
    """A throwaway embedded AWS on a free port; this process targets it until the block ends."""
    _quiet_emulator()
    aws = embedded_aws.start()
    touched = [*SHADOWING, CDN_VAR, *aws.env, *(k for k in os.environ if k.startswith("AWS_ENDPOINT_URL_"))]
    saved = {key: os.environ.get(key) for key in touched}
    box = _Sandbox(aws)
    try:
        for key in touched:
            os.environ.pop(key, None)
        os.environ.update(aws.env)
        yield box
    finally:
        for cdn in box.cdns.values():
            cdn.stop()
        aws.stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


# ── the ladder ─────────────────────────────────────────────────────────────────────────────


@dataclass
class _Ladder:
    """The steps, each returning the detail shown in the summary."""

    clone: Path
    box: _Sandbox
    echo: Callable[[str], None]
    zips: dict[str, bytes] | None = None
    canary_version: str = ""  # the widget version the canary ladder routes
    watch_from: float = 0.0  # the minute the last client reports began in: the next watch's window
    reports_until: float | None = None  # when the last client reports ended

    def set_up(self, env: str) -> str:
        from orchestrator.deploy import rollout
        from orchestrator.deploy import stacks as dp

        if self.zips is None:
            self.zips = {n: _earlier_build(z) for n, z in dp.backend_zips(self.echo).items()}
        rollout.bootstrap(env, echo=self.echo)
        result = rollout.deploy(env, version="0.0.0-setup", zips=self.zips, echo=self.echo)
        self.box.serve(env)
        colour = f", live colour {result.live_colour}" if result.live_colour else ""
        return ", ".join(f"{s.kind} {s.outcome}" for s in result.stacks) + colour

    def release(self, component: str | None) -> str:
        from orchestrator.release import release

        req = release.Request(env="dev", channel="stable", component=component)
        if release.plan(self.clone, req) is None:
            # HEAD is already released: the clone releases the next patch (its tags stay there).
            req = release.Request(env="dev", channel="stable", component=component, bump="patch")
        self.box.aim("dev")
        outcome = release.run(self.clone, req, echo=self.echo)
        return _versions(outcome.journal.plan) + " → dev"

    def promote(self, env: str) -> str:
        from orchestrator.engine import manifest_store
        from orchestrator.release import promote

        self.box.aim(env)
        approval = promote.Approval(approve=True)
        if env == "prod":
            approval = promote.Approval(True, self._checklist())
        plan, _ = promote.run(self.clone, env, approval=approval, echo=self.echo)
        if plan is None:
            raise UserError(f"nothing to promote to {env}", "the previous environment runs what it runs")
        done = f"{_versions(plan)} {plan['from']} → {env}"
        backend = manifest_store.load(self.clone).environments[env].backend
        if env == "prod" and "backend" in plan["components"] and backend and backend.colour:
            done += f", live colour {backend.colour}"
        return done

    def agent(self, env: str) -> str:
        """Import the agent (infra/agents/) into env; qa and prod only what ran below them."""
        from orchestrator.agents import pipeline

        self.box.aim(env)
        plan, outcome = pipeline.run_import(self.clone, env, echo=self.echo)
        if plan is None:
            return f"{env} already runs this agent"
        skipped = f", {len(plan['skipped'])} part(s) skipped (emulator)" if plan["skipped"] else ""
        return f"agent {plan['agent']} {plan['digest'][:19]} → {env}{skipped}"

    def _checklist(self, canary: dict | None = None) -> Path:
        """Every item confirmed, bound to this plan's hash: the tool still verifies each one."""
        from orchestrator.adapters import git as gitx
        from orchestrator.core import checklist as cl
        from orchestrator.core.release_plan import plan_hash
        from orchestrator.release import promote

        plan, _ = promote.run(self.clone, "prod", dry_run=True, canary=canary)
        if plan is None:
            raise UserError("nothing to promote to prod", "qa runs what prod runs")
        who = gitx.who(gitx.open_repo(self.clone)) or APPROVER_FALLBACK
        path = self.clone.parent / "prod-checklist.toml"
        path.write_text(cl.template(plan_hash(plan), who).replace("= false", "= true"), encoding="utf-8")
        return path

    def widget_change(self) -> str:
        """A second widget version needs a commit that touches widget/ (in the clone only)."""
        from orchestrator.adapters import git as gitx

        repo = gitx.open_repo(self.clone)
        readme = self.clone / "widget" / "README.md"
        with readme.open("a", encoding="utf-8") as fh:
            fh.write("\n<!-- rehearsal: a second widget version -->\n")
        repo.index.add([str(readme.relative_to(self.clone))])
        repo.index.commit("fix(widget): rehearsal change")
        return "fix(widget) committed in the clone"

    # ── the canary ladder (prod) ──

    def canary_promote(self) -> str:
        """`./inv promote prod --canary-tenants <tenant>`: copied to prod, routed to one tenant only."""
        from orchestrator.engine import manifest_store
        from orchestrator.release import promote

        self.box.aim("prod")
        canary = {"tenants": CANARY_TENANT}
        approval = promote.Approval(True, self._checklist(canary))
        plan, _ = promote.run(self.clone, "prod", approval=approval, canary=canary, echo=self.echo)
        if plan is None or "widget" not in plan["components"]:
            raise UserError("no widget to canary in prod", "qa runs the widget prod runs")
        self.canary_version = plan["components"]["widget"]["version"]
        latest = manifest_store.load(self.clone).environments["prod"].channels.get("latest")
        return (
            f"widget {self.canary_version} qa → prod, routed to {CANARY_TENANT} only (latest stays {latest})"
        )

    def canary_command(self, action: str) -> str:
        """`./inv canary set --percent 50` / `./inv canary start VERSION --tenants … --percent 50`."""
        from orchestrator.release import canary

        self.box.aim("prod")
        if action == "set":
            plan, _ = canary.run(self.clone, "set", "prod", percent=CANARY_PERCENT, echo=self.echo)
        else:  # a second canary of the aborted version: same salt, so the same tenants again
            plan, _ = canary.run(
                self.clone, "start", "prod", self.canary_version, tenants=CANARY_TENANT,
                percent=CANARY_PERCENT, echo=self.echo,
            )  # fmt: skip
        if plan is None:
            raise UserError(
                f"canary {action}: nothing to do in prod", "the rehearsal's canary is not where it expected"
            )
        return plan["summary"]

    def client_reports(self, worse: bool) -> tuple[str, dict]:
        """What the tenants' widgets send: each tenant reports the version its loader runs (the routing
        object read through prod's CDN, decided as the loader decides); at least prod's minimum of
        boots per version (its [canary] config is not weakened for a rehearsal), and errors."""
        from orchestrator import environments
        from orchestrator.core.canary_judge import Thresholds

        routing = self._routing_via_cdn()
        boots = -(-Thresholds.from_env(environments.load("prod")).min_boots // REPORT_BATCH) * REPORT_BATCH
        numbers = {
            "canary": {"version": routing["canary"]["version"], "boots": boots,
                       "errors": boots * 15 // 100 if worse else boots // 100},
            "stable": {"version": routing["stable"], "boots": boots, "errors": boots // 100},
        }  # fmt: skip
        with _prod_api(routing) as api:
            # CloudWatch sums whole minutes (GetMetricData rounds StartTime down to the minute), so
            # the next watch's window opens on a minute boundary: the second canary's reports start
            # in a minute after the first one's, or its window would count the aborted version's
            # errors (same version, same dimensions). That wait is the ladder's only real one.
            now = time.time()
            self.watch_from = _minute(now) if self.reports_until is None else _minute(self.reports_until) + 60
            waited = max(0.0, self.watch_from - now)
            time.sleep(waited)
            for arm in ("canary", "stable"):
                api.report(arm, numbers[arm])
            self.reports_until = time.time()
            numbers["canary"]["tenants"], numbers["stable"]["tenants"] = (
                api.arms["canary"],
                api.arms["stable"],
            )
        numbers["waited_s"] = round(waited, 1)
        c, st = numbers["canary"], numbers["stable"]
        return (
            f"canary {c['version']} {c['boots']} boots, {c['errors']} errors ({', '.join(c['tenants'])}); "
            f"stable {st['version']} {st['boots']} boots, {st['errors']} errors ({', '.join(st['tenants'])})",
            numbers,
        )

    def _routing_via_cdn(self) -> dict:
        import json
        import urllib.request

        from orchestrator.core import canary as cn

        with urllib.request.urlopen(self.box.cdns["prod"].url + cn.PATH, timeout=10) as response:
            return json.loads(response.read())

    def canary_watch(self, promote: bool) -> tuple[str, dict]:
        """`./inv canary watch --env prod --bake 1m [--promote]`, its bake rehearsed (module doc)."""
        from orchestrator.release import canary_watch

        self.box.aim("prod")
        clock = _RehearsalClock(self.watch_from)
        w = canary_watch.run(
            self.clone, "prod", bake=WATCH_BAKE, interval=WATCH_BAKE, promote=promote,
            # abort: it would go on to 100 %; promote: the step it is at is the last, then --promote
            steps=CANARY_PERCENT if promote else f"{CANARY_PERCENT},100",
            clock=clock, sleep=clock.sleep, echo=self.echo,
        )  # fmt: skip
        expected = "promoted" if promote else "aborted"
        if w.result != expected:
            raise RuntimeError(f"canary watch {w.result} ({w.reason}), the rehearsal expected {expected}")
        last = w.checks[-1]
        detail = (
            f"{w.result} by itself — {last['verdict']['reason']}; "
            f"boots canary {last['canary']['boots']}, stable {last['stable']['boots']}"
        )
        # What every loader reads now, through the CDN (the watch's own plan invalidated it).
        routing = self._routing_via_cdn()
        data = {
            "result": w.result,
            "reason": w.reason,
            "check": last,
            "actions": w.actions,
            "routing": routing,
        }
        return detail, data

    def rollback_widget(self) -> str:
        from orchestrator.engine import manifest_store
        from orchestrator.release import rollback

        self.box.aim("prod")
        before = manifest_store.load(self.clone).environments["prod"].channels.get("stable")
        plan, _ = rollback.run(self.clone, "rollback-widget", "prod", "latest", echo=self.echo)
        return f"latest {before} → {plan['components']['widget']['version'] if plan else before}"

    def rollback_backend(self) -> str:
        from orchestrator.deploy import backend_commands, rollout

        # What `./inv rollback-backend prod` runs: the switch (or redeploy) and its record, one operation.
        before = rollout.live_colour(rollout.target("prod", self.echo))
        result = backend_commands.rollback_backend(self.clone, "prod", echo=self.echo)
        done = result.get("steps", {}).get("rollback-backend", {})
        if done.get("switched_to"):
            return f"colour {before} → {done['switched_to']} (instant switch, recorded)"
        return f"redeployed {done.get('version')} (no other colour to switch to, recorded)"


def _earlier_build(body: bytes) -> bytes:
    """The first deploys stand for "what ran before": today's zip plus one marker file.

    The backend is packaged from the working tree, so without this the release would deploy
    byte-identical code, prod's promotion would find the live colour up to date, and neither
    blue/green nor the instant colour switch back would be rehearsed.
    """
    import io
    import zipfile

    # Appended: the package's entries stay as they are (re-compressing them all cost ~4 s of CPU
    # per rehearsal); the marker and a new central directory follow them.
    out = io.BytesIO(body)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as dst:
        dst.writestr(zipfile.ZipInfo("REHEARSAL_FIRST_DEPLOY", (1980, 1, 1, 0, 0, 0)), b"rehearsal\n")
    return out.getvalue()


def _minute(t: float) -> float:
    return t // 60 * 60


class _RehearsalClock:
    """The watch's clock: starts at the reports, and each sleep passes at once (module doc)."""

    def __init__(self, start: float):
        self.t = start

    def __call__(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.t += seconds


REPORT_BATCH = 50  # the most one reportClientEvent call counts (backend.client_events.MAX_COUNT)
SHOP = "rehearsal-shop-{}"  # more of prod's businesses, when the demo tenants leave an arm empty


@dataclass
class _ProdApi:
    """The local AppSync running prod's handlers, and which tenant's widget runs which version."""

    url: str
    keys: dict[str, str]
    arms: dict[str, list[str]]  # canary | stable → tenant ids
    versions: dict[str, str]

    def report(self, arm: str, numbers: dict) -> None:
        """Boots then errors (failed turns and errors), in batches, spread over the arm's tenants."""
        calls = [("BOOT", n) for n in _batches(numbers["boots"])]
        errors = _batches(numbers["errors"])
        calls += [("FAILED_TURN" if i % 2 else "ERROR", n) for i, n in enumerate(errors)]
        tenants = self.arms[arm]
        for i, (kind, count) in enumerate(calls):
            report_client_event(
                self.url, self.keys[tenants[i % len(tenants)]], self.versions[arm], kind, count
            )


def _batches(total: int) -> list[int]:
    return [min(REPORT_BATCH, total - i) for i in range(0, total, REPORT_BATCH)]


def report_client_event(url: str, key: str, version: str, kind: str, count: int) -> None:
    """One `reportClientEvent`, exactly as the widget sends it (its API key in Authorization)."""
    import json
    import urllib.request

    body = json.dumps(
        {
            "query": "mutation R($input: ClientEventInput!) { reportClientEvent(input: $input) }",
            "variables": {"input": {"widgetVersion": version, "kind": kind, "count": count}},
        }
    ).encode()
    request = urllib.request.Request(
        url, body, {"content-type": "application/json", "authorization": key}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        answer = json.loads(response.read())
    if answer != {"data": {"reportClientEvent": True}}:
        raise RuntimeError(f"reportClientEvent {kind} {count} for {version} answered {answer}")


@contextmanager
def _prod_api(routing: dict) -> Iterator[_ProdApi]:
    """prod's handlers behind a local AppSync, with the variables functions.yaml gives them in prod.

    The demo tenants are written into the throwaway prod's table (the rehearsal's prod only; a real
    prod never gets them); when the routing leaves all of them on one side, one more business is
    added for the other, so both versions have widgets that report."""
    from backend import runtime, seed, store
    from backend.tenants import write_tenant
    from orchestrator import environments
    from orchestrator.core import canary as cn
    from orchestrator.engine import target
    from orchestrator.local import appsync as local_appsync
    from orchestrator.local import sandbox

    stable, version = routing["stable"], routing["canary"]["version"]
    stack = environments.load("prod").stack_name("data")
    # moto drops the data stack's outputs (local/sandbox.py fills them in, as the deploy does)
    table = sandbox.emulate("data", stack, {"EnvName": "prod"}, target.stack_outputs(stack))["TableName"]
    env = {"TABLE_NAME": table, "ENV_NAME": "prod", "POWERTOOLS_SERVICE_NAME": "bookingchat-prod"}
    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    runtime.reset()
    server = None
    try:
        seed.seed(table, create_table=False)
        keys = seed.api_keys()
        arms: dict[str, list[str]] = {"canary": [], "stable": []}

        def arm_of(tenant: str) -> str:
            return "canary" if cn.decide(routing, tenant, "latest", stable) else "stable"

        for tenant in sorted(keys):
            arms[arm_of(tenant)].append(tenant)
        for side in [a for a, tenants in arms.items() if not tenants]:
            shop = next(SHOP.format(i) for i in range(1000) if arm_of(SHOP.format(i)) == side)
            with runtime.using_table(table):
                demo = seed.load()[-1]
                write_tenant(shop, {**demo, "id": shop, "name": f"Rehearsal shop {shop}"})
                _, keys[shop] = store.new_api_key()
                store.store_api_key(shop, keys[shop])
            arms[side].append(shop)
        server = local_appsync.start(0)
        yield _ProdApi(server.url, keys, arms, {"canary": version, "stable": stable})
    finally:
        if server is not None:
            server.stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        runtime.reset()


def _versions(plan: dict) -> str:
    return ", ".join(f"{name} {c['version']}" for name, c in sorted(plan["components"].items()))


Action = Callable[[], "str | tuple[str, dict]"]  # the detail, and the numbers for --json


def steps(ladder: _Ladder) -> list[tuple[str, str, Action]]:
    """(step, what, action): the ladder in order."""
    out: list[tuple[str, str, Action]] = [
        (f"set up {env}", f"bootstrap + first deploy of {env}", lambda env=env: ladder.set_up(env))
        for env in ENVIRONMENTS
    ]
    out += [
        ("release dev", "widget + backend through the release pipeline", lambda: ladder.release(None)),
        ("promote qa", "the same bytes dev → qa, approved", lambda: ladder.promote("qa")),
        ("promote prod", "qa → prod, checklist bound to the plan hash", lambda: ladder.promote("prod")),
        ("agent dev", "import infra/agents/ into dev (journaled, recorded)", lambda: ladder.agent("dev")),
        ("agent qa", "the same agent digest dev → qa", lambda: ladder.agent("qa")),
        ("agent prod", "the same agent digest qa → prod", lambda: ladder.agent("prod")),
        ("widget change", "a commit touching widget/ in the clone", ladder.widget_change),
        ("release dev (widget)", "a second widget version", lambda: ladder.release("widget")),
        ("promote qa (widget)", "the second version dev → qa", lambda: ladder.promote("qa")),
        ("canary prod", f"promote prod --canary-tenants {CANARY_TENANT}", ladder.canary_promote),
        ("canary set prod", f"canary set --percent {CANARY_PERCENT}", lambda: ladder.canary_command("set")),
        (
            "client reports (worse)",
            "reportClientEvent via a local AppSync: errors on the canary",
            lambda: ladder.client_reports(worse=True),
        ),
        ("canary watch prod", "judged from CloudWatch: aborts by itself", lambda: ladder.canary_watch(False)),
        (
            "canary start prod",
            f"a second canary: {CANARY_TENANT} + {CANARY_PERCENT} %",
            lambda: ladder.canary_command("start"),
        ),
        (
            "client reports (healthy)",
            "reportClientEvent: the same error rate on both versions",
            lambda: ladder.client_reports(worse=False),
        ),
        (
            "canary watch --promote",
            "healthy: promoted to stable/latest by itself",
            lambda: ladder.canary_watch(True),
        ),
        ("rollback-widget prod", "latest back to the previous good version", ladder.rollback_widget),
        ("rollback-backend prod", "back to the previous colour", ladder.rollback_backend),
    ]
    return out


# ── running it ─────────────────────────────────────────────────────────────────────────────


def run(
    root: Path = ROOT,
    keep: bool = False,
    workdir: Path | None = None,
    on_step: Callable[[StepRecord], None] = lambda s: None,
) -> Summary:
    """Rehearse the ladder; every step is recorded, the first failure stops the rest."""
    from orchestrator.local import dev as local_dev

    base = Path(tempfile.mkdtemp(prefix="bookingchat-rehearsal-", dir=workdir))
    summary = Summary(clone=base / "repo", kept=keep)
    log: list[str] = []
    first = StepRecord("clone", "git clone --local of HEAD (a throwaway tree)")
    summary.steps.append(first)
    try:
        if not _timed(first, lambda: _clone(local_dev, root, summary.clone), log, on_step):
            summary.log = log
            return summary
        with sandbox() as box:
            summary.aws = box.aws.endpoint
            ladder = _Ladder(summary.clone, box, echo=log.append)
            planned = steps(ladder)
            summary.steps += [StepRecord(name, what) for name, what, _ in planned]
            for record, (_, _, action) in zip(summary.steps[1:], planned, strict=True):
                log.clear()
                if not _timed(record, action, log, on_step):
                    summary.log = list(log)
                    break
            for record in summary.steps:
                if record.result == "pending":
                    record.result = "not run"
    finally:
        if not keep:
            shutil.rmtree(base, ignore_errors=True)
    return summary


def _clone(local_dev, root: Path, dest: Path) -> str:
    """The clone forgets its origin: nothing can be pushed back, and the user's tree moving on
    meanwhile (a commit, a pull) is not "behind origin" for the rehearsal's promotions."""
    import subprocess

    from orchestrator.adapters import git as gitx

    local_dev.release_clone(root, dest)
    subprocess.run(["git", "remote", "remove", "origin"], cwd=dest, check=True, capture_output=True)
    return f"HEAD {gitx.head_sha(gitx.open_repo(dest))[:7]}"


def _timed(record: StepRecord, action: Action, log: list[str], on_step) -> bool:
    record.result = "running"
    on_step(record)
    started = time.monotonic()
    try:
        with _tools_quiet(log):
            done = action()
        record.detail, record.data = done if isinstance(done, tuple) else (done or "", {})
        record.result = "ok"
    except UserError as err:
        record.result = "refused" if err.exit_code == 2 else "failed"
        record.detail = str(err)
    except Exception as err:  # a bug or an emulator failure: named, with its type
        record.result = "failed"
        record.detail = f"{err.__class__.__name__}: {err}"
        import traceback

        log.extend(traceback.format_exc().splitlines())
    record.seconds = time.monotonic() - started
    on_step(record)
    return record.result == "ok"


@contextmanager
def _tools_quiet(log: list[str]) -> Iterator[None]:
    """What the tools a step runs write to fds 1 and 2 (npm, vite, pip) goes to the step's log,
    so stdout stays the summary's (and --json's) alone; shown only when the step fails."""
    import sys

    with tempfile.TemporaryFile(mode="w+b") as out:
        sys.stdout.flush()
        sys.stderr.flush()
        saved = os.dup(1), os.dup(2)
        try:
            os.dup2(out.fileno(), 1)
            os.dup2(out.fileno(), 2)
            yield
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])
            out.seek(0)
            log.extend(out.read().decode("utf-8", "replace").splitlines())


# ── rendering ──────────────────────────────────────────────────────────────────────────────

STYLES = {"ok": "green", "failed": "bold red", "refused": "bold red", "not run": "dim", "running": "yellow"}


def render(summary: Summary, console) -> None:
    from rich.table import Table
    from rich.text import Text

    table = Table(title="./inv rehearse", show_edge=False)
    for column, justify in (("step", "left"), ("what", "left"), ("seconds", "right"), ("result", "left")):
        table.add_column(column, justify=justify)
    for s in summary.steps:
        style = STYLES.get(s.result, "")
        result = f"[{style}]{s.result}[/]" + (f" — {s.detail}" if s.detail else "")
        table.add_row(s.step, s.what, f"{s.seconds:.1f}" if s.result != "not run" else "", result)
    console.print(table)
    failed = summary.failed
    if failed is None:
        console.print(f"[green]the whole ladder went through[/] in {summary.seconds:.0f}s")
    else:
        console.print(f"[bold red]rehearsal stopped at {failed.step!r}[/]: {failed.detail}", soft_wrap=True)
        for line in summary.log[-15:]:
            console.print(Text(f"  {line}", style="dim"), soft_wrap=True)
    if summary.kept and summary.clone:
        console.print(f"kept the clone: {summary.clone}")
