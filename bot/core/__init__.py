"""The channel-agnostic conversation core.

Nothing in this package imports a channel SDK, aiohttp or SQLAlchemy: it takes
inbound messages and returns outbound ones, and talks to persistence only
through the protocols in :mod:`bot.core.ports`.
"""
