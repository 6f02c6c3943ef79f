"""Rendering pages: one Jinja2 environment (autoescape on), the layout's context (who is
signed in, the CSRF token, the navigation) added to every page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from gvm import reference
from gvm.web import nav
from gvm.web.deps import CSRF_FIELD

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
templates.env.autoescape = True  # every template, whatever its name ends with
templates.env.trim_blocks = True
templates.env.lstrip_blocks = True


def borough_name(code: str | None) -> str:
    found = reference.boroughs().get(code or "")
    return found.name if found is not None else (code or "")


templates.env.globals["borough_name"] = borough_name


def page(request: Request, name: str, status_code: int = 200, **context: Any
         ) -> HTMLResponse:
    """Render `name` with `context` and the layout's values. Pages are never cached:
    most carry personal data (see gvm.api.middleware)."""
    caller = getattr(request.state, "caller", None)
    actor = None if caller is None else caller.actor
    values = {"actor": actor, "csrf_token": "" if caller is None else caller.csrf_token,
              "csrf_field": CSRF_FIELD, "navigation": nav.visible_to(actor),
              "path": request.url.path, **context}
    return templates.TemplateResponse(request, name, values, status_code=status_code)
