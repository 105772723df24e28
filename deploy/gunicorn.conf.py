"""Gunicorn configuration for electadmin: everything from the environment (README "Configuration").

    gunicorn --config deploy/gunicorn.conf.py electadmin.wsgi:application

Logs go to stdout/stderr. With LOG_FORMAT=json (the default when DEBUG is off) the access log and
gunicorn's own messages are JSON lines like the application's (core/logging.py): method, path
without query string, status, duration, request id and user id; no client address, user agent,
referrer or query string.
"""

import multiprocessing
import os

_TRUE = {"1", "true", "yes", "on", "y", "ok"}


def _env_int(name, default):
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


_debug = os.environ.get("DEBUG", "").strip().lower() in _TRUE

# Address to listen on: 127.0.0.1:8000 behind nginx on the same host; 0.0.0.0:8000 in a container.
bind = [os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")]
# Threaded workers: a request holds one thread, not a whole process. A login spends most of its
# time in the password hash (Argon2id, core/passwords.py; PBKDF2 for a hash not yet upgraded),
# which runs outside the interpreter lock, so it no longer keeps every other request of its
# process waiting; entry and API requests overlap their database round trips. Python code runs
# one thread at a time per process: about one process per core, and threads for the waits
# (docs/OPERATIONS.md, section 4).
worker_class = "gthread"
# Worker processes per host.
workers = _env_int("WEB_CONCURRENCY", min(multiprocessing.cpu_count() + 1, 8))
# Threads per process; each holds its own database connection (CONN_MAX_AGE): a host needs
# workers x threads connections.
threads = _env_int("GUNICORN_THREADS", 8)
# A process accepts connections only while it has room for them (a few waiting beyond its threads,
# and the idle kept-alive ones), so a busy process leaves new requests to an idle one instead of
# queueing them behind its own.
worker_connections = 4 * threads
# Seconds a request may take before its worker is killed and replaced.
timeout = _env_int("GUNICORN_TIMEOUT", 60)
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so slow leaks cannot grow without bound.
max_requests = 2000
max_requests_jitter = 200
# The heartbeat file on a RAM disk: container overlay file systems can stall it.
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"
# Django reads X-Forwarded-Proto itself (SECURE_PROXY_SSL_HEADER); nginx runs on the same host.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# The control socket (gunicornc) is not used; it would be written under $HOME.
control_socket_disable = True

accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "INFO").lower()

if os.environ.get("LOG_FORMAT", "text" if _debug else "json") == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "core.logging.JsonFormatter"}},
        "handlers": {
            "stdout": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stdout"},
            "stderr": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"},
        },
        "root": {"level": "INFO", "handlers": ["stdout"]},
        "loggers": {
            "gunicorn.error": {"level": loglevel.upper(), "handlers": ["stderr"], "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": ["stdout"], "propagate": False},
        },
    }
else:
    # Text: the same fields, without client address, referrer, user agent or query string.
    access_log_format = "%(m)s %(U)s %(s)s %(M)sms req=%({electadmin.request_id}e)s user=%({electadmin.user_id}e)s"
