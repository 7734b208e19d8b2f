"""FAQ lookups that plug into the core's FaqLookup protocol."""
