"""`spi-bot run`: one asyncio process serving webhooks, the health check and the web chat."""
