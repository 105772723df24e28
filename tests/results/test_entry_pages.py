"""The entry and resolution pages a tired clerk cannot misuse (issue 15, points 1-5).

No decision by accident (no default choice, Enter submits nothing, a resolution only on an explicit
confirmation that showed what becomes official), every rejected form given back as typed with the
cursor on the first field in fault, control results shown once and named as on the paper, and a
form sent twice making one entry.
"""

import re

import pytest
from django.test import override_settings
from django.urls import reverse

from core.models import AuditEvent
from results.models import ProtocolEntry, ProtocolState

from .factories import World, member, user
from .helpers import actions, first_done, fresh, in_discrepancy, snapshot

pytestmark = pytest.mark.django_db


def form_data(w, version, action="finish", **overrides):
    values = w.values(**overrides)
    data = {k: v for k, v in values.items() if k != "votes"}
    data.update({f"vote_{cid}": n for cid, n in values["votes"].items()})
    data["version"] = str(version)
    if action is not None:
        data["action"] = action
    return data


def entry_url(p):
    return reverse("results:entry", args=[p.pk])


def resolve_url(p):
    return reverse("results:resolve", args=[p.pk])


def autofocused(html):
    """The id of the one element with autofocus (the page must have at most one)."""
    found = re.findall(r"<(?:input|textarea|button|select)[^>]*\bautofocus\b[^>]*>", html)
    assert len(found) <= 1, found
    return re.search(r'id="([^"]+)"', found[0]).group(1) if found else None


def first_submit_button(html, form_id):
    """The opening tag of the form's first submit button (its default button for Enter)."""
    form = html[html.index(f'id="{form_id}"') :]
    form = form[: form.index("</form>")]
    return re.search(r"<button[^>]*>", form).group(0)


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


# --- 1. the compare page: no default, an explicit confirmation, a message that names the entry ---


def test_the_compare_page_has_no_default_choice_and_no_cursor_in_a_note(client, world):
    protocol = in_discrepancy(world)
    client.force_login(world.chair)
    html = client.get(reverse("results:discrepancy", args=[protocol.pk])).content.decode()
    assert 'name="choice" value="keep_1"' in html and "checked" not in html
    assert "{#" not in html and "#}" not in html
    assert autofocused(html) is None
    for form_id in ("keep-form", "correct-form"):  # what Enter presses without the script: "show again"
        button = first_submit_button(html, form_id)
        assert 'name="step" value="stay"' in button and 'name="confirm"' not in button


@pytest.mark.parametrize("choice", ["keep_1", "discard", "correct"])
def test_the_default_button_shows_the_page_again_as_typed(client, world, choice):
    protocol = in_discrepancy(world)
    client.force_login(world.chair)
    data = form_data(world, protocol.version, action=None, spoiled="12")
    data.update({"choice": choice, "reason": "typed", "step": "stay", "confirm": "yes"})
    before = snapshot(protocol)
    html = client.post(resolve_url(protocol), data).content.decode()
    assert snapshot(protocol) == before
    if choice == "correct":
        assert 'name="spoiled" value="12"' in html and ">typed</textarea>" in html
    else:
        assert f'value="{choice}" id="choice-{choice}" checked' in html and ">typed</textarea>" in html


@pytest.mark.parametrize("choice", ["keep_1", "keep_2", "discard", "correct"])
def test_a_post_without_the_confirmation_decides_nothing(client, world, choice):
    protocol = in_discrepancy(world)
    client.force_login(world.chair)
    data = form_data(world, protocol.version, action=None, spoiled="12", unused="238")
    data.update({"choice": choice, "reason": "checked the paper"})
    before = snapshot(protocol)
    for extra in ({}, {"confirm": ""}, {"confirm": "no"}, {"step": "review"}):
        response = client.post(resolve_url(protocol), {**data, **extra})
        assert response.status_code == 200
        assert snapshot(protocol) == before
    assert 'name="confirm" value="yes"' in response.content.decode()


def test_the_review_shows_what_becomes_official_and_the_figures_that_change(client, world):
    protocol = in_discrepancy(world)  # entry 2 has S 11, U 239 where entry 1 has 10, 240
    client.force_login(world.chair)
    data = {"choice": "keep_1", "reason": "the paper says 10", "version": protocol.version}
    review = client.post(resolve_url(protocol), data)
    html = review.content.decode()
    assert "You are about to keep entry 1 by clerk1" in html
    assert [r["path"] for r in review.context["changed"]] == ["spoiled", "unused"]
    rows = {r["path"]: r for r in review.context["rows"]}
    assert (rows["spoiled"]["a"], rows["spoiled"]["b"], rows["spoiled"]["o"]) == (10, 11, 10)
    assert html.count('class="changes"') == 2
    assert autofocused(html) == "back-to-compare"  # a second Enter goes back, never confirms
    assert "2 figures differ from one of the entries" in html


