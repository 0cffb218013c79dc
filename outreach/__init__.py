"""Broadcasts, scheduling, rate limits and delivery (issue 5)."""
