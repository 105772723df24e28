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


def _shown(value):
    return "" if value is None else str(value)


def layout(values, candidacies, against_all, report=None):
    """Sections of rows {name, code, label, value, messages} in paper order, candidates in section 3."""
    values = values or {}
    by_field = report.by_field() if report else {}
    votes = values.get("votes") or {}
    sections = []
    for title, names in SECTIONS:
        rows = [
            {
                "name": name,
                "code": _BY_NAME[name][0],
                "label": _BY_NAME[name][1],
                "value": _shown(values.get(name)),
                "messages": by_field.get(name, []),
            }
            for name in names
        ]
        sections.append({"title": title, "rows": rows})
    counting = sections[-1]["rows"]
    for number, (cid, name) in enumerate(candidacies.items(), start=1):
        path = f"votes.{cid}"
        counting.append(
            {
                "name": f"vote_{cid}",
                "code": f"c{number}",
                "label": name,
                "value": _shown(votes.get(str(cid), votes.get(cid))),
                "messages": by_field.get(path, []),
            }
        )
    if against_all:
        counting.append(
            {
                "name": "against_all",
                "code": "A",
                "label": AGAINST_ALL[2],
                "value": _shown(values.get("against_all")),
                "messages": by_field.get("against_all", []),
            }
        )
    known = {"", *(r["name"] for s in sections for r in s["rows"])} | {f"votes.{cid}" for cid in candidacies}
    general = [m for path, msgs in by_field.items() if path not in known for m in msgs]
    general += by_field.get("", [])
    return sections, general
