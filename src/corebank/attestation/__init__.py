"""Signed attestations of the ledger: every invariant's result, the per-currency totals, the
journal's and the audit chain's heads, signed with Ed25519 (docs/ledger.md, "Signed
attestation").

It reads the ledger's checks and the audit chain's head, so it sits in a layer of its own
above the domains it reads and below the composition root.
"""
