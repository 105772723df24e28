"""Reading the entry form's POST into the services' input, and laying the form out like the paper.

The form is plain HTML (no Django Form): its fields are the protocol's figures, one `vote_<id>`
per candidate, and `ack_<code>`/`why_<code>` per warning. Any other posted field is ignored;
a `vote_<id>` of a candidacy outside the contest is passed on and refused by the controls.
"""

from django.utils.translation import gettext_lazy as _

from results.controls import AGAINST_ALL, FIGURES

MAX_POSTED_VOTES = 200  # a forged form cannot make us parse thousands of keys

SECTIONS = (
    (
        _("1. Voters and ballots"),
        ("voters", "ballots_received", "issued_station", "issued_mobile", "spoiled", "unused"),
    ),
    (_("2. Ballot boxes"), ("found_stationary", "found_mobile")),
    (_("3. Counting"), ("invalid",)),
)
_BY_NAME = {name: (code, label) for name, code, label in (*FIGURES, AGAINST_ALL)}


def values_from_post(post, against_all):
    values = {name: post.get(name, "") for name, _c, _l in FIGURES}
    if against_all or post.get("against_all", "").strip():
        values["against_all"] = post.get("against_all", "")
    votes = {}
    for key in list(post.keys())[: MAX_POSTED_VOTES + 50]:
        if key.startswith("vote_") and len(votes) < MAX_POSTED_VOTES:
            votes[key[5:]] = post.get(key, "")
    values["votes"] = votes
    return values


def acknowledgements_from_post(post):
    return {
        key[4:]: post.get(f"why_{key[4:]}", "")
        for key in post
        if key.startswith("ack_") and post.get(key) in ("on", "1", "yes")
    }


def explanations_from_post(post):
    """Every warning's explanation as typed, checked or not (a rejected form gives them back)."""
    return {key[4:]: post.get(key, "") for key in list(post.keys())[:MAX_POSTED_VOTES] if key.startswith("why_")}


def _shown(value):
    return "" if value is None else str(value)


def warning_rows(shown, acknowledged, explanations=None):
    """The warnings to confirm, each once, with what the user ticked and typed."""
    explanations = explanations or {}
    return [
        {
            "code": w["code"],
            "text": w["text"],
            "formula": w["formula"],
            "fields": w["fields"],
            "checked": w["code"] in acknowledged,
            "why": explanations.get(w["code"], acknowledged.get(w["code"], "")),
        }
        for w in shown["warnings"]
    ]


def layout(values, candidacies, against_all, shown):
    """Sections of rows {name, code, label, value, fault, messages} in paper order, candidates (by
    ballot number) in section 3; `shown` is `presentation.shown(...)` of the report (or of None)."""
    values = values or {}
    votes = values.get("votes") or {}

    def row(name, code, label, value):
        return {
            "name": name,
            "code": code,
            "label": label,
            "value": _shown(value),
            "fault": shown["faulty"].get(name, ""),
            "messages": shown["at_field"].get(name, []),
            "autofocus": name == shown["first_fault"],
        }

    sections = [
        {"title": title, "rows": [row(name, _BY_NAME[name][0], _BY_NAME[name][1], values.get(name)) for name in names]}
        for title, names in SECTIONS
    ]
    counting = sections[-1]["rows"]
    for number, (cid, name) in enumerate(candidacies.items(), start=1):
        counting.append(row(f"vote_{cid}", f"№ {number}", name, votes.get(str(cid), votes.get(cid))))
    if against_all:
        counting.append(row("against_all", "A", AGAINST_ALL[2], values.get("against_all")))
    return sections
