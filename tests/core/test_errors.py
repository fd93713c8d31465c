"""Every error leaves as RFC 9457 problem+json, never echoing what the client sent."""

from typing import Any

import httpx
import pytest
from fastapi import APIRouter, FastAPI
from pydantic import BaseModel, ConfigDict

from corebank.core.errors import Conflict
from corebank.core.money import PositiveAmountStr

PROBLEM_KEYS = {"type", "title", "status", "detail", "instance", "correlation_id"}


class Payment(BaseModel):
    model_config = ConfigDict(extra="forbid")
    password: str
    amount: PositiveAmountStr
    count: int = 1


def add_probe_routes(app: FastAPI) -> None:
    router = APIRouter(prefix="/probe")

    @router.post("/payments")
    async def pay(body: Payment) -> dict[str, str]:
        return {"amount": body.amount}

    @router.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret internals: password=hunter2")

    @router.get("/conflict")
    async def conflict() -> None:
        raise Conflict("That already exists.", type="already-exists")

    app.include_router(router)


@pytest.fixture
def probe_app(app: FastAPI) -> FastAPI:
    add_probe_routes(app)
    return app


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body.keys() >= PROBLEM_KEYS
    assert body["status"] == status
    assert body["correlation_id"] == response.headers["x-correlation-id"]
    return body


async def test_unknown_path_is_404_problem(client: httpx.AsyncClient) -> None:
    body = assert_problem(await client.get("/api/v1/nothing-here"), 404)
    assert body["instance"] == "/api/v1/nothing-here"
    assert body["type"].endswith("/not-found")


async def test_wrong_method_is_405_problem(client: httpx.AsyncClient) -> None:
    assert_problem(await client.delete("/health"), 405)


async def test_domain_error_keeps_its_type_and_status(
    probe_app: FastAPI, client: httpx.AsyncClient
) -> None:
    body = assert_problem(await client.get("/probe/conflict"), 409)
    assert body["type"].endswith("/already-exists")
    assert body["detail"] == "That already exists."


async def test_validation_error_lists_fields_without_echoing_values(
    probe_app: FastAPI, client: httpx.AsyncClient
) -> None:
    secret = "hunter2-very-secret"
    response = await client.post(
        "/probe/payments", json={"password": secret, "amount": "1e3", "role": "admin"}
    )
    body = assert_problem(response, 422)
    assert secret not in response.text
    assert "1e3" not in response.text
    locs = {tuple(e["loc"]) for e in body["errors"]}
    assert ("body", "amount") in locs
    assert ("body", "role") in locs
    for error in body["errors"]:
        assert set(error) == {"loc", "msg", "type"}


@pytest.mark.parametrize("raw", ["NaN", "Infinity", "-Infinity", "1e400"])
async def test_non_finite_numbers_are_422_not_500(
    probe_app: FastAPI, client: httpx.AsyncClient, raw: str
) -> None:
    content = '{"password": "x", "amount": "1.00", "count": ' + raw + "}"
    response = await client.post(
        "/probe/payments", content=content, headers={"content-type": "application/json"}
    )
    assert response.status_code in (400, 422)
    assert_problem(response, response.status_code)


async def test_json_number_for_amount_is_422(probe_app: FastAPI, client: httpx.AsyncClient) -> None:
    response = await client.post("/probe/payments", json={"password": "x", "amount": 5})
    assert_problem(response, 422)


async def test_malformed_json_is_400(probe_app: FastAPI, client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/probe/payments", content=b'{"password": ', headers={"content-type": "application/json"}
    )
    body = assert_problem(response, 400)
    assert body["type"].endswith("/malformed-json")


async def test_deeply_nested_json_is_4xx(probe_app: FastAPI, client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/probe/payments",
        content=b"[" * 100_000 + b"]" * 100_000,
        headers={"content-type": "application/json"},
    )
    assert response.status_code in (400, 422)
    assert_problem(response, response.status_code)


async def test_unexpected_exception_is_500_with_only_the_correlation_id(
    probe_app: FastAPI, client: httpx.AsyncClient, log_lines: Any
) -> None:
    response = await client.get("/probe/boom", headers={"X-Correlation-ID": "trace-500"})
    body = assert_problem(response, 500)
    assert body["correlation_id"] == "trace-500"
    assert "secret internals" not in response.text
    assert "Traceback" not in response.text
    errors = [line for line in log_lines() if line["event"] == "request.unhandled_error"]
    assert len(errors) == 1
    assert errors[0]["correlation_id"] == "trace-500"
    assert "RuntimeError" in str(errors[0]["exception"])
    assert "hunter2" not in str(errors[0])


async def test_no_operation_documents_422_as_plain_json(client: httpx.AsyncClient) -> None:
    """Found by the API fuzzer: operations without their own 422 entry kept FastAPI's default,
    which documents `application/json` (HTTPValidationError), while the answer is problem+json.
    """
    spec = (await client.get("/api/v1/openapi.json")).json()
    wrong = [
        f"{method.upper()} {path}"
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if "application/json" in operation.get("responses", {}).get("422", {}).get("content", {})
    ]
    assert wrong == []
