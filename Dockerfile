# LLM Customization Advisor: one image, `advisor serve` on port 8000.
FROM python:3.11-slim-bookworm

# WeasyPrint (PDF reports) needs Pango and its font stack; libharfbuzz-subset0 lets it subset
# embedded fonts (about half the rendering time); fonts-dejavu-core is the font the PDF embeds.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*

# uv makes /app/.venv from uv.lock exactly as ./dev does, without the dev group; it never downloads a
# Python (the image's is used) and copies files instead of linking them from its cache.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    UV_PROJECT_ENVIRONMENT=/app/.venv \
    UV_PYTHON_DOWNLOADS=never \
    UV_LINK_MODE=copy \
    UV_NO_CACHE=1 \
    PATH=/app/.venv/bin:$PATH

WORKDIR /app
# The installer: the same uv as ./dev, pinned and hash-checked in tools/uv.txt.
COPY tools/uv.txt ./tools/uv.txt
RUN pip install --only-binary :all: --require-hashes -r tools/uv.txt
# The locked dependencies first, so code changes do not re-install them.
COPY pyproject.toml uv.lock ./
RUN uv sync --locked --no-dev --no-install-project

COPY README.md alembic.ini ./
COPY app ./app
COPY templates ./templates
COPY static ./static
COPY migrations ./migrations
RUN uv sync --locked --no-dev

# An unprivileged user owns only the data directory (SQLite file and generated secret).
RUN useradd --create-home --uid 10001 advisor && mkdir /data && chown advisor:advisor /data
USER advisor
ENV ADVISOR_HOST=0.0.0.0 \
    ADVISOR_PORT=8000 \
    ADVISOR_DATABASE_URL=sqlite:////data/advisor.db \
    ADVISOR_SECRET_KEY_FILE=/data/advisor-secret.key
VOLUME ["/data"]
EXPOSE 8000

# Liveness only (/livez): a database outage must not get every container restarted; load balancers and
# readiness probes use /readyz, which checks the database. The port comes from ADVISOR_PORT.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import os, sys, urllib.request; port = os.environ.get('ADVISOR_PORT', '8000'); sys.exit(urllib.request.urlopen(f'http://127.0.0.1:{port}/livez', timeout=4).status != 200)"]

CMD ["advisor", "serve"]
