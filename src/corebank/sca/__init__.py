"""Strong customer authentication for money out (PSD2 RTS 2018/389, art. 4 and 5): challenges
bound to amount, currency, source and payee, completed with a TOTP code or the PIN; one-time
authorization codes; the exemptions (own accounts, trusted payees, low value)."""
