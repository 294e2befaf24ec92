FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 VAR_DIR=/app/var
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
# An unprivileged user owns only the state folder (catalog files, static files); the code stays root's.
RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin app
# .dockerignore keeps .env, var/, .git, .venv and caches out of this copy.
COPY . .
RUN mkdir -p /app/var/icml \
    && SECRET_KEY=build-only-not-used-at-run-time REDIS_URL=redis://unused:6379/0 \
       python manage.py collectstatic --noinput -v0 \
    && chown -R app:app /app/var
USER app
EXPOSE 8000
CMD ["gunicorn", "--config", "config/gunicorn.conf.py", "config.wsgi:application"]
