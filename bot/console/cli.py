"""`python -m bot staff add NAME --role admin|center --center 5 | list | reset NAME | disable NAME | enable NAME`:
console accounts on Redis (embedded runs make their `admin` at start)."""

from __future__ import annotations

import argparse

from bot.console.accounts import AccountError, Accounts, Audit


def main(argv: list[str]) -> int:
    from bot.app import make_store, settings_or_exit

    ap = argparse.ArgumentParser(prog="python -m bot staff")
    ap.add_argument("action", choices=["add", "list", "reset", "disable", "enable"])
    ap.add_argument("name", nargs="?")
    ap.add_argument("--role", choices=["admin", "center"], default="center")
    ap.add_argument("--center", help="center staff: their regional center, 1-11 or hq")
    args = ap.parse_args(argv)
    settings = settings_or_exit()
    if settings.embedded:
        print("`python -m bot staff` writes to Redis: set REDIS_URL (embedded runs print their admin at start)")
        return 2
    store = make_store(settings)
    accounts = Accounts(store)
    if args.action == "list":
        for a in accounts.list():
            print(f"{a.name}\t{a.role}\t{a.center or '-'}\t{'disabled' if a.disabled else 'active'}")
        return 0
    if not args.name:
        ap.error(f"{args.action} needs the account NAME")
    try:
        if args.action == "add":
            secret = accounts.add(args.name, args.role, args.center)
            print(f"account {args.name.strip().lower()} ({args.role}) created; one-time password: {secret}")
        elif args.action == "reset":
            print(f"one-time password for {args.name}: {accounts.reset(args.name)}")
        else:
            accounts.disable(args.name, args.action == "disable")
            print(f"account {args.name} {args.action}d")
    except AccountError as e:
        print(f"stopped: {e}")
        return 2
    Audit(store).add("cli", f"account.{args.action}", args.name)
    return 0
