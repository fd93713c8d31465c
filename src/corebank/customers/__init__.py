"""Customer records: validation, search, KYC, soft delete (with guards the composition root
registers)."""
