"""An incoming event in platform-neutral form; bot/incoming.py builds it from LINE's JSON."""

from __future__ import annotations

from dataclasses import dataclass, field

MEDIA = {"image", "video", "audio", "file"}


@dataclass(frozen=True)
class Incoming:
    kind: str  # text, postback, follow, unfollow, sticker, media, location, unsend, join, other
    event_id: str
    user_id: str | None
    chat_id: str  # where a push goes: the user, group or room
    chat_type: str = "user"  # user | group | room
    reply_token: str | None = None
    timestamp: int = 0
    standby: bool = False
    redelivery: bool = False
    text: str = ""
    mentioned: bool = False  # the bot was @mentioned (group and room chats)
    data: dict[str, str] = field(default_factory=dict)  # postback data + params
    message_id: str | None = None
    media_type: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    address: str = ""
    unblocked: bool = False

    @property
    def in_group(self) -> bool:
        return self.chat_type != "user"
