from __future__ import annotations

import io
import json
import logging

from fastapi.testclient import TestClient
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from app.logs import build_handler
from app.settings import Settings
from app.tracing import build_tracer_provider


def test_requests_are_traced_with_the_service_resource(
    client: TestClient, spans: InMemorySpanExporter, settings: Settings
) -> None:
    client.get("/")
    client.get("/readyz")
    server_spans = [span for span in spans.get_finished_spans() if span.kind.name == "SERVER"]
    assert [span.name for span in server_spans] == ["GET /"]
    resource = server_spans[0].resource.attributes
    assert resource["service.name"] == settings.service_name
    assert resource["service.namespace"] == settings.service_domain
    assert resource["deployment.environment"] == "test"


def test_tracing_off_when_the_sdk_is_disabled(settings: Settings) -> None:
    assert build_tracer_provider(settings.model_copy(update={"otel_sdk_disabled": True})) is None


def test_logs_are_json_lines_with_the_trace_id(tracer_provider: TracerProvider) -> None:
    stream = io.StringIO()
    logger = logging.getLogger("test.json")
    logger.handlers[:] = [build_handler("json", stream)]
    logger.propagate = False
    with tracer_provider.get_tracer("test").start_as_current_span("work") as span:
        logger.warning("hello %s", "world", extra={"order": 7})
    record = json.loads(stream.getvalue())
    assert record["message"] == "hello world"
    assert record["level"] == "WARNING"
    assert record["logger"] == "test.json"
    assert record["order"] == 7
    assert record["trace_id"] == format(span.get_span_context().trace_id, "032x")
    assert "time" in record
