"""Big Brother (พี่ช่วยน้อง) mentoring explained; the volunteer path for would-be mentors."""

import re

from handlers.base import Context, Result
from handlers.menu import after_answer

VOLUNTEER = re.compile(r"อยากเป็นพี่เลี้ยง|เป็นพี่เลี้ยง|สมัครเป็นพี่เลี้ยง|become a mentor|be a mentor|volunteer", re.I)


def handle(ctx: Context) -> Result:
    if ctx.extra.get("volunteer") or VOLUNTEER.search(ctx.incoming.text):
        return Result([ctx.text("mentor.volunteer")], after_answer(ctx, "human", "contact"))
    return Result([ctx.text("mentor.about")], after_answer(ctx, "register", "agro", "creative", "smart", "volunteer"))
