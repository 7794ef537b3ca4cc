"""Backend steps: deploy through the deploy engine (change sets; empty = up to date)."""

from __future__ import annotations

from orchestrator.engine.context import Ctx


def _outputs(result) -> dict:
    return {
        "colour": result.live_colour,
        "template_digests": result.template_digests,
        "record": result.record_key,
    }


class DeployBackend:
    """Package the backend once (content-addressed) and deploy it to the release's environment."""

    name = "deploy-backend"

    def describe(self, ctx: Ctx) -> str:
        return f"deploy backend {ctx.plan['components']['backend']['version']} to {ctx.plan['env']}"

    def done(self, ctx: Ctx) -> bool:
        return False  # the engine itself finds an unchanged stack up to date

    def apply(self, ctx: Ctx) -> dict:
        from orchestrator.deploy import rollout

        result = rollout.deploy(
            ctx.plan["env"], version=ctx.plan["components"]["backend"]["version"], echo=ctx.echo
        )
        return _outputs(result)

    def verify(self, ctx: Ctx) -> None:
        return None


class DeployPromotedBackend(DeployBackend):
    """Copy the backend release the source environment ran (same zips, same templates) and deploy it."""

    def describe(self, ctx: Ctx) -> str:
        return f"deploy backend {ctx.plan['components']['backend']['version']} from {ctx.plan['from']} (copied, not rebuilt)"

    def apply(self, ctx: Ctx) -> dict:
        from orchestrator.deploy import backend_promotion

        version = ctx.plan["components"]["backend"]["version"]
        return _outputs(
            backend_promotion.deploy_copied(ctx.plan["from"], ctx.plan["env"], version, echo=ctx.echo)
        )
