"""The plain-data elements of the NIST export (results/nist_cdf/elements.py): statuses, names, ids,
the ordered grouping that joins the streams, and the JSON text."""

import json

import pytest

from results.nist_cdf.elements import Groups, array, count_status, post_status, station_id, text, unit_id


@pytest.mark.parametrize(
    ("total", "counted", "certified", "status"),
    [
        (0, 0, 0, "not-processed"),  # no protocol at all
        (2, 0, 0, "not-processed"),
        (2, 1, 0, "in-process"),
        (2, 2, 0, "in-process"),  # every protocol verified, none certified: unofficial
        (2, 2, 1, "in-process"),
        (2, 2, 2, "completed"),  # every protocol certified: official
        (1, 1, 1, "completed"),
    ],
)
def test_count_status(total, counted, certified, status):
    assert count_status(total, counted, certified) == status


def test_text_leaves_empty_names_out_and_keeps_the_languages_order():
    assert [(s["Language"], s["Content"]) for s in text("Алматы", "Алматы", "")["Text"]] == [
        ("kk", "Алматы"),
        ("ru", "Алматы"),
    ]
    assert [s["Language"] for s in text("а", "б", "c")["Text"]] == ["kk", "ru", "en"]


def test_ids():
    assert unit_id("352030000") == "gpu-352030000"
    assert station_id("352000000", 7) == "gpu-352000000-7"


def test_groups_hand_out_ascending_keys_and_skip_the_others():
    rows = iter([{"k": 1, "v": "a"}, {"k": 1, "v": "b"}, {"k": 3, "v": "c"}, {"k": 5, "v": "d"}])
    groups = Groups(rows, "k")
    assert [r["v"] for r in groups.take(1)] == ["a", "b"]
    assert groups.take(2) == []
    assert [r["v"] for r in groups.take(5)] == ["d"]  # 3 was never asked for
    assert groups.take(6) == []


@pytest.mark.parametrize(
    ("outcome", "statuses"),
    [
        (None, [None, None]),
        ({"outcome": "elected", "winner_id": 1, "runoff": []}, ["winner", "defeated"]),
        ({"outcome": "runoff", "winner_id": None, "runoff": [2]}, ["defeated", "advanced-to-runoff"]),
        ({"outcome": "tie", "winner_id": None, "runoff": []}, [None, None]),
        ({"outcome": "incomplete", "winner_id": None, "runoff": []}, [None, None]),
    ],
)
def test_post_election_status(outcome, statuses):
    assert [post_status(pk, outcome) for pk in (1, 2)] == statuses


def test_array_is_one_chunk_per_item_and_valid_json():
    assert "".join(array([])) == "[]"
    chunks = list(array([{"b": 1, "a": "ә"}, {"c": 2}]))
    assert chunks == ["[", '\n{"a":"ә","b":1}', ',\n{"c":2}', "\n]"]
    assert json.loads("".join(chunks)) == [{"a": "ә", "b": 1}, {"c": 2}]
