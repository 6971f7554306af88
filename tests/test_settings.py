"""Settings and data files: a missing or malformed value stops start-up and names itself."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import DEV_CHANNEL_SECRET, SettingsError, load_settings
from domain.config_files import ConfigError

ROOT = Path(__file__).resolve().parent.parent

KEY = "c" * 32  # CONSOLE_SECRET_KEY


def settings(**env):
    return load_settings(_env_file=None, **env)


def test_no_environment_means_local_embedded_mode() -> None:
    s = settings()
    assert s.mode == "local" and s.embedded and s.channel_secret == DEV_CHANNEL_SECRET
    assert s.LINE_API_BASE_URL == "https://api.line.me" and s.PORT == 8000


def test_production_requires_the_secret() -> None:
    with pytest.raises(SettingsError, match="LINE_CHANNEL_SECRET"):
        settings(LINE_CHANNEL_ACCESS_TOKEN="tok", REDIS_URL="redis://localhost:6379/0")


def test_production_requires_redis_or_an_explicit_embedded_flag() -> None:
    with pytest.raises(SettingsError, match="REDIS_URL"):
        settings(LINE_CHANNEL_ACCESS_TOKEN="tok", LINE_CHANNEL_SECRET="s", USER_HASH_KEY="k", CONSOLE_SECRET_KEY=KEY)
    assert settings(LINE_CHANNEL_ACCESS_TOKEN="tok", LINE_CHANNEL_SECRET="s", USER_HASH_KEY="k", EMBEDDED=True,
                    CONSOLE_SECRET_KEY=KEY).embedded  # fmt: skip


def test_production_requires_a_console_secret_key_of_32_characters() -> None:
    prod = {"LINE_CHANNEL_ACCESS_TOKEN": "tok", "LINE_CHANNEL_SECRET": "s", "USER_HASH_KEY": "k", "EMBEDDED": True}
    for key in (None, "short"):
        with pytest.raises(SettingsError, match="CONSOLE_SECRET_KEY is required in production"):
            settings(**prod, CONSOLE_SECRET_KEY=key)
    assert settings(CONSOLE_SECRET_KEY=None).local  # local runs keep one under var/


@pytest.mark.parametrize("start", [{"LINE_CHANNEL_ACCESS_TOKEN": "tok"}, {"REDIS_URL": "redis://localhost:6379/0"}])
def test_a_token_or_redis_refuses_the_development_secret_and_a_missing_hash_key(start: dict) -> None:
    with pytest.raises(SettingsError, match="LINE_CHANNEL_SECRET is required"):
        settings(**start, USER_HASH_KEY="k")
    with pytest.raises(SettingsError, match="not the development secret"):
        settings(**start, LINE_CHANNEL_SECRET=DEV_CHANNEL_SECRET, USER_HASH_KEY="k")
    with pytest.raises(SettingsError, match="USER_HASH_KEY is required"):
        settings(**start, LINE_CHANNEL_SECRET="s3cret")
    ok = settings(**{**start, "REDIS_URL": "redis://localhost:6379/0"}, LINE_CHANNEL_SECRET="s3cret", USER_HASH_KEY="k",
                  CONSOLE_SECRET_KEY=KEY)  # fmt: skip
    assert ok.hash_key == b"k" and ok.channel_secret == "s3cret"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("REDIS_URL", "localhost:6379"),
        ("STAFF_USER_IDS", "U123,nope"),
        ("PORT", "99999"),
        ("LINE_API_BASE_URL", "api.line.me"),
        ("WORKER_PROCESSES", "0"),
        ("EVENT_PARTITIONS", "0"),
    ],
)
def test_a_malformed_setting_is_named(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        settings(**{name: value})


def test_staff_ids_are_parsed() -> None:
    a, b = "U" + "1" * 32, "U" + "2" * 32
    assert settings(STAFF_USER_IDS=f"{a}, {b}").staff_ids == {a, b}


def test_the_process_stops_with_the_name_of_the_setting() -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "LINE_CHANNEL_ACCESS_TOKEN": "tok",
        "LINE_CHANNEL_SECRET": "s",
        "USER_HASH_KEY": "k",
        "CONSOLE_SECRET_KEY": KEY,
    }
    run = subprocess.run(
        [sys.executable, "-m", "bot", "serve"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 2 and "REDIS_URL" in run.stderr and "Traceback" not in run.stderr


def copy_config(tmp_path: Path) -> Path:
    dst = tmp_path / "config"
    shutil.copytree(ROOT / "config", dst)
    return dst


def test_a_broken_program_file_names_the_file_and_field(tmp_path: Path) -> None:
    from domain.catalog import Catalog

    cfg = copy_config(tmp_path)
    path = cfg / "programs.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("track: agro", "track: agri", 1), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"programs\.yml: field programs\[\d+\] \(id [a-z-]+\)\.track"):
        Catalog(cfg)


def test_a_province_without_a_center_is_refused(tmp_path: Path) -> None:
    from domain.catalog import Catalog

    cfg = copy_config(tmp_path)
    path = cfg / "centers.yml"
    text = path.read_text(encoding="utf-8").replace("provinces: [ขอนแก่น, ", "provinces: [", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"centers\.yml.*ขอนแก่น"):
        Catalog(cfg)


def test_invalid_yaml_names_the_file(tmp_path: Path) -> None:
    from domain.texts import Texts

    cfg = copy_config(tmp_path)
    (cfg / "texts" / "en.yml").write_text("help: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"en\.yml"):
        Texts(cfg / "texts")


def test_every_province_has_exactly_one_center() -> None:
    from domain.catalog import Catalog

    c = Catalog()
    assert len(c.province) == 77 and set(c.center_of) == set(c.province)
    assert c.center_of["สงขลา"].id == "ipc11" and c.center_of["กรุงเทพมหานคร"].id == "hq"


def test_a_text_that_yaml_reads_as_a_boolean_is_refused(tmp_path: Path) -> None:
    from domain.texts import Texts

    cfg = copy_config(tmp_path)
    path = cfg / "texts" / "en.yml"
    path.write_text(path.read_text(encoding="utf-8").replace('answer_yes: "yes"', "answer_yes: yes"), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"en\.yml: field privacy\.answer_yes.*quotes"):
        Texts(cfg / "texts")