def test_confirming_resolves_and_names_the_entry_kept_and_its_clerk(client, world):
    protocol = in_discrepancy(world)
    client.force_login(world.chair)
    data = {"choice": "keep_1", "reason": "the paper says 10", "version": protocol.version, "confirm": "yes"}
    response = client.post(resolve_url(protocol), data, follow=True)
    assert messages_of(response) == ["Entry 1 by clerk1 kept: its figures are now the official ones."]
    protocol = fresh(protocol)
    assert (protocol.state, protocol.spoiled, protocol.official_entry.clerk) == (
        ProtocolState.VERIFIED,
        10,
        world.clerk1,
    )


def test_discarding_both_names_both_clerks(client, world):
    protocol = in_discrepancy(world)
    client.force_login(world.chair)
    data = {"choice": "discard", "reason": "both wrong", "version": protocol.version, "confirm": "yes"}
    response = client.post(resolve_url(protocol), data, follow=True)
    assert messages_of(response) == [
        "Both entries (by clerk1 and clerk2) are discarded: the protocol awaits two fresh entries."
    ]
    assert fresh(protocol).state == ProtocolState.EMPTY


def test_no_choice_is_an_error_next_to_the_choices(client, world):
    protocol = in_discrepancy(world)
    client.force_login(world.chair)
    before = snapshot(protocol)
    response = client.post(
        resolve_url(protocol), {"reason": "typed reason", "version": protocol.version, "confirm": "yes"}
    )
    html = response.content.decode()
    assert response.status_code == 422 and snapshot(protocol) == before
    assert 'id="choice-error"' in html and autofocused(html) == "choice-keep_1"


@pytest.mark.parametrize("choice", ["keep_1", "discard"])
def test_keeping_or_discarding_without_a_reason_gives_the_choice_back(client, world, choice):
    protocol = in_discrepancy(world)
    client.force_login(world.chair)
    before = snapshot(protocol)
    for confirm in ("", "yes"):
        response = client.post(
            resolve_url(protocol), {"choice": choice, "reason": "  ", "version": protocol.version, "confirm": confirm}
        )
        html = response.content.decode()
        assert response.status_code == 422 and snapshot(protocol) == before
        assert f'value="{choice}" id="choice-{choice}" checked' in html
        assert 'id="keep-reason-error"' in html and autofocused(html) == "keep-reason"


# --- 2. rejected forms come back as typed ----------------------------------------------------------


def test_corrected_figures_without_a_reason_come_back_as_typed(client, world):
    protocol = in_discrepancy(world)
    client.force_login(world.chair)
    data = form_data(world, protocol.version, action=None, spoiled="12", unused="238", voters="1001")
    data.update({"choice": "correct", "reason": ""})
    before = snapshot(protocol)
    response = client.post(resolve_url(protocol), data)
    html = response.content.decode()
    assert response.status_code == 422 and snapshot(protocol) == before
    for name, typed in (("spoiled", "12"), ("unused", "238"), ("voters", "1001")):
        assert f'name="{name}" value="{typed}"' in html  # never entry 1's 10, 240, 1000
    assert 'id="correct-reason-error"' in html and autofocused(html) == "correct-reason"


def test_corrected_figures_failing_a_control_focus_the_first_field_in_fault(client, world):
    protocol = in_discrepancy(world)
    client.force_login(world.chair)
    data = form_data(world, protocol.version, action=None, spoiled="x12", invalid="31")
    data.update({"choice": "correct", "reason": "recount"})
    response = client.post(resolve_url(protocol), data)
    html = response.content.decode()
    assert response.status_code == 422
    assert 'name="spoiled" value="x12"' in html and 'name="invalid" value="31"' in html
    assert 'id="correct-reason" name="reason"' in html and ">recount</textarea>" in html
    assert autofocused(html) == "f-spoiled"


def test_going_back_from_the_review_gives_the_corrected_figures_back(client, world):
    protocol = in_discrepancy(world)
    client.force_login(world.chair)
    data = form_data(world, protocol.version, action=None, spoiled="12", unused="238")
    data.update({"choice": "correct", "reason": "recount", "step": "back"})
    html = client.post(resolve_url(protocol), data).content.decode()
    assert 'name="spoiled" value="12"' in html and ">recount</textarea>" in html


