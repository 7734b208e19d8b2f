"""Handing submitted drafts to staff: the dossier, its renderings, the sinks and the outbox dispatcher."""
