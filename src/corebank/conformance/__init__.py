"""`corebank conformance`: a black-box suite that checks a running deployment against the
documented API contract (docs/conformance.md).

It is an HTTP client of the API and nothing else: it imports none of the service's code, so
it checks what a deployment answers, not what this source tree would answer. Everything it
writes lives under one unique prefix and is cleaned up by the API's own soft deletes.
"""
