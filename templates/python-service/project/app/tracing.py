"""OpenTelemetry traces to the platform's OTLP collector (Jaeger, contracts §5)."""
from __future__ import annotations

from fastapi import FastAPI
from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

from .settings import Settings

# Probes and scrapes every few seconds would drown the real traces.
EXCLUDED_URLS = "healthz,livez,readyz,metrics"


def build_tracer_provider(settings: Settings, processor: SpanProcessor | None = None) -> TracerProvider | None:
    """None when OTEL_SDK_DISABLED=true. Sampler and extra resource attributes come from the
    standard OTEL_* variables the chart sets (OTEL_TRACES_SAMPLER, OTEL_RESOURCE_ATTRIBUTES)."""
    if settings.otel_sdk_disabled:
        return None
    resource = Resource.create({
        "service.name": settings.service_name,
        "service.namespace": settings.service_domain,
        "deployment.environment": settings.environment,
    })
    provider = TracerProvider(resource=resource)
    if processor is None:
        endpoint = settings.otel_exporter_otlp_endpoint
        exporter = OTLPSpanExporter(endpoint=endpoint, insecure=endpoint.startswith("http://"))
        processor = BatchSpanProcessor(exporter)
    provider.add_span_processor(processor)
    return provider


def instrument(app: FastAPI, provider: TracerProvider | None) -> None:
    if provider is not None:
        FastAPIInstrumentor.instrument_app(app, tracer_provider=provider, excluded_urls=EXCLUDED_URLS)
