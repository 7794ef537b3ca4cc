"""The component registry (`releases/components.toml`): paths, tag prefixes, branch channels."""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from orchestrator.core.manifest import json_path
from orchestrator.errors import UserError


class ComponentConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    paths: list[str] = Field(min_length=1)
    tag_prefix: str = Field(min_length=1)

    def tag(self, version) -> str:
        return f"{self.tag_prefix}{version}"


class Registry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    components: dict[str, ComponentConfig] = Field(min_length=1)
    branches: dict[str, str] = Field(default_factory=dict)

    def select(self, names: str | None) -> dict[str, ComponentConfig]:
        """`--component a,b` → those components, in registry order; unknown names are refused."""
        if not names:
            return dict(self.components)
        wanted = [n.strip() for n in names.split(",") if n.strip()]
        unknown = [n for n in wanted if n not in self.components]
        if unknown:
            raise UserError(
                f"unknown component {', '.join(unknown)}", f"choose from {', '.join(self.components)}"
            )
        return {n: c for n, c in self.components.items() if n in wanted}


def load(path: Path) -> Registry:
    try:
        data = tomllib.loads(path.read_text())
        return Registry.model_validate(data)
    except FileNotFoundError:
        raise UserError(f"{path} is missing", "restore it from git") from None
    except tomllib.TOMLDecodeError as err:
        raise UserError(f"{path}: {err}", "fix the TOML syntax") from None
    except ValidationError as err:
        first = err.errors()[0]
        raise UserError(f"{path}: {json_path(first['loc'])}: {first['msg']}", "fix the file") from None
