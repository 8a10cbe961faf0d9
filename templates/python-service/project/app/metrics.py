"""Prometheus metrics with the names the chart's alerts and dashboard query.

http_requests_total{method, handler, status} and http_request_duration_seconds{method, handler}
(the names prometheus-fastapi-instrumentator uses, contracts §5). `handler` is the path
template (/items/{item_id}), never the raw path, to bound cardinality.
"""
from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from starlette.routing import Match

UNMATCHED = "unmatched"


class HttpMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
        self.requests = Counter(
            "http_requests", "HTTP requests answered", ["method", "handler", "status"], registry=registry
        )
        self.duration = Histogram(
            "http_request_duration_seconds", "HTTP request latency", ["method", "handler"], registry=registry
        )

    def instrument(self, app: FastAPI, skip: frozenset[str]) -> None:
        @app.middleware("http")
        async def record(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
            route = route_template(app, request)
            if route in skip:
                return await call_next(request)
            started = time.perf_counter()
            status = 500
            try:
                response = await call_next(request)
                status = response.status_code
                return response
            finally:
                self.duration.labels(request.method, route).observe(time.perf_counter() - started)
                self.requests.labels(request.method, route, str(status)).inc()

    def exposition(self) -> Response:
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)


def route_template(app: FastAPI, request: Request) -> str:
    for route in app.router.routes:
        match, _ = route.matches(request.scope)
        if match == Match.FULL:
            return getattr(route, "path", UNMATCHED)
    return UNMATCHED
