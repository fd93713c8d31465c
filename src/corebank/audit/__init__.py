"""The audit trail's read side: GET /audit-events for admins.

Writing the trail (the append every domain calls, and the sealing of the hash chain) is
platform, in core/audit.py; reading it is this small domain, which needs identity for its
admin-only access. Rows are listed as soon as their transaction commits: until a sealer has
given one its chain position, its `id` and `hash` are null and `sealed` is false.
"""
