"""Accounts: opening, reading (one read type, AccountRow), changing and closing them, hold
expiry on an account, and the guard that keeps a customer holding money from deletion."""
