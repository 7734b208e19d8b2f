"""Durable inbound events: stored before the platform gets its 200, handled in order per user, recovered after a restart."""
