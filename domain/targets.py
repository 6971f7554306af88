"""The yearly targets (config/targets.yml): national ones, and optional ones per regional center.

Read once at start-up (bot/console/dashboard.py): a broken file stops the start naming the file
and the field, like every other data file (STYLE.md 8). Per-center targets need not add up to the
national ones (a center may be given a stretch goal), but each names a center of centers.yml and
all four measures.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from domain.config_files import CONFIG_DIR, ConfigError, parse, read_yaml

MEASURES = ("entrepreneurs", "businesses", "products", "groups")
TARGETS = CONFIG_DIR / "targets.yml"


class Measures(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    entrepreneurs: int = Field(ge=0, le=10_000_000)
    businesses: int = Field(ge=0, le=10_000_000)
    products: int = Field(ge=0, le=10_000_000)
    groups: int = Field(ge=0, le=100_000)

    def as_dict(self) -> dict[str, int]:
        return {m: int(getattr(self, m)) for m in MEASURES}


class Targets(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    fiscal_year_start_month: int = Field(default=10, ge=10, le=10)  # the Thai fiscal year starts in October
    targets: Measures
    centers: dict[str, Measures] = {}

    def national(self) -> dict[str, int]:
        return self.targets.as_dict()

    def of_center(self, center: str | None) -> dict[str, int]:
        """A center's targets ({} when it has none)."""
        found = self.centers.get(center or "")
        return found.as_dict() if found is not None else {}


def load(path: Path | None = None, config_dir: Path = CONFIG_DIR) -> Targets:
    """config/targets.yml (or `path`), checked; ConfigError names the file and the field."""
    path = path or TARGETS
    found = parse(Targets, read_yaml(path), path)
    known = _center_ids(config_dir)
    unknown = [c for c in found.centers if c not in known]
    if unknown:
        raise ConfigError(f"{_name(path)}: field centers.{unknown[0]}: not a center of config/centers.yml "
                          f"({', '.join(known)})")  # fmt: skip
    return found


def _center_ids(config_dir: Path) -> list[str]:
    raw = read_yaml(config_dir / "centers.yml") or {}
    return [str(c.get("id")) for c in raw.get("centers") or [] if isinstance(c, dict)]


def _name(path: Path) -> str:
    try:
        return str(path.relative_to(CONFIG_DIR.parent))
    except ValueError:
        return str(path)
