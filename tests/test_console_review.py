"""The Review page (issue 12, point 7): what the bot did not understand is labelled, attached to an
FAQ entry or discarded; admins retrain, see the figures and activate a version that every
process (another worker, a fresh one) then answers with."""

from __future__ import annotations

import json
import re
import shutil
import time
from pathlib import Path

import pytest
import yaml

from bot.console.accounts import Audit
from bot.learning import train
from bot.learning.labels import Labels
from bot.learning.models import Versions
from tests.support.console import Console
from tests.support.harness import Bot
from tests.support.line import uid

WANTS_TO_TEACH = "อยากเป็นวิทยากร"  # clarify: the bot wavers between the smart track and mentors
NO_ANSWER = "ทำไมยังไม่ตอบ"  # "don't know": no FAQ entry covers it (callback-time is the one)
SLIDES = "ขอสไลด์วันอบรม"  # clarify
ITEM = re.compile(r'data-item="([0-9a-f]{16})"')
HX = {"HX-Request": "true"}


def item_of(desk: Console, text: str) -> str:
    """The row's ID on the page, for the row that shows `text`."""
    html = desk.get("/console/review").get_data(as_text=True)
    for m in ITEM.finditer(html):
        if text in html[m.end() : html.find("</tr>", m.end())]:
            return m.group(1)
    raise AssertionError(f"{text} is not on the review page")


def told(bot: Bot, *texts: str) -> None:
    for n, text in enumerate(texts):
        bot.say(uid(0x7E57 + n), text)
    kept = {item["text"] for _, item in bot.store.reviews()}
    assert set(texts) <= kept, f"the bot understood some of these after all: {set(texts) - kept}"


