"""One module per intent or event kind, and one explicit registry (STYLE.md 4)."""

from __future__ import annotations

from handlers import (
    cancel,
    clarify,
    consent,
    contact,
    fallback,
    follow,
    form,
    funding,
    greeting,
    group,
    help,
    human,
    media,
    mentor,
    out_of_scope,
    postback,
    privacy,
    program_agro,
    program_creative,
    program_smart,
    recommend,
    register,
    staff,
    thanks,
    unsend,
    unsubscribe,
)
from handlers.base import Context, Handler


def _with(ctx: Context, **extra: object) -> Context:
    ctx.extra.update(extra)
    return ctx


INTENT_HANDLERS: dict[str, Handler] = {
    "greeting": greeting.handle,
    "program_agro": program_agro.handle,
    "program_creative": program_creative.handle,
    "program_smart": program_smart.handle,
    "mentor": mentor.handle,
    "register": register.handle,
    "funding": funding.handle,
    "contact": contact.handle,
    "help": help.handle,
    "human": human.handle,
    "unsubscribe": unsubscribe.handle,
    "privacy": privacy.handle,
    "thanks": thanks.handle,
    "out_of_scope": out_of_scope.handle,
}

REGISTRY: dict[str, Handler] = {
    **INTENT_HANDLERS,
    "follow": follow.handle,
    "unfollow": follow.handle,
    "media": media.handle,
    "location": contact.handle,
    "unsend": unsend.handle,
    "cancel": cancel.handle,
    "back_to_bot": human.back_to_bot,
    "clarify": clarify.handle,
    "fallback": fallback.handle,
    "staff_close": staff.close,
    "staff_confirm": staff.confirm,
    "staff_group": staff.group,
    "staff_approve": lambda ctx: mentor.decide(_with(ctx, approve=True)),
    "staff_decline": mentor.decide,
    "postback_expired": postback.expired,
    "group_joined": group.joined,
    "group_private": group.private,
    "form": form.step,
    "consent_granted": consent.granted,
    "consent_refused": consent.refused,
    "recommend": recommend.handle,
}
