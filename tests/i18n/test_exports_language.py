"""Exports and printed protocols in kk, ru and en (issue 19): translated headers, unit names of the
election day in the language, a coded value's label in the language beside its code, moments in the
election's time zone to the second, and no text of another language (names of people and places aside).
"""

import csv
import datetime
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from core import clock
from results.aggregation import recompute
from results.services import certify_protocol, save_entry
from territory.models import AdminUnitVersion
from tests.results.factories import COUNTING

pytestmark = pytest.mark.django_db

# Computed a moment with microseconds; the election runs on Aqtau time (UTC+5), not the server's
# Asia/Almaty (UTC+6 in 2021): 21:00:05.123456 UTC is 02:00:05 on the 26th in Aqtau.
COMPUTED = datetime.datetime(2021, 7, 25, 21, 0, 5, 123456, tzinfo=datetime.UTC)
ZONE = "Asia/Aqtau"
LOCAL = "2021-07-26 02:00:05+05:00"

# The units' names in 2021 (the election day), then renamed: exports keep the election-day names.
NAMES = {
    "region": {"kk": "Қарағанды облысы", "ru": "Карагандинская область", "en": "Karaganda Region"},
    "district": {"kk": "Абай ауданы", "ru": "Абайский район", "en": "Abay District"},
    "rural": {"kk": "Ақтоғай ауылдық округі", "ru": "Актогайский сельский округ", "en": "Aktogay Rural District"},
}
PEOPLE = ("Ахметов", "Бекова", "Садыков", "Test")  # names of people: in every language as written
KAZAKH_LETTERS = re.compile("[әғқңөұүһіӘҒҚҢӨҰҮҺІ]")
# Letters and words Russian has and Kazakh does not (Kazakh writes ы and, in loanwords, э; not ё or ъ).
RUSSIAN_ONLY = re.compile(
    "[ёъ]|област|район|официальн|выдвин|рассчита|итог|выбор|голос|участ|протокол|избират|основа|время|подпис",
    re.IGNORECASE,
)
CYRILLIC = re.compile("[\u0400-\u04ff]")


def assert_one_language(text, language):
    """No text of another language: place and people names of the world taken out first."""
    for unit in NAMES.values():
        text = text.replace(unit[language], " ")
    text = text.replace({"kk": "Ақмола облысы", "ru": "Акмолинская область", "en": "Akmola Region"}[language], " ")
    for name in PEOPLE:
        text = text.replace(name, " ")
    if language == "ru":
        assert not KAZAKH_LETTERS.findall(text)
    elif language == "kk":
        assert not RUSSIAN_ONLY.findall(text)
    else:
        assert not CYRILLIC.findall(text), CYRILLIC.findall(text)


def rename_after_the_election(w):
    """Name the world's units in three languages as of the election day, and rename them since."""
    for key, unit in (("region", w.region), ("district", w.district), ("rural", w.rural)):
        # The unit's names today differ from those of the election day (kept as a dated version).
        AdminUnitVersion.objects.create(
            unit=unit,
            kind=unit.kind,
            parent=unit.parent,
            valid_to=datetime.date(2022, 6, 7),
            **{f"name_{lang}": name for lang, name in NAMES[key].items()},
        )
        unit.name_kk, unit.name_ru, unit.name_en = "Жаңа атау", "Новое название", "New name"
        unit.save()
    w.election.name_en = "Elections of rural district akims"
    w.election.time_zone = ZONE
    w.election.save()


@pytest.fixture
def counted(world):
    w = world
    rename_after_the_election(w)
    with clock.frozen(COUNTING):
        save_entry(w.protocol, w.clerk1, w.values(), finish=True)
        save_entry(w.protocol, w.clerk2, w.values(), finish=True)
        w.protocol.refresh_from_db()
        certify_protocol(w.protocol, w.tec)
    with clock.frozen(COMPUTED):
        recompute(w.election)
    return w


def get_csv(client, election, table):
    response = client.get(reverse("results_reports:csv", args=[election.pk, table]))
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return text, list(csv.reader(io.StringIO(text)))


