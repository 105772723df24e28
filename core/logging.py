"""Structured logging: JSON-lines and text formatters, the request context filter and the request-id middleware.

What a log line may carry: time, level, logger, message, request id, user id (a number), task id,
and a few primitive extras (status code, method, path without query string, duration). What it
never carries: request bodies, query strings, cookies, passwords, tokens, IINs. As a last line of
defence any 12-digit number (the shape of an IIN) in a message or traceback is masked.

Gunicorn's master process loads this module (see deploy/gunicorn.conf.py) before Django is set
up, so at import time it needs nothing from Django that reads settings.
"""

import contextlib
import contextvars
import datetime
import json
import logging
import re
import uuid

# django.utils.functional needs no settings, so the gunicorn master may import this module.
from django.utils.functional import LazyObject, empty

REQUEST_ID_HEADER = "HTTP_X_REQUEST_ID"
# Keys put into the WSGI environ, which gunicorn's access logger reads after the response.
ENVIRON_REQUEST_ID = "electadmin.request_id"
ENVIRON_USER_ID = "electadmin.user_id"
# gunicorn names environ values in its access-log atoms as "{key}e".
_ENVIRON_ATOM_REQUEST_ID = "{" + ENVIRON_REQUEST_ID + "}e"
_ENVIRON_ATOM_USER_ID = "{" + ENVIRON_USER_ID + "}e"

_request_id = contextvars.ContextVar("electadmin_request_id", default=None)
_request = contextvars.ContextVar("electadmin_request", default=None)

# An incoming X-Request-ID is kept only when it is short and plain; otherwise a new one is made.
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
# Twelve digits not part of a longer number: the shape of an IIN.
_IIN_SHAPE = re.compile(r"(?<!\d)\d{12}(?!\d)")
IIN_MASK = "[redacted]"

# Attributes every LogRecord has; anything else on a record came from `extra=`.
_RECORD_ATTRS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}
_CONTEXT_ATTRS = frozenset({"request_id", "user_id", "task_id"})
# Extras whose names suggest personal or secret data are dropped even when primitive.
_DENIED_EXTRA = re.compile(
    r"(?i)(pass|secret|token|iin|body|cookie|auth|session|params|sql|birth|email|phone|query|data)"
)


def mask_personal(text):
    """Mask IIN-shaped numbers in a piece of log text."""
    if not text:
        return text
    return _IIN_SHAPE.sub(IIN_MASK, text)


def current_user():
    """The authenticated user of the request being served in this context, or None (never a query)."""
    request = _request.get()
    user_id = _user_id_of(request)
    return request.__dict__["user"] if user_id is not None else None


def _user_id_of(request):
    """The user's primary key if authentication already ran; never triggers a query."""
    if request is None:
        return None
    user = getattr(request, "__dict__", {}).get("user")
    # AuthenticationMiddleware sets a lazy object; read it only when something already evaluated it.
    if isinstance(user, LazyObject):
        user = user.__dict__.get("_wrapped", empty)
    if user is None or user is empty:
        return None
    if not getattr(user, "is_authenticated", False):
        return None
    return getattr(user, "pk", None)


def _task_id():
    try:
        from celery._state import get_current_task
    except ImportError:  # pragma: no cover - celery is a runtime dependency
        return None
    task = get_current_task()
    if task is None or task.request is None:
        return None
    return getattr(task.request, "id", None)


class LoggedRequest:
    """What a log record keeps of a request: method, path, user and request id; never the query
    string, headers, cookies or body (its repr is "<request GET /path/>")."""

    def __init__(self, request):
        self.method = getattr(request, "method", None)
        self.path = getattr(request, "path", "")
        self.request_id = getattr(request, "request_id", None)
        user = getattr(request, "__dict__", {}).get("user")
        if user is not None:
            self.user = user

    def __repr__(self):
        return f"<request {self.method} {self.path}>"


class WithoutQueryStrings(logging.Filter):
    """On django.request's records (a 4xx or 5xx), the request becomes a LoggedRequest: its query
    string (which may hold an IIN typed into a search, or a token) stays out of every handler,
    this project's or a third party's."""

    def filter(self, record):
        request = getattr(record, "request", None)
        if request is not None and not isinstance(request, LoggedRequest):
            record.request = LoggedRequest(request)
        return True


