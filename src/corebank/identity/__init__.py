"""Identity: registration, login, tokens and sessions, lockout, passwords and their reset,
the transaction PIN, roles, and user administration; the `Principal` every route checks."""
