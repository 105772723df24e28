"""Bad input on every form of the entry pages never gives a 500: garbage, oversized, missing and extra fields.

Hypothesis draws the POST bodies (a bounded number of examples per form); each example runs in a
savepoint that is rolled back, so every one starts from the same protocol state.
"""

import pytest
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from results.controls import FIGURE_NAMES
from results.models import Protocol
from results.services import save_entry

EXAMPLES = 40
MEGABYTE = "9" * 1_000_000

ugly_text = st.text(max_size=40)  # any code point, NUL and surrogates' neighbours included
numbers = st.one_of(
    st.integers(min_value=-(10**21), max_value=10**21),
    st.sampled_from([10**20, -(10**20), 2**63, 2**31, -1, 0]),
    st.floats(allow_nan=True, allow_infinity=True),
).map(str)
values = st.one_of(ugly_text, numbers, st.just(MEGABYTE), st.just(""), st.just("٣٤٥"), st.just("1e3"))


def bodies(known_fields):
    """A POST body: some of the known fields (others missing), garbage values, a few extra fields."""
    known = st.dictionaries(st.sampled_from(known_fields), values, max_size=len(known_fields))
    extra = st.dictionaries(st.text(min_size=1, max_size=12), values, max_size=4)
    return st.tuples(known, extra).map(lambda kv: {**kv[1], **kv[0]})


def _post(client, url, body):
    with transaction.atomic():
        response = client.post(url, body)
        transaction.set_rollback(True)
    assert response.status_code < 500, (url, {k: str(v)[:40] for k, v in body.items()}, response.status_code)
    return response


FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)


def _entry_fields(w):
    return [*FIGURE_NAMES, "against_all", "version", "action", *(f"vote_{c}" for c in w.candidacies())] + [
        "ack_W1",
        "why_W1",
        "vote_999999",
        "vote_abc",
    ]


@pytest.mark.parametrize("who", ["clerk1", "outsider"])
def test_the_entry_form(client, world, who):
    client.force_login(getattr(world, who))
    url = reverse("results:entry", args=[world.protocol.pk])

    @FUZZ
    @given(bodies(_entry_fields(world)))
    def run(body):
        _post(client, url, body)

    run()


def test_the_entry_form_with_a_draft_and_a_second_entry(client, world):
    save_entry(world.protocol, world.clerk1, world.values(), finish=True)
    client.force_login(world.clerk2)
    url = reverse("results:entry", args=[world.protocol.pk])

    @FUZZ
    @given(bodies(_entry_fields(world)))
    def run(body):
        _post(client, url, body)

    run()


def _in_discrepancy(w):
    save_entry(w.protocol, w.clerk1, w.values(), finish=True)
    save_entry(Protocol.objects.get(pk=w.protocol.pk), w.clerk2, w.values(spoiled="11", unused="239"), finish=True)


def test_the_resolution_forms(client, world):
    _in_discrepancy(world)
    client.force_login(world.chair)
    url = reverse("results:resolve", args=[world.protocol.pk])
    fields = [*_entry_fields(world), "choice", "reason"]
    choices = st.sampled_from(["keep_1", "keep_2", "discard", "correct", "keep_3", "", "keep_", MEGABYTE])

    @FUZZ
    @given(bodies(fields), choices)
    def run(body, choice):
        _post(client, url, {**body, "choice": choice})

    run()


@pytest.mark.parametrize("route", ["results:certify", "results:reopen", "results:abandon"])
def test_the_certify_reopen_and_abandon_posts(client, world, route):
    _in_discrepancy(world)
    client.force_login(world.tec)
    url = reverse(route, args=[world.protocol.pk])

    @FUZZ
    @given(bodies(["version", "reason"]))
    def run(body):
        _post(client, url, body)

    run()


@pytest.mark.parametrize("route", ["results:login", "admin:login"])
def test_the_login_forms(client, world, route, settings):
    settings.AXES_FAILURE_LIMIT = 10**6  # this test is about input, not throttling
    url = reverse(route)

    @FUZZ
    @given(bodies(["username", "password", "next"]))
    def run(body):
        _post(client, url, body)

    run()


@pytest.mark.parametrize(
    "body",
    [
        {"username": "clerk1\x00", "password": "x"},
        {"username": "x" * 1_000_000, "password": "y"},
        {"username": "clerk1", "password": "\x00"},
        {"username": ["a", "b"], "password": "x"},
    ],
)
def test_the_login_forms_refuse_nul_and_oversized_names(client, world, body):
    for route in ("results:login", "admin:login"):
        response = _post(client, reverse(route), body)
        assert response.status_code in (200, 400, 429)


def test_oversized_bodies_are_refused_with_400(client, world):
    client.force_login(world.clerk1)
    url = reverse("results:entry", args=[world.protocol.pk])
    response = _post(client, url, {f"vote_{n}": MEGABYTE for n in range(4)})
    assert response.status_code == 400  # DATA_UPLOAD_MAX_MEMORY_SIZE
