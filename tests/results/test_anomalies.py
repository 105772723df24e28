"""Anomaly flags (results.anomalies) on constructed stations: each flag raised on one side of its
threshold and not on the other; the integer-percentage arithmetic against brute force."""

from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from results import anomalies as a


def station(n, *, contest=1, district=7, voters=10000, issued=5000, invalid=0, mobile=0, leader=None):
    """A station numbered `n` whose every issued ballot was found; `leader`: the leader's votes."""
    return a.Station(
        contest=contest,
        polling_station=n,
        district=district,
        voters=voters,
        issued=issued,
        found=issued,
        found_mobile=mobile,
        invalid=invalid,
        leader_votes=leader,
    )


def codes(flags, code):
    return sorted(f.polling_station for f in flags if f.code == code)


# Six stations at 49, 49, 50, 50, 51, 51% and a seventh at x: median 50%, MAD 1 pp (x beyond 51),
# so z = (x - 50) / 1.4826 and |z| >= 3.5 from 5.1891 pp away.
BASE = [4900, 4900, 5000, 5000, 5100, 5100]


def turnout_group(seventh):
    return [station(i, issued=v) for i, v in enumerate(BASE, 1)] + [station(99, issued=seventh)]


@pytest.mark.parametrize(("seventh", "flagged"), [(5519, True), (5518, False), (4481, True), (4482, False)], ids=str)
def test_turnout_outlier_both_sides_of_the_threshold_both_ways(seventh, flagged):
    assert codes(a.station_flags(turnout_group(seventh)), a.TURNOUT_OUTLIER) == ([99] if flagged else [])


def test_turnout_outlier_values():
    (flag,) = [f for f in a.station_flags(turnout_group(5519)) if f.code == a.TURNOUT_OUTLIER]
    assert (flag.contest, flag.polling_station, flag.district) == (1, 99, 7)
    assert flag.values == {
        "percent": "55.19",
        "district_median": "50.00",
        "z": "3.50",
        "stations": 7,
        "part": 5519,
        "whole": 10000,
    }


def test_fewer_than_five_stations_are_not_judged_five_are():
    four = [station(1, issued=4900), station(2, issued=5000), station(3, issued=5100), station(4, issued=9000)]
    assert codes(a.station_flags(four), a.TURNOUT_OUTLIER) == []
    five = [*four[:3], station(5, issued=5000), station(4, issued=9000)]
    assert codes(a.station_flags(five), a.TURNOUT_OUTLIER) == [4]


def test_districts_are_judged_apart():
    # The same seventh value in another district: alone there, not judged.
    group = turnout_group(5000) + [station(99 + i, district=8, issued=9000) for i in range(1)]
    assert codes(a.station_flags(group), a.TURNOUT_OUTLIER) == []


def test_zero_mad_uses_the_mean_absolute_deviation_and_equal_values_flag_nothing():
    assert a.robust_scores([0, 0, 0, 0, 0, 6]) == pytest.approx([0, 0, 0, 0, 0, 6 / 1.2533])
    same = [station(i, issued=5000) for i in range(1, 7)]
    assert a.station_flags(same) == []
    one_off = [*same, station(99, issued=5001)]
    assert codes(a.station_flags(one_off), a.TURNOUT_OUTLIER) == [99]


def leader_group(seventh):
    # Leader's votes of 5,000 valid ballots: 49, 49, 50, 50, 51, 51% and x.
    return [station(i, issued=10000, leader=v) for i, v in enumerate(BASE, 1)] + [
        station(99, issued=10000, leader=seventh)
    ]


@pytest.mark.parametrize(("seventh", "flagged"), [(5519, True), (5518, False), (4481, True), (4482, False)], ids=str)
def test_leader_share_outlier_both_sides(seventh, flagged):
    assert codes(a.station_flags(leader_group(seventh)), a.LEADER_SHARE_OUTLIER) == ([99] if flagged else [])


