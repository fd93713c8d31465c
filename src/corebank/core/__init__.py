"""The platform every domain uses: database and SQL on the driver, errors, logging, metrics,
health, pagination, rate limits, resilience, cache, mail, the audit chain and the outbox.
It knows no domain."""
