"""Typed FastAPI dependencies for the platform pieces every router uses."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from corebank.config import Settings
from corebank.core.clock import Clock
from corebank.core.db import Database
from corebank.core.pagination import CursorCodec, PageParams, page_params
from corebank.core.platform import Platform, platform_of


async def get_platform(request: Request) -> Platform:
    return platform_of(request)


async def get_settings(request: Request) -> Settings:
    return platform_of(request).settings


async def get_db(request: Request) -> Database:
    return platform_of(request).db


async def get_clock(request: Request) -> Clock:
    return platform_of(request).clock


async def get_cursor_codec(request: Request) -> CursorCodec:
    return platform_of(request).cursor_codec


PlatformDep = Annotated[Platform, Depends(get_platform)]
ClockDep = Annotated[Clock, Depends(get_clock)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
DatabaseDep = Annotated[Database, Depends(get_db)]
CursorCodecDep = Annotated[CursorCodec, Depends(get_cursor_codec)]
PageDep = Annotated[PageParams, Depends(page_params)]
