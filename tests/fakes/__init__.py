"""Loopback fakes of the Telegram Bot API and the Twilio REST API, for tests and benchmarks."""
