"""Helpers shared by tests (importable, unlike conftest)."""

from __future__ import annotations

import os
import secrets
import socket
from typing import Any

import pytest

from corebank.config import Settings

PG_ADMIN_DSN = os.environ.get("TEST_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")
IN_CI = os.environ.get("CI", "").lower() == "true"
#: One Redis database per xdist worker, so a test that flushes its database cannot wipe the
#: counters of a test running on the other worker. The two-instance servers get their own
#: (xdist may run that module's tests on two workers at once, each with its pair of servers).
_WORKER_REDIS_DBS = (15, 13, 12, 11, 10, 9, 8, 7)
_TWO_INSTANCE_REDIS_DBS = (14, 6, 5, 4, 3, 2, 1, 0)


def _worker_index() -> int:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    return int(worker.removeprefix("gw")) if worker.startswith("gw") else 0


def _worker_redis_url() -> str:
    return f"redis://127.0.0.1:6379/{_WORKER_REDIS_DBS[_worker_index() % len(_WORKER_REDIS_DBS)]}"


def two_instance_redis_url() -> str:
    """The Redis database the two-instance test's servers share (one per xdist worker)."""
    index = _worker_index() % len(_TWO_INSTANCE_REDIS_DBS)
    return f"redis://127.0.0.1:6379/{_TWO_INSTANCE_REDIS_DBS[index]}"


REDIS_URL = os.environ.get("TEST_REDIS_URL") or _worker_redis_url()


def unavailable(reason: str) -> None:
    """Skip the test, or fail it under CI where every service must be reachable."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: unreachable services are failures)")
    pytest.skip(reason)


def worker_suffix() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def test_settings(database_url: str, **overrides: Any) -> Settings:
    """Settings for tests: no .env, cheap password hashing, a random key."""
    values: dict[str, Any] = {
        "environment": "test",
        "database_url": database_url,
        "secret_key": secrets.token_urlsafe(48),
        "log_format": "json",
        "argon2_time_cost": 1,
        "argon2_memory_cost": 1024,
        "argon2_parallelism": 1,
        "rate_limit_enabled": False,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


test_settings.__test__ = False  # type: ignore[attr-defined]


STRONG_PASSWORD = "Tr0ub4dor&3-horse"


async def create_user(
    app: Any,
    *,
    role: str = "customer",
    email: str | None = None,
    password: str = STRONG_PASSWORD,
    full_name: str = "Test Person",
    username: str | None = None,
) -> Any:
    """Insert a user directly (no API, no rate limit); returns the User row."""
    from corebank.models import User

    email = email or f"user-{secrets.token_hex(4)}@example.com"
    password_hash = await app.state.container.hasher.hash(password)
    async with app.state.container.db.transaction() as session:
        user = User(
            email=email.lower(),
            username=username,
            full_name=full_name,
            password_hash=password_hash,
            role=role,
            is_active=True,
            pin_failed_count=0,
        )
        session.add(user)
    return user


async def auth_headers(app: Any, user: Any) -> dict[str, str]:
    """Open a session for `user` directly and return an Authorization header for it."""
    from datetime import timedelta

    from corebank.identity.tokens import TokenType
    from corebank.models import AuthSession

    now = app.state.container.clock.now()
    async with app.state.container.db.transaction() as session:
        auth_session = AuthSession(
            user_id=user.id, created_at=now, last_seen_at=now, expires_at=now + timedelta(days=7)
        )
        session.add(auth_session)
    token, _ = app.state.container.tokens.issue(
        user_id=user.id,
        session_id=auth_session.id,
        role=str(user.role),
        token_type=TokenType.access,
        now=now,
        lifetime=timedelta(minutes=30),
    )
    return {"Authorization": f"Bearer {token}"}


async def login_as(
    app: Any, role: str = "customer", **user_fields: Any
) -> tuple[Any, dict[str, str]]:
    """A new user of `role` and headers that authenticate as them."""
    user = await create_user(app, role=role, **user_fields)
    return user, await auth_headers(app, user)


class TcpProxy:
    """A loopback TCP proxy a test can cut and restore, to make a server 'unreachable'."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self._server: Any = None
        self._writers: set[Any] = set()
        self._tasks: set[Any] = set()

    async def start(self) -> None:
        import asyncio

        self._server = await asyncio.start_server(self._handle, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Refuse new connections and drop the open ones."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        import asyncio

        for writer in list(self._writers):
            writer.close()
        self._writers.clear()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()

    async def _handle(self, reader: Any, writer: Any) -> None:
        import asyncio
        import contextlib

        self._tasks.add(asyncio.current_task())
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        self._writers.update({writer, up_writer})

        async def pipe(src: Any, dst: Any) -> None:
            try:
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            except (OSError, asyncio.CancelledError):
                pass
            finally:
                dst.close()
                with contextlib.suppress(OSError, asyncio.CancelledError):
                    await dst.wait_closed()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))


async def proxy_to_postgres(postgres_url: str | None) -> tuple[TcpProxy, str]:
    """A started TcpProxy in front of the test PostgreSQL, and the database URL through it."""
    from urllib.parse import urlsplit

    if postgres_url is None:
        unavailable(f"PostgreSQL is unreachable at {PG_ADMIN_DSN}")
    assert postgres_url is not None
    target = urlsplit(postgres_url)
    proxy = TcpProxy(target.hostname or "127.0.0.1", target.port or 5432)
    await proxy.start()
    return proxy, postgres_url.replace(f":{target.port}/", f":{proxy.port}/")


async def truncate_postgres(database: Any) -> None:
    """Empty every table and reset the audit chain (PostgreSQL tests)."""
    from sqlalchemy import text

    from corebank.models import Base

    tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
    async with database.engine.begin() as connection:
        await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        await connection.execute(
            text("INSERT INTO audit_chain_head (id, last_id, last_hash) VALUES (1, 0, :h)"),
            {"h": "0" * 64},
        )


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def audit_rows(db: Any, action: str) -> list[Any]:
    """Every audit row with `action`, in the order written (sealed or not)."""
    from sqlalchemy import select

    from corebank.models import AuditEvent

    async with db.session() as session:
        found = await session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)
        )
        return list(found.all())
