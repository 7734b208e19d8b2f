"""The LINE channel: webhook intake, event processing, reply/push delivery, rich menu."""

CHANNEL = "line"
