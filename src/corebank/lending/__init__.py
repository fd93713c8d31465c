"""Lending: loan products, applications, schedules and repayments on the ledger (docs/lending.md)."""  # noqa: E501
