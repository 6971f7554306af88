"""Below the threshold or margin: ask with the top 2-3 intents, numbered so typing works."""

from __future__ import annotations

from handlers import fallback
from handlers.base import Choice, Context, Result, Text

ASKABLE_SKIP = {"out_of_scope", "greeting", "thanks"}
# Short quick-reply labels (20 characters at most) reuse the menu's words.
SHORT = {
    "program_agro": "agro",
    "program_creative": "creative",
    "program_smart": "smart",
    "mentor": "mentor",
    "register": "register",
    "funding": "funding",
    "contact": "contact",
    "human": "human",
    "privacy": "privacy",
    "help": "menu",
    "unsubscribe": "unsubscribe",
}


def handle(ctx: Context) -> Result:
    p = ctx.nlu
    options = [i for i in [p.intent, *(a for a, _ in p.alternatives)] if i not in ASKABLE_SKIP][:3]
    if not options:
        return fallback.handle(ctx)
    lines = [ctx.say("clarify.ask")]
    lines += [ctx.say("clarify.option", n=n, label=ctx.say(f"intent_label.{i}")) for n, i in enumerate(options, 1)]
    choices = [
        Choice(f"{n} {ctx.say('choice.' + SHORT[i]) if i in SHORT else i}"[:20], str(n))
        for n, i in enumerate(options, 1)
    ]
    state = {**ctx.state, "prompt": {"kind": "clarify", "options": options, "text": ctx.incoming.text[:500]}}
    return Result([Text("\n".join(lines))], [*choices, ctx.choice("menu")], state=state, review=True)
