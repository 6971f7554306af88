"""Staff commands (only for STAFF_USER_IDS), typed or tapped:

- "ปิดเรื่อง <case>": close a handoff case; the bot answers that user again.
- "ยืนยันผู้เข้าร่วม <registration>": a registration becomes a confirmed participant (KPIs).
- "ติดต่อแล้ว <registration>": staff have contacted the applicant.
  Either way the applicant is told by push.
- "สร้างกลุ่ม <name>": record a cluster/group staff formed (KPIs count only these).
- "อนุมัติ <intro>" / "ปฏิเสธ <intro>": decide a Big Brother introduction; the mentee is told.
"""

from __future__ import annotations

from domain.context import Context, Result
from domain.effects import CloseCase, RecordGroup, RecordIntro, ReleaseHandoff, SendPush, SetLeadStatus
from domain.flex import render
from domain.ids import new_id
from domain.replies import Card, Message, Push, Text


def close(ctx: Context) -> Result:
    case = ctx.args["arg"]
    record = ctx.lookups.case(case)
    if record is None:
        return Result([ctx.text("human.unknown_case", case=case)])
    if record.get("kind") == "followup":  # a late application: nothing to hand back
        return Result([ctx.text("human.closed_staff", case=case)], effects=[CloseCase(case)])
    notice = Text(ctx.t("human.closed_user", record.get("lang", "th")))
    return Result(
        [ctx.text("human.closed_staff", case=case)],
        effects=[SendPush(Push(to=record["chat_id"], messages=(notice,))), CloseCase(case),
                 ReleaseHandoff(record["chat_id"])],
    )  # fmt: skip


def confirm(ctx: Context) -> Result:
    return _status(ctx, "confirmed")


def contacted(ctx: Context) -> Result:
    return _status(ctx, "contacted")


def _status(ctx: Context, status: str) -> Result:
    """A registration's status changes; its owner is told by push."""
    lead_id = ctx.args["arg"]
    found = ctx.lookups.lead(lead_id)
    if found is None:
        return Result([ctx.text("staff.unknown_lead", id=lead_id)])
    _lead, user = found
    notice = Text(ctx.t(f"staff.{status}_user", user.get("lang", "th"), id=lead_id))
    change = SetLeadStatus(lead_id, status, at=ctx.now.isoformat())
    return Result(
        [ctx.text(f"staff.{status}", id=lead_id)], effects=[SendPush(Push(to=user["id"], messages=(notice,))), change]
    )


def group(ctx: Context) -> Result:
    name = ctx.args["arg"]
    province = ctx.ents.province(name)
    gid = new_id("G", ctx.incoming.event_id)
    record = {
        "v": 1,
        "id": gid,
        "name": name,
        "track": ctx.ents.extract(name).track,
        "province": province,
        "center": ctx.catalog.center_of[province].id if province else None,
        "at": ctx.now.isoformat(),
    }
    return Result([ctx.text("staff.group_created", id=gid, name=name)], effects=[RecordGroup(record)])


def approve(ctx: Context) -> Result:
    return _decide(ctx, approved=True)


def decline(ctx: Context) -> Result:
    return _decide(ctx, approved=False)


def _decide(ctx: Context, approved: bool) -> Result:
    iid = ctx.args["arg"]
    intro = ctx.lookups.intro(iid)
    if intro is None:
        return Result([ctx.text("mentor.unknown", id=iid)])
    if intro["status"] != "pending":
        return Result([ctx.text("mentor.decided", id=iid, status=intro["status"])])
    intro = {**intro, "status": "approved" if approved else "declined", "decided": ctx.now.isoformat()}
    lang = intro.get("lang", "th")
    mentor = next((m for m in ctx.catalog.mentors.mentors if m.id == intro.get("mentor")), None)
    if approved and mentor:
        name = mentor.name_en if lang == "en" else mentor.name_th
        business = mentor.business_en if lang == "en" else mentor.business_th
        text = ctx.t("mentor.approved_user", lang, name=name, business=business, province=mentor.province)
        card = render(
            ctx.catalog.flex["mentor"],
            {
                "title": ctx.t("mentor.card_title", lang),
                "name": name,
                "business": business,
                "detail": ctx.t("mentor.card_detail", lang, cohort=mentor.cohort or "-", province=mentor.province),
                "bio": (mentor.bio_en if lang == "en" else mentor.bio_th) or "-",
            },
        )
        note: tuple[Message, ...] = (Text(text), Card(alt=text[:400], contents=card, fallback=text))
    else:
        note = (Text(ctx.t("mentor.declined_user", lang)),)
    key = "mentor.staff_approved" if approved else "mentor.staff_declined"
    push = SendPush(Push(to=intro["mentee_chat"], messages=note))
    return Result([ctx.text(key, id=iid)], effects=[push, RecordIntro(intro)])
