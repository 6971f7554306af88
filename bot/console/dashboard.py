"""The dashboard: progress against the yearly targets (config/targets.yml) for the Thai fiscal year,
overall, by track and by regional center."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import yaml
from flask import request

from bot.console.base import audit, bp, page, runtime, scope, staff_only
from domain.clock import BANGKOK
from domain.config_files import CONFIG_DIR
from domain.kpi import TRACKS, Cell, compute, fiscal_year

MEASURES = ("entrepreneurs", "businesses", "products", "groups")


def targets() -> dict[str, Any]:
    return dict(yaml.safe_load((CONFIG_DIR / "targets.yml").read_text(encoding="utf-8")))


def progress(cell: Cell, goals: dict[str, int]) -> list[dict[str, Any]]:
    people, businesses, products = cell.row()
    got = {"entrepreneurs": people, "businesses": businesses, "products": products, "groups": cell.groups}
    return [{"name": m, "got": got[m], "goal": int(goals.get(m) or 0),
             "pct": min(100.0, 100 * got[m] / int(goals[m])) if goals.get(m) else None} for m in MEASURES]  # fmt: skip


def report(fy: int) -> Any:
    store = runtime().store
    leads = [(uh, lead) for uh in store.index_members("dip:lead-index") for lead in store.items("leads", uh)]
    return compute(leads, store.items("groups", str(fy)), fy)


@bp.route("/")
@staff_only
def dashboard() -> Any:
    fy = request.args.get("fy", type=int) or fiscal_year(datetime.now(BANGKOK))
    rep, cfg = report(fy), targets()
    goals, per_center = cfg["targets"], cfg.get("centers") or {}
    mine = scope()
    overall = progress(rep.confirmed.get(f"center:{mine}" if mine else "total", Cell()),
                       per_center.get(mine, {}) if mine else goals)  # fmt: skip
    tracks = [] if mine else [(tr, progress(rep.confirmed.get(tr, Cell()), {})) for tr in TRACKS]
    centers = [(c.id, progress(rep.confirmed.get(f"center:{c.id}", Cell()), per_center.get(c.id, {})))
               for c in runtime_catalog().centers if mine in (None, c.id)]  # fmt: skip
    audit("dashboard.viewed", f"fy{fy}")
    return page("dashboard.html", fy=fy, overall=overall, tracks=tracks, centers=centers)


def runtime_catalog() -> Any:
    ext = runtime()
    if ext.dispatcher is not None:
        return ext.dispatcher.d.catalog
    if not hasattr(ext, "console_catalog"):
        from domain.catalog import Catalog

        ext.console_catalog = Catalog()
    return ext.console_catalog
