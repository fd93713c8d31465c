"""Who is calling: the authenticated user (as checked for this request) and their session."""

from __future__ import annotations

from dataclasses import dataclass

from corebank.models.user import Role


@dataclass(frozen=True)
class Caller:
    """Who the authenticated caller is: all a request needs of the user row."""

    id: int
    role: str


@dataclass(frozen=True)
class Principal:
    """The authenticated caller: the user (as checked for this request) and their session."""

    user: Caller
    session_id: int
    #: The one thing this session may do, when it is limited (e.g. "enrol_mfa").
    required_action: str | None = None

    @property
    def role(self) -> Role:
        return Role(self.user.role)

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.staff, Role.admin)
