"""corebank: a banking API on a double-entry ledger.

Dependencies point one way, down this list; nothing imports a package above it, and packages
on one line do not import each other (`lint-imports` checks it, with the contracts in
pyproject.toml; tests/test_architecture.py runs it with the suite):

    cli, main         entry points: the command line, the app factory
    conformance       the black-box suite `corebank conformance` runs against a deployment: an
                      HTTP client of the API that imports nothing of the service
    serving           how `corebank serve` runs uvicorn (event loop choice)
    container         the composition root: builds every service, registers cross-domain hooks
    attestation, lending
                      attestation: signed statements of the books (reads the ledger's checks
                      and the audit chain's head); lending: loans on the ledger (posts through
                      it, checks credit): each sits above the domains it uses
    audit, credit, events, ledger
                      domains that build on the ones below (ledger on accounts and sca,
                      credit on customers, audit and events on identity)
    sca               strong customer authentication for money out (challenges, exemptions)
    accounts, customers
    approvals         maker-checker: requests that wait for a second person; each operation's
                      owner registers how it is carried out (container.wire)
    identity          users, sessions, tokens, roles: the Principal every route checks
    core              the platform (database, errors, logging, metrics, outbox, audit append...)
                      knows no domain, and no domain's table
    models            every ORM model, one module per aggregate
    config            Settings

CONTRIBUTING.md says how a request flows through them.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("corebank")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0"
