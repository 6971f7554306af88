"""Below the threshold or margin: ask with the top 2-3 intents. The lines are numbered so a
typed number works; the buttons carry the plain labels, and the menu once."""

from __future__ import annotations

from domain.context import Context, Result
from domain.effects import ContinueWith, Review
from domain.form import SHORT
from domain.prompts import Clarify
from domain.replies import Text
from domain.routes import Route

ASKABLE_SKIP = {"out_of_scope", "greeting", "thanks"}


def handle(ctx: Context) -> Result:
    p = ctx.nlu
    options = [i for i in [p.intent, *(a for a, _ in p.alternatives)] if i not in ASKABLE_SKIP][:3]
    if not options:
        return Result(effects=[ContinueWith(Route("fallback"))])
    lines = [ctx.say("clarify.ask")]
    lines += [ctx.say("clarify.option", n=n, label=ctx.say(f"intent_label.{i}")) for n, i in enumerate(options, 1)]
    keys = list(dict.fromkeys(SHORT[i] for i in options if i in SHORT))
    choices = [ctx.choice(k) for k in keys if k != "menu"] + [ctx.choice("menu")]
    state = ctx.keep(prompt=Clarify(options=tuple(options), text=ctx.incoming.text[:500]))
    return Result([Text("\n".join(lines))], choices, state=state, effects=[Review("clarify", tuple(options))])