def get_workbook(client, election):
    response = client.get(reverse("results_reports:xlsx", args=[election.pk]))
    assert response.status_code == 200
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)


HEADERS = {
    "contests": {
        "kk": [
            "ӘАОЖ (КАТО)", "сайлау бірлігі", "аудан", "облыс", "негізі", "негізі (коды)", "тізімдердегі сайлаушылар",
            "берілген бюллетеньдер", "сайлауға қатысу, %", "табылған бюллетеньдер", "жарамсыз", "жарамды",
            "бәріне қарсы", "есепке алынған хаттамалар", "күтілетін хаттамалар", "кандидаттар", "қорытындысы",
            "қорытындысы (коды)", "жеңімпаз", "белгілер", "белгілер (кодтары)", "есептелген уақыты (Asia/Aqtau)",
            "сайлау түрі", "сайлау түрі (коды)", "негізделген сайлау (id)", "кейінгі шара", "кейінгі шара (коды)",
            "кейінгі сайлау (id)",
        ],
        "ru": [
            "КАТО", "избирательная единица", "район", "область", "основа подсчёта", "основа подсчёта (код)",
            "избирателей в списках", "выдано бюллетеней", "явка, %", "обнаружено бюллетеней", "недействительных",
            "действительных", "против всех", "учтено протоколов", "ожидается протоколов", "кандидаты", "итог",
            "итог (код)", "победитель", "отметки", "отметки (коды)", "время расчёта (Asia/Aqtau)", "вид выборов",
            "вид выборов (код)", "исходные выборы (id)", "последующее решение", "последующее решение (код)",
            "последующие выборы (id)",
        ],
        "en": [
            "KATO", "electoral unit", "district", "region", "basis", "basis (code)", "voters on the lists",
            "ballots issued", "turnout, %", "ballots found", "invalid", "valid", "against all", "protocols counted",
            "protocols expected", "candidates", "outcome", "outcome (code)", "winner", "flags", "flags (codes)",
            "computed at (Asia/Aqtau)", "kind of election", "kind of election (code)", "follows election (id)",
            "follow-up", "follow-up (code)", "follow-up election (id)",
        ],
    },
    "candidates": {
        "kk": [
            "ӘАОЖ (КАТО)", "сайлау бірлігі", "негізі", "негізі (коды)", "кандидат", "ұсынылған", "ұсынылған (коды)",
            "партия", "дауыстар", "жарамды бюллетеньдердегі үлесі, %", "орны", "жеңімпаз",
        ],
        "ru": [
            "КАТО", "избирательная единица", "основа подсчёта", "основа подсчёта (код)", "кандидат", "выдвинут",
            "выдвинут (код)", "партия", "голосов", "доля от действительных бюллетеней, %", "место", "победитель",
        ],
        "en": [
            "KATO", "electoral unit", "basis", "basis (code)", "candidate", "nominated", "nominated (code)", "party",
            "votes", "share of valid ballots, %", "rank", "winner",
        ],
    },
    "turnout": {
        "kk": [
            "негізі", "негізі (коды)", "деңгейі", "деңгейі (коды)", "ӘАОЖ (КАТО)", "бірлік", "сайлау округтері",
            "толық есептелген сайлау округтері", "тізімдердегі сайлаушылар", "берілген бюллетеньдер",
            "сайлауға қатысу, %", "есепке алынған хаттамалар", "күтілетін хаттамалар",
        ],
        "ru": [
            "основа подсчёта", "основа подсчёта (код)", "уровень", "уровень (код)", "КАТО", "единица",
            "округа выборов", "полностью подсчитанные округа", "избирателей в списках", "выдано бюллетеней",
            "явка, %", "учтено протоколов", "ожидается протоколов",
        ],
        "en": [
            "basis", "basis (code)", "level", "level (code)", "KATO", "unit", "contests", "contests complete",
            "voters on the lists", "ballots issued", "turnout, %", "protocols counted", "protocols expected",
        ],
    },
}  # fmt: skip
OFFICIAL = {
    "kk": "ресми (бекітілген хаттамалар)",
    "ru": "официальные (утверждённые протоколы)",
    "en": "official (certified protocols)",
}
SELF = {"kk": "өзін-өзі ұсынған", "ru": "самовыдвижение", "en": "self-nominated"}
INCOMPLETE = {
    "kk": "толық емес: хаттамалар жетіспейді",
    "ru": "не завершено: не хватает протоколов",
    "en": "incomplete: protocols missing",
}
DISTRICT_LEVEL = {"kk": "аудан", "ru": "район", "en": "district"}
LANGUAGES = ("kk", "ru", "en")