def test_without_a_leader_no_share_is_judged():
    assert codes(a.station_flags([station(i, leader=None) for i in range(1, 8)]), a.LEADER_SHARE_OUTLIER) == []


@pytest.mark.parametrize(
    ("field", "code"), [("invalid", a.INVALID_SHARE_HIGH), ("mobile", a.MOBILE_SHARE_HIGH)], ids=str
)
@pytest.mark.parametrize(("seventh", "flagged"), [(1519, True), (1518, False), (481, False)], ids=str)
def test_invalid_and_mobile_shares_only_far_above(field, code, seventh, flagged):
    # Of 10,000 ballots found: 9, 9, 10, 10, 11, 11% and x; one-sided (far below is no flag).
    shares = [900, 900, 1000, 1000, 1100, 1100, seventh]
    group = [
        station(n, issued=10000, voters=20000, **{field: v})
        for n, v in zip([1, 2, 3, 4, 5, 6, 99], shares, strict=True)
    ]
    assert codes(a.station_flags(group), code) == ([99] if flagged else [])


@pytest.mark.parametrize(("issued", "flagged"), [(1000, True), (990, True), (989, False)])
def test_turnout_near_full_from_99_percent(issued, flagged):
    flags = a.station_flags([station(1, voters=1000, issued=issued)])
    assert codes(flags, a.TURNOUT_NEAR_FULL) == ([1] if flagged else [])


def test_contest_near_full_on_its_totals():
    flagged = a.contest_flags([station(1, voters=1000, issued=1000), station(2, voters=1000, issued=980)])
    assert [(f.code, f.contest, f.polling_station, f.values) for f in flagged] == [
        (a.TURNOUT_NEAR_FULL, 1, None, {"percent": "99.00", "part": 1980, "whole": 2000})
    ]
    assert a.contest_flags([station(1, voters=1000, issued=1000), station(2, voters=1000, issued=979)]) == []


def test_sits_on_round_within_five_thousandths_of_a_point():
    assert a.sits_on_round(800, 1000) and not a.sits_on_round(801, 1000)
    assert a.sits_on_round(1, 20000)  # 0.005%: on the window's edge
    assert not a.sits_on_round(2, 20000)  # 0.01%
    assert a.sits_on_round(19999, 20000)  # 99.995%
    assert a.sits_on_round(1009, 1009) and a.sits_on_round(0, 1009)


@given(st.integers(min_value=1, max_value=3000))
def test_round_chance_counts_the_numerators_that_sit_on_round_percentages(n):
    brute = sum(a.sits_on_round(k, n) for k in range(n + 1)) / (n + 1)
    assert a.round_chance(n) == pytest.approx(brute, abs=1e-12)


def test_round_chance_pinned():
    assert a.round_chance(500) == 101 / 501  # every fifth voter is a whole percent
    assert a.round_chance(1009) == 12 / 1010
    assert a.round_chance(0) == 0.0


def test_poisson_tail():
    assert a.poisson_tail(0, 2.0) == 1.0
    assert a.poisson_tail(1, 2.0) == pytest.approx(1 - 0.1353352832366127)
    assert a.poisson_tail(3, 0.5) == pytest.approx(1 - 0.6065306597126334 * (1 + 0.5 + 0.125))


# Numerators of 1,009 that sit on a round percentage (1,009 is a prime: only 12 of 0..1,009 do).
ROUND_OF_1009 = [k for k in range(1010) if a.sits_on_round(k, 1009)]


def _issued(round_, index):
    """Ballots issued at a 1,009-voter station: on a round percentage or, for the others, off one."""
    if round_:
        return ROUND_OF_1009[5 + index]
    k = 600 + 10 * index
    assert not a.sits_on_round(k, 1009)
    return k


def peak_group(n_round, n_stations=10):
    # 1,009 voters (a prime): a round turnout has a chance of 12/1,010; 10 stations expect 0.12.
    return [station(i, voters=1009, issued=_issued(i <= n_round, i), district=3) for i in range(1, n_stations + 1)]


