"""JSON logs on stdout (one object a line), with the current trace and span ids."""
from __future__ import annotations

import logging
import sys

from opentelemetry import trace
from pythonjsonlogger.json import JsonFormatter

FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s"


class TraceContextFilter(logging.Filter):
    """Adds trace_id/span_id so Grafana can jump from a log line to its trace in Jaeger."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = trace.get_current_span().get_span_context()
        if context.is_valid:
            record.trace_id = format(context.trace_id, "032x")
            record.span_id = format(context.span_id, "016x")
        return True


def build_handler(log_format: str, stream: object = None) -> logging.Handler:
    handler = logging.StreamHandler(stream or sys.stdout)  # type: ignore[arg-type]
    if log_format == "json":
        handler.setFormatter(JsonFormatter(FIELDS, rename_fields={"asctime": "time", "levelname": "level", "name": "logger"}))
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    handler.addFilter(TraceContextFilter())
    return handler


def configure_logging(level: str, log_format: str, service: str) -> None:
    root = logging.getLogger()
    root.handlers[:] = [build_handler(log_format)]
    root.setLevel(level.upper())
    # uvicorn's own handlers would print plain text: send its records to the root instead.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    logging.getLogger(service).debug("logging configured", extra={"format": log_format})
