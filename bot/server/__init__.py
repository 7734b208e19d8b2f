"""The one aiohttp server of `kyoso serve`: channel webhooks, the web chat, health checks."""
