"""The conversation: one module per intent, flow or event kind, and one explicit registry from
route name to handler (STYLE.md 4). The three program intents share `programs` (they differ
only by the track their route carries). Handler modules never import each other (an
import-linter contract checks it); what they share lives in `domain`.
"""

from __future__ import annotations

from domain.context import Handler
from handlers import (
    cancel,
    clarify,
    consent,
    contact,
    fallback,
    faq,
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
    programs,
    recommend,
    register,
    staff,
    thanks,
    unsend,
    unsubscribe,
)

REGISTRY: dict[str, Handler] = {
    # the 14 intents (domain.routes.INTENT_ROUTE)
    "greeting": greeting.handle,
    "program.track": programs.track,
    "mentor": mentor.about,
    "register": register.how,
    "funding": funding.handle,
    "contact": contact.handle,
    "help": help.handle,
    "human": human.open_case,
    "unsubscribe": unsubscribe.stop,
    "privacy": privacy.notice,
    "thanks": thanks.handle,
    "out_of_scope": out_of_scope.handle,
    # programs and centers
    "program.detail": programs.detail,
    "program.which": programs.which,
    "faq.answer": faq.answer,
    "faq.choices": faq.choices,
    "faq.unknown": faq.unknown,
    "recommend": recommend.handle,
    "contact.center": contact.center,
    "contact.center_id": contact.center_id,
    "location": contact.location,
    # registration
    "register.start": register.start,
    "register.resume": register.resume,
    "register.status": register.status,
    "consent.ask": consent.ask,
    "consent.granted": consent.granted,
    "consent.refused": consent.refused,
    "form.answer": form.answer,
    "form.invalid": form.invalid,
    "form.explain": form.explain,
    "form.reoffer": form.reoffer,
    "form.resume": form.resume,
    "form.edit": form.edit,
    "form.edit_field": form.edit_field,
    "form.pause": form.pause,
    "form.discard": form.discard,
    "form.submit": form.submit,
    "cancel": cancel.handle,
    # mentors
    "mentor.request": mentor.request,
    "mentor.ask_track": mentor.ask_track,
    "mentor.volunteer": mentor.volunteer,
    # people
    "human.open": human.open_case,
    "human.ask": human.ask,
    "human.declined": human.declined,
    "back_to_bot": human.back_to_bot,
    # privacy and announcements
    "privacy.mydata": privacy.mydata,
    "privacy.export": privacy.export,
    "privacy.erase": privacy.erase,
    "privacy.erase_confirmed": privacy.erase_confirmed,
    "privacy.withdraw": privacy.withdraw,
    "privacy.withdraw_confirmed": privacy.withdraw_confirmed,
    "unsubscribe.resume": unsubscribe.resume,
    # events
    "follow": follow.follow,
    "unfollow": follow.unfollow,
    "media": media.handle,
    "unsend": unsend.handle,
    "postback.expired": postback.expired,
    "group.joined": group.joined,
    "group.private": group.private,
    # below the thresholds, and nothing else fits
    "clarify": clarify.handle,
    "fallback": fallback.handle,
    "error": fallback.error,
    # staff
    "staff.close": staff.close,
    "staff.confirm": staff.confirm,
    "staff.contacted": staff.contacted,
    "staff.group": staff.group,
    "staff.approve": staff.approve,
    "staff.decline": staff.decline,
}
