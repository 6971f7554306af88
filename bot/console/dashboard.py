"""The dashboard, for the Thai fiscal year picked (default: the current one):

- progress against the yearly targets (config/targets.yml, checked at start-up by domain/targets.py)
  overall, by track and by regional center, with each center's own targets when the file has them;
- the funnel from followers to confirmed participants (bot/console/funnel.py);
- the conversation by week (bot/console/weekly.py): what people ask about, and the fallback,
  clarify and handoff rates. These are the whole bot's counts, so only admins see them.
Center staff see their own center's numbers only (`scope()`). Charts are inline SVG drawn here
(bot/console/charts.py), each next to a table of the same figures.
"""

from __future__ import annotations

import sys
from datetime import date, datetime, time, timedelta
from typing import Any

from flask import request

from bot.console import charts, funnel, weekly
from bot.console.base import audit, bp, lang, page, runtime, scope, staff_only, t
from domain.clock import SystemClock, thai_date
from domain.config_files import ConfigError
from domain.kpi import TRACKS, Cell, compute, fiscal_year
from domain.targets import MEASURES, Targets
from domain.targets import load as load_targets

RECENT_WEEKS, TOP_INTENTS, LISTED_INTENTS, YEARS_BACK = 13, 5, 15, 5


@bp.record_once
def _check_targets(state: Any) -> None:
    """At start-up (the console's registration in create_app): a broken targets file stops it."""
    try:
        found = load_targets()
    except ConfigError as e:
        print(f"start-up stopped: {e}", file=sys.stderr)
        raise SystemExit(2) from None
    state.app.extensions["dip"].console_targets = found


def targets() -> Targets:
    ext = runtime()
    if getattr(ext, "console_targets", None) is None:
        ext.console_targets = load_targets()
    found: Targets = ext.console_targets
    return found


def progress(cell: Cell, goals: dict[str, int]) -> list[dict[str, Any]]:
    people, businesses, products = cell.row()
    got = {"entrepreneurs": people, "businesses": businesses, "products": products, "groups": cell.groups}
    return [{"name": m, "got": got[m], "goal": int(goals.get(m) or 0),
             "pct": min(100.0, 100 * got[m] / int(goals[m])) if goals.get(m) else None} for m in MEASURES]  # fmt: skip


def now_clock() -> Any:
    """The worker's clock when this process has one (embedded mode, tests), else the system's."""
    dispatcher = runtime().dispatcher
    return dispatcher.d.clock if dispatcher is not None else SystemClock()


@bp.route("/")
@staff_only
def dashboard() -> Any:
    now = now_clock().now()
    current = fiscal_year(now)
    fy = request.args.get("fy", type=int) or current
    fy = fy if current - YEARS_BACK <= fy <= current + 1 else current
    store, goals, mine = runtime().store, targets(), scope()
    people = funnel.load(store)
    rep = compute(funnel.pairs(people), store.items("groups", str(fy)), fy)
    overall = progress(rep.confirmed.get(f"center:{mine}" if mine else "total", Cell()),
                       goals.of_center(mine) if mine else goals.national())  # fmt: skip
    tracks = [] if mine else [(tr, progress(rep.confirmed.get(tr, Cell()), {})) for tr in TRACKS]
    centers = [(c.id, progress(rep.confirmed.get(f"center:{c.id}", Cell()), goals.of_center(c.id)))
               for c in runtime_catalog().centers if mine in (None, c.id)]  # fmt: skip
    steps = funnel.count(people, store, fy, mine, runtime_catalog().center_of)
    audit("dashboard.viewed", f"fy{fy}")
    return page("dashboard.html", fy=fy, years=list(range(current + 1, current - YEARS_BACK - 1, -1)),
                overall=overall, tracks=tracks, centers=centers, sums=_sums(goals) if not mine else None,
                national=None if mine else progress(rep.confirmed.get("total", Cell()), goals.national()),
                steps=_steps(steps), funnel_chart=_funnel_chart(steps),
                chat=None if mine else conversation(store, fy, now.date()))  # fmt: skip


def _sums(goals: Targets) -> dict[str, int] | None:
    """The per-center targets added up (None: the file has none), shown under the national ones."""
    if not goals.centers:
        return None
    return {m: sum(c.as_dict()[m] for c in goals.centers.values()) for m in MEASURES}


def _steps(steps: list[tuple[str, int | None]]) -> list[dict[str, Any]]:
    """Each step with its share of the step before (when both are known)."""
    out: list[dict[str, Any]] = []
    before: int | None = None
    for name, n in steps:
        share = 100 * n / before if n is not None and before else None
        out.append({"name": name, "count": n, "share": share})
        before = n if n is not None else before
    return out


def _funnel_chart(steps: list[tuple[str, int | None]]) -> Any:
    rows = [charts.Bar(t(f"dash2.step.{name}"), n or 0, f"{n:,}" if n is not None else "—") for name, n in steps]
    return charts.hbars(rows, t("dash2.funnel"))


def conversation(store: Any, fy: int, today: date) -> dict[str, Any]:
    """The weekly figures, charts and tables of the fiscal year up to today."""
    ws = weekly.weeks(store, fy, today)
    if not ws:
        return {"weeks": []}
    recent, year, last = ws[-RECENT_WEEKS:], weekly.totals(ws), ws[-1]
    labels = [f"{w.start.day}/{w.start.month}" for w in recent]
    names = weekly.top_intents(ws, TOP_INTENTS)
    series = [(intent_label(n), [w.intents()[n] for w in recent]) for n in names]
    rest = [sum(w.intents().values()) - sum(w.intents()[n] for n in names) for w in recent]
    if any(rest):
        series.append((t("dash2.other"), rest))
    rates = [(t(f"dash2.rate.{r}"), [w.rate(r) for w in recent]) for r in weekly.RATES]
    counted = sum(year.intents().values()) or 1
    intents: list[dict[str, Any]] = [
        {"name": n, "label": intent_label(n), "year": c, "share": 100 * c / counted, "week": last.intents()[n]}
        for n, c in year.intents().most_common(LISTED_INTENTS)
    ]
    return {
        "weeks": [{"label": week_label(w.start), "w": w} for w in reversed(ws)],
        "last": last, "last_label": week_label(last.start), "year": year, "intents": intents,
        "intents_chart": charts.columns(labels, series, t("dash2.intents_by_week")),
        "rates_chart": charts.lines(labels, rates, t("dash2.rates_by_week")),
        "top_chart": charts.hbars([charts.Bar(i["label"], i["year"], f"{i['year']:,} ({i['share']:.0f}%)")
                                   for i in intents], t("dash2.intents_year")),
    }  # fmt: skip


def intent_label(name: str) -> str:
    key = f"dash2.intent.{name}"
    return name if t(key) == key else t(key)


def week_label(monday: date) -> str:
    sunday = monday + timedelta(days=6)
    if lang() == "th":
        return " – ".join(thai_date(datetime.combine(d, time())) for d in (monday, sunday))
    return " – ".join(f"{d.day} {d:%b %Y}" for d in (monday, sunday))


def runtime_catalog() -> Any:
    ext = runtime()
    if ext.dispatcher is not None:
        return ext.dispatcher.d.catalog
    if not hasattr(ext, "console_catalog"):
        from domain.catalog import Catalog

        ext.console_catalog = Catalog()
    return ext.console_catalog
