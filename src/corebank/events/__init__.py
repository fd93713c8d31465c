"""Domain events after the outbox: the dispatcher, signed webhooks and e-mail notifications."""
