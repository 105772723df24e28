"""Reasons the system gives are stored as codes and values and rendered in the reader's language:
the refusal for failed requirements keeps no text, every failure code reads in kk, ru and en with its
numbers and dates written for the language (both sides of each boundary of the rules), the history
names actions and states, and words of two meanings carry a translation context."""

import datetime
import json
from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import translation

from core import audit
from core.models import AuditEvent
from registry import eligibility, services
from registry.admin.history import candidacy_history, event_reason, term_history
from registry.eligibility import Facts, Rules
from registry.models import Candidacy, DismissalInitiative, NoConfidenceVote, Person, TermOfOffice
from registry.models.people import Education
from registry.offices import services as offices
from registry.reasons import reason_text, render_failure, render_failures

from . import factories as f
from .test_offices import established, in_2023  # noqa: F401 (fixtures of the office register)
from .test_offices import term as term

pytestmark = pytest.mark.django_db

E = datetime.date(2021, 7, 25)
NBSP = "\xa0"


def facts(**overrides):
    base = {
        "birth_date": datetime.date(1980, 1, 1),
        "citizen": True,
        "education": "higher",
        "qualification": "passed",
        "has_criminal_record": False,
        "has_corruption_offence": False,
        "terms_in_same_post": 0,
        "nomination_type": "party",
        "contest_voters": 1000,
        "signatures_valid": 0,
        "deposit_paid": True,
    }
    return Facts(**(base | overrides))


def failed(rules=None, **overrides):
    """The failures of a candidate who differs from an eligible one by `overrides`."""
    return eligibility.failures(facts(**overrides), rules or Rules(election_day=E))


def rendered(language, failures):
    with translation.override(language):
        return [render_failure(x.code, x.values) for x in failures]


# --- stored as codes and values ------------------------------------------------------------------


def nominate(actor, contest, **person):
    return services.nominate(
        actor,
        contest=contest,
        person=f.person(**person),
        nomination_type="self",
        signatures_submitted=20,
        signatures_valid=20,
        deposit_paid=True,
    )


def test_a_refusal_for_failed_requirements_stores_codes_and_values_and_no_text(tec35, contest, nomination_time):
    candidacy = nominate(tec35, contest, education="vocational")
    Candidacy.objects.filter(pk=candidacy.pk).update(deposit_paid=False)
    with translation.override("ru"):  # the language of the request does not reach the database
        services.refuse(tec35, candidacy)
    candidacy.refresh_from_db()
    expected = [
        {"code": "education_below_minimum", "values": {"education": "vocational", "min_education": "higher"}},
        {"code": "deposit_not_paid", "values": {"deposit_paid": False}},
    ]
    assert (candidacy.status, candidacy.reason, candidacy.reason_failures) == ("refused", "", expected)
    event = AuditEvent.objects.for_object(candidacy).latest("id")
    assert (event.action, event.reason, event.data["failures"]) == ("registry.refuse", "", expected)
    stored = json.dumps(
        [Candidacy.objects.filter(pk=candidacy.pk).values().get(), event.reason, event.data],
        default=str,
        ensure_ascii=False,
    )
    for word in ("Education", "Образование", "білімі", "deposit has", "взнос", "жарнасы"):
        assert word not in stored
    with translation.override("ru"):
        assert reason_text(candidacy.reason, candidacy.reason_failures) == (
            "Образование «техническое и профессиональное» ниже требуемого «высшее». Избирательный взнос не внесён."
        )
    with translation.override("kk"):
        assert reason_text(candidacy.reason, candidacy.reason_failures) == (
            "«техникалық және кәсіптік» білімі талап етілетін «жоғары» деңгейінен төмен. Сайлау жарнасы төленбеген."
        )


def test_a_typed_reason_stays_as_typed_and_the_failures_go_to_the_audit_record(tec35, contest, nomination_time):
    candidacy = nominate(tec35, contest, education="vocational")
    services.refuse(tec35, candidacy, reason="Документы поддельные")
    candidacy.refresh_from_db()
    assert (candidacy.reason, candidacy.reason_failures) == ("Документы поддельные", [])
    event = AuditEvent.objects.for_object(candidacy).latest("id")
    assert event.reason == "Документы поддельные"
    assert [x["code"] for x in event.data["failures"]] == ["education_below_minimum"]
    with translation.override("kk"):
        assert reason_text(candidacy.reason, candidacy.reason_failures) == "Документы поддельные"