def test_the_correction_form_starts_with_the_agreed_figures_only(client, world):
    protocol = in_discrepancy(world)
    client.force_login(world.chair)
    html = client.get(reverse("results:discrepancy", args=[protocol.pk])).content.decode()
    assert 'name="voters" value="1000"' in html
    assert 'name="spoiled" value=""' in html and 'name="unused" value=""' in html


def test_a_refused_entry_gives_back_every_typed_value_and_explanation(client, world):
    client.force_login(world.clerk1)
    data = form_data(world, 0, found_stationary="699", invalid="29", spoiled="1O")
    data.update({"why_found.below_issued": "typed, not ticked"})
    html = client.post(entry_url(world.protocol), data).content.decode()
    assert 'name="spoiled" value="1O"' in html and 'name="found_stationary" value="699"' in html
    assert autofocused(html) == "f-spoiled"


def test_warnings_to_confirm_take_the_cursor_when_the_figures_are_right(client, world):
    client.force_login(world.clerk1)
    data = form_data(world, 0, found_stationary="699", invalid="29")
    html = client.post(entry_url(world.protocol), data).content.decode()
    assert autofocused(html) == "why-found.below_issued"
    data.update({"why_found.below_issued": "a voter left with it", "version": str(fresh(world.protocol).version)})
    html = client.post(entry_url(world.protocol), data).content.decode()
    assert 'value="a voter left with it"' in html and autofocused(html) == "ack-found.below_issued"


# --- 3. control results: once, linked, named as on the paper --------------------------------------


def test_a_relation_is_shown_once_with_links_and_its_fields_highlighted(client, world):
    client.force_login(world.clerk1)
    html = client.post(entry_url(world.protocol), form_data(world, 0, ballots_received="999")).content.decode()
    assert html.count('data-code="ballots.balance"') == 1
    assert '<code class="formula">R = Is + Im + S + U</code>' in html
    assert "R = 999 must equal Is + Im + S + U = 700 + 50 + 10 + 240 = 1000 (difference -1)" in html
    for name in ("ballots_received", "issued_station", "issued_mobile", "spoiled", "unused"):
        assert f'href="#f-{name}"' in html
    assert html.count('class="row fault-related"') == 5
    assert 'class="row fault-error"' not in html  # no field is wrong on its own
    assert autofocused(html) == "f-ballots_received"


def test_candidates_are_named_by_ballot_number_and_name_never_by_id(client, world):
    client.force_login(world.clerk1)
    data = form_data(world, 0)
    data[f"vote_{world.c2.pk}"] = "abc"
    html = client.post(entry_url(world.protocol), data).content.decode()
    text = re.sub(r"<[^>]+>", " ", html)
    assert f"votes.{world.c2.pk}" not in text
    assert "Бекова Test (№ 2) must be a whole number" in text
    assert "№ 2 Бекова Test" in text  # the link to the field in the summary


def test_no_against_all_where_the_ballot_has_none(client, world):
    client.force_login(world.clerk1)
    html = client.post(entry_url(world.protocol), form_data(world, 0, invalid="31")).content.decode()
    assert "against all" not in html.lower() and "+ A" not in html
    assert "= 31 + 720 = 751 (difference -1)" in html
    assert '<code class="formula">Fs + Fm = N + (№1 + №2 + №3)</code>' in html


def test_against_all_in_the_formula_where_the_ballot_has_it(client, db):
    from core import clock
    from results.services import create_protocols_for_contest
    from tests.results.factories import COUNTING

    with clock.frozen(COUNTING):
        w = World(against_all=True)
        create_protocols_for_contest(w.contest, w.cec)
        protocol = w.contest.protocols.get(polling_station=w.station)
        client.force_login(w.clerk1)
        html = client.post(entry_url(protocol), form_data(w, 0, invalid="21")).content.decode()
    assert "against all = 21 + 720 + 10 = 751" in html
    assert '<code class="formula">Fs + Fm = N + (№1 + №2 + №3) + A</code>' in html
    assert "N + candidates’ votes + A" in html


# --- 4. the keyboard: Enter moves on, draft is never the default ----------------------------------


