"""Access log lines without query strings: they carry signatures, secrets and tokens."""

from __future__ import annotations

from aiohttp.abc import AbstractAccessLogger
from aiohttp.web import BaseRequest, StreamResponse


class PathOnlyAccessLogger(AbstractAccessLogger):
    def log(self, request: BaseRequest, response: StreamResponse, time: float) -> None:
        self.logger.info(
            '%s "%s %s" %s %s %.1fms', request.remote, request.method, request.path,
            response.status, response.body_length, time * 1000,
        )


