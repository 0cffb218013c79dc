"""Data the FAQ and the authenticity checker read: intents, slang table, official registry."""