def test_the_entry_forms_default_button_only_checks_and_finish_comes_before_draft(client, world):
    client.force_login(world.clerk1)
    html = client.get(entry_url(world.protocol)).content.decode()
    assert 'name="action" value="check"' in first_submit_button(html, "entry-form")
    assert html.index('id="finish-entry"') < html.index('id="save-draft"')
    assert autofocused(html) == "f-voters"
    assert "{#" not in html and "#}" not in html  # no template comment leaks onto the page


@pytest.mark.parametrize("action", [None, "check", "bogus"])
def test_an_entry_post_without_draft_or_finish_saves_nothing(client, world, action):
    client.force_login(world.clerk1)
    before = snapshot(world.protocol)
    response = client.post(entry_url(world.protocol), form_data(world, 0, action=action, ballots_received="999"))
    assert response.status_code == 200 and snapshot(world.protocol) == before
    html = response.content.decode()
    assert 'name="ballots_received" value="999"' in html and 'data-code="ballots.balance"' in html


# --- 5. a form sent twice makes one entry, never an error page ------------------------------------


def test_a_finish_sent_twice_makes_one_entry(client, world):
    client.force_login(world.clerk1)
    data = {**form_data(world, 0), "submission": "a1b2c3d4e5f6a7b8"}
    first = client.post(entry_url(world.protocol), data)
    second = client.post(entry_url(world.protocol), data, follow=True)
    assert first.status_code == 302 and second.status_code == 200
    assert messages_of(second)[-1].startswith("Entry finished.")
    protocol = fresh(world.protocol)
    assert protocol.entries.count() == 1 and protocol.state == ProtocolState.FIRST_ENTRY_DONE
    assert actions(protocol) == ["protocol.start_first", "protocol.finish_first"]


def test_a_second_entry_sent_twice_makes_one_entry(client, world):
    protocol = first_done(world)
    client.force_login(world.clerk2)
    data = {**form_data(world, protocol.version), "submission": "second-entry-token"}
    client.post(entry_url(protocol), data)
    response = client.post(entry_url(protocol), data)
    assert response.status_code == 302
    assert fresh(protocol).state == ProtocolState.VERIFIED and protocol.entries.count() == 2


def test_a_refused_finish_sent_twice_is_refused_twice_with_one_draft(client, world):
    client.force_login(world.clerk1)
    data = {**form_data(world, 0, ballots_received="999"), "submission": "refused-token-1"}
    assert client.post(entry_url(world.protocol), data).status_code == 422
    assert client.post(entry_url(world.protocol), data).status_code == 422
    protocol = fresh(world.protocol)
    assert protocol.entries.count() == 1 and protocol.entries.get().status == ProtocolEntry.Status.DRAFT


def test_without_a_token_a_resent_form_is_stale_not_a_second_entry(client, world):
    client.force_login(world.clerk1)
    data = form_data(world, 0)
    client.post(entry_url(world.protocol), data)
    response = client.post(entry_url(world.protocol), data, follow=True)
    assert response.status_code == 200 and "Reload the page" in " ".join(messages_of(response))
    assert fresh(world.protocol).entries.count() == 1


def test_another_users_token_is_not_a_replay(client, world):
    protocol = first_done(world)
    ProtocolEntry.objects.filter(protocol=protocol).update(submission="shared-token-123")
    client.force_login(world.clerk2)
    data = {**form_data(world, protocol.version), "submission": "shared-token-123"}
    client.post(entry_url(protocol), data)
    assert fresh(protocol).state == ProtocolState.VERIFIED


def test_a_confirmation_sent_twice_resolves_once(client, world):
    protocol = in_discrepancy(world)
    client.force_login(world.chair)
    data = {
        "choice": "keep_2",
        "reason": "paper",
        "version": protocol.version,
        "confirm": "yes",
        "submission": "resolve-token-1",
    }
    client.post(resolve_url(protocol), data)
    again = client.post(resolve_url(protocol), data, follow=True)
    assert again.status_code == 200
    assert messages_of(again)[-1] == "Entry 2 by clerk2 kept: its figures are now the official ones."
    assert actions(protocol).count("protocol.resolve_keep_entry") == 1


def test_the_local_copy_is_cleared_once_the_server_saved_it(client, world):
    client.force_login(world.clerk1)
    html = client.get(entry_url(world.protocol)).content.decode()
    key = f"electadmin.entry.{world.protocol.pk}.1.{world.clerk1.pk}"
    assert f'data-storage-key="{key}"' in html and "clear-storage" not in html
    response = client.post(entry_url(world.protocol), form_data(world, 0), follow=True)
    assert f'id="clear-storage" data-key="{key}"' in response.content.decode()
    assert "clear-storage" not in client.get(reverse("results:my_stations")).content.decode()  # once


