"""With KYC_REQUIRED, only verified customers get accounts."""

from typing import Any

import httpx
import pytest

from tests.ledger.helpers import API, customer_user, make_customer
from tests.support import login_as


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"kyc_required": True}


async def test_unverified_customers_get_no_account(app: Any, client: httpx.AsyncClient) -> None:
    _, staff = await login_as(app, "staff")
    for status in ("pending", "rejected"):
        customer = await make_customer(app, kyc_status=status)
        response = await client.post(
            f"{API}/accounts",
            json={"customer_id": customer.id, "type": "checking", "currency": "USD"},
            headers=staff,
        )
        assert response.status_code == 422
        assert response.json()["type"].endswith("/kyc-required")
    _, headers, _ = await customer_user(app, kyc_status="pending")
    response = await client.post(
        f"{API}/accounts", json={"type": "checking", "currency": "USD"}, headers=headers
    )
    assert response.status_code == 422
    verified = await make_customer(app, kyc_status="verified")
    response = await client.post(
        f"{API}/accounts",
        json={"customer_id": verified.id, "type": "checking", "currency": "USD"},
        headers=staff,
    )
    assert response.status_code == 201