@pytest.mark.parametrize("one_by_one", [True, False])
def test_registering_clears_failures_left_on_the_row(tec35, contest, nomination_time, one_by_one):
    # A registered candidacy has no reason of either kind, whichever service registers it.
    candidacy = nominate(tec35, contest)
    Candidacy.objects.filter(pk=candidacy.pk).update(
        reason="x", reason_failures=[{"code": "not_citizen", "values": {}}]
    )
    if one_by_one:
        services.register(tec35, candidacy)
    else:
        assert services.register_many(tec35, [candidacy])["registered"] == [candidacy.pk]
    candidacy.refresh_from_db()
    assert (candidacy.status, candidacy.reason, candidacy.reason_failures) == ("registered", "", [])


# --- every code in kk, ru and en -----------------------------------------------------------------


def test_citizenship_in_each_language():
    assert failed(citizen=True) == []
    assert rendered("en", failed(citizen=False)) == ["The candidate is not a citizen of Kazakhstan."]
    assert rendered("ru", failed(citizen=False)) == ["Кандидат не является гражданином Республики Казахстан."]
    assert rendered("kk", failed(citizen=False)) == ["Кандидат Қазақстан Республикасының азаматы емес."]


@pytest.mark.parametrize(
    ("born", "en", "ru", "kk"),
    [
        (
            datetime.date(1991, 7, 26),  # 30 tomorrow: 29 on election day
            "The candidate is 29 years old on election day; the minimum age is 30.",
            "В день выборов кандидату 29 лет; минимальный возраст — 30.",
            "Сайлау күні кандидаттың жасы — 29; ең төменгі жас — 30.",
        ),
        (
            datetime.date(1999, 7, 26),
            "The candidate is 21 years old on election day; the minimum age is 30.",
            "В день выборов кандидату 21 год; минимальный возраст — 30.",
            "Сайлау күні кандидаттың жасы — 21; ең төменгі жас — 30.",
        ),
        (
            datetime.date(1997, 1, 1),
            "The candidate is 24 years old on election day; the minimum age is 30.",
            "В день выборов кандидату 24 года; минимальный возраст — 30.",
            "Сайлау күні кандидаттың жасы — 24; ең төменгі жас — 30.",
        ),
    ],
)
def test_age_in_each_language_with_the_minimum_from_the_rules(born, en, ru, kk):
    rules = Rules(election_day=E, min_age=30)
    assert failed(rules, birth_date=datetime.date(1991, 7, 25)) == []  # 30 on election day
    assert rendered("en", failed(rules, birth_date=born)) == [en]
    assert rendered("ru", failed(rules, birth_date=born)) == [ru]
    assert rendered("kk", failed(rules, birth_date=born)) == [kk]


def test_age_of_one_year_in_english_is_singular():
    with translation.override("en"):
        assert render_failure("age_below_minimum", {"age": 1, "min_age": 25}) == (
            "The candidate is 1 year old on election day; the minimum age is 25."
        )


def test_education_in_each_language_with_the_minimum_from_the_rules():
    rules = Rules(election_day=E, min_education="higher")
    assert failed(rules, education="higher") == []
    below = failed(rules, education="vocational")
    assert rendered("en", below) == ["Education 'technical and vocational' is below the required 'higher'."]
    assert rendered("ru", below) == ["Образование «техническое и профессиональное» ниже требуемого «высшее»."]
    assert rendered("kk", below) == ["«техникалық және кәсіптік» білімі талап етілетін «жоғары» деңгейінен төмен."]
    none = failed(rules, education="none")
    assert rendered("ru", none) == ["Образование «без образования» ниже требуемого «высшее»."]
    assert rendered("kk", none) == ["«білімі жоқ» білімі талап етілетін «жоғары» деңгейінен төмен."]


@pytest.mark.parametrize(
    ("state", "en", "ru", "kk"),
    [
        (
            "not_checked",
            "The civil-service qualification check has not been done.",
            "Проверка соответствия квалификационным требованиям государственной службы не проводилась.",
            "Мемлекеттік қызметке қойылатын біліктілік талаптарына сәйкестігі тексерілмеген.",
        ),
        (
            "failed",
            "The candidate has failed the civil-service qualification check.",
            "Кандидат не прошёл проверку соответствия квалификационным требованиям государственной службы.",
            "Кандидат мемлекеттік қызметке қойылатын біліктілік талаптарына сәйкестігін тексеруден өтпеді.",
        ),
    ],
)
def test_qualification_in_each_language(state, en, ru, kk):
    assert failed(qualification="passed") == []
    assert rendered("en", failed(qualification=state)) == [en]
    assert rendered("ru", failed(qualification=state)) == [ru]
    assert rendered("kk", failed(qualification=state)) == [kk]


