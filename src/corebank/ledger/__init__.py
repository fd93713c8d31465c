"""The double-entry ledger: deposits, withdrawals, transfers, holds, reversals, history and
statements, idempotency, and `corebank ledger verify`. Builds on accounts, never the reverse."""
