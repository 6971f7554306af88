"""The data protection officer's desk: a person who writes to the agency (not on LINE) asks what is
stored about them and then asks for erasure. The officer finds them by LINE ID or registration
ID, downloads their data, and erases it; the audit log holds the request's reference, never the
person's ID."""

from __future__ import annotations

import json

import pytest

from bot.console.accounts import Audit
from bot.ids import mask, user_key
from tests.support.console import Console
from tests.support.harness import Bot
from tests.test_console_leads import register


@pytest.fixture
def bot(classifier) -> Bot:
    bot = Bot(classifier)
    bot.client.application.extensions["dip"].dispatcher = bot.dispatcher
    return bot


def test_the_officer_finds_a_person_downloads_their_data_and_erases_it(bot) -> None:
    user, lead = register(bot, 0xD1, "ร้านผ้าทอบ้านนา", province="น่าน", track="ส")
    uh = user_key(bot.settings.hash_key, user)
    dpo = Console(bot, "dpo-somsri")
    dpo.login()
    found = dpo.post("/console/privacy", {"who": user, "ref": "PDPA-2569-014"}, "/console/privacy")
    page = found.get_data(as_text=True)
    assert found.status_code == 200 and "ใบสมัคร" in page and f"ข้อมูลที่เก็บไว้ของ {mask(user)}" in page
    by_lead = dpo.post("/console/privacy", {"who": lead, "ref": "PDPA-2569-014"}, "/console/privacy")
    assert "dpo-found" in by_lead.get_data(as_text=True)
    export = dpo.post("/console/privacy/export", {"who": user, "ref": "PDPA-2569-014"}, "/console/privacy")
    data = json.loads(export.get_data(as_text=True))
    assert export.status_code == 200 and data["registrations"][0]["fields"]["business_name"] == "ร้านผ้าทอบ้านนา"
    unsure = dpo.post("/console/privacy/erase", {"who": user, "ref": "PDPA-2569-014"}, "/console/privacy")
    assert unsure.status_code == 400  # the officer did not tick that the requester's identity was checked
    erased = dpo.post("/console/privacy/erase", {"who": user, "ref": "PDPA-2569-014", "sure": "y"}, "/console/privacy")
    assert erased.status_code == 302
    assert bot.store.get("profile", uh) is None and bot.store.items("leads", uh) == []
    assert bot.store.get("user", uh) is None
    assert bot.store.get("leadref", lead) is None and len(bot.store.erasures()) == 1
    again = dpo.post("/console/privacy", {"who": user, "ref": "PDPA-2569-014"}, "/console/privacy")
    assert "ไม่พบข้อมูล" in again.get_data(as_text=True)
    log = Audit(bot.store).entries(who="dpo-somsri")
    assert [e["action"] for e in log][:3] == ["privacy.lookup", "privacy.erased", "privacy.exported"]
    assert all(e["target"] == "PDPA-2569-014" for e in log if e["action"].startswith("privacy."))
    assert user not in json.dumps(log)


def test_only_admins_open_the_desk_and_a_form_without_its_token_is_refused(bot) -> None:
    user, _ = register(bot, 0xD2, "ร้านข้าวแต๋น")
    center = Console(bot, "malee", "center", "5")
    center.login()
    assert center.get("/console/privacy").status_code == 403
    dpo = Console(bot, "dpo-somsri")
    dpo.login()
    refused = bot.client.post("/console/privacy/erase", data={"who": user, "ref": "x", "sure": "y"})
    assert refused.status_code == 400 and bot.store.items("leads", user_key(bot.settings.hash_key, user))
