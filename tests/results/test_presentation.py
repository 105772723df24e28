"""The presentation of control results (results.presentation): each result once, fields named as on paper."""

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from results import controls, presentation

# 70001: an internal id no figure or sum of this test's figures can spell (each at most 1,200, or
# refused): with 1055, invalid = 1055 printed in a sum failed the "never by internal id" check.
CANDIDACIES = {70001: "Ахметов Test", 7: "Бекова Test", 301: "Садыков Test"}
figure = st.one_of(st.integers(0, 1200).map(str), st.sampled_from(["", "x", "-1", "99999999", " 12 "]))


def report(values, against_all=False):
    return controls.run_controls(values, candidacies=CANDIDACIES, against_all=against_all)


@settings(max_examples=200, deadline=None)
@given(
    st.fixed_dictionaries(dict.fromkeys(controls.FIGURE_NAMES, figure)),
    st.fixed_dictionaries({str(cid): figure for cid in CANDIDACIES}),
    st.booleans(),
)
def test_every_result_is_shown_exactly_once_and_never_by_internal_id(values, votes, against_all):
    values = {**values, "votes": votes}
    if against_all:
        values["against_all"] = "0"
    rep = report(values, against_all)
    shown = presentation.shown(rep, CANDIDACIES, against_all)
    places = (
        [m["code"] for m in shown["summary"]]
        + [m["code"] for msgs in shown["at_field"].values() for m in msgs]
        + [w["code"] for w in shown["warnings"]]
    )
    assert sorted(places) == sorted(r.code for r in rep.results)
    texts = [m["text"] for m in shown["summary"] + shown["warnings"]]
    texts += [m["text"] for msgs in shown["at_field"].values() for m in msgs]
    labels = [f["label"] for m in shown["summary"] + shown["warnings"] for f in m["fields"]]
    labels += [f["label"] for f in shown["field_links"]]
    for text in texts + labels:
        assert not re.search(r"votes\.\d", text) and "70001" not in text
        if not against_all:
            assert "against all" not in text.lower() and "+ A" not in text
    errors = [name for name, mark in shown["faulty"].items() if mark in ("error", "related")]
    assert bool(shown["first_fault"]) == bool(errors)


def test_a_relation_highlights_its_fields_and_a_value_error_its_own():
    values = dict.fromkeys(controls.FIGURE_NAMES, "10") | {"votes": {"70001": "1", "7": "x", "301": "1"}}
    values.update(voters="100", ballots_received="41")  # R = 41, Is + Im + S + U = 40
    shown = presentation.shown(report(values), CANDIDACIES, False)
    assert [m["code"] for m in shown["summary"]] == ["ballots.balance"]
    assert shown["faulty"]["vote_7"] == "error" and shown["faulty"]["spoiled"] == "related"
    assert shown["at_field"]["vote_7"][0]["text"] == "Бекова Test (№ 2) must be a whole number, not “x”."
    assert shown["field_links"] == [{"anchor": "f-vote_7", "label": "№ 2 Бекова Test"}]
    assert shown["first_fault"] == "ballots_received"  # paper order: R before the candidates


def test_no_report_shows_nothing():
    assert presentation.shown(None, CANDIDACIES, False)["summary"] == []
