"""The audit trail's read side: GET /audit-events for admins.

Writing the trail (the hash-chained append every domain calls) is platform, in core/audit.py;
reading it is this small domain, which needs identity for its admin-only access.
"""