def contest_row(rows):
    """The official row of the Karaganda contest (the rural district)."""
    return next(r for r in rows[1:] if r[0] == "352030000" and r[5] == "official")


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_contests_csv_in_each_language(counted, in_language, language):
    client = in_language(language)
    client.force_login(counted.regional)  # the Karaganda regional commission: the world's named units
    text, rows = get_csv(client, counted.election, "contests")
    assert rows[0] == HEADERS["contests"][language]
    row = contest_row(rows)
    names = NAMES["rural"][language], NAMES["district"][language], NAMES["region"][language]
    assert tuple(row[1:4]) == names  # the election day's names (the units were renamed since), in the language
    assert (row[4], row[5]) == (OFFICIAL[language], "official")
    assert (row[16], row[17]) == (INCOMPLETE[language], "incomplete")  # station 2 is not counted
    assert row[20] == "incomplete"
    assert row[21] == LOCAL  # the election's zone, to the second: no microseconds, no UTC
    assert (row[22], row[23]) == ({"kk": "кезекті", "ru": "очередные", "en": "regular"}[language], "regular")
    assert "New name" not in text and "Новое название" not in text and "Жаңа атау" not in text
    assert_one_language(text, language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_candidates_csv_in_each_language(counted, in_language, language):
    client = in_language(language)
    client.force_login(counted.regional)
    text, rows = get_csv(client, counted.election, "candidates")
    assert rows[0] == HEADERS["candidates"][language]
    row = next(r for r in rows[1:] if r[3] == "official" and r[4] == "Ахметов Test")
    assert row[:8] == [
        "352030000",
        NAMES["rural"][language],
        OFFICIAL[language],
        "official",
        "Ахметов Test",
        SELF[language],
        "self",
        "",
    ]
    assert row[8] == "400"
    assert_one_language(text, language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_turnout_csv_in_each_language(counted, in_language, language):
    client = in_language(language)
    client.force_login(counted.regional)
    text, rows = get_csv(client, counted.election, "turnout")
    assert rows[0] == HEADERS["turnout"][language]
    row = next(r for r in rows[1:] if r[1] == "official" and r[3] == "district")
    assert row[:6] == [OFFICIAL[language], "official", DISTRICT_LEVEL[language], "district", "352000000"] + [
        NAMES["district"][language]
    ]
    assert_one_language(text, language)


def test_the_whole_election_row_is_named_in_the_language(counted, in_language):
    client = in_language("kk")
    client.force_login(counted.cec)
    _text, rows = get_csv(client, counted.election, "turnout")
    assert [r[5] for r in rows[1:] if r[3] == "election"] == ["бүкіл сайлау"] * 2


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_workbook_in_each_language(counted, in_language, language):
    client = in_language(language)
    client.force_login(counted.regional)
    workbook = get_workbook(client, counted.election)
    assert workbook.sheetnames == ["contests", "candidates", "turnout"]  # programs find the sheets by these
    texts = []
    for table in ("contests", "candidates", "turnout"):
        rows = [list(r) for r in workbook[table].iter_rows(values_only=True)]
        assert rows[0] == HEADERS[table][language]
        texts += [str(c) for r in rows for c in r if c is not None]
    contests = [list(r) for r in workbook["contests"].iter_rows(values_only=True)]
    row = next(r for r in contests[1:] if r[0] == "352030000" and r[5] == "official")
    assert tuple(row[1:4]) == (NAMES["rural"][language], NAMES["district"][language], NAMES["region"][language])
    assert (row[4], row[16], row[17]) == (OFFICIAL[language], INCOMPLETE[language], "incomplete")
    # A date cell of the election's wall-clock time (Excel has no zones: the header names it), to the second.
    assert row[21] == datetime.datetime(2021, 7, 26, 2, 0, 5)
    assert_one_language("\n".join(texts), language)


PRINTED = {
    "kk": (
        "Сайлау қорытындылары туралы хаттама",
        "2021 жылғы 26 шілде, сағат 02:00:05 (Asia/Aqtau) есептелді.",
        "Хаттамаға 2021 жылғы 26 шілде, сағат 02:00 (Asia/Aqtau) қол қойылды.",
    ),
    "ru": (
        "Протокол об итогах выборов",
        "Рассчитано 26 июля 2021 г. в 02:00:05 (Asia/Aqtau).",
        "Протокол подписан 26 июля 2021 г. в 02:00 (Asia/Aqtau).",
    ),
    "en": (
        "Protocol of the results of the election",
        "Computed on July 26, 2021 at 02:00:05 (Asia/Aqtau).",
        "Protocol signed on July 26, 2021 at 02:00 (Asia/Aqtau).",
    ),
}
KATO = {"kk": "ӘАОЖ (КАТО)", "ru": "КАТО", "en": "KATO"}
COMMISSION = "ТИК района"  # a commission's name is one text, as registered (not a translation)


def article(html):
    body = html[html.index("<article") : html.index("</article>")]
    return re.sub(r"\s+", " ", re.sub("<[^>]+>", " ", body)).replace(COMMISSION, " ")


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_printable_results_protocol_in_each_language(counted, in_language, language):
    client = in_language(language)
    client.force_login(counted.tec)
    response = client.get(reverse("results_reports:protocol", args=[counted.contest.pk]))
    assert response.status_code == 200
    text = article(response.content.decode())
    heading, computed, signed = PRINTED[language]
    assert heading in text and computed in text and signed in text
    rural, district, region = (NAMES[key][language] for key in ("rural", "district", "region"))
    assert f"{rural} ({KATO[language]} 352030000)" in text
    assert f"{rural}, {district}, {region}" in text  # the place of signing
    assert SELF[language] in text and INCOMPLETE[language] in text
    assert_one_language(text, language)


PRECINCT_HEADING = {
    "kk": "№ 1 учаскелік сайлау комиссиясының дауыс беру нәтижелері туралы хаттамасы",
    "ru": "Протокол участковой избирательной комиссии № 1 об итогах голосования",
    "en": "Protocol of precinct election commission No. 1 on the results of the vote",
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_printable_precinct_protocol_in_each_language(counted, in_language, language):
    client = in_language(language)
    client.force_login(counted.tec)
    response = client.get(reverse("results:protocol_print", args=[counted.protocol.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    text = re.sub(r"\s+", " ", re.sub("<[^>]+>", " ", html[html.index("<article") : html.index("</article>")]))
    text = text.replace("УИК 1", " ")  # the precinct commission's registered name
    assert PRECINCT_HEADING[language] in text
    assert NAMES["rural"][language] in text
    assert f"{NAMES['rural'][language]}, {NAMES['district'][language]}" in text  # the place: election-day names
    assert_one_language(text, language)


DASHBOARD_COMPUTED = {
    "kk": "Нәтижелер 2021 жылғы 26 шілде, сағат 02:00:05 (Asia/Aqtau) есептелді.",
    "ru": "Итоги рассчитаны 26 июля 2021 г. в 02:00:05 (Asia/Aqtau).",
    "en": "Results computed on July 26, 2021 at 02:00:05 (Asia/Aqtau).",
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_dashboard_dates_its_figures_in_the_elections_zone(counted, in_language, language):
    client = in_language(language)
    client.force_login(counted.cec)
    html = client.get(reverse("results_reports:election", args=[counted.election.pk])).content.decode()
    assert f'<span class="computed-at">{DASHBOARD_COMPUTED[language]}</span>' in html
