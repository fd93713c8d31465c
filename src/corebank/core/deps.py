"""Typed FastAPI dependencies for the platform pieces every router uses."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from corebank.config import Settings
from corebank.core.db import Database
from corebank.core.pagination import CursorCodec, PageParams, page_params


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_db(request: Request) -> Database:
    return request.app.state.db


async def get_cursor_codec(request: Request) -> CursorCodec:
    return request.app.state.cursor_codec


SettingsDep = Annotated[Settings, Depends(get_settings)]
DatabaseDep = Annotated[Database, Depends(get_db)]
CursorCodecDep = Annotated[CursorCodec, Depends(get_cursor_codec)]
PageDep = Annotated[PageParams, Depends(page_params)]
