"""The hand-written layer over the generated `corebank_client` (which `make client` rewrites,
never this package): a session that keeps tokens, adds idempotency keys and raises
`ProblemError`. docs/clients.md shows it in use."""

from corebank_client_ext.policy import MONEY_POSTS, Tokens
from corebank_client_ext.problem import ProblemError
from corebank_client_ext.session import CorebankSession

__all__ = ("MONEY_POSTS", "CorebankSession", "ProblemError", "Tokens")
