"""Staff announcing on LINE ("ประกาศ"): the text, then who receives it (quick replies or typed:
ทุกคน, ก/ส/อ, a province, a center such as ศภ.5, ลงทะเบียนแล้ว), then the preview with the count
and the quota, then "ยืนยันส่ง", "ส่งทดสอบ" (to the staff member only), "เพิ่มเงื่อนไข" or "ยกเลิก".
Each step is a prompt that carries the draft, so nothing else needs storing."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from domain.prompts import Prompt, Reading
from domain.routes import Route

ALL = {"ทุกคน", "ทั้งหมด", "all", "everyone", "ทุกคนที่รับข่าว"}
TRACKS = {"ก": "agro", "ส": "creative", "อ": "smart", "agro": "agro", "creative": "creative", "smart": "smart"}
STATUS = {"ลงทะเบียนแล้ว": "registered", "สมัครแล้ว": "registered", "registered": "registered",
          "ยินยอมแล้ว": "consented", "ยืนยันแล้ว": "confirmed", "ผู้เข้าร่วม": "confirmed"}  # fmt: skip
SEND = {"ยืนยันส่ง", "ยืนยัน", "ส่ง", "send", "confirm"}
TEST = {"ส่งทดสอบ", "ทดสอบ", "test"}
MORE = {"เพิ่มเงื่อนไข", "เพิ่ม", "more", "addafilter"}


def segment_answer(r: Reading) -> tuple[str, str] | None:
    """(field, value) a typed or tapped answer names, or ("all", "") for everyone."""
    from nlp.places import center_ref

    key = r.key
    choice = r.choice_of(r.text)
    if key in ALL or choice == "announce_all":
        return ("all", "")
    track = TRACKS.get(key) or {"agro": "agro", "creative": "creative", "smart": "smart"}.get(choice or "")
    if track:
        return ("track", track)
    if key in STATUS or choice == "announce_registered":
        return ("status", STATUS.get(key, "registered"))
    if (n := center_ref(r.text)) is not None:
        return ("center", f"ipc{n}")
    if province := r.ents.province(r.text) if len(r.text) <= 60 else None:
        return ("province", province)
    return None


@dataclass(frozen=True)
class AnnounceText(Prompt):
    kind: ClassVar[str] = "announce_text"

    def parse(self, r: Reading) -> Route | None:
        text = r.text.strip()
        return Route("staff.announce_text", {"text": text[:4000]}) if text else None


@dataclass(frozen=True)
class AnnounceSegment(Prompt):
    kind: ClassVar[str] = "announce_segment"
    text: str = ""
    segment: dict[str, Any] = field(default_factory=dict)

    def parse(self, r: Reading) -> Route | None:
        found = segment_answer(r)
        if found is None:
            return None
        name, value = found
        segment = {} if name == "all" else {**self.segment, name: sorted({*self.segment.get(name, []), value})}
        return Route("staff.announce_preview", {"text": self.text, "segment": segment})


@dataclass(frozen=True)
class AnnounceConfirm(Prompt):
    kind: ClassVar[str] = "announce_confirm"
    text: str = ""
    segment: dict[str, Any] = field(default_factory=dict)

    def parse(self, r: Reading) -> Route | None:
        args = {"text": self.text, "segment": self.segment}
        choice = r.choice_of(r.text)
        if r.key in SEND or choice == "announce_send":
            return Route("staff.announce_send", args)
        if r.key in TEST or choice == "announce_test":
            return Route("staff.announce_test", args)
        if r.key in MORE or choice == "announce_more":
            return Route("staff.announce_text", args)
        return None
