"""Channel adapters: each turns platform events into core messages and back."""
