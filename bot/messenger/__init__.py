"""Messengers: LINE (line-bot-sdk v3), a console printer (local mode) and a collector (tests)."""

from bot.messenger.base import BaseMessenger, DeliveryFailed, QuotaExceeded, Sending
from bot.messenger.fake import CollectingMessenger, ConsoleMessenger

__all__ = ["BaseMessenger", "CollectingMessenger", "ConsoleMessenger", "DeliveryFailed", "QuotaExceeded", "Sending"]
