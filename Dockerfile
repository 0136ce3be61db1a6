# syntax=docker/dockerfile:1
# autoscope: CLI, HTTP API and worker in one image (see compose.yaml).

# --- build: install the package and its dependencies into a virtualenv ---
FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
COPY pyproject.toml README.md ./
COPY graph/ graph/
COPY ingest/ ingest/
COPY api/ api/
RUN pip install --no-cache-dir .

# --- runtime: the virtualenv only, run as a non-root user ---
FROM python:3.11-slim
RUN groupadd --system autoscope \
    && useradd --system --gid autoscope --home-dir /home/autoscope --create-home autoscope \
    && mkdir -p /data && chown autoscope:autoscope /data
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1
ENV AUTOSCOPE_DATA_DIR=/data AUTOSCOPE_API_HOST=0.0.0.0 HF_HUB_OFFLINE=1
WORKDIR /data
USER autoscope
VOLUME /data
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/health' % os.environ.get('AUTOSCOPE_API_PORT', '8000'), timeout=4)"]
CMD ["autoscope", "serve"]
