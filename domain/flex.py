"""Flex card templates from config/flex/*.json, filled with values (see config/flex/README.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from domain.config_files import CONFIG_DIR, ConfigError

NAMES = ("program", "center", "mentor", "summary")


def load(directory: Path = CONFIG_DIR / "flex") -> dict[str, Any]:
    templates = {}
    for name in NAMES:
        path = directory / f"{name}.json"
        try:
            templates[name] = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"config/flex/{name}.json: file not found") from None
        except json.JSONDecodeError as e:
            raise ConfigError(f"config/flex/{name}.json: not valid JSON: line {e.lineno}: {e.msg}") from None
        if templates[name].get("type") != "bubble":
            raise ConfigError(f'config/flex/{name}.json: field type: must be "bubble"')
    return templates


def render(node: Any, values: dict[str, Any]) -> Any:
    if isinstance(node, str):
        return node.format_map(values) if "{" in node else node
    if isinstance(node, list):
        out: list[Any] = []
        for item in node:
            if isinstance(item, dict) and "$each" in item:
                out += [render(item["item"], {**values, "item": v}) for v in values.get(item["$each"]) or []]
            elif isinstance(item, dict) and "$if" in item:
                if values.get(item["$if"]):
                    out.append(render(item["then"], values))
            else:
                out.append(render(item, values))
        return out
    if isinstance(node, dict):
        return {k: render(v, values) for k, v in node.items()}
    return node
