"""Answers to questions about SPI, matched from everyday Indonesian and English."""
