"""Checking a signed attestation as an auditor would: its signature against a public JWK, its
age, each invariant, and its link to the attestation before it. Used by `corebank attest`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from corebank.attestation.signing import document_hash, public_key_from_jwk, verify_signature


@dataclass(frozen=True)
class Finding:
    """One line of the verdict: what was checked, whether it holds, and a word on it."""

    what: str
    ok: bool
    detail: str = ""

    def line(self) -> str:
        verdict = "ok" if self.ok else "FAILED"
        return f"{self.what}: {verdict}" + (f" ({self.detail})" if self.detail else "")


def check_document(
    document: dict[str, Any],
    jwk: dict[str, Any],
    *,
    now: datetime | None = None,
    max_age_seconds: float = 0,
    previous: dict[str, Any] | None = None,
) -> list[Finding]:
    """Every finding about `document`; freshness only when `now` and `max_age_seconds` > 0,
    the link only when `previous` is given."""
    findings = [_signature(document, jwk)]
    body = document.get("attestation")
    if not isinstance(body, dict):
        return [*findings, Finding("attestation", False, "no attestation object")]
    if now is not None and max_age_seconds > 0:
        findings.append(_freshness(body, now, max_age_seconds))
    findings.extend(_invariants(body))
    if previous is not None:
        findings.append(link(previous, document))
    return findings


def link(previous: dict[str, Any], document: dict[str, Any]) -> Finding:
    """Whether `document` names `previous` (its hash) as the attestation before it."""
    expected = document_hash(previous)
    named = (document.get("attestation") or {}).get("previous_hash")
    return Finding("previous_hash", named == expected, f"expected {expected[:16]}…")


def _signature(document: dict[str, Any], jwk: dict[str, Any]) -> Finding:
    try:
        public = public_key_from_jwk(jwk)
    except ValueError as exc:
        return Finding("signature", False, f"key: {exc}")
    if document.get("key_id") != jwk.get("kid"):
        return Finding(
            "signature", False, f"signed by key {document.get('key_id')!r}, not {jwk.get('kid')!r}"
        )
    ok = verify_signature(document, public)
    return Finding("signature", ok, f"key {jwk.get('kid')}")


def _freshness(body: dict[str, Any], now: datetime, max_age_seconds: float) -> Finding:
    try:
        issued = datetime.fromisoformat(str(body.get("issued_at")))
    except ValueError:
        return Finding("fresh", False, "issued_at is not a timestamp")
    age = now - issued
    ok = timedelta(0) - timedelta(seconds=60) <= age <= timedelta(seconds=max_age_seconds)
    return Finding(
        "fresh", ok, f"issued {int(age.total_seconds())} s ago, max {max_age_seconds:g} s"
    )


def _invariants(body: dict[str, Any]) -> list[Finding]:
    invariants = body.get("invariants")
    if not isinstance(invariants, list) or not invariants:
        return [Finding("invariants", False, "none listed")]
    findings = []
    for check in invariants:
        problems = check.get("problems", 0)
        detail = (
            ""
            if check.get("ok")
            else f"{problems} problem(s): " + "; ".join(check.get("examples", []))
        )
        findings.append(Finding(f"invariant {check.get('name')}", bool(check.get("ok")), detail))
    overall = bool(body.get("ok")) and all(f.ok for f in findings)
    return [*findings, Finding("ledger", overall, "every invariant holds" if overall else "")]
