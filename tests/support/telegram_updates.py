"""Telegram updates shaped exactly as the Bot API delivers them (getUpdates / webhook JSON)."""

from __future__ import annotations

import itertools
from typing import Any

_message_ids = itertools.count(500)
DATE = 1_795_000_000


def _user(user_id: int, first_name: str) -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": "id"}


def _chat(user_id: int, first_name: str) -> dict[str, Any]:
    return {"id": user_id, "first_name": first_name, "type": "private"}


def text_update(update_id: int, user_id: int, text: str,
                first_name: str = "Siti") -> dict[str, Any]:
    message: dict[str, Any] = {
        "message_id": next(_message_ids), "from": _user(user_id, first_name),
        "chat": _chat(user_id, first_name), "date": DATE, "text": text,
    }
    if text.startswith("/"):
        command = text.split(maxsplit=1)[0]
        message["entities"] = [{"offset": 0, "length": len(command), "type": "bot_command"}]
    return {"update_id": update_id, "message": message}


def contact_update(update_id: int, user_id: int, phone: str, *, contact_user_id: int | None,
                   first_name: str = "Siti") -> dict[str, Any]:
    contact: dict[str, Any] = {"phone_number": phone, "first_name": first_name}
    if contact_user_id is not None:
        contact["user_id"] = contact_user_id
    return {"update_id": update_id, "message": {
        "message_id": next(_message_ids), "from": _user(user_id, first_name),
        "chat": _chat(user_id, first_name), "date": DATE, "contact": contact,
    }}


def callback_update(update_id: int, user_id: int, data: str,
                    first_name: str = "Siti") -> dict[str, Any]:
    return {"update_id": update_id, "callback_query": {
        "id": f"{user_id}{update_id}", "from": _user(user_id, first_name),
        "chat_instance": "-8123456789012345678", "data": data,
        "message": {"message_id": next(_message_ids),
                    "from": {"id": 123456, "is_bot": True, "first_name": "SPI Bot",
                             "username": "SpiSukamajuBot"},
                    "chat": _chat(user_id, first_name), "date": DATE, "text": "Pilih:"},
    }}


def photo_update(update_id: int, user_id: int, file_id: str, *, size: int,
                 caption: str | None = None, first_name: str = "Siti") -> dict[str, Any]:
    """A photo as Telegram delivers it: the same picture in several sizes, largest last."""
    message: dict[str, Any] = {
        "message_id": next(_message_ids), "from": _user(user_id, first_name),
        "chat": _chat(user_id, first_name), "date": DATE,
        "photo": [{"file_id": f"{file_id}-thumb", "file_unique_id": f"{file_id}t",
                   "width": 90, "height": 160, "file_size": 1500},
                  {"file_id": file_id, "file_unique_id": f"{file_id}u", "width": 1080,
                   "height": 1920, "file_size": size}],
    }
    if caption is not None:
        message["caption"] = caption
    return {"update_id": update_id, "message": message}


def document_update(update_id: int, user_id: int, file_id: str, *, mime_type: str,
                    size: int, first_name: str = "Siti") -> dict[str, Any]:
    """A file sent as a document (pictures "without compression" arrive this way)."""
    return {"update_id": update_id, "message": {
        "message_id": next(_message_ids), "from": _user(user_id, first_name),
        "chat": _chat(user_id, first_name), "date": DATE,
        "document": {"file_id": file_id, "file_unique_id": f"{file_id}u",
                     "file_name": "pesan.bin", "mime_type": mime_type, "file_size": size},
    }}