def test_criminal_record_and_corruption_in_each_language():
    both = failed(has_criminal_record=True, has_corruption_offence=True)
    assert rendered("en", both) == [
        "The candidate has an unexpunged criminal record.",
        "The candidate has committed a corruption offence.",
    ]
    assert rendered("ru", both) == [
        "У кандидата непогашенная судимость.",
        "Кандидат совершил коррупционное правонарушение.",
    ]
    assert rendered("kk", both) == [
        "Кандидаттың өтелмеген соттылығы бар.",
        "Кандидат сыбайлас жемқорлық құқық бұзушылығын жасаған.",
    ]


@pytest.mark.parametrize(
    ("held", "limit", "ru"),
    [
        (1, 1, "Кандидат занимал эту должность 1 срок; предел — 1."),
        (3, 3, "Кандидат занимал эту должность 3 срока; предел — 3."),
        (5, 5, "Кандидат занимал эту должность 5 сроков; предел — 5."),
    ],
)
def test_term_limit_in_russian_on_both_sides_of_the_limit(held, limit, ru):
    rules = Rules(election_day=E, term_limit=limit)
    assert failed(rules, terms_in_same_post=held - 1) == []
    assert rendered("ru", failed(rules, terms_in_same_post=held)) == [ru]


def test_term_limit_with_the_terms_listed_in_each_language():
    terms = (("2013-08-10", "2017-08-10"), ("2017-08-10", None))
    reached = failed(terms_in_same_post=2, terms_listed=terms)
    assert rendered("en", reached) == [
        "The candidate has held this post for 2 terms; the limit is 2. "
        "Terms: Aug. 10, 2013 – Aug. 10, 2017, Aug. 10, 2017 – …."
    ]
    assert rendered("ru", reached) == [
        "Кандидат занимал эту должность 2 срока; предел — 2. "
        "Сроки полномочий: 10 августа 2013 г. – 10 августа 2017 г., 10 августа 2017 г. – …."
    ]
    assert rendered("kk", reached) == [
        "Кандидат бұл лауазымда 2 мерзім болған; шегі — 2. "
        "Өкілеттік мерзімдері: 2013 жылғы 10 тамыз – 2017 жылғы 10 тамыз, 2017 жылғы 10 тамыз – …."
    ]
    with translation.override("en"):
        assert render_failure("term_limit_reached", {"terms": 1, "term_limit": 1}) == (
            "The candidate has held this post for 1 term; the limit is 1."
        )


def test_signatures_in_each_language_with_the_threshold_from_the_rules():
    rules = Rules(election_day=E, signature_threshold_percent=Decimal("2.50"))
    assert failed(rules, nomination_type="self", contest_voters=1001, signatures_valid=26) == []
    short = failed(rules, nomination_type="self", contest_voters=1001, signatures_valid=25)
    assert rendered("en", short) == [
        "Valid signatures: 25; a self-nominee needs 26 (2.50% of the 1,001 voters on the lists)."
    ]
    assert rendered("ru", short) == [
        f"Действительных подписей: 25; самовыдвиженцу нужно 26 (2,50% от числа избирателей в списках: 1{NBSP}001)."
    ]
    assert rendered("kk", short) == [
        f"Жарамды қолдар: 25; өзін-өзі ұсынған кандидатқа 26 қол қажет (тізімдегі 1{NBSP}001 сайлаушының 2,50%)."
    ]


def test_deposit_in_each_language():
    assert failed(deposit_paid=True) == []
    assert rendered("en", failed(deposit_paid=False)) == ["The election deposit has not been paid."]
    assert rendered("ru", failed(deposit_paid=False)) == ["Избирательный взнос не внесён."]
    assert rendered("kk", failed(deposit_paid=False)) == ["Сайлау жарнасы төленбеген."]


def test_every_code_of_the_catalogue_has_words():
    everything = failed(
        citizen=False,
        birth_date=datetime.date(2000, 1, 1),
        education="none",
        qualification="failed",
        has_criminal_record=True,
        has_corruption_offence=True,
        terms_in_same_post=2,
        nomination_type="self",
        deposit_paid=False,
    )
    assert len(everything) == len(eligibility.RULES)
    for language in ("en", "ru", "kk"):
        for failure, text in zip(everything, rendered(language, everything), strict=True):
            assert text != failure.code and text.endswith(".")


def test_an_unknown_code_or_broken_values_read_as_the_code():
    assert render_failure("some_future_rule", {"x": 1}) == "some_future_rule"
    assert render_failure("age_below_minimum", {}) == "age_below_minimum"
    assert render_failures([]) == ""
    assert reason_text("", []) == ""