@pytest.fixture
def small(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Training on 20 examples an intent (a few seconds), the cached models under tmp_path."""
    from domain.config_files import CONFIG_DIR
    from nlp.classifier import INTENTS_DIR

    config = tmp_path / "config"
    (config / "intents").mkdir(parents=True)
    for path in INTENTS_DIR.glob("*.yml"):  # the files as they are, cut after 20 examples
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        lines = [f"intent: {doc['intent']}", "examples:", *(f"  - {json.dumps(e, ensure_ascii=False)}" for e in
                                                           doc["examples"][:20])]  # fmt: skip
        (config / "intents" / path.name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    shutil.copy(CONFIG_DIR / "faq.yml", config / "faq.yml")
    monkeypatch.setattr(train, "SOURCE", config / "intents")
    monkeypatch.setattr(train, "CACHE", tmp_path / "cache")
    return config


def test_a_message_the_bot_did_not_understand_is_listed_and_center_staff_label_it(bot: Bot) -> None:
    told(bot, WANTS_TO_TEACH)
    desk = Console(bot, "malee", "center", "5")
    desk.login()
    page = desk.get("/console/review").get_data(as_text=True)
    assert WANTS_TO_TEACH in page and "ถามกลับ" in page and 'name="intent"' in page and 'name="entry"' in page
    assert "ฝึกโมเดลใหม่" not in page  # retraining is for admins
    iid = item_of(desk, WANTS_TO_TEACH)
    resp = desk.post(f"/console/review/item/{iid}/label", {"intent": "mentor"}, "/console/review", headers=HX)
    row = resp.get_data(as_text=True)
    assert resp.status_code == 200 and row.lstrip().startswith(("<tr", "{#")) and f'id="item-{iid}"' in row
    assert "บันทึกความหมายเป็น “พี่เลี้ยง” แล้ว" in row and "<html" not in row  # the row alone, swapped in place
    assert [(x["text"], x["label"], x["who"]) for x in Labels(bot.store).all()] == [(WANTS_TO_TEACH, "mentor", "malee")]
    assert WANTS_TO_TEACH not in desk.get("/console/review").get_data(as_text=True)
    entry = Audit(bot.store).entries(who="malee", action="review.labelled")[0]
    assert entry["target"] == iid and "intent=mentor" in entry["detail"] and WANTS_TO_TEACH not in str(entry)


def test_attaching_to_an_faq_entry_and_discarding_take_rows_off_the_list(bot: Bot) -> None:
    told(bot, NO_ANSWER, SLIDES)
    desk = Console(bot)
    desk.login()
    asked = item_of(desk, NO_ANSWER)
    page = desk.get("/console/review").get_data(as_text=True)
    assert "callback-time" in page[page.find(f'id="item-{asked}"') :]  # among the entries the bot weighed
    refused = desk.post(f"/console/review/item/{asked}/faq", {"entry": "no-such-entry"}, "/console/review", headers=HX)
    assert "กรุณาเลือกจากรายการก่อนบันทึก" in refused.get_data(as_text=True) and Labels(bot.store).all() == []
    resp = desk.post(f"/console/review/item/{asked}/faq", {"entry": "callback-time"}, "/console/review")
    assert resp.status_code == 302  # a plain form (no htmx): back to the page
    assert [(x["text"], x["label"]) for x in Labels(bot.store).all()] == [(NO_ANSWER, "faq:callback-time")]
    slides = item_of(desk, SLIDES)
    row = desk.post(f"/console/review/item/{slides}/discard", page="/console/review", headers=HX).get_data(as_text=True)
    assert "ทิ้งข้อความนี้แล้ว" in row
    page = desk.get("/console/review").get_data(as_text=True)
    assert NO_ANSWER not in page and SLIDES not in page and "ตอนนี้ไม่มีข้อความรอตรวจ" in page
    assert len(Labels(bot.store).all()) == 1  # a discard teaches nothing
    actions = [e["action"] for e in Audit(bot.store).entries(who="somchai")]
    assert "review.attached" in actions and "review.discarded" in actions


def test_a_line_of_the_blind_test_sets_is_never_learned(bot: Bot) -> None:
    from nlp.evaluate import BLIND, read_holdout

    text, _ = read_holdout(BLIND)[0]
    bot.store.add_review("a" * 32, {"v": 1, "kind": "fallback", "at": "2026-11-25T10:00:00+07:00", "text": text})
    desk = Console(bot)
    desk.login()
    iid = item_of(desk, text)
    row = desk.post(f"/console/review/item/{iid}/label", {"intent": "greeting"}, "/console/review", headers=HX)
    assert "อยู่ในชุดทดสอบ" in row.get_data(as_text=True) and Labels(bot.store).all() == []


def test_center_staff_cannot_retrain_or_activate(bot: Bot) -> None:
    desk = Console(bot, "malee", "center", "5")
    desk.login()
    assert desk.post("/console/review/retrain", page="/console/review").status_code == 403
    assert desk.post("/console/review/activate/config", page="/console/review").status_code == 403
    assert Versions(bot.store).newest() == [] and Versions(bot.store).active() is None


def test_forms_without_the_csrf_token_are_refused(bot: Bot) -> None:
    told(bot, WANTS_TO_TEACH)
    desk = Console(bot)
    desk.login()
    iid = item_of(desk, WANTS_TO_TEACH)
    for path, data in ((f"/console/review/item/{iid}/label", {"intent": "mentor"}), ("/console/review/retrain", {}),
                       ("/console/review/activate/config", {})):  # fmt: skip
        assert bot.client.post(path, data=data, headers=HX).status_code == 400, path
        assert bot.client.post(path, data={**data, "csrf_token": "forged"}).status_code == 400, path
    assert Labels(bot.store).all() == [] and Versions(bot.store).newest() == []
    assert WANTS_TO_TEACH in desk.get("/console/review").get_data(as_text=True)


def test_a_retrained_version_once_activated_answers_in_every_process(
    classifier, redis_url, redis_client, small
) -> None:
    from rq import Queue, SimpleWorker

    from bot.app import build_dispatcher
    from bot.faq import FaqSearch
    from bot.messenger import CollectingMessenger
    from bot.nlu import LazyClassifier
    from bot.store.redis import RedisStore
    from nlp.classifier import load_settings
    from tests.support.redis_bot import RedisBot

    bot = RedisBot(classifier, redis_url)
    told(bot, WANTS_TO_TEACH, NO_ANSWER)
    running = LazyClassifier(RedisStore.from_url(redis_url)).start(background=False)  # a worker, up already
    before = running(WANTS_TO_TEACH)
    assert not (before.intent == "mentor" and before.confident), before
    search = FaqSearch(bot.dispatcher.d.catalog, load_settings(), running.learned)
    assert search(NO_ANSWER).kind != "answer"
    desk = Console(bot)
    desk.login()
    desk.post(f"/console/review/item/{item_of(desk, WANTS_TO_TEACH)}/label", {"intent": "mentor"}, "/console/review")
    desk.post(f"/console/review/item/{item_of(desk, NO_ANSWER)}/faq", {"entry": "callback-time"}, "/console/review")

    assert desk.post("/console/review/retrain", page="/console/review").status_code == 302
    [queued] = Versions(bot.store).newest()
    assert queued["status"] == "queued" and Queue("broadcasts", connection=redis_client).count == 1
    SimpleWorker([Queue("broadcasts", connection=redis_client)], connection=redis_client).work(burst=True)
    version = Versions(bot.store).get(queued["version"])
    assert version is not None and version["status"] == "ready", version
    assert version["labels"] == 2 and version["faq"] == {"callback-time": [NO_ANSWER]}
    assert 0 < version["figures"]["holdout"]["accuracy"] <= 1 and 0 < version["figures"]["blind"]["macro_f1"] <= 1
    assert redis_client.exists(f"dip:nlu:model:{version['version']}")
    page = desk.get("/console/review").get_data(as_text=True)
    base = Versions(bot.store).base()
    assert base is not None and f"{base['figures']['holdout']['accuracy']:.3f}" in page  # the model in use
    assert f"{version['figures']['holdout']['accuracy']:.3f}" in page  # next to the new one

    assert desk.post(f"/console/review/activate/{version['version']}", page="/console/review").status_code == 302
    assert Versions(bot.store).active() == version["version"]
    actions = [e["action"] for e in Audit(bot.store).entries(who="somchai")]
    assert {"review.retrain", "review.activated"} <= set(actions)

    fresh = build_dispatcher(bot.settings, RedisStore.from_url(redis_url), CollectingMessenger())  # another host
    after = fresh.d.router.classify(WANTS_TO_TEACH)
    assert after.intent == "mentor" and after.confident, after
    found = fresh.d.router.understand.search(NO_ANSWER)
    assert found.kind == "answer" and found.keys == ["faq:callback-time"], found
    assert running.refresh() and running(WANTS_TO_TEACH) == after  # the worker that was up
    assert running.learned() == (version["version"], {"callback-time": [NO_ANSWER]})
    again = search(NO_ANSWER)  # its FAQ index, rebuilt with the attached question
    assert again.kind == "answer" and again.keys == ["faq:callback-time"], again


def test_embedded_mode_trains_in_a_thread_of_the_web_process(bot: Bot, small: Path) -> None:
    told(bot, WANTS_TO_TEACH)
    desk = Console(bot)
    desk.login()
    desk.post(f"/console/review/item/{item_of(desk, WANTS_TO_TEACH)}/label", {"intent": "mentor"}, "/console/review")
    resp = desk.post("/console/review/retrain", page="/console/review", headers=HX)
    assert resp.status_code == 200 and 'id="models"' in resp.get_data(as_text=True)
    deadline = time.monotonic() + 60
    while (rec := Versions(bot.store).newest()[0])["status"] in ("queued", "training") and time.monotonic() < deadline:
        time.sleep(0.2)
    assert rec["status"] == "ready" and rec["labels"] == 1, rec
    loaded = Versions(bot.store).classifier(rec["version"])
    assert loaded is not None and loaded[0].predict(WANTS_TO_TEACH).confident
    assert loaded[0].predict(WANTS_TO_TEACH).intent == "mentor"


def test_export_writes_the_labels_into_config_files(redis_url, redis_client, monkeypatch, small: Path) -> None:
    from bot.store.redis import RedisStore
    from domain.knowledge import Faq
    from nlp.__main__ import main
    from nlp.classifier import load_training

    store, given = RedisStore.from_url(redis_url), {WANTS_TO_TEACH: "mentor", NO_ANSWER: "faq:callback-time"}
    for n, text in enumerate(given):
        store.add_review(f"{n:032x}", {"v": 1, "kind": "clarify", "at": "2026-11-25T10:00:00+07:00", "text": text})
    labels = Labels(store)
    for row in labels.rows():
        labels.label(row, given[row.text], "somchai")
    assert len(labels.all()) == 2
    config = small
    monkeypatch.setenv("REDIS_URL", redis_url)
    assert main(["review", "export", "--labels", "--config", str(config)]) == 0
    assert (WANTS_TO_TEACH, "mentor") in load_training(config / "intents")
    faq = Faq(config)
    assert NO_ANSWER in faq.questions(faq.by_id["callback-time"])
    before = (config / "intents" / "mentor.yml").read_text(encoding="utf-8")
    assert main(["review", "export", "--labels", "--config", str(config)]) == 0  # twice: nothing added
    assert (config / "intents" / "mentor.yml").read_text(encoding="utf-8") == before
    assert (config / "faq-learned.yml").read_text(encoding="utf-8").count(NO_ANSWER) == 1