def test_integer_peak_in_turnout_flags_the_round_stations_when_significant():
    flags = a.station_flags(peak_group(3))
    assert codes(flags, a.TURNOUT_INTEGER_PEAK) == [1, 2, 3]
    first = next(f for f in flags if f.code == a.TURNOUT_INTEGER_PEAK)
    assert first.values == {
        "percent": "55.00",
        "round": 55,
        "stations": 10,
        "round_stations": 3,
        "expected": "0.12",
    }


def test_integer_peak_not_significant_or_too_few_stations():
    # 2 round of 10: P = 0.0066 > 0.001; 3 round of 9 stations: not judged.
    assert codes(a.station_flags(peak_group(2)), a.TURNOUT_INTEGER_PEAK) == []
    assert codes(a.station_flags(peak_group(3, n_stations=9)), a.TURNOUT_INTEGER_PEAK) == []


def test_integer_peak_in_the_leaders_share():
    group = [station(i, voters=2000, issued=1009, leader=_issued(i <= 3, i), district=3) for i in range(1, 11)]
    flags = a.station_flags(group)
    assert codes(flags, a.LEADER_SHARE_INTEGER_PEAK) == [1, 2, 3]
    assert codes(a.station_flags(group[2:]), a.LEADER_SHARE_INTEGER_PEAK) == []


def test_leaders_most_votes_then_lowest_id():
    assert a.leaders({1: {5: 10, 3: 10, 7: 2}, 2: {9: 1, 4: 0}, 3: {}}) == {1: 3, 2: 9}


def test_fingerprint_bins_turnout_by_leader_share():
    counts = a.fingerprint(
        [
            station(1, voters=1000, issued=1000, leader=1000),  # 100% and 100%: the last bins
            station(2, voters=1000, issued=520, leader=260),  # 52% turnout, 50% share
            station(3, voters=1000, issued=520, leader=None),  # no leader: left out
        ]
    )
    assert len(counts) == 20 and all(len(row) == 20 for row in counts)
    assert counts[19][19] == 1 and counts[10][10] == 1
    assert sum(map(sum, counts)) == 2


def test_values_are_json_ready_text_and_integers():
    assert a._text(Decimal("3.505")) == "3.51"
    for flag in a.station_flags(turnout_group(9000)) + a.station_flags(peak_group(3)):
        assert all(isinstance(v, str | int) for v in flag.values.values())


