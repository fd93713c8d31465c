"""Refusals of the maker-checker rules."""

from __future__ import annotations

from corebank.core.errors import Conflict, Forbidden, NotFound


class ApprovalNotFound(NotFound):
    type, title = "approval-not-found", "Approval request not found"


class ApprovalNotPending(Conflict):
    type, title = "approval-not-pending", "Approval request already decided"


class ApprovalExpired(Conflict):
    type, title = "approval-expired", "Approval request expired"


class FourEyesViolation(Forbidden):
    type, title = "four-eyes-violation", "The maker cannot decide their own request"
