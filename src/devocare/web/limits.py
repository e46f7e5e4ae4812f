"""Request body limits as a pure ASGI middleware, applied before any route reads the body: size (413, also for
bodies streamed without Content-Length) and the nesting depth of JSON (400), so no parser recurses without end.
"""

from __future__ import annotations

import json
from typing import Any

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from devocare.web.problems import send_problem


class BodyTooLarge(Exception):
    """The streamed body passed the limit (kept for callers that caught it)."""


def json_depth(body: bytes, limit: int = 32) -> int | None:
    """The deepest nesting of arrays and objects in a JSON text (counting stops past ``limit``); None when the
    body is not JSON at all (the route then reports that). Parsing a body already capped in size is fast and
    linear; nesting too deep for the parser itself counts as past the limit."""
    try:
        doc = json.loads(body)
    except RecursionError:
        return limit + 1
    except ValueError:
        return None
    level = [doc] if isinstance(doc, list | dict) else []
    depth = 0
    while level:  # one level at a time: a list comprehension per container, no per-node Python stack
        depth += 1
        if depth > limit:
            return depth
        below: list[Any] = []
        for node in level:
            below.extend([c for c in (node.values() if isinstance(node, dict) else node) if type(c) in _NESTED])
        level = below
    return depth


_NESTED = (list, dict)


class BodySizeLimit:
    """Read the whole body first (at most ``max_bytes``; 413 beyond, however it is sent), check JSON bodies'
    nesting against ``max_json_depth`` (400 beyond), then hand the body to the app."""

    def __init__(self, app: ASGIApp, max_bytes: int, max_json_depth: int = 32) -> None:
        self.app, self.max_bytes, self.max_json_depth = app, max_bytes, max_json_depth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on with its body read and checked."""
        if scope["type"] != "http" or scope["method"] in {"GET", "HEAD", "OPTIONS"}:
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None:
            try:
                declared = int(length)
            except ValueError:
                declared = self.max_bytes + 1
            if declared > self.max_bytes:
                await send_problem(scope, send, 413, f"request body larger than {self.max_bytes} bytes")
                return
        chunks: list[bytes] = []
        received = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            received += len(chunk)
            if received > self.max_bytes:
                await send_problem(scope, send, 413, f"request body larger than {self.max_bytes} bytes")
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        depth = None
        if b"json" in headers.get(b"content-type", b"").lower() and (
            body.count(b"[") + body.count(b"{") > self.max_json_depth
        ):  # else it cannot be too deep
            # Parsed on a worker thread: a large body must not hold up every other request meanwhile.
            depth = await anyio.to_thread.run_sync(json_depth, body, self.max_json_depth)
        if depth is not None and depth > self.max_json_depth:
            await send_problem(scope, send, 400, f"JSON body nested deeper than {self.max_json_depth} levels")
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)
