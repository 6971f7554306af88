"""The improvement loop: unsure messages are kept redacted, exported, labelled, imported."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.ids import user_key
from nlp.classifier import Prediction, load_training
from nlp.review import LabelError, export_rows, import_file, redact
from tests.support.harness import Bot
from tests.support.line import uid


def unsure(text: str) -> Prediction:
    return Prediction(text, "mentor", 0.31, [("funding", 0.29), ("contact", 0.2)], confident=False)


def test_phone_and_id_numbers_are_redacted() -> None:
    assert redact("โทร 081-234-5678 บัตร 1 2345 67890 12 3 mail a.b@x.co.th") == "โทร <phone> บัตร <id> mail <email>"
    assert redact("เบอร์ ๐๘๑๒๓๔๕๖๗๘") == "เบอร์ <phone>"


def test_a_clarified_message_goes_to_the_review_list_under_an_hmac_key(user: str) -> None:
    bot = Bot(unsure)
    reply = bot.say(user, "อยากได้คนช่วยเรื่องเงิน โทร 0812345678")
    assert "ยังไม่แน่ใจ" in reply[0]["text"]
    items = bot.store.reviews()
    assert len(items) == 1
    uh, item = items[0]
    assert uh == user_key(bot.settings.hash_key, user) and user not in str(item)
    assert item["text"] == "อยากได้คนช่วยเรื่องเงิน โทร <phone>" and item["intent"] == "mentor"


def test_export_writes_a_tsv_to_label() -> None:
    rows = export_rows(
        [
            {
                "text": "ขอทุน   ทำโรงสี",
                "intent": "funding",
                "confidence": 0.3,
                "alternatives": [["x", 0.2]],
                "at": "2026-11-26",
            },
            {"text": "ขอทุน ทำโรงสี", "intent": "funding", "at": "2026-11-27"},
        ]
    )
    data = [r for r in rows if not r.startswith("#")]
    assert data == ["funding\tขอทุน ทำโรงสี\t0.3\tx:0.2"]


@pytest.fixture
def intents(tmp_path: Path) -> Path:
    import shutil

    from nlp.classifier import INTENTS_DIR

    shutil.copytree(INTENTS_DIR, tmp_path / "intents")
    return tmp_path / "intents"


def test_import_appends_labelled_lines_that_still_load(tmp_path: Path, intents: Path) -> None:
    known_text, known_intent = load_training(intents)[0]
    f = tmp_path / "labelled.tsv"
    f.write_text(
        f"# comment\nfunding\tอยากกู้เงินทำโรงอบลำไย: ด่วน\t0.3\t\n{known_intent}\t{known_text}\n", encoding="utf-8"
    )
    before = len(load_training(intents))
    added = import_file(f, intents)
    assert added == {"funding": 1}  # the second line is already a training example
    rows = load_training(intents)
    assert len(rows) == before + 1 and ("อยากกู้เงินทำโรงอบลำไย: ด่วน", "funding") in rows
    yaml.safe_load((intents / "funding.yml").read_text(encoding="utf-8"))


@pytest.mark.parametrize(("line", "why"), [("fundng\tขอกู้เงิน", "unknown intent"), ("funding", "intent<TAB>text")])
def test_import_refuses_bad_lines_and_writes_nothing(tmp_path: Path, intents: Path, line: str, why: str) -> None:
    f = tmp_path / "bad.tsv"
    f.write_text(f"funding\tอยากได้ทุนใหม่\n{line}\n", encoding="utf-8")
    before = (intents / "funding.yml").read_text(encoding="utf-8")
    with pytest.raises(LabelError, match=why):
        import_file(f, intents)
    assert (intents / "funding.yml").read_text(encoding="utf-8") == before


def test_import_never_trains_on_the_blind_holdout(tmp_path: Path, intents: Path) -> None:
    from nlp.evaluate import read_holdout
    from nlp.normalize import normalize

    known = {normalize(t) for t, _ in load_training(intents)}
    text, intent = next((t, i) for t, i in read_holdout() if normalize(t) not in known)
    f = tmp_path / "leak.tsv"
    f.write_text(f"{intent}\t{text}\n", encoding="utf-8")
    with pytest.raises(LabelError, match="holdout"):
        import_file(f, intents)


def test_erasing_a_user_can_find_their_review_items(user: str) -> None:
    bot = Bot(unsure)
    bot.say(user, "อะไรนะ")
    bot.say(uid(2), "อะไรนะ")
    uh = user_key(bot.settings.hash_key, user)
    bot.store.delete_reviews(uh)
    assert [u for u, _ in bot.store.reviews()] == [user_key(bot.settings.hash_key, uid(2))]


def test_a_dont_know_is_exported_with_its_candidates_and_attached_to_an_faq_entry(
    tmp_path: Path, intents: Path
) -> None:
    import shutil

    from domain.config_files import CONFIG_DIR
    from domain.knowledge import Faq

    item = {"v": 1, "kind": "unknown", "at": "2026-11-25T10:00:00+07:00", "text": "ดีพร้อมเปย์ต้องมีคนค้ำไหม",
            "intent": "funding", "confidence": 0.5, "alternatives": [],
            "candidates": ["loan-collateral", "diprom-pay"]}  # fmt: skip
    rows = export_rows([item])
    assert rows[-1].endswith("faq:loan-collateral,faq:diprom-pay"), rows[-1]
    config = intents.parent
    for name in ("faq.yml", "programs.yml"):
        shutil.copy(CONFIG_DIR / name, config / name)
    labelled = tmp_path / "labelled.tsv"
    labelled.write_text("faq:loan-collateral\tดีพร้อมเปย์ต้องมีคนค้ำไหม\nfaq:no-such-entry\tx\n", encoding="utf-8")
    with pytest.raises(LabelError, match="no-such-entry"):
        import_file(labelled, intents)
    labelled.write_text("faq:loan-collateral\tดีพร้อมเปย์ต้องมีคนค้ำไหม\n", encoding="utf-8")
    assert import_file(labelled, intents) == {"faq:loan-collateral": 1}
    faq = Faq(config)
    assert "ดีพร้อมเปย์ต้องมีคนค้ำไหม" in faq.questions(faq.by_id["loan-collateral"])


def test_the_blind_faq_set_is_never_learned(tmp_path: Path, intents: Path) -> None:
    from domain.config_files import CONFIG_DIR

    (intents.parent / "faq.yml").write_text((CONFIG_DIR / "faq.yml").read_text(encoding="utf-8"), encoding="utf-8")
    rows = [r for r in (Path(__file__).parent / "data" / "faq_blind.tsv").read_text(encoding="utf-8").splitlines()]
    label, text = next(r.split("\t") for r in rows if "\t" in r and not r.startswith(("#", "none")))
    f = tmp_path / "leak.tsv"
    f.write_text(f"faq:{label}\t{text}\n", encoding="utf-8")
    with pytest.raises(LabelError, match="blind"):
        import_file(f, intents)
