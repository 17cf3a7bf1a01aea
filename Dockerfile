# Production image: gunicorn for web; the same image runs the Celery worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
RUN pip install --upgrade pip && pip install .
COPY . .
RUN DJANGO_DEBUG=off SECRET_KEY=build-only python manage.py collectstatic --noinput

RUN useradd --create-home sharekpi && mkdir -p /app/var && chown -R sharekpi /app/var
USER sharekpi
EXPOSE 8000
CMD ["gunicorn", "sharekpi.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "60"]
