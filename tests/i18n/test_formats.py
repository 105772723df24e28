"""Dates, times and numbers in the active language; deadlines in the election's zone (Asia/Almaty), named."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import formats, translation

from registry.admin import show_deadline

ALMATY = ZoneInfo("Asia/Almaty")
REGISTRATION_ENDS = datetime.datetime(2021, 7, 14, 18, 0, tzinfo=ALMATY)


@pytest.mark.parametrize(
    ("language", "date", "number"),
    [
        ("kk", "2021 жылғы 25 шілде", "1\xa0234\xa0567,25"),
        ("ru", "25 июля 2021 г.", "1\xa0234\xa0567,25"),
        ("en", "July 25, 2021", "1,234,567.25"),
    ],
)
def test_dates_and_numbers_follow_the_language(language, date, number):
    with translation.override(language):
        assert formats.date_format(datetime.date(2021, 7, 25)) == date
        assert formats.number_format(1234567.25, 2, force_grouping=True) == number


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("kk", "2021 жылғы 14 шілде, 18:00 (Asia/Almaty, UTC+06:00)"),
        ("ru", "14 июля 2021 г. 18:00 (Asia/Almaty, UTC+06:00)"),
        ("en", "July 14, 2021, 6 p.m. (Asia/Almaty, UTC+06:00)"),
    ],
)
def test_a_deadline_is_shown_in_local_time_with_its_zone(language, expected):
    with translation.override(language):
        assert show_deadline(REGISTRATION_ENDS, ALMATY) == expected
        # The same moment given in UTC is still shown at 18:00 Almaty time.
        assert show_deadline(REGISTRATION_ENDS.astimezone(datetime.UTC), ALMATY) == expected


@pytest.mark.django_db
def test_the_election_page_shows_its_deadlines_in_almaty_time(world, in_language):
    """The 2021 rules: registration ends E-11 (14 July for 25 July) at 18:00 local time."""
    world.election.registration_end_offset_days = -11
    world.election.save()
    world.cec.user_permissions.add(Permission.objects.get(codename="view_election"))
    client = in_language("ru")
    client.force_login(world.cec)
    html = client.get(reverse("admin:registry_election_change", args=[world.election.pk])).content.decode()
    assert "окончание регистрации: 14 июля 2021 г. 18:00 (Asia/Almaty, UTC+06:00)" in html