# --- the migration -------------------------------------------------------------------------------


def _old_refusal(candidacy, failures, reason):
    """A refusal as the service wrote it before codes were stored: the failures rendered (in the
    language of the day) into the reason and into the audit record."""
    with transaction.atomic():
        Candidacy.objects.filter(pk=candidacy.pk).update(status="refused", reason=reason, reason_failures=[])
        audit.record(
            actor=None,
            action="registry.refuse",
            obj=candidacy,
            from_state="nominated",
            to_state="refused",
            reason=reason,
            data={"contest": candidacy.contest_id, "failures": failures},
        )


OLD_RU = [
    {
        "code": "education_below_minimum",
        "message": "Образование «техническое и профессиональное» ниже требуемого «высшее».",
        "values": {"education": "vocational", "min_education": "higher"},
    },
    {"code": "deposit_not_paid", "message": "Избирательный взнос не внесён.", "values": {"deposit_paid": False}},
]
OLD_RU_TEXT = "Образование «техническое и профессиональное» ниже требуемого «высшее».; Избирательный взнос не внесён."


def _migrate(targets):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


def _latest():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    return MigrationExecutor(connection).loader.graph.leaf_nodes()


BEFORE = [("registry", "0006_election_results_within_days")]


@pytest.mark.django_db(transaction=True)
def test_the_migration_turns_the_systems_text_into_codes_and_leaves_typed_reasons(contest, nomination_time):
    system = nominate(None, contest)
    typed = nominate(None, contest)
    unrecorded = nominate(None, contest)
    withdrawn = nominate(None, contest)
    _old_refusal(system, OLD_RU, OLD_RU_TEXT)
    _old_refusal(typed, OLD_RU, "Подписи собраны с нарушениями")  # typed, though failures existed
    Candidacy.objects.filter(pk=unrecorded.pk).update(status="refused", reason=OLD_RU_TEXT)  # no record
    services.withdraw(None, withdrawn, reason="По семейным обстоятельствам")
    try:
        old = _migrate(BEFORE)
        # The field does not exist yet; the reasons are the texts of the day.
        assert "reason_failures" not in {f.name for f in old.get_model("registry", "Candidacy")._meta.fields}
        assert old.get_model("registry", "Candidacy").objects.get(pk=system.pk).reason == OLD_RU_TEXT
    finally:
        _migrate(_latest())
    rows = {c.pk: (c.reason, c.reason_failures) for c in Candidacy.objects.all()}
    assert rows[system.pk] == ("", [{"code": f["code"], "values": f["values"]} for f in OLD_RU])
    assert rows[typed.pk] == ("Подписи собраны с нарушениями", [])
    assert rows[unrecorded.pk] == (OLD_RU_TEXT, [])
    assert rows[withdrawn.pk] == ("По семейным обстоятельствам", [])
    with translation.override("kk"):
        assert reason_text(*rows[system.pk]) == (
            "«техникалық және кәсіптік» білімі талап етілетін «жоғары» деңгейінен төмен. Сайлау жарнасы төленбеген."
        )
    # Back: the text of the day again, from the same record.
    try:
        old = _migrate(BEFORE)
        assert old.get_model("registry", "Candidacy").objects.get(pk=system.pk).reason == OLD_RU_TEXT
        assert old.get_model("registry", "Candidacy").objects.get(pk=typed.pk).reason == "Подписи собраны с нарушениями"
    finally:
        _migrate(_latest())


# --- the history -------------------------------------------------------------------------------


HISTORY = {
    "en": [
        ("Nomination received", "", "nominated", ""),
        ("Registration refused", "nominated", "refused registration", "The election deposit has not been paid."),
    ],
    "ru": [
        ("Выдвижение принято", "", "выдвинут", ""),
        ("Отказано в регистрации", "выдвинут", "отказано в регистрации", "Избирательный взнос не внесён."),
    ],
    "kk": [
        ("Ұсыну қабылданды", "", "ұсынылған", ""),
        ("Тіркеуден бас тартылды", "ұсынылған", "тіркеуден бас тартылды", "Сайлау жарнасы төленбеген."),
    ],
}


