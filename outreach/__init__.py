"""Reminder broadcasts: audience, preview, scheduling, rate-limited exactly-once delivery."""
