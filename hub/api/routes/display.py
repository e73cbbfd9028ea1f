"""The customer display: a page per lane that mirrors the lane live for the shopper."""

from __future__ import annotations

import html
import re
from pathlib import Path as FilePath
from typing import Annotated

from fastapi import Path
from fastapi.responses import HTMLResponse

from hub.api.deps import DbDep, ShopDep
from hub.api.routing import Router
from hub.models import Lane

pages = Router(include_in_schema=False)
PAGE = FilePath(__file__).resolve().parents[3] / "kiosk_ui" / "static" / "display" / "index.html"
_LANE_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")

_NOT_FOUND = """<!doctype html><html lang="sv"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title>
<style>body{{margin:0;min-height:100vh;display:grid;place-items:center;text-align:center;
font-family:system-ui,sans-serif;background:#14213d;color:#fff}}h1{{font-size:3rem}}
p{{font-size:1.5rem;opacity:.85}}</style></head><body><main id="not-found">
<h1>{title}</h1><p>{message}</p><p lang="en">{english}</p></main></body></html>"""


def _not_found(lane_id: str) -> HTMLResponse:
    shown = html.escape(lane_id[:32])
    body = _NOT_FOUND.format(
        title="Kassan finns inte",
        message=f"Det finns ingen kassa &quot;{shown}&quot; i den här butiken. "
                "Kontrollera adressen: /display/&lt;kassa&gt;, t.ex. /display/1.",
        english=f"There is no lane &quot;{shown}&quot; in this store.",
    )
    return HTMLResponse(body, status_code=404)


@pages.get("/display/{lane_id}", response_class=HTMLResponse)
def customer_display(lane_id: Annotated[str, Path(max_length=200)], db: DbDep,
                     shop: ShopDep) -> HTMLResponse:
    """The customer display of one lane (it pairs as a 'display' device on first use)."""
    if not _LANE_ID.match(lane_id):
        return _not_found(lane_id)
    with db.read() as s:
        lane = s.get(Lane, lane_id)
        if lane is None:
            return _not_found(lane_id)
        lane_name = lane.name or lane.id
    page = (PAGE.read_text(encoding="utf-8")
            .replace("{{lane}}", html.escape(lane_id))
            .replace("{{lane_name}}", html.escape(lane_name))
            .replace("{{store}}", html.escape(shop.settings.store_name)))
    return HTMLResponse(page, headers={"Cache-Control": "no-cache"})