@pytest.mark.parametrize("language", ["en", "ru", "kk"])
def test_the_candidacy_history_names_actions_and_states_in_the_readers_language(
    client, tec35, contest, nomination_time, language
):
    candidacy = nominate(tec35, contest)
    Candidacy.objects.filter(pk=candidacy.pk).update(deposit_paid=False)
    services.refuse(tec35, candidacy)
    client.force_login(tec35)
    url = reverse("admin:registry_candidacy_change", args=[candidacy.pk])
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    rows = [(r.action, r.from_state, r.to_state, r.reason) for r in response.context["history"]]
    assert rows == HISTORY[language]
    page = response.content.decode()
    assert "registry.refuse" not in page.replace('title="registry.refuse"', "")
    assert HISTORY[language][1][0] in page and HISTORY[language][1][3] in page


def test_an_old_refusal_record_reads_in_the_readers_language(tec35, contest, nomination_time):
    candidacy = nominate(tec35, contest)
    _old_refusal(candidacy, OLD_RU, OLD_RU_TEXT)
    event = AuditEvent.objects.for_object(candidacy).latest("id")
    with translation.override("en"):
        assert event_reason(event) == (
            "Education 'technical and vocational' is below the required 'higher'. "
            "The election deposit has not been paid."
        )
    typed = nominate(tec35, contest)
    _old_refusal(typed, OLD_RU, "Подписи собраны с нарушениями")
    with translation.override("kk"):
        (_, refused) = candidacy_history(AuditEvent.objects.for_object(typed).order_by("id"))
        assert refused.reason == "Подписи собраны с нарушениями"


def test_the_term_history_names_the_end_and_its_ground(term, tec35):
    offices.terminate_term(tec35, term, reason="resignation", ended_on=datetime.date(2022, 1, 31))
    event = AuditEvent.objects.for_object(term).latest("id")
    assert event.reason == ""  # the ground is data, not words
    with translation.override("ru"):
        rows = [(r.action, r.from_state, r.to_state, r.reason) for r in term_history([event])]
    assert rows == [("Полномочия прекращены досрочно", "в должности", "завершён", "отставка по собственному желанию")]


# --- contexts: one English word, two meanings ----------------------------------------------------


@pytest.mark.parametrize(
    ("language", "check", "vote"), [("ru", "не пройдена", "не принято"), ("kk", "өтпеді", "қабылданбады")]
)
def test_a_failed_check_and_a_failed_vote_read_differently(language, check, vote):
    with translation.override(language):
        assert (str(Person.Qualification.FAILED.label), str(NoConfidenceVote.Outcome.FAILED.label)) == (check, vote)


def test_registered_candidate_initiative_and_count_read_differently():
    with translation.override("ru"):
        labels = (
            str(Candidacy.Status.REGISTERED.label),
            str(DismissalInitiative.Outcome.REGISTERED.label),
            translation.gettext("registered"),
        )
        assert labels == ("зарегистрирован", "зарегистрирована", "зарегистрировано")
    with translation.override("kk"):
        assert str(DismissalInitiative.Outcome.REGISTERED.label) == "тіркелді"
        assert str(Candidacy.Status.REGISTERED.label) == "тіркелген"


@pytest.mark.parametrize(
    ("language", "period", "states"),
    [
        ("ru", ("с", "по"), ("из состояния", "в состояние")),
        ("kk", ("басталуы", "аяқталуы"), ("бұрынғы күйі", "жаңа күйі")),
    ],
)
def test_a_period_and_a_change_of_state_read_differently(language, period, states):
    with translation.override(language):
        term = TermOfOffice._meta
        audit_event = AuditEvent._meta
        assert (str(term.get_field("started_on").verbose_name), str(term.get_field("ended_on").verbose_name)) == period
        assert (
            str(audit_event.get_field("from_state").verbose_name),
            str(audit_event.get_field("to_state").verbose_name),
        ) == states


def test_no_education_and_none_read_differently():
    with translation.override("ru"):
        assert (str(Education.NONE.label), translation.gettext("none")) == ("без образования", "нет")
    with translation.override("kk"):
        assert (str(Education.NONE.label), translation.gettext("none")) == ("білімі жоқ", "жоқ")


def test_an_old_term_end_record_with_the_ground_in_words_reads_in_the_readers_language(term):
    def ended(reason):
        with transaction.atomic():
            audit.record(
                actor=None,
                action="registry.terminate_term",
                obj=term,
                from_state="in_office",
                to_state="ended",
                reason=reason,
                data={"end_reason": "resignation", "ended_on": "2022-01-31", "decision": ""},
            )
        return AuditEvent.objects.for_object(term).latest("id")

    written_in_russian = ended("отставка по собственному желанию")  # the label, as the service wrote it
    typed = ended("Заявление от 31 января")
    with translation.override("kk"):
        assert event_reason(written_in_russian) == "өз еркімен отставкаға кету"
        assert event_reason(typed) == "Заявление от 31 января"
