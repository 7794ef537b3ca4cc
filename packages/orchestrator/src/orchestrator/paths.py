"""Where things live in the monorepo, in one place."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[4]
WIDGET = ROOT / "widget"
INFRA = ROOT / "infra"
RELEASES = ROOT / "releases"
MANIFEST = RELEASES / "manifest.json"
COMPONENTS = RELEASES / "components.toml"
CHANGELOG = ROOT / "CHANGELOG.md"
BACKEND = ROOT / "packages" / "backend"
LOCAL = ROOT / ".local"
