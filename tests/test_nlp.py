"""The first classifier and the entities it reports."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from nlp.classifier import INTENTS, load_training
from nlp.entities import EntityExtractor
from nlp.normalize import is_english, normalize

ROOT = Path(__file__).resolve().parent.parent


def test_training_data_covers_the_14_fixed_intents() -> None:
    rows = load_training()
    assert {i for _, i in rows} == set(INTENTS)


def test_classify_cli_writes_one_json_object_per_line() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "nlp", "classify"],
        input="อยู่โคราชค่ะ มีพนักงาน ๒๐ คน\n\nขอบคุณครับ\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    assert len(lines) == 2
    first = lines[0]
    assert set(first) == {"text", "intent", "confidence", "alternatives", "entities"}
    assert first["entities"] == {"province": "นครราชสีมา", "employees": 20, "track": None, "sector": None, "phones": []}
    assert first["intent"] in INTENTS and 0 < first["confidence"] <= 1
    assert all(len(a) == 2 and a[0] in INTENTS for a in first["alternatives"])
    assert lines[1]["intent"] == "thanks"


@pytest.mark.parametrize(
    ("text", "province"),
    [
        ("อยู่โคราชค่ะ", "นครราชสีมา"),
        ("แปดริ้ว", "ฉะเชิงเทรา"),
        ("อุบลฯ", "อุบลราชธานี"),
        ("นครศรีฯ", "นครศรีธรรมราช"),
        ("กทม", "กรุงเทพมหานคร"),
        ("ทำโรงงานที่หาดใหญ่", "สงขลา"),
        ("เชียงใหม", "เชียงใหม่"),
        ("im in khon kaen", "ขอนแก่น"),
        ("จังหวัดเลยครับ", "เลย"),
        ("ดอกเบี้ยไม่แพงเลย", None),
        ("อัตราดอกเบี้ยเท่าไหร่", None),
    ],
)
def test_province(text: str, province: str | None) -> None:
    assert EntityExtractor.from_config().province(text) == province


@pytest.mark.parametrize(
    ("text", "n"), [("มีพนักงาน 12 คน", 12), ("ลูกน้อง ๓๕ คน", 35), ("ห้าสิบคน", 50), ("we have 8 staff", 8)]
)
def test_employees(text: str, n: int) -> None:
    assert EntityExtractor.from_config().employees(text) == n


def test_normalize_survives_chat_quirks() -> None:
    assert normalize("สมัครรรรร ค่าาาา 555 😊\u200b") == "สมัคร ค่า"
    assert normalize("๑๒๓") == "123"
    assert is_english("How do I apply?") is True and is_english("สมัครยังไง") is False and is_english("🙏") is None


def test_every_province_is_found_by_its_official_and_english_name() -> None:
    import yaml

    e = EntityExtractor.from_config()
    provinces = yaml.safe_load((ROOT / "config" / "provinces.yml").read_text(encoding="utf-8"))["provinces"]
    assert len(provinces) == 77
    for p in provinces:
        assert e.province(f"อยู่จังหวัด{p['name_th']}ครับ") == p["name_th"]
        assert e.province(f"I am in {p['name_en']}") == p["name_th"], p["name_en"]


@pytest.mark.parametrize(
    ("text", "province"),
    [
        ("korat", "นครราชสีมา"),
        ("Ubon", "อุบลราชธานี"),
        ("ขอนแกน", "ขอนแก่น"),
        ("อยุธยา", "พระนครศรีอยุธยา"),
        ("บางกอก", "กรุงเทพมหานคร"),
        ("กรุงเทพฯ", "กรุงเทพมหานคร"),
        ("โคราชช", "นครราชสีมา"),
        ("นครศรี", "นครศรีธรรมราช"),
    ],
)
def test_nicknames_typos_and_english(text: str, province: str) -> None:
    assert EntityExtractor.from_config().province(text) == province


def test_sector_and_phone_entities() -> None:
    e = EntityExtractor.from_config()
    got = e.extract("ทำโรงสีข้าว โทร ๐๘๑-๒๓๔-๕๖๗๘")
    assert got.sector == "rice" and got.track == "agro" and got.phones == ("0812345678",)
    assert e.extract("อยู่หมู่บ้านปลายนา").sector is None  # หมู่ and ปลาย are not pork and fish
    assert e.extract("เบอร์ 12345").phones == ()
