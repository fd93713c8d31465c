"""Maker-checker: operations above a threshold wait for a second person (docs/approvals.md)."""
