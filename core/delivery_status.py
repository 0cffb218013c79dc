"""The order of provider delivery statuses, so a late callback never moves a message backwards."""

from __future__ import annotations

# Progress of a message that is still on its way; a higher rank is further along.
_PROGRESS = {"accepted": 0, "scheduled": 0, "queued": 0, "sending": 1, "sent": 2,
             "delivered": 3, "read": 4}
# Failures end the story, but cannot undo a delivery the phone already confirmed.
FAILED = frozenset({"failed", "undelivered", "canceled"})
_DELIVERED = frozenset({"delivered", "read"})
KNOWN = frozenset(_PROGRESS) | FAILED


def advances(current: str | None, new: str) -> bool:
    """True when `new` should replace the stored `current` status."""
    if new not in KNOWN:
        return False
    if current is None:
        return True
    if current in FAILED:
        return False
    if new in FAILED:
        return current not in _DELIVERED
    return _PROGRESS[new] > _PROGRESS.get(current, -1)
