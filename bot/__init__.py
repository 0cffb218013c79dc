"""SPI Outreach Bot: composition root, settings, engine, channels and command line."""
