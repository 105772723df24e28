"""A candidate's reason in the API: the failed requirements as codes and values for programs, and
in words in the request's language (list and detail alike); a typed reason as typed."""

import datetime

import pytest

from registry.models import Candidacy

from . import factories as f

pytestmark = pytest.mark.django_db

FAILURES = [
    {"code": "age_below_minimum", "values": {"age": 24, "min_age": 25, "birth_date": "1997-01-01"}},
    {"code": "deposit_not_paid", "values": {"deposit_paid": False}},
]
TEXTS = {
    "en": [
        "The candidate is 24 years old on election day; the minimum age is 25.",
        "The election deposit has not been paid.",
    ],
    "ru": ["В день выборов кандидату 24 года; минимальный возраст — 25.", "Избирательный взнос не внесён."],
    "kk": ["Сайлау күні кандидаттың жасы — 24; ең төменгі жас — 25.", "Сайлау жарнасы төленбеген."],
}


@pytest.fixture
def refused(world):
    candidacy = f.candidacy(world.contest_a, f.person(datetime.date(1997, 1, 1)), status="refused")
    Candidacy.objects.filter(pk=candidacy.pk).update(reason="", reason_failures=FAILURES)
    return candidacy


def _row(api, candidacy, language, detail):
    if detail:
        response = api.get(f"/api/v1/candidates/{candidacy.pk}/", HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200
        return response.json()
    response = api.get(f"/api/v1/candidates/?contest={candidacy.contest_id}", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    (row,) = [r for r in response.json()["results"] if r["id"] == candidacy.pk]
    return row


@pytest.mark.parametrize("detail", [False, True])
@pytest.mark.parametrize("language", ["en", "ru", "kk"])
def test_the_failed_requirements_as_codes_and_in_the_requests_language(api, refused, language, detail):
    row = _row(api, refused, language, detail)
    assert row["reason_failures"] == [
        {"code": failure["code"], "values": failure["values"], "message": text}
        for failure, text in zip(FAILURES, TEXTS[language], strict=True)
    ]
    assert row["reason"] == " ".join(TEXTS[language])


@pytest.mark.parametrize("detail", [False, True])
def test_a_typed_reason_is_given_as_typed_with_no_codes(api, world, detail):
    Candidacy.objects.filter(pk=world.cand_k2.pk).update(reason="По семейным обстоятельствам")
    row = _row(api, world.cand_k2, "kk", detail)
    assert (row["reason"], row["reason_failures"]) == ("По семейным обстоятельствам", [])
