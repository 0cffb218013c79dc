"""`spi-bot` subcommands; each module exports `register(subparsers)`."""
