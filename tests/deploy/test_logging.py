"""Structured logs: JSON lines with request id and user id, and no personal data."""

import io
import json
import logging
import sys

import pytest
from django.test import Client

from core.logging import IIN_MASK, JsonFormatter, RequestContextFilter, TextFormatter

IIN = "900101300127"


def make_record(msg="hello", args=None, name="electadmin.test", exc_info=None, **extra):
    record = logging.LogRecord(name, logging.WARNING, __file__, 1, msg, args, exc_info)
    for key, value in extra.items():
        setattr(record, key, value)
    return record


def test_json_line_has_context_fields_and_masks_iin_shaped_numbers():
    record = make_record("person %s refused", (IIN,), request_id="req-1", user_id=7)

    line = JsonFormatter().format(record)

    data = json.loads(line)
    assert "\n" not in line
    assert data["level"] == "WARNING"
    assert data["logger"] == "electadmin.test"
    assert data["request_id"] == "req-1"
    assert data["user_id"] == 7
    assert data["message"] == f"person {IIN_MASK} refused"
    assert IIN not in line
    assert data["ts"].endswith("Z")


def test_json_drops_extras_that_may_hold_personal_or_secret_data():
    record = make_record(
        "saved",
        iin=IIN,
        password="hunter2",
        request_body="{}",
        api_token="ea_x",
        params=["x"],
        status_code=201,
        election_id=3,
        request=object(),
    )

    data = json.loads(JsonFormatter().format(record))

    for key in ("iin", "password", "request_body", "api_token", "params", "request"):
        assert key not in data
    assert data["status_code"] == 201
    assert data["election_id"] == 3


def test_json_masks_personal_numbers_in_tracebacks():
    try:
        raise ValueError(f"duplicate key (iin)=({IIN})")
    except ValueError:
        record = make_record("boom", exc_info=sys.exc_info())

    data = json.loads(JsonFormatter().format(record))

    assert "ValueError" in data["exc"]
    assert IIN not in data["exc"]


def test_text_formatter_masks_too():
    record = make_record("iin %s", (IIN,))
    RequestContextFilter().filter(record)

    line = TextFormatter().format(record)

    assert IIN not in line
    assert "req=None" in line


def test_gunicorn_access_record_keeps_path_without_query_and_no_client_details():
    atoms = {
        "m": "GET",
        "U": "/admin/registry/person/",
        "q": f"q={IIN}",
        "r": f"GET /admin/registry/person/?q={IIN} HTTP/1.1",
        "s": "200",
        "M": 12,
        "B": 512,
        "h": "10.1.2.3",
        "a": "Mozilla/5.0",
        "f": f"https://x/?q={IIN}",
        "{electadmin.request_id}e": "abc",
        "{electadmin.user_id}e": "42",
    }
    record = make_record("%(r)s", None, name="gunicorn.access")
    record.args = atoms

    line = JsonFormatter().format(record)

    data = json.loads(line)
    assert data["path"] == "/admin/registry/person/"
    assert data["status"] == 200
    assert data["request_id"] == "abc"
    assert data["user_id"] == "42"
    for secret in (IIN, "10.1.2.3", "Mozilla"):
        assert secret not in line


@pytest.fixture
def captured():
    """JSON lines of the django.request and core loggers, through the production handler setup."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestContextFilter())
    loggers = [logging.getLogger("django.request"), logging.getLogger("core.health")]
    for logger in loggers:
        logger.addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    for logger in loggers:
        logger.removeHandler(handler)


@pytest.mark.django_db
def test_request_id_from_header_is_echoed_and_put_on_log_lines(captured):
    response = Client().get("/no-such-page/", HTTP_X_REQUEST_ID="lb-1234")

    assert response.status_code == 404
    assert response["X-Request-ID"] == "lb-1234"
    lines = captured()
    assert lines, "the 404 is logged by django.request"
    assert {line["request_id"] for line in lines} == {"lb-1234"}


@pytest.mark.django_db
def test_unsafe_request_id_is_replaced_by_a_generated_one():
    response = Client().get("/healthz", HTTP_X_REQUEST_ID='x" injected\tvalue')

    generated = response["X-Request-ID"]
    assert "injected" not in generated
    assert len(generated) == 32


@pytest.mark.django_db
def test_each_request_gets_its_own_id():
    client = Client()

    assert client.get("/healthz")["X-Request-ID"] != client.get("/healthz")["X-Request-ID"]


@pytest.mark.django_db
def test_log_lines_carry_the_user_id_but_not_the_query_string(captured, django_user_model):
    user = django_user_model.objects.create_superuser("chief", password="pw-not-logged")
    client = Client()
    client.force_login(user)

    response = client.get(f"/admin/no-such-app/?q={IIN}")

    assert response.status_code == 404
    lines = captured()
    assert lines
    assert {line["user_id"] for line in lines} == {user.pk}
    assert IIN not in json.dumps(lines)
    # gunicorn's access log reads these from the WSGI environ.
    assert response.wsgi_request.META["electadmin.user_id"] == str(user.pk)
    assert response.wsgi_request.META["electadmin.request_id"] == response["X-Request-ID"]


@pytest.mark.django_db
def test_anonymous_requests_log_no_user_id(captured):
    Client().get("/no-such-page/")

    assert {line["user_id"] for line in captured()} == {None}


def test_log_lines_inside_a_celery_task_carry_its_id():
    from celery import Celery
    from celery._state import _task_stack

    app = Celery("log-test", set_as_current=False)

    @app.task(bind=True)
    def job(self):
        return None

    job.push_request(id="task-123")
    _task_stack.push(job)
    try:
        record = make_record("working")
        RequestContextFilter().filter(record)
    finally:
        _task_stack.pop()
        job.pop_request()

    assert json.loads(JsonFormatter().format(record))["task_id"] == "task-123"
    outside = make_record("idle")
    RequestContextFilter().filter(outside)
    assert "task_id" not in json.loads(JsonFormatter().format(outside))