OUTLIER = {"percent": "55.19", "district_median": "50.00", "z": "3.50", "stations": 7, "part": 5519, "whole": 10000}
NEAR_FULL = {"percent": "99.00", "part": 1980, "whole": 2000}
PEAK = {"percent": "55.00", "round": 55, "stations": 10, "round_stations": 3, "expected": "0.12"}
SIGNAL = {
    "en": "This is a signal for a closer look, never a verdict: honest counts can show it too.",
    "ru": "Это сигнал для более внимательной проверки, а не вердикт: такое бывает и при честном подсчёте.",
    "kk": "Бұл — мұқият тексеруге арналған белгі, үкім емес: адал санауда да солай болуы мүмкін.",
}
EXPLANATIONS = {
    "en": {
        a.TURNOUT_OUTLIER: "Turnout 55.19% is far from the median of the district's 7 stations, 50.00% "
        "(robust z-score 3.50; flagged from 3.5 either way).",
        a.LEADER_SHARE_OUTLIER: "The leader's share of the valid ballots, 55.19%, is far from the median of the "
        "district's 7 stations, 50.00% (robust z-score 3.50; flagged from 3.5 either way).",
        a.INVALID_SHARE_HIGH: "Invalid ballots are 55.19% of the ballots found, far above the median of the "
        "district's 7 stations, 50.00% (robust z-score 3.50; flagged from 3.5).",
        a.MOBILE_SHARE_HIGH: "Ballots from mobile boxes are 55.19% of the ballots found, far above the median of "
        "the district's 7 stations, 50.00% (robust z-score 3.50; flagged from 3.5).",
        a.TURNOUT_NEAR_FULL: "Turnout is 99.00% (ballots issued: 1,980; voters on the list: 2,000); flagged from 99%.",
        a.TURNOUT_INTEGER_PEAK: "Turnout is 55.00%, a round percentage. In this district 3 of 10 stations sit on "
        "round percentages where about 0.12 would by chance (Kobak, Shpilkin and Pshenichnikov's test; flagged "
        "below a chance of 0.001).",
        a.LEADER_SHARE_INTEGER_PEAK: "The leader's share of the valid ballots is 55.00%, a round percentage. In "
        "this district 3 of 10 stations sit on round percentages where about 0.12 would by chance (Kobak, Shpilkin "
        "and Pshenichnikov's test; flagged below a chance of 0.001).",
    },
    "ru": {
        a.TURNOUT_OUTLIER: "Явка 55,19% сильно отличается от медианы района (7 участков), 50,00% "
        "(робастная z-оценка 3,50; отмечается от 3,5 в любую сторону).",
        a.LEADER_SHARE_OUTLIER: "Доля лидера среди действительных бюллетеней, 55,19%, сильно отличается от медианы "
        "района (7 участков), 50,00% (робастная z-оценка 3,50; отмечается от 3,5 в любую сторону).",
        a.INVALID_SHARE_HIGH: "Недействительные бюллетени составляют 55,19% обнаруженных, намного больше медианы "
        "района (7 участков), 50,00% (робастная z-оценка 3,50; отмечается от 3,5).",
        a.MOBILE_SHARE_HIGH: "Бюллетени из переносных ящиков составляют 55,19% обнаруженных, намного больше медианы "
        "района (7 участков), 50,00% (робастная z-оценка 3,50; отмечается от 3,5).",
        a.TURNOUT_NEAR_FULL: "Явка 99,00% (выдано бюллетеней: 1\xa0980; избирателей в списке: 2\xa0000); "
        "отмечается от 99%.",
        a.TURNOUT_INTEGER_PEAK: "Явка 55,00% — целое число процентов. В этом районе на целых процентах 3 участка "
        "из 10, а случайно было бы около 0,12 (тест Кобака, Шпилькина и Пшеничникова; отмечается при вероятности "
        "ниже 0,001).",
        a.LEADER_SHARE_INTEGER_PEAK: "Доля лидера среди действительных бюллетеней 55,00% — целое число процентов. "
        "В этом районе на целых процентах 3 участка из 10, а случайно было бы около 0,12 (тест Кобака, Шпилькина "
        "и Пшеничникова; отмечается при вероятности ниже 0,001).",
    },
    "kk": {
        a.TURNOUT_OUTLIER: "Сайлауға қатысу 55,19% аудандағы 7 учаскенің медианасынан, 50,00%, едәуір алшақ "
        "(робастық z-бағасы 3,50; екі бағытта да 3,5 шамасынан бастап белгіленеді).",
        a.LEADER_SHARE_OUTLIER: "Көшбасшының жарамды бюллетеньдердегі үлесі, 55,19%, аудандағы 7 учаскенің "
        "медианасынан, 50,00%, едәуір алшақ (робастық z-бағасы 3,50; екі бағытта да 3,5 шамасынан бастап "
        "белгіленеді).",
        a.INVALID_SHARE_HIGH: "Жарамсыз бюллетеньдер табылған бюллетеньдердің 55,19% құрайды, бұл аудандағы 7 "
        "учаскенің медианасынан, 50,00%, әлдеқайда жоғары (робастық z-бағасы 3,50; 3,5 шамасынан бастап "
        "белгіленеді).",
        a.MOBILE_SHARE_HIGH: "Көшпелі жәшіктердегі бюллетеньдер табылған бюллетеньдердің 55,19% құрайды, бұл "
        "аудандағы 7 учаскенің медианасынан, 50,00%, әлдеқайда жоғары (робастық z-бағасы 3,50; 3,5 шамасынан "
        "бастап белгіленеді).",
        a.TURNOUT_NEAR_FULL: "Сайлауға қатысу 99,00% (берілген бюллетеньдер: 1\xa0980; тізімдегі сайлаушылар: "
        "2\xa0000); белгілеу шегі: 99%.",
        a.TURNOUT_INTEGER_PEAK: "Сайлауға қатысу 55,00%, бұл бүтін пайыз. Бұл ауданда 10 учаскенің 3 бүтін "
        "пайызға тең, ал кездейсоқ жағдайда шамамен 0,12 болар еді (Кобак, Шпилькин және Пшеничников сынағы; "
        "ықтималдығы 0,001 шамасынан төмен болса белгіленеді).",
        a.LEADER_SHARE_INTEGER_PEAK: "Көшбасшының жарамды бюллетеньдердегі үлесі 55,00%, бұл бүтін пайыз. Бұл "
        "ауданда 10 учаскенің 3 бүтін пайызға тең, ал кездейсоқ жағдайда шамамен 0,12 болар еді (Кобак, Шпилькин "
        "және Пшеничников сынағы; ықтималдығы 0,001 шамасынан төмен болса белгіленеді).",
    },
}
VALUES = {
    a.TURNOUT_OUTLIER: OUTLIER,
    a.LEADER_SHARE_OUTLIER: OUTLIER,
    a.INVALID_SHARE_HIGH: OUTLIER,
    a.MOBILE_SHARE_HIGH: OUTLIER,
    a.TURNOUT_NEAR_FULL: NEAR_FULL,
    a.TURNOUT_INTEGER_PEAK: PEAK,
    a.LEADER_SHARE_INTEGER_PEAK: PEAK,
}


