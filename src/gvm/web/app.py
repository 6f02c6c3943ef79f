"""Mounting the pages into the FastAPI application of gvm.api.app: the page routers,
the static files and the page error handlers."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from gvm.web import errors
from gvm.web.render import HERE
from gvm.web.routes import (
    auth,
    dashboard,
    equality,
    intelligence,
    meetings,
    oversight,
    people,
    received,
    register,
    reviews,
    sharing,
)

ROUTERS = (auth, dashboard, people, intelligence, register, meetings, equality, reviews,
           sharing, received, oversight)


def install(app: FastAPI, api_prefix: str) -> None:
    for module in ROUTERS:
        app.include_router(module.router, include_in_schema=False)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    errors.install(app, api_prefix)
