"""The key inventory's staff side: broadcast segments and delivery, deadline reminders, the console
(bot/store/base.py KEYS adds these to the rest)."""

from __future__ import annotations

from bot.store.keyspec import DAY, KeySpec

SEG_OWNER = "bot/broadcast/segments.py"
BC_OWNER = "bot/broadcast/records.py"
REM, CONSOLE = "bot/broadcast/reminders.py", "bot/console/accounts.py"
LEARN = "bot/learning"

STAFF_KEYS: tuple[KeySpec, ...] = (
    # console: dashboard keys
    KeySpec(
        "dip:daily:{day}",
        "auxiliary",
        "bot/daily.py",
        400 * DAY,
        "a Bangkok day's counts for the dashboard: messages, intents, fallback, clarify, handoff (no user, no text)",
    ),
    KeySpec("dip:daily-seen:{event_id}", "auxiliary", "bot/daily.py", 2 * DAY, "event counted in dip:daily"),
    # console: handoff keys
    KeySpec(
        "dip:cases-open",
        "auxiliary",
        "bot/store (OpenCase, CloseCase), bot/console/handoffs.py",
        None,
        "the handoff inbox: IDs of open cases by opening time; a case leaves when resolved or its user is erased",
    ),
    # console: review keys
    # The review loop (bot/learning/): labels staff gave in the console, models trained on them.
    KeySpec("dip:nlu:labels", "auxiliary", LEARN, None, "labelled review texts (redacted; intent or FAQ entry, who)"),
    KeySpec("dip:nlu:reviewed", "auxiliary", LEARN, None, "review items labelled or discarded (item hashes), 30 days"),
    KeySpec("dip:nlu:versions", "auxiliary", LEARN, None, "trained model versions by training time"),
    KeySpec("dip:nlu:version:{version}", "operational", LEARN, None, "a model version: status, figures, FAQ variants"),
    KeySpec("dip:nlu:model:{version}", "operational", LEARN, None, "a version's intent model (joblib); newest 5 kept"),
    KeySpec("dip:nlu:active", "operational", LEARN, None, "the version every process answers with (none: config/)"),
    KeySpec("dip:nlu:base", "operational", LEARN, None, "figures of the model built from config/ alone"),
    # console: simulator keys
    KeySpec(
        "dip:simlog:{uh}",
        "personal",
        "bot/console/simulator.py",
        DAY,
        "the console simulator's transcript of a sandbox user (sim:<account>): staff's test messages, answers",
    ),
    # The broadcast segment index (bot/broadcast/segments.py): sets of HMAC keys under one hash tag.
    KeySpec("dip:{seg}:all", "auxiliary", SEG_OWNER, None, "active subscribers (following, not opted out)"),
    KeySpec("dip:{seg}:tmp:{token}", "auxiliary", SEG_OWNER, 60, "a segment's union of values, while it is read"),
    KeySpec("dip:{seg}:of:{uh}", "auxiliary", SEG_OWNER, None, "the segment sets a user is in; erased with the user"),
    KeySpec("dip:{seg}:{field}:{value}", "auxiliary", SEG_OWNER, None, "consenting subscribers by field, value"),
    # Broadcast delivery (bot/broadcast/records.py, runner.py, limiter.py).
    KeySpec("dip:bc:{bc_id}", "operational", BC_OWNER, None, "a broadcast: text, segment, status, delivery report"),
    KeySpec("dip:bc-index", "auxiliary", BC_OWNER, None, "broadcast IDs by creation time"),
    KeySpec("dip:bc-active", "auxiliary", BC_OWNER, None, "IDs of broadcasts sending (the sweeper resumes them)"),
    KeySpec("dip:bcto:{bc_id}", "auxiliary", BC_OWNER, 30 * DAY, "recipients (HMAC keys) until 7 days after the end"),
    KeySpec(
        "dip:bcb:{bc_id}",
        "auxiliary",
        BC_OWNER,
        30 * DAY,
        "batch log: retry key, state, recipients (HMAC keys only); expires 7 days after the broadcast ends",
    ),
    KeySpec("dip:bcn:{bc_id}", "operational", BC_OWNER, None, "a broadcast's delivery counts (counts.py)"),
    KeySpec("dip:heard:{uh}", "operational", BC_OWNER, 2 * DAY, "last program broadcast got: a reply's topic"),
    KeySpec("dip:bclease:{bc_id}", "auxiliary", "bot/broadcast/runner.py", 15, "which job sends a broadcast"),
    KeySpec("dip:bcrate", "auxiliary", "bot/broadcast/limiter.py", 60, "next free multicast slot (all workers)"),
    # Deadline reminders (bot/broadcast/reminders.py); the interests are in the profile (erased with it).
    KeySpec("dip:reminded:{program}:{closes}", "operational", REM, 90 * DAY, "a window's reminder went: its ID"),
    KeySpec("dip:reminders-off", "operational", REM, None, "program IDs whose reminders staff switched off"),
    KeySpec("dip:reminders-run:{hour}", "auxiliary", REM, 7200, "the reminder check ran this hour (SET NX)"),
    KeySpec(
        "dip:capday:{uh}",
        "auxiliary",
        "bot/broadcast/cap.py",
        2 * DAY,
        "broadcasts a user got this Bangkok day (daily cap)",
    ),
    # The staff console (bot/console/accounts.py).
    KeySpec("dip:staff:{name}", "personal", CONSOLE, None, "a console account: name, password hash, role, center"),
    KeySpec("dip:staff-index", "auxiliary", CONSOLE, None, "console account names"),
    KeySpec("dip:audit:log", "operational", CONSOLE, None, "console audit log: who did what to which record, when"),
    KeySpec("dip:login-fail:{who}", "auxiliary", CONSOLE, 900, "failed console logins of an account or address"),
    KeySpec("dip:login-lock:{who}", "auxiliary", CONSOLE, 60, "a console account or address locked for 60 s"),
)
