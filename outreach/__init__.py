"""Outreach: broadcasts, scheduling, rate limits and delivery to respondents."""
