"""Reminder broadcasts: audiences, scheduling, rate limits and delivery."""
