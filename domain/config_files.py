"""Reading config/ data files with errors that name the file and the field (STYLE.md 8)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

CONFIG_DIR = Path(__file__).resolve().parent.parent / "config"
M = TypeVar("M", bound=BaseModel)


class ConfigError(Exception):
    """A data file is missing, not YAML, or has a bad field; the message says which."""


def read_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as f:
            return yaml.safe_load(f)
    except FileNotFoundError:
        raise ConfigError(f"{_rel(path)}: file not found") from None
    except yaml.YAMLError as e:
        raise ConfigError(f"{_rel(path)}: not valid YAML: {e}") from None


def parse(model: type[M], data: Any, path: Path) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as e:
        err = e.errors()[0]
        field = _field(data, err["loc"])
        raise ConfigError(f"{_rel(path)}: field {field}: {err['msg']}") from None


def _field(data: Any, loc: tuple[Any, ...]) -> str:
    """`programs[3] (id agro-rice).window.closes` style, so staff find the line."""
    parts: list[str] = []
    node = data
    for p in loc:
        if isinstance(p, int):
            name = node[p].get("id") if isinstance(node, list) and isinstance(node[p], dict) else None
            parts[-1:] = [f"{parts[-1] if parts else ''}[{p}]" + (f" (id {name})" if name else "")]
        else:
            parts.append(str(p))
        try:
            node = node[p]
        except (KeyError, IndexError, TypeError):
            node = None
    return ".".join(parts) or "(top level)"


def _rel(path: Path) -> str:
    try:
        return str(path.relative_to(CONFIG_DIR.parent))
    except ValueError:
        return str(path)
