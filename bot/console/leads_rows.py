"""Leads as the console lists them: every registration made through the bot (`dip:leads:<uh>`,
the users found through `dip:lead-index`), filtered by track, center, status, program and date,
newest first, and written as a CSV file Excel opens with its Thai intact.

Read through the store's contract only, so the memory store (local runs) and Redis (production)
answer alike. A lead exists only after consent; withdrawal or erasure removes it, and it is gone
from here too.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from domain.clock import BANGKOK
from domain.ids import typed
from domain.kpi import TRACKS

# The form's fields in its order (domain/form.py FIELDS, which a test holds this to): that module
# reads answers with nlp, which the web process in Redis mode never loads.
FIELDS = ("business_name", "contact_name", "province", "track", "sector", "stage", "employees", "products",
          "phone", "registration_no")  # fmt: skip
STATUSES = ("submitted", "contacted", "confirmed")  # submitted by the form; the rest by staff (handlers/staff.py)
NO_PROGRAM = "-"  # the program filter's value for registrations made without a program
FORMULA = ("=", "+", "-", "@", "\t", "\r")  # a cell starting so is a formula to Excel


@dataclass(frozen=True)
class Filters:
    track: str = ""
    center: str = ""
    status: str = ""
    program: str = ""
    start: date | None = None
    end: date | None = None

    @classmethod
    def read(cls, args: Any, centers: Iterable[str], mine: str | None) -> Filters:
        """From the query string; unknown values are ignored, and center staff see their center only."""
        track, center, status = args.get("track", ""), args.get("center", ""), args.get("status", "")
        return cls(
            track=track if track in TRACKS else "",
            center=mine or (center if center in set(centers) else ""),
            status=status if status in STATUSES else "",
            program=str(args.get("program", ""))[:80],
            start=_day(args.get("from")),
            end=_day(args.get("to")),
        )

    def query(self) -> dict[str, str]:
        """The filters as query arguments (the pager and the CSV link keep them)."""
        out = {k: v for k, v in asdict(self).items() if k not in ("start", "end") and v}
        out.update({k: v.isoformat() for k, v in (("from", self.start), ("to", self.end)) if v})
        return out

    def describe(self) -> str:
        """For the audit log: which rows were seen or exported (no personal data)."""
        return " ".join(f"{k}={v}" for k, v in sorted(self.query().items())) or "all"

    def keeps(self, lead: dict[str, Any]) -> bool:
        fields, day = lead.get("fields") or {}, when(lead).date()
        return (
            (not self.track or fields.get("track") == self.track)
            and (not self.center or lead.get("center") == self.center)
            and (not self.status or lead.get("status", "submitted") == self.status)
            and (not self.program or (lead.get("program") or NO_PROGRAM) == self.program)
            and (self.start is None or day >= self.start)
            and (self.end is None or day <= self.end)
        )


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def when(lead: dict[str, Any]) -> datetime:
    at = datetime.fromisoformat(lead["at"])
    return at.astimezone(BANGKOK) if at.tzinfo else at.replace(tzinfo=BANGKOK)


def every(store: Any) -> list[tuple[str, dict[str, Any]]]:
    """(user HMAC, lead) for every registration, newest first."""
    pairs = [(uh, lead) for uh in store.index_members("dip:lead-index") for lead in store.items("leads", uh)]
    return sorted(pairs, key=lambda p: (when(p[1]), p[1]["id"]), reverse=True)


def visible(store: Any, mine: str | None) -> list[dict[str, Any]]:
    """The leads an account may see: all for admins, one center's for center staff."""
    return [lead for _, lead in every(store) if mine is None or lead.get("center") == mine]


def find(store: Any, lead_id: str) -> tuple[str, dict[str, Any]] | None:
    """One lead by its ID as staff may type it (r6mr-wzg…), with its owner's HMAC (`dip:leadref:<id>`)."""
    lead_id = typed(lead_id)
    ref = store.get("leadref", lead_id) if re.fullmatch(r"R[0-9A-Z]{6,20}", lead_id) else None
    if not ref:
        return None
    lead = next((x for x in store.items("leads", ref["uh"]) if x.get("id") == lead_id), None)
    return (ref["uh"], lead) if lead else None


def history(lead: dict[str, Any]) -> list[dict[str, Any]]:
    """Submitted, then each status change, with the console note given with it; notes added
    without a change in between."""
    notes = list(lead.get("notes") or [])
    steps = [{"status": "submitted", "at": lead["at"]}, *(lead.get("history") or [])]
    out = []
    for s in steps:
        note = next((n for n in notes if n["at"] == s["at"] and n["status"] == s["status"]), None)
        if note:
            notes.remove(note)
        out.append({**s, "by": (note or {}).get("by", ""), "text": (note or {}).get("text", ""), "change": True})
    out += [{**n, "change": False} for n in notes]
    return sorted(out, key=when)


def phone(value: Any) -> str:
    """0812345678 -> 081-234-5678, 021234567 -> 02-123-4567: read, and kept as text by Excel."""
    digits = re.sub(r"\D", "", str(value or ""))
    if len(digits) == 10:
        return f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"
    if len(digits) == 9:
        return f"{digits[:2]}-{digits[2:5]}-{digits[5:]}"
    return str(value or "")


def registration_no(value: Any) -> str:
    """The 13 digits as Thai documents print them (0-1055-12345-67-8): Excel keeps every digit."""
    d = str(value or "")
    return f"{d[0]}-{d[1:5]}-{d[5:10]}-{d[10:12]}-{d[12]}" if re.fullmatch(r"\d{13}", d) else d


def csv_file(leads: list[dict[str, Any]], word: Callable[[str], str], program_name: Callable[[Any], str]) -> bytes:
    """UTF-8 with a byte-order mark (Excel then reads Thai correctly), one row per lead."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow([word(f"leads.col.{c}") for c in ("id", "at", "status", "center", "program")]
               + [word(f"leads.field.{f}") for f in FIELDS])  # fmt: skip
    for lead in leads:
        f = lead.get("fields") or {}
        values = {**f, "track": word(f"track.{f['track']}") if f.get("track") else "",
                  "stage": word(f"leads.stage.{f['stage']}") if f.get("stage") else "", "phone": phone(f.get("phone")),
                  "registration_no": registration_no(f.get("registration_no"))}  # fmt: skip
        status = word(f"leads.status.{lead.get('status', 'submitted')}")
        row = [lead["id"], when(lead).strftime("%Y-%m-%d %H:%M"), status, lead.get("center") or "",
               program_name(lead.get("program"))]  # fmt: skip
        w.writerow([_cell(v) for v in row + [values.get(k) for k in FIELDS]])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA) else text
