"""Reply copy lives in config/texts/<lang>.yml; every Thai key must exist in English too."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from domain.config_files import CONFIG_DIR, ConfigError, read_yaml
from domain.replies import MAX_LABEL

LANGS = ("th", "en")


def _flatten(node: Any, prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for k, v in (node or {}).items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(_flatten(v, key + "."))
        elif not isinstance(v, str):
            # YAML reads yes, no, on, off and bare numbers as other types: quote them.
            raise ConfigError(f"field {key}: {v!r} is not text; put it in quotes")
        else:
            out[key] = v.rstrip("\n")
    return out


class Texts:
    def __init__(self, directory: Path = CONFIG_DIR / "texts") -> None:
        self.table = {}
        for lang in LANGS:
            try:
                self.table[lang] = _flatten(read_yaml(directory / f"{lang}.yml"))
            except ConfigError as e:
                raise ConfigError(f"config/texts/{lang}.yml: {e}") from None
        missing = sorted(set(self.table["th"]) - set(self.table["en"]))
        if missing:
            raise ConfigError(f"config/texts/en.yml: field {missing[0]}: missing (it is in th.yml)")
        for lang in LANGS:
            for key, value in self.table[lang].items():
                if key.startswith("choice.") and len(value) > MAX_LABEL:
                    raise ConfigError(
                        f"config/texts/{lang}.yml: field {key}: {len(value)} characters, LINE shows at most {MAX_LABEL}"
                    )
        self.particle = {lang: self.table[lang].get("particle", "") for lang in LANGS}

    def __call__(self, key: str, lang: str = "th", **kw: Any) -> str:
        table = self.table.get(lang) or self.table["th"]
        try:
            template = table.get(key) or self.table["th"][key]
        except KeyError:
            raise KeyError(f"no text {key!r} in config/texts/th.yml") from None
        return template.format(p=self.particle.get(lang, ""), **kw) if "{" in template else template

    def labels(self, prefix: str) -> dict[str, list[str]]:
        """`choice.agro` -> ["ก เกษตรอุตสาหกรรม", "Agro-industry"], for exact routing of taps."""
        out: dict[str, list[str]] = {}
        for lang in LANGS:
            for key, value in self.table[lang].items():
                if key.startswith(prefix + "."):
                    out.setdefault(key[len(prefix) + 1 :], []).append(value)
        return out

    def has(self, key: str) -> bool:
        return key in self.table["th"]
