"""The dashboard shows the election a follow-up follows and those following it, the calendar, and a
contest's history across rounds (first round, runoff) on one page; scoped like the dashboard."""

import csv
import io

import pytest
from django.urls import reverse

from registry.models import ContestFollowUp
from tests.registry import factories as rf

from .cycle_world import CycleWorld
from .test_follow_up_elections import walk_to_runoff_term

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def walked(db):
    world = CycleWorld(winner_rule="absolute_majority")
    world.term = walk_to_runoff_term(world)
    world.runoff = world.term.election
    world.first = world.runoff.origin
    world.first_contest = ContestFollowUp.objects.get(follow_up_election=world.runoff).contest
    world.runoff_contest = world.runoff.contests.get()
    return world


def test_dashboard_links_rounds_and_shows_the_calendar(client, walked):
    client.force_login(walked.cec)  # the election's (country's) page: a district's staff start at their district
    first = client.get(reverse("results_reports:election", args=[walked.first.pk])).content.decode()
    runoff_url = reverse("results_reports:election", args=[walked.runoff.pk])
    assert f'href="{runoff_url}"' in first  # the election following it
    assert "Calendar" in first and "runoff day, where no candidate has a majority" in first
    runoff = client.get(runoff_url)
    assert runoff.context["election"].origin == walked.first
    html = runoff.content.decode()
    assert f'href="{reverse("results_reports:election", args=[walked.first.pk])}"' in html  # the one it follows
    assert "runoff day" not in html
    # The contest's page (issue 23: contests are listed on their district's page) links its rounds.
    contest_page = reverse("results_reports:contest", args=[walked.runoff.pk, walked.runoff_contest.pk])
    assert (
        reverse("results_reports:rounds", args=[walked.runoff_contest.pk]) in client.get(contest_page).content.decode()
    )


def test_contest_rounds_on_one_page(client, walked, django_assert_max_num_queries):
    client.force_login(walked.tec)
    for contest in (walked.first_contest, walked.runoff_contest):  # the same history from either round
        with django_assert_max_num_queries(20):
            response = client.get(reverse("results_reports:rounds", args=[contest.pk]))
        assert response.status_code == 200
        rounds = response.context["rounds"]
        assert [r.contest for r in rounds] == [walked.first_contest, walked.runoff_contest]
        assert [r.result.outcome for r in rounds] == ["runoff", "elected"]
        assert [len(r.candidates) for r in rounds] == [3, 2]
        assert [r.follow_up.action for r in rounds] == ["runoff", "winner_registered"]
        html = response.content.decode()
        assert walked.term.person.surname in html
        assert "740" in html and "550" in html  # the runoff's votes


def test_contest_rounds_outside_the_territory_is_not_found(client, walked):
    outsider = rf.user_with_seat("outsider", "regional", rf.unit("390000000", "region"))
    client.force_login(outsider)
    response = client.get(reverse("results_reports:rounds", args=[walked.runoff_contest.pk]))
    assert response.status_code == 404


def csv_rows(client, election):
    response = client.get(reverse("results_reports:csv", args=[election.pk, "contests"]))
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_contest_export_names_the_election_followed_and_the_follow_up(client, walked):
    client.force_login(walked.tec)
    header, *rows = csv_rows(client, walked.first)
    assert header[-6:] == [
        "kind of election",
        "kind of election (code)",
        "follows election (id)",
        "follow-up",
        "follow-up (code)",
        "follow-up election (id)",
    ]
    official = next(r for r in rows if r[5] == "official")
    assert official[-6:] == ["regular", "regular", "", "runoff called", "runoff", str(walked.runoff.pk)]
    header, *rows = csv_rows(client, walked.runoff)
    official = next(r for r in rows if r[5] == "official")
    assert official[-6:] == [
        "runoff (second round)",
        "runoff",
        str(walked.first.pk),
        "winner registered as akim",
        "winner_registered",
        "",
    ]