@pytest.mark.parametrize("language", ["en", "ru", "kk"])
@pytest.mark.parametrize("code", a.CODES)
def test_every_explanation_pinned_in_each_language_and_says_it_is_no_verdict(code, language):
    with translation.override(language):
        assert a.explain(code, VALUES[code]) == f"{EXPLANATIONS[language][code]} {SIGNAL[language]}"


@pytest.mark.parametrize(
    ("language", "one", "few"),
    [
        ("en", "1 of 10 stations sits on a round percentage", "3 of 10 stations sit on round percentages"),
        ("ru", "на целых процентах 1 участок из 10", "на целых процентах 3 участка из 10"),
        ("kk", "10 учаскенің 1 бүтін пайызға тең", "10 учаскенің 3 бүтін пайызға тең"),
    ],
)
def test_the_peak_explanation_agrees_with_its_count(language, one, few):
    with translation.override(language):
        assert one in a.explain(a.TURNOUT_INTEGER_PEAK, {**PEAK, "round_stations": 1})
        assert few in a.explain(a.TURNOUT_INTEGER_PEAK, PEAK)
    with translation.override("ru"):
        many = a.explain(a.TURNOUT_OUTLIER, {**OUTLIER, "stations": 21})
        assert "(21 участок)" in many and "(5 участков)" in a.explain(a.TURNOUT_OUTLIER, {**OUTLIER, "stations": 5})


def test_an_unknown_code_is_shown_as_its_code_with_the_reminder():
    with translation.override("en"):
        assert a.explain("turnout.new_rule", {}) == f"turnout.new_rule {SIGNAL['en']}"


def test_labels_in_each_language():
    with translation.override("ru"):
        assert str(a.LABELS[a.TURNOUT_NEAR_FULL]) == "явка 100% или близка к ней"
    with translation.override("kk"):
        assert str(a.LABELS[a.TURNOUT_NEAR_FULL]) == "сайлауға қатысу 100% немесе оған жақын"
