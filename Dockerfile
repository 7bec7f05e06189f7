# LLM Customization Advisor: one image, `advisor serve` on port 8000.
FROM python:3.11-slim-bookworm

# WeasyPrint (PDF reports) needs Pango and its font stack; libharfbuzz-subset0 lets it subset
# embedded fonts (about half the rendering time); fonts-dejavu-core is the font the PDF embeds.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
# The locked, hash-checked dependencies first, so code changes do not re-install them.
COPY requirements.lock ./
RUN pip install --require-hashes -r requirements.lock

COPY pyproject.toml README.md alembic.ini ./
COPY app ./app
COPY templates ./templates
COPY static ./static
COPY migrations ./migrations
RUN pip install --no-deps -e .

# An unprivileged user owns only the data directory (SQLite file and generated secret).
RUN useradd --create-home --uid 10001 advisor && mkdir /data && chown advisor:advisor /data
USER advisor
ENV ADVISOR_HOST=0.0.0.0 \
    ADVISOR_PORT=8000 \
    ADVISOR_DATABASE_URL=sqlite:////data/advisor.db \
    ADVISOR_SECRET_KEY_FILE=/data/advisor-secret.key
VOLUME ["/data"]
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status != 200)"]

CMD ["advisor", "serve"]
