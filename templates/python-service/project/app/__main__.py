"""Container entrypoint: `python -m app` serves the app on PORT and metrics on METRICS_PORT."""
from __future__ import annotations

import uvicorn
from opentelemetry import trace
from prometheus_client import CollectorRegistry, start_http_server

from .logs import configure_logging
from .main import create_app
from .settings import get_settings
from .tracing import build_tracer_provider


def main() -> None:
    settings = get_settings()
    configure_logging(settings.log_level, settings.log_format, settings.service_name)
    provider = build_tracer_provider(settings)
    if provider is not None:
        trace.set_tracer_provider(provider)
    registry = CollectorRegistry()
    if settings.metrics_port not in (None, settings.port):
        # A separate port keeps /metrics off the ingress; the thread dies with the process.
        start_http_server(settings.metrics_port, registry=registry)
    app = create_app(settings, tracer_provider=provider, registry=registry)
    # Access logs off: probes every few seconds; requests are counted in metrics and traced.
    # The app's shutdown flushes traces and closes clients; then uvicorn re-raises SIGTERM.
    uvicorn.run(app, host="0.0.0.0", port=settings.port, log_config=None, access_log=False,
                proxy_headers=True, forwarded_allow_ips="*", timeout_graceful_shutdown=20)


if __name__ == "__main__":
    main()
