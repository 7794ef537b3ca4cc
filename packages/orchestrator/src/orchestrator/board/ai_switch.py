"""`./inv ia off|on ENV`: the seed docs' safety switch, the DISABLE_IA SSM parameter.

`off` writes "true" (the chat answers with the guided, rule-based flow), `on` writes "false".
The Lambdas read it with a ~30 s cache (backend.runtime.ia_disabled), so it takes effect
within that, with no deploy.

Which parameters: only those CloudFormation owns — the `DisableIaParameter` resource of each
app stack that exists (`/bookingchat/<env>/DISABLE_IA`, or one per colour in blue/green),
asked of CloudFormation by logical id. The switch never *creates* a parameter: one written for a
colour that does not exist (after `retire-colour`) would make the next create of that colour's
stack fail on the name. A colour created later inherits the live colour's value (rollout
`_app_params`), so the switch holds across a colour switch.

It runs through the engine (lease, plan, journal, record): set the parameters, then record
the flip as an event in the manifest. Flipping to the state it is already in changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from orchestrator import environments
from orchestrator.adapters import aws
from orchestrator.deploy import backend_commands
from orchestrator.deploy.disable_ia import owned_parameters, value_of
from orchestrator.deploy.environment_records import RecordEvent
from orchestrator.engine import operation, runner, target
from orchestrator.engine.context import Ctx
from orchestrator.errors import UserError

STATES = {"off": "true", "on": "false"}  # the parameter says whether the AI is DISABLED


def parse_args(state: str, env: str) -> tuple[str, str]:
    """Accept `off dev` and `dev off` (the docs show both orders)."""
    if state not in STATES and env in STATES:
        state, env = env, state
    if state not in STATES:
        raise UserError(
            f"{state!r} is neither on nor off", "./inv ia off ENV (guided flow) or ./inv ia on ENV"
        )
    return state, env


@dataclass
class Flip:
    env: str
    state: str
    value: str
    parameters: dict[str, str | None]  # name → the value before
    commit: str | None = None
    journal: str | None = None

    @property
    def changed(self) -> bool:
        return any(before != self.value for before in self.parameters.values())

    def to_json(self) -> dict:
        return {**self.__dict__, "changed": self.changed}


def plan(env_name: str, state: str) -> dict:
    env = environments.load(env_name)
    owned = owned_parameters(env)
    if not owned:
        raise UserError(
            f"{env_name} has no app stack, so no DISABLE_IA parameter to set",
            f"deploy it first (./inv deploy {env_name}); the switch never creates a parameter CloudFormation owns",
        )
    ssm = aws.client("ssm", env.region)
    return {
        "kind": "ia",
        "env": env_name,
        "state": state,
        "value": STATES[state],
        "parameters": {name: value_of(ssm, name) for name in owned.values()},
        "event": {"ia": state, "DISABLE_IA": STATES[state]},
        "steps": ["set-disable-ia", "record-environment"],
        "summary": f"ia {state} in {env_name} (DISABLE_IA={STATES[state]})",
    }


class SetDisableIa:
    """Overwrite each owned parameter that differs (never create one)."""

    name = "set-disable-ia"

    def describe(self, ctx: Ctx) -> str:
        return f"set {', '.join(ctx.plan['parameters'])} to {ctx.plan['value']}"

    def _ssm(self, ctx: Ctx):
        return aws.client("ssm", environments.load(ctx.plan["env"]).region)

    def done(self, ctx: Ctx) -> bool:
        ssm = self._ssm(ctx)
        return all(value_of(ssm, n) == ctx.plan["value"] for n in ctx.plan["parameters"])

    def apply(self, ctx: Ctx) -> dict:
        ssm = self._ssm(ctx)
        for name in ctx.plan["parameters"]:
            if value_of(ssm, name) is None:  # its stack went away since the plan: never recreate it
                raise UserError(
                    f"{name} no longer exists", f"run ./inv ia {ctx.plan['state']} {ctx.plan['env']} again"
                )
            ssm.put_parameter(Name=name, Value=ctx.plan["value"], Type="String", Overwrite=True)
        return {"before": ctx.plan["parameters"]}

    def verify(self, ctx: Ctx) -> None:
        if not self.done(ctx):
            raise UserError("DISABLE_IA did not take the new value", "run the command again")


def flip(
    root: Path,
    env_name: str,
    state: str,
    dry_run: bool = False,
    push: bool = False,
    echo: Callable[[str], None] = print,
    on_event: Callable[[runner.Event], None] = lambda e: None,
) -> Flip:
    state, env_name = parse_args(state, env_name)
    place = target.place(env_name)  # a clear refusal without credentials, before anything else

    def make_plan() -> dict | None:
        p = plan(env_name, state)
        return p if any(v != p["value"] for v in p["parameters"].values()) else None

    op = operation.Operation(
        kind="ia",
        env=env_name,
        request={"env": env_name, "state": state},
        make_plan=make_plan,
        steps_for=lambda p: [SetDisableIa(), RecordEvent()],
        needs_cdn=False,
    )
    result = Flip(env_name, state, STATES[state], plan(env_name, state)["parameters"])
    if dry_run:
        return result
    out = backend_commands.execute(root, op, place, push=push, echo=echo, on_event=on_event)
    if out.get("journal"):
        result.journal = out["journal"]
        result.commit = out["steps"].get("record-environment", {}).get("commit")
    return result
