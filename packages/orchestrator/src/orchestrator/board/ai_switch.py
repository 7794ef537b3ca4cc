"""`./inv ia off|on ENV`: the seed docs' safety switch, the DISABLE_IA SSM parameter.

`off` writes "true" (the chat answers with the guided, rule-based flow), `on` writes "false".
The Lambdas read it with a ~30 s cache (backend.runtime.ia_disabled), so it takes effect
within that, with no deploy.

Which parameter: `/bookingchat/<env>/DISABLE_IA`; in a blue/green environment each colour's
app stack owns `/bookingchat/<env>/<colour>/DISABLE_IA` (infra/app.yaml), so both colours are
set — the switch holds across a colour switch. The app stack created the parameter from
`app.disable_ia`; a later deploy that changes the DisableIa parameter overwrites the switch,
one that does not leaves it alone. Every flip is an event in the manifest.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import boto3

from orchestrator import environments
from orchestrator.engine import manifest_store, target
from orchestrator.errors import UserError

STATES = {"off": "true", "on": "false"}  # the parameter says whether the AI is DISABLED


def parameter_names(env: environments.Environment) -> list[str]:
    if env.blue_green:
        return [f"/bookingchat/{env.name}/{colour}/DISABLE_IA" for colour in environments.COLOURS]
    return [f"/bookingchat/{env.name}/DISABLE_IA"]


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

    @property
    def changed(self) -> bool:
        return any(before != self.value for before in self.parameters.values())

    def to_json(self) -> dict:
        return {**self.__dict__, "changed": self.changed}


def current(env_name: str) -> dict[str, str | None]:
    """Each DISABLE_IA parameter's value (None: missing, which the Lambdas read as AI on)."""
    env = environments.load(env_name)
    ssm = boto3.client("ssm", region_name=env.region)
    values: dict[str, str | None] = {}
    for name in parameter_names(env):
        try:
            values[name] = ssm.get_parameter(Name=name)["Parameter"]["Value"]
        except ssm.exceptions.ParameterNotFound:
            values[name] = None
    return values


def flip(root: Path, env_name: str, state: str, dry_run: bool = False, push: bool = False) -> Flip:
    state, env_name = parse_args(state, env_name)
    env = environments.load(env_name)
    target.account_id()  # a clear refusal without credentials, before anything else
    result = Flip(env_name, state, STATES[state], current(env_name))
    if dry_run:
        return result
    ssm = boto3.client("ssm", region_name=env.region)
    for name, before in result.parameters.items():
        if before != result.value:
            ssm.put_parameter(Name=name, Value=result.value, Type="String", Overwrite=True)
    result.commit = manifest_store.commit_event(
        root,
        "ia",
        env_name,
        {"ia": state, "DISABLE_IA": result.value, "before": result.parameters},
        f"ia {state} in {env_name} (DISABLE_IA={result.value})",
        push=push,
    )
    return result
