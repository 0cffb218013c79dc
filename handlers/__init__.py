"""Conversation handlers, written once for every channel; they see only core.messages types."""
