"""Authenticity checks of links, phone numbers, e-mail addresses and forwarded messages."""
