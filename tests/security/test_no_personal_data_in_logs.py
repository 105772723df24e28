"""No IIN and no password reaches the logs: every log record of the main flows is captured at DEBUG.

Flows: logins (a wrong password, then the right one) on both login pages, a nomination with an IIN
through the admin (a new person and a refused, malformed IIN), the entry of a protocol, and API
calls. The raw records (message, arguments, exception text) and the lines the project's formatters
write are searched for every fixture person's IIN and every password used.
"""

import datetime
import logging

import pytest
from django.urls import reverse

from core import clock
from core.logging import JsonFormatter, TextFormatter
from registry import iin as iins
from registry.models import Candidacy, Person

WRONG_PASSWORD = "Wr0ng-Passw0rd-7731"
RIGHT_PASSWORD = "Right-Pa55word-Zhezkazgan"
NOMINATION_DAY = datetime.datetime(2021, 7, 1, 6, 0, tzinfo=datetime.UTC)


class Capture(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.records = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture
def captured(caplog):
    """Every record at DEBUG and above, from the root and from loggers that do not propagate (django.*)."""
    caplog.set_level(logging.DEBUG)
    handler = Capture()
    names = ["", "django", "django.request", "django.server", "django.security", "axes"]
    names += [name for name, lg in logging.root.manager.loggerDict.items() if isinstance(lg, logging.Logger)]
    touched = []
    for name in dict.fromkeys(names):
        logger = logging.getLogger(name)
        if name and logger.propagate and not logger.handlers:
            continue  # reaches the root's handler anyway
        touched.append((logger, logger.level))
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
    yield handler
    for logger, level in touched:
        logger.removeHandler(handler)
        logger.setLevel(level)


def _texts(records):
    formatters = [JsonFormatter(), TextFormatter()]
    for record in records:
        yield record.getMessage()
        yield repr(record.args)
        yield repr({k: v for k, v in vars(record).items() if k not in ("msg", "args")})
        for formatter in formatters:
            yield formatter.format(record)


def test_the_main_flows_log_no_iin_and_no_password(client, world, captured, settings):
    settings.AXES_FAILURE_LIMIT = 100
    new_iin, _ = iins.build_next_iin(datetime.date(1984, 5, 17), iins.FEMALE, 4242)
    bad_iin = new_iin[:-1] + str((int(new_iin[-1]) + 1) % 10)  # the check digit is wrong

    for user in (world.cec, world.clerk1):
        user.set_password(RIGHT_PASSWORD)
        user.save(update_fields=["password"])

    # logins: a wrong password, then the right one, on both pages
    for page, username in (("admin:login", "cec"), ("results:login", "clerk1")):
        client.post(reverse(page), {"username": username, "password": WRONG_PASSWORD})
        client.post(reverse(page), {"username": username, "password": RIGHT_PASSWORD})
        assert "_auth_user_id" in client.session
        client.logout()

    # a nomination with an IIN through the admin (the candidates' deadline is still open)
    client.force_login(world.cec)
    url = reverse("admin:registry_election_nominate", args=[world.election.pk])
    form = {
        "contest": world.contest.pk,
        "nomination_type": "self",
        "iin": new_iin,
        "surname": "Синтетическая",
        "given_name": "Тест",
        "education": "higher",
        "qualification": Person.Qualification.PASSED,
        "qualification_checked_on": "2021-06-20",
        "qualification_checked_by": "Civil service agency",
        "signatures_submitted": "30",
        "signatures_valid": "30",
        "deposit_paid": "on",
    }
    with clock.frozen(NOMINATION_DAY):
        response = client.post(url, form)
        assert response.status_code == 302, [m.message for m in response.context["messages"]] or response.context[
            "form"
        ].errors
        client.post(url, {**form, "iin": bad_iin})
        client.post(url, {**form, "iin": world.c1.person.iin})  # an existing person, nominated again
        client.get(reverse("admin:registry_person_changelist"), {"q": world.c2.person.iin})
    client.logout()

    # the entry of a protocol
    client.force_login(world.clerk1)
    values = world.values()
    data = {k: v for k, v in values.items() if k != "votes"}
    data.update({f"vote_{cid}": n for cid, n in values["votes"].items()})
    data.update({"version": "0", "action": "finish"})
    assert client.post(reverse("results:entry", args=[world.protocol.pk]), data).status_code == 302
    client.logout()

    # API calls with a token
    auth = {"HTTP_AUTHORIZATION": f"Token {world.auditor_token}"}
    assert client.get(reverse("candidate-list"), **auth).status_code == 200
    client.get(reverse("candidate-detail", args=[world.c1.pk]), **auth)
    client.get(reverse("candidate-list"), {"search": world.c1.person.iin}, **auth)
    client.get(reverse("protocol-list"), HTTP_AUTHORIZATION=f"Token {WRONG_PASSWORD}")

    assert captured.records, "nothing was logged: the capture is broken"
    secrets = {WRONG_PASSWORD, RIGHT_PASSWORD, world.auditor_token}
    person_iins = set(Person.objects.values_list("iin", flat=True)) | {bad_iin, new_iin}
    assert Candidacy.objects.filter(person__iin=new_iin).exists()
    leaks = [
        (record.name, text[:200])
        for record in captured.records
        for text in _texts([record])
        if any(value in text for value in person_iins | secrets)
    ]
    assert not leaks, leaks


def test_the_capture_would_see_a_leak(captured, db):
    logging.getLogger("registry").warning("person %s", "880101300123")
    logging.getLogger("django.request").warning("password=%s", WRONG_PASSWORD)
    texts = list(_texts(captured.records))
    assert any("880101300123" in t for t in texts) and any(WRONG_PASSWORD in t for t in texts)
