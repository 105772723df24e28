"""Domain errors and control messages carry the message of the active language, numbers included."""

import pytest
from django.utils import translation

from core import clock
from registry import errors as registry_errors
from registry.services import candidacy as candidacy_services
from results import controls
from results.errors import ControlsFailed, SameClerk
from results.services import save_entry
from tests.results.factories import COUNTING

pytestmark = pytest.mark.django_db

NOT_TERRITORIAL = {
    "kk": "Кандидаттар тізілімін тек ОСК немесе аумақтық комиссия мүшелері өзгерте алады.",
    "ru": "Изменять реестр кандидатов могут только члены ЦИК или территориальной комиссии.",
    "en": "Only members of the CEC or a territorial commission may change the candidate registry.",
}


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_a_registry_domain_error_in_each_language(world, language):
    """A precinct chair is not territorial staff: the registry refuses, in the language of the request."""
    with translation.override(language), clock.frozen(COUNTING), pytest.raises(registry_errors.DomainError) as caught:
        candidacy_services.withdraw(world.chair, world.c1, reason="x")
    assert caught.value.code == "not_territorial_staff"
    with translation.override(language):
        assert str(caught.value) == NOT_TERRITORIAL[language]


SAME_CLERK = {
    "kk": "Екінші енгізуді біріншісін енгізген оператордан басқа оператор жасауы керек.",
    "ru": "Второй ввод должен выполнить другой оператор, не тот, кто выполнил первый.",
    "en": "The second entry must be made by a different clerk than the first.",
}


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_a_results_domain_error_in_each_language(world, language):
    with clock.frozen(COUNTING):
        save_entry(world.protocol, world.clerk1, world.values(), finish=True)
        with translation.override(language), pytest.raises(SameClerk) as caught:
            save_entry(world.protocol, world.clerk1, world.values(), finish=True)
    assert caught.value.code == "second_entry_same_clerk"
    with translation.override(language):
        assert str(caught.value) == SAME_CLERK[language]


BALANCE = {
    "kk": "Алынған бюллетеньдер R = 999 мынаған тең болуы керек: Is + Im + S + U = 700 + 50 + 10 + 240 = 1000 "
    "(айырмасы -1).",
    "ru": "Полученные бюллетени R = 999 должны равняться Is + Im + S + U = 700 + 50 + 10 + 240 = 1000 (разница -1).",
    "en": "Ballots received R = 999 must equal Is + Im + S + U = 700 + 50 + 10 + 240 = 1000 (difference -1).",
}


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_a_control_message_keeps_its_numbers_in_each_language(world, language):
    with clock.frozen(COUNTING), translation.override(language), pytest.raises(ControlsFailed) as caught:
        save_entry(world.protocol, world.clerk1, world.values(ballots_received="999"), finish=True)
    report = caught.value.details["report"]
    (balance,) = [r for r in report.errors if r.code == "ballots.balance"]
    assert balance.message == BALANCE[language]


def test_every_control_message_formats_in_kazakh_and_russian():
    """Each catalogue message of the controls takes its parameters in both languages (no KeyError)."""
    sample = {
        "R": 1, "Is": 2, "Im": 3, "S": 4, "U": 5, "sum": 6, "diff": 7, "V": 8, "Fm": 9, "Fs": 10, "found": 11,
        "issued": 12, "N": 13, "votes": 14, "A": 15, "counted": 16, "missing": 17, "turnout": "95.1",
        "threshold": "95", "share": "12.5", "name": "Ахметов", "label": "V", "paper": "V", "value": "x",
        "max": 10, "key": "k",
    }  # fmt: skip
    with translation.override("en"):
        english = {code: str(template) % sample for code, (_severity, template) in controls.CATALOGUE.items()}
    for language in ("kk", "ru"):
        with translation.override(language):
            for code, (_severity, template) in controls.CATALOGUE.items():
                assert str(template) % sample != english[code], (language, code)
