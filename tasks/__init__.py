"""The Invoke tasks: parse arguments, call one orchestrator function, render, map errors to exit codes.

One module per concern (repo, build, release, canary, board, infra, local, agent), registered flat
so every command keeps its name (`./inv release`, not `./inv release.release`): the workflows and
the docs call them so. No logic lives here that a test cannot reach without Invoke; imports of the
orchestrator stay inside the tasks so `./inv --list` stays fast.
"""

from __future__ import annotations

from invoke import Collection, Task

from tasks import agent, board, build, canary, infra, local, release, repo

namespace = Collection()
for _module in (repo, build, release, board, infra, local, agent, canary):
    for _value in vars(_module).values():
        if isinstance(_value, Task) and _value.__module__ == _module.__name__:
            namespace.add_task(_value)
