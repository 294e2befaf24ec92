"""gunicorn in production (docker-compose `web`), behind the nginx `proxy` service.

nginx buffers whole requests (slow uploads) and responses (slow readers) before gunicorn sees
them, and times out clients that dribble bytes; gthread workers then serve the buffered
requests on threads, so one slow request does not hold the whole server either.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")  # inside the container network only (not published)
worker_class = "gthread"
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
timeout = 60  # a request stuck longer than this (a hung view) recycles its worker
graceful_timeout = 30
keepalive = 5
max_requests = 2000  # recycle workers now and then, with jitter so they do not restart together
max_requests_jitter = 200
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
accesslog = "-"
# The webhook and feed paths carry secrets: log the method and status, never the URL.
access_log_format = '%(h)s "%(m)s" %(s)s %(B)s %(M)sms'
