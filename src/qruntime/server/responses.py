"""Responses built without FastAPI's encoder: documents are plain JSON already."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Response

JSON = "application/json"


def json_response(document: Any, status_code: int = 200) -> Response:
    """``document`` as a JSON answer."""
    return Response(encode(document), status_code=status_code, media_type=JSON)


def encode(document: Any) -> bytes:
    """``document`` as compact UTF-8 JSON."""
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()


def text_response(body: str, media_type: str = "text/plain; charset=utf-8") -> Response:
    """``body`` as it is."""
    return Response(body, media_type=media_type)


def no_content() -> Response:
    """An empty 204."""
    return Response(status_code=204)
