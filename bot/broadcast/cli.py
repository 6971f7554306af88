"""`python -m bot broadcast` for scripts (REDIS_URL set; the worker delivers):

  python -m bot broadcast --text "อบรมฟรี 5 ธ.ค." --track agro --province ขอนแก่น --dry-run
  python -m bot broadcast --text "..." --center ipc5 --status registered --at 2026-12-01T09:00
  python -m bot broadcast status B…   |   list   |   cancel B…   |   approve B… --by somchai
  python -m bot broadcast reindex      (once, after upgrading: every stored user into the segments)
  python -m bot broadcast reminders [--off PROGRAM | --on PROGRAM]   (deadline reminders per program)

A field may be given more than once (OR within a field, AND across fields); no field = all
active subscribers. --dry-run prints the recipients, the messages it uses and the quota left.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from bot.broadcast.segments import FIELDS


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m bot broadcast")
    ap.add_argument(
        "action",
        nargs="?",
        default="send",
        choices=["send", "status", "list", "cancel", "approve", "reindex", "reminders"],
    )
    ap.add_argument("id", nargs="?", help="status / cancel / approve: the broadcast's ID")
    ap.add_argument("--text", help="the announcement (the stop line is added)")
    for f in FIELDS:
        ap.add_argument(f"--{f}", action="append", help=f"segment: {f} (repeat for OR)")
    ap.add_argument("--card", help="a program id: its card goes with the text (buttons start the registration)")
    ap.add_argument("--at", help="schedule: ISO time, Bangkok when no zone is given")
    ap.add_argument("--by", default="cli", help="who creates or approves it (approval needs another person)")
    ap.add_argument("--dry-run", action="store_true", help="preview only: recipients, messages, quota")
    on_off = ap.add_mutually_exclusive_group()
    on_off.add_argument("--off", metavar="PROGRAM", help="reminders: switch a program's deadline reminders off")
    on_off.add_argument("--on", metavar="PROGRAM", help="reminders: switch them on again")
    return ap


def main(argv: list[str]) -> int:
    from bot.app import settings_or_exit
    from bot.broadcast.compose import Desk, Problem
    from bot.worker import _redis

    args = parser().parse_args(argv)
    settings = settings_or_exit()
    if not settings.REDIS_URL:
        print("broadcasts live in Redis: set REDIS_URL")
        return 2
    desk = Desk(settings, _redis(settings))
    segment: dict[str, Any] = {f: getattr(args, f) for f in FIELDS if getattr(args, f)}
    try:
        if args.action == "reindex":
            return reindex(settings, desk)
        if args.action == "reminders":
            return reminders(settings, desk, args.off or args.on, enabled=args.on is not None)
        if args.action == "list":
            for b in desk.broadcasts.list(50):
                print(b["id"], b["status"], b["created_at"], f"{b['sent']}/{b['targeted']}", b["text"][:40])
            return 0
        if args.action in ("status", "cancel", "approve"):
            if not args.id:
                print(f"{args.action} needs a broadcast ID")
                return 2
            rec: dict[str, Any] | None = None
            if args.action == "status":
                rec = desk.broadcasts.get(args.id)
            else:
                rec = desk.cancel(args.id) if args.action == "cancel" else desk.approve(args.id, args.by)
            print(json.dumps(rec, ensure_ascii=False, indent=1) if rec else "no such broadcast")
            return 0 if rec else 1
        if args.dry_run:
            print(json.dumps(desk.preview(segment, args.card), ensure_ascii=False))
            return 0
        draft = desk.draft(args.text, segment, args.card, args.at)
        made = desk.submit(draft, by=args.by)
        print(json.dumps({"id": made["id"], "status": made["status"], "targeted": draft.count}, ensure_ascii=False))
        return 0
    except Problem as p:
        extra = f" ({json.dumps(p.extra)})" if p.extra else ""
        print(f"{p.field}: {p}{extra}")
        return 2


def reindex(settings: Any, desk: Any) -> int:
    """Every stored user's segment memberships rebuilt from their records (idempotent)."""
    from bot.app import load_data, make_store
    from bot.broadcast.membership import reindex as one

    store = make_store(settings)
    cat, _texts, _ents, notice = load_data()
    n = 0
    for key in store.r.scan_iter("dip:user:*", count=1000):  # type: ignore[attr-defined]
        one(desk.segments, store, key.decode().split(":", 2)[2], notice, cat)
        n += 1
    print(f"{n} users indexed; active subscribers now {desk.segments.count({})}")
    return 0


def reminders(settings: Any, desk: Any, program: str | None, enabled: bool) -> int:
    """Every program's deadline reminder (state, closing date, days left, who would get it), or
    one program's switched on or off."""
    from bot.broadcast.reminders import Reminders

    rem = Reminders(settings, desk.r, desk.cat)
    if program is not None:
        if desk.cat.program(program) is None:
            print(f"program: {program!r} is not a program id from config/programs.yml")
            return 2
        rows = [rem.switch(program, enabled)]
    else:
        rows = rem.rows()
    for row in rows:
        n = "-" if row["recipients"] is None else row["recipients"]
        left = "-" if row["days_left"] is None else row["days_left"]
        print(f"{row['program']:32} {row['state']:11} closes {row['closes'] or '-':10} days left {left:>4} "
              f"recipients {n:>5}{'' if row['enabled'] else ' (off)'} {row['broadcast'] or ''}".rstrip())  # fmt: skip
    return 0
