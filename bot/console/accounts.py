"""Console accounts, login throttling and the audit log, on the store (Redis or memory).

An account (`dip:staff:<name>`) holds the name, a werkzeug scrypt hash of the password, the role
(`admin`: everything; `center`: one regional center's leads and handoffs), the center, whether it
is disabled, and whether its password is a one-time one (changed at the first login). Five
failed logins for one account or one address within 15 minutes lock that account or address for
60 s (`dip:login-fail:<kind>:<who>`). The audit log (`dip:audit`, newest last) records who
viewed, exported, replied, broadcast or changed what, and when; it holds names of staff and IDs
of records, never a user's personal data.
"""

from __future__ import annotations

import re
import secrets
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from werkzeug.security import check_password_hash, generate_password_hash

ROLES = ("admin", "center")
NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,31}$")
FAILS, WINDOW_S, LOCK_S = 5, 15 * 60, 60
AUDIT_KEEP = 100_000  # entries kept (about two years of a busy console)


class AccountError(ValueError):
    pass


@dataclass(frozen=True)
class Account:
    name: str
    role: str
    center: str | None
    hash: str
    disabled: bool = False
    one_time: bool = False
    created_at: str = ""

    # Flask-Login's user interface
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return not self.disabled

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return self.name

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def sees(self, center: str | None) -> bool:
        """May this account see records of `center` (None: a record with no center)?"""
        return self.is_admin or (center is not None and center == self.center)


def center_id(value: str | int | None) -> str | None:
    """ "5", 5, "ipc5" -> "ipc5"; "hq" -> "hq"; None -> None."""
    if value is None or value == "":
        return None
    v = str(value).strip().lower()
    if v == "hq" or re.fullmatch(r"ipc(1[01]|[1-9])", v):
        return v
    if re.fullmatch(r"1[01]|[1-9]", v):
        return f"ipc{v}"
    raise AccountError(f"center: {value!r} is not 1-11 or hq")


def one_time_password() -> str:
    return secrets.token_urlsafe(12)


class Accounts:
    def __init__(self, store: Any) -> None:
        self.store = store

    def get(self, name: str) -> Account | None:
        raw = self.store.get("staff", name)
        return Account(**{k: v for k, v in raw.items() if k != "v"}) if raw else None

    def list(self) -> list[Account]:
        return sorted((a for n in self.store.index_members("dip:staff-index") if (a := self.get(n))),
                      key=lambda a: a.name)  # fmt: skip

    def add(self, name: str, role: str, center: str | int | None = None, password: str | None = None) -> str:
        """A new account; returns its one-time password (or `password`, when given, as a lasting one)."""
        name = name.strip().lower()
        if not NAME.fullmatch(name):
            raise AccountError("name: 2-32 characters, a-z, 0-9, dot, dash or underscore")
        if role not in ROLES:
            raise AccountError(f"role: one of {', '.join(ROLES)}")
        cid = center_id(center)
        if role == "center" and cid is None:
            raise AccountError("center: center staff need their center (1-11 or hq)")
        if self.get(name) is not None:
            raise AccountError(f"name: {name} exists already")
        secret = password or one_time_password()
        self._put(Account(name, role, cid if role == "center" else None, _hash(secret), one_time=password is None,
                          created_at=_now()))  # fmt: skip
        self.store.index_add("dip:staff-index", name)
        return secret

    def check(self, name: str, password: str) -> Account | None:
        account = self.get(name.strip().lower())
        if account is None:
            check_password_hash(_DUMMY, password)  # the same time whether the name exists or not
            return None
        return account if check_password_hash(account.hash, password) and account.is_active else None

    def set_password(self, name: str, password: str) -> None:
        if len(password) < 10:
            raise AccountError("password: at least 10 characters")
        self._change(name, hash=_hash(password), one_time=False)

    def reset(self, name: str) -> str:
        secret = one_time_password()
        self._change(name, hash=_hash(secret), one_time=True)
        return secret

    def disable(self, name: str, disabled: bool = True) -> None:
        self._change(name, disabled=disabled)

    def _change(self, name: str, **fields: Any) -> None:
        account = self.get(name)
        if account is None:
            raise AccountError(f"name: no account {name}")
        self._put(Account(**{**asdict(account), **fields}))

    def _put(self, account: Account) -> None:
        self.store.put("staff", account.name, {"v": 1, **asdict(account)})


class Throttle:
    """FAILS failures per account or address within WINDOW_S lock it for LOCK_S."""

    def __init__(self, store: Any, clock: Any = time.time) -> None:
        self.r, self.clock = getattr(store, "r", None), clock
        self._mem: dict[str, list[float]] = {}

    def locked(self, *keys: str) -> bool:
        return any(self._locked(k) for k in keys)

    def fail(self, *keys: str) -> None:
        for k in keys:
            if self.r is not None:
                pipe = self.r.pipeline(transaction=True)
                pipe.incr(f"dip:login-fail:{k}")
                pipe.expire(f"dip:login-fail:{k}", WINDOW_S, nx=True)
                n, _ = pipe.execute()
                if int(n) >= FAILS:
                    self.r.set(f"dip:login-lock:{k}", "1", ex=LOCK_S)
                    self.r.delete(f"dip:login-fail:{k}")
            else:
                now = self.clock()
                times = [t for t in self._mem.get(k, []) if t > now - WINDOW_S] + [now]
                self._mem[k] = times
                if len(times) >= FAILS:
                    self._mem[k] = []
                    self._mem[f"lock:{k}"] = [now + LOCK_S]

    def _locked(self, k: str) -> bool:
        if self.r is not None:
            return bool(self.r.exists(f"dip:login-lock:{k}"))
        until = self._mem.get(f"lock:{k}")
        return bool(until and until[0] > self.clock())


class Audit:
    def __init__(self, store: Any) -> None:
        self.store = store

    def add(self, who: str, action: str, target: str = "", detail: str = "") -> None:
        self.store.append("audit", "log", {"v": 1, "at": _now(), "who": who, "action": action,
                                            "target": target, "detail": detail[:300]})  # fmt: skip

    def entries(self, limit: int = 200, who: str | None = None, action: str | None = None) -> list[dict[str, Any]]:
        items = self.store.items("audit", "log")
        if len(items) > AUDIT_KEEP:
            self.store.replace_items("audit", "log", items[-AUDIT_KEEP:])
        rows = [x for x in reversed(items) if (not who or x["who"] == who) and (not action or x["action"] == action)]
        return rows[:limit]


def _hash(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


_DUMMY = _hash("not-a-password")
