"""The controller role: the site's queue, its ledger, the outbox and the appointment list."""
