"""The web chat channel: a page at ``/`` and its JSON API, for proposers without LINE and for trying the bot."""

CHANNEL = "web"
