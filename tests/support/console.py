"""A browser-less console session for tests: logs in through the real form, carrying the CSRF
token each page gives, as a browser would."""

from __future__ import annotations

import re
from typing import Any

from bot.console.accounts import Accounts

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def csrf(html: str) -> str:
    m = TOKEN.search(html)
    assert m, "no CSRF token on the page"
    return m.group(1) or m.group(2)


class Console:
    """Staff at a desk: `login`, then `get` pages and `post` forms (the token is added)."""

    def __init__(self, bot: Any, name: str = "somchai", role: str = "admin", center: str | None = None) -> None:
        self.bot, self.client, self.name = bot, bot.client, name
        accounts = Accounts(bot.store)
        if accounts.get(name) is None:
            accounts.add(name, role, center, password=f"{name}-password-1")
        self.password = f"{name}-password-1"

    def login(self, password: str | None = None) -> Any:
        token = csrf(self.client.get("/console/login").get_data(as_text=True))
        return self.client.post("/console/login", data={"name": self.name, "password": password or self.password,
                                                         "csrf_token": token})  # fmt: skip

    def get(self, path: str, **kw: Any) -> Any:
        return self.client.get(path, **kw)

    def token(self, path: str = "/console/") -> str:
        return csrf(self.client.get(path).get_data(as_text=True))

    def post(self, path: str, data: dict[str, Any] | None = None, page: str = "/console/", **kw: Any) -> Any:
        return self.client.post(path, data={**(data or {}), "csrf_token": self.token(page)}, **kw)
