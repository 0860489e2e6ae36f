"""ASGI apps: a FastAPI app with lifespan, and a raw app that records its lifespan events."""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse


def create_fastapi(events: list[str]) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> Any:
        events.append("startup")
        yield {"pool": "ready"}
        events.append("shutdown")

    app = FastAPI(lifespan=lifespan)

    @app.get("/items/{name}")
    async def item(name: str, request: Request) -> JSONResponse:
        return JSONResponse(
            {
                "name": name,
                "url": str(request.url_for("item", name="rex")),
                "path": request.url.path,
                "root_path": request.scope.get("root_path"),
                "pool": request.state.pool,
                "client": request.client.host if request.client else None,
                "query": request.query_params.multi_items(),
            }
        )

    @app.get("/café")
    async def cafe(request: Request) -> JSONResponse:
        return JSONResponse({"path": request.url.path})

    @app.post("/echo")
    async def echo(request: Request) -> Response:
        body = await request.body()
        return Response(body, media_type="application/octet-stream")

    @app.get("/cookies")
    async def cookies() -> Response:
        response = Response("ok", media_type="text/plain")
        response.set_cookie("a", "1")
        response.set_cookie("b", "2")
        return response

    @app.get("/stream")
    async def stream() -> StreamingResponse:
        async def chunks() -> Any:
            for part in (b"one,", b"two,", b"three"):
                yield part

        return StreamingResponse(chunks(), media_type="text/plain")

    @app.get("/boom")
    async def boom() -> Response:
        raise RuntimeError("secret detail")

    return app
