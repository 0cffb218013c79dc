"""Conversation handlers, written once for every channel; they see only bot.messages types."""