# --- 17.1: three people, reasons, certifiers do not enter -----------------------------------------


def test_a_chair_who_made_an_entry_cannot_resolve_it(client, world):
    from results.errors import ResolverMadeAnEntry
    from results.services import resolve_keep_entry, review_resolution, save_entry

    save_entry(world.protocol, world.chair, world.values(), finish=True)
    save_entry(world.protocol, world.clerk2, world.values(spoiled="11", unused="239"), finish=True)
    before = snapshot(world.protocol)
    with pytest.raises(ResolverMadeAnEntry):
        review_resolution(world.protocol, world.chair, "keep_1", reason="mine is right")
    with pytest.raises(ResolverMadeAnEntry):
        resolve_keep_entry(world.protocol, world.chair, 1, reason="mine is right")
    assert snapshot(world.protocol) == before
    client.force_login(world.chair)
    data = {"choice": "keep_1", "reason": "x", "version": fresh(world.protocol).version, "confirm": "yes"}
    response = client.post(resolve_url(world.protocol), data, follow=True)
    assert "three different people" in " ".join(messages_of(response)) and snapshot(world.protocol) == before
    resolve_keep_entry(world.protocol, world.regional, 1, reason="a third person")  # anyone else may
    assert fresh(world.protocol).state == ProtocolState.VERIFIED


def _two_member_precinct(w):
    """Station 2's commission: a chair and one clerk, who make the two entries."""
    from results.models import Protocol
    from results.services import save_entry

    chair = member(user("chair2"), w.precinct2, "chair")
    clerk = member(user("clerk-s2"), w.precinct2, "clerk")
    protocol = Protocol.objects.get(contest=w.contest, polling_station=w.station2)
    values = w.values(voters="800")
    save_entry(protocol, chair, values, finish=True)
    save_entry(protocol, clerk, {**values, "spoiled": "11", "unused": "239"}, finish=True)
    return protocol, chair


@pytest.fixture
def with_protocols(world):
    from results.services import create_protocols_for_contest

    create_protocols_for_contest(world.contest, world.cec)
    return world


def test_the_two_member_chair_exception_is_off_by_default(with_protocols):
    from results.errors import ResolverMadeAnEntry
    from results.services import resolve_keep_entry

    protocol, chair = _two_member_precinct(with_protocols)
    with pytest.raises(ResolverMadeAnEntry):
        resolve_keep_entry(protocol, chair, 1, reason="two of us")


@override_settings(RESULTS_TWO_MEMBER_CHAIR_MAY_RESOLVE=True)
def test_the_two_member_chair_exception_is_audited(with_protocols):
    from results.services import resolve_keep_entry

    protocol, chair = _two_member_precinct(with_protocols)
    resolve_keep_entry(protocol, chair, 1, reason="two of us")
    event = AuditEvent.objects.for_object(protocol).order_by("-id").first()
    assert (event.action, event.data["two_member_exception"], event.reason) == (
        "protocol.resolve_keep_entry",
        True,
        "two of us",
    )


@override_settings(RESULTS_TWO_MEMBER_CHAIR_MAY_RESOLVE=True)
def test_the_exception_needs_exactly_two_members(with_protocols):
    from results.errors import ResolverMadeAnEntry
    from results.services import resolve_keep_entry

    w = with_protocols
    protocol, chair = _two_member_precinct(w)
    member(user("third-member"), w.precinct2, "member")
    with pytest.raises(ResolverMadeAnEntry):
        resolve_keep_entry(protocol, chair, 1, reason="three of us now")


@pytest.mark.parametrize("who", ["tec", "regional", "cec", "superuser"])
def test_who_may_certify_may_not_enter(world, who):
    from results.errors import CertifierMayNotEnter
    from results.services import save_entry

    if who == "superuser":
        world.superuser = user("root", is_staff=True, is_superuser=True)
    before = snapshot(world.protocol)
    with pytest.raises(CertifierMayNotEnter):
        save_entry(world.protocol, getattr(world, who), world.values())
    assert snapshot(world.protocol) == before


def test_a_certifier_sees_why_the_entry_form_is_closed(client, world):
    client.force_login(world.tec)
    response = client.get(entry_url(world.protocol))
    assert response.context["may_enter"] is False and 'id="entry-form"' not in response.content.decode()
    assert "you may not enter it" in response.content.decode()