class RequestContextFilter(logging.Filter):
    """Adds request_id, user_id and task_id to every record (None outside a request or task)."""

    def filter(self, record):
        # django.request logs 4xx/5xx after the middleware chain returned; it passes the request.
        request = _request.get() or getattr(record, "request", None)
        if getattr(record, "request_id", None) is None:
            record.request_id = _request_id.get() or getattr(request, "request_id", None)
        if getattr(record, "user_id", None) is None:
            record.user_id = _user_id_of(request)
        if getattr(record, "task_id", None) is None:
            record.task_id = _task_id()
        return True


def _gunicorn_access_fields(record):
    """Fields of a gunicorn access record (its args are gunicorn's atoms dict)."""
    atoms = record.args
    status = atoms.get("s")
    with contextlib.suppress(TypeError, ValueError):
        status = int(status)
    user_id = atoms.get(_ENVIRON_ATOM_USER_ID)
    return {
        "message": f"{atoms.get('m')} {atoms.get('U')} {status}",
        "method": atoms.get("m"),
        # PATH_INFO only: the query string may carry search terms (an IIN typed into the admin search).
        "path": mask_personal(atoms.get("U")),
        "status": status,
        "duration_ms": atoms.get("M"),
        "bytes": atoms.get("B"),
        "request_id": atoms.get(_ENVIRON_ATOM_REQUEST_ID) or atoms.get("{x-request-id}o"),
        "user_id": user_id if user_id not in ("", "-") else None,
    }


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, message, request_id, user_id, task_id, extras, exc."""

    def format(self, record):
        if record.name == "gunicorn.access" and isinstance(record.args, dict):
            payload = {
                "ts": self._timestamp(record),
                "level": record.levelname,
                "logger": record.name,
            }
            payload.update(_gunicorn_access_fields(record))
            return json.dumps(payload, ensure_ascii=False, default=str)

        payload = {
            "ts": self._timestamp(record),
            "level": record.levelname,
            "logger": record.name,
            "message": mask_personal(record.getMessage()),
            "request_id": getattr(record, "request_id", None),
            "user_id": getattr(record, "user_id", None),
        }
        task_id = getattr(record, "task_id", None)
        if task_id:
            payload["task_id"] = task_id
        for key, value in record.__dict__.items():
            if key in _RECORD_ATTRS or key in _CONTEXT_ATTRS or key.startswith("_") or key in payload:
                continue
            if _DENIED_EXTRA.search(key):
                continue
            if isinstance(value, bool | int | float) or value is None:
                payload[key] = value
            elif isinstance(value, str):
                payload[key] = mask_personal(value)
        if record.exc_info:
            payload["exc"] = mask_personal(self.formatException(record.exc_info))
        elif record.exc_text:
            payload["exc"] = mask_personal(record.exc_text)
        if record.stack_info:
            payload["stack"] = mask_personal(self.formatStack(record.stack_info))
        return json.dumps(payload, ensure_ascii=False, default=str)

    @staticmethod
    def _timestamp(record):
        moment = datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC)
        return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class TextFormatter(logging.Formatter):
    """Human-readable lines for development, with the same masking as the JSON formatter."""

    default_format = "%(asctime)s %(levelname)s %(name)s [req=%(request_id)s user=%(user_id)s] %(message)s"

    def __init__(self, fmt=None, *args, **kwargs):
        super().__init__(fmt or self.default_format, *args, **kwargs)

    def format(self, record):
        for attr in _CONTEXT_ATTRS:
            if not hasattr(record, attr):
                setattr(record, attr, None)
        return mask_personal(super().format(record))


class RequestIdMiddleware:
    """Gives every request an id (X-Request-ID when sane, else a new one) for its log lines.

    The id is returned in the X-Request-ID response header and, with the user id, put into the
    WSGI environ for gunicorn's access log. Place it first in MIDDLEWARE.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.META.get(REQUEST_ID_HEADER, "")
        request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        request.META[ENVIRON_REQUEST_ID] = request_id
        id_token = _request_id.set(request_id)
        request_token = _request.set(request)
        try:
            response = self.get_response(request)
        finally:
            user_id = _user_id_of(request)
            if user_id is not None:
                request.META[ENVIRON_USER_ID] = str(user_id)
            _request.reset(request_token)
            _request_id.reset(id_token)
        response["X-Request-ID"] = request_id
        return response
