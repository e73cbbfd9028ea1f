"""The hub with the manager's routes, for tests, until hub/app.py includes them itself.

`python -m tests.manager_app --port N --data-dir DIR` serves it like `kassa hub serve
--demo-data` does.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from fastapi import FastAPI

from hub.api.routes import manager
from hub.app import create_app
from hub.config import Settings


def with_manager(app: FastAPI) -> FastAPI:
    """Add the manager's API and page to an app that does not have them yet."""
    paths = {getattr(route, "path", "") for route in app.routes}
    if "/api/v1/reports/overview" not in paths:
        app.include_router(manager.router, prefix="/api/v1")
    if "/manager" not in paths:
        app.include_router(manager.pages)
    return app


def main() -> None:
    """Serve the demo hub with the manager's routes."""
    import uvicorn

    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--data-dir", type=Path, required=True)
    args = parser.parse_args()
    settings = Settings(data_dir=args.data_dir, demo_data=True,
                        public_url=f"http://127.0.0.1:{args.port}")
    app = with_manager(create_app(settings))
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning",
                ws="websockets-sansio")


if __name__ == "__main__":
    main()
