"""IDs of leads (R…), mentor introductions (M…), handoff cases (C…) and groups (G…).

64 bits from a hash of the event that created the record, in Crockford base32 (13 characters,
no I, L, O or U, case-insensitive): two records of the agency's lifetime never share one, and a
re-run of the same event gets the same ID, so nothing is written twice. Short enough to type in
a staff command ("ปิดเรื่อง C1Z9…"); dashes and spaces typed inside are ignored.
"""

from __future__ import annotations

import hashlib

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_id(prefix: str, seed: str, n: int = 0) -> str:
    value = int.from_bytes(hashlib.sha256(f"{prefix}:{seed}:{n}".encode()).digest()[:8], "big")
    digits = []
    for _ in range(13):
        value, r = divmod(value, 32)
        digits.append(CROCKFORD[r])
    return prefix + "".join(reversed(digits))


def typed(text: str) -> str:
    """An ID as staff typed it: upper case, no spaces or dashes, Crockford's look-alikes fixed."""
    t = "".join(ch for ch in text.upper() if ch not in " -#")
    return t[:1] + t[1:].replace("O", "0").replace("I", "1").replace("L", "1")
