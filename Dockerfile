# One image for web, worker, scheduler and the simulator; docker-compose.yml picks the command.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 FLEET_VAR_DIR=/var/lib/fleet
WORKDIR /app
COPY pyproject.toml README.md ./
COPY accounts accounts
COPY fleet fleet
COPY telemetry telemetry
COPY geofence geofence
COPY media media
COPY tracksolid tracksolid
RUN pip install --no-cache-dir .
COPY . .
RUN SECRET_KEY=build FIELD_ENCRYPTION_KEY=build python manage.py collectstatic --noinput \
    && useradd --system --home /app fleet && mkdir -p /var/lib/fleet && chown fleet /var/lib/fleet
USER fleet
EXPOSE 8000
CMD ["gunicorn", "fleet.wsgi", "--bind", "0.0.0.0:8000", "--workers", "4", "--threads", "4"]
