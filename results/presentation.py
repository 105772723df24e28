"""How the entry and resolution pages show the controls' results (the rules stay in `controls`).

- Fields are named as on this election's paper protocol: a figure by its paper code and label
  ("V Voters on the list"), a candidate by ballot number and name ("№ 2 Бекова Test"), never by
  an internal path such as `votes.1055`; the "against all" line only where the ballot has one.
- Each result is shown once. A result about one field is shown next to that field; a result
  relating several fields (a balance, an inequality) is shown once in the summary at the top of
  the form, with links to the fields it concerns, and those fields are highlighted, not each
  given a copy of the message.
- Each relation is written as the paper protocol prints it for this election (`Fields.formula`):
  candidates by ballot number, "+ A" only where the ballot has an "against all" line.
"""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import controls

# Messages of the controls, as this election's paper has the figures: without "against all" (A)
# where the ballot has no such line.
_NO_AGAINST_ALL = {
    "found.not_counted": _(
        "Ballots found Fs + Fm = %(found)s must equal invalid + candidates' votes"
        " = %(N)s + %(votes)s = %(counted)s (difference %(diff)s)."
    ),
}
_FORMULAS = {
    "ballots.balance": "R = Is + Im + S + U",
    "issued.exceeds_voters": "Is + Im ≤ V",
    "mobile.found_exceeds_issued": "Fm ≤ Im",
    "found.exceeds_issued": "Fs + Fm ≤ Is + Im",
    "found.below_issued": "Fs + Fm = Is + Im",
    "turnout.suspicious": "(Is + Im) / V",
    "invalid.high_share": "N / (Fs + Fm)",
}
_RANK = {"warning": 1, "related": 2, "error": 3}
_CANDIDATE_VALUE_CODES = {"figure.not_integer", "figure.negative", "figure.too_large"}


def input_name(path):
    """The form field of a control path ("votes.17" -> "vote_17")."""
    return f"vote_{path[6:]}" if path.startswith("votes.") else path


class Fields:
    """The protocol's fields for one election and contest: paper labels, ballot numbers, anchors."""

    def __init__(self, candidacies, against_all):
        self.candidacies = {int(k): str(v) for k, v in dict(candidacies).items()}
        self.against_all = bool(against_all)
        self.numbers = {cid: n for n, cid in enumerate(self.candidacies, start=1)}

    def known(self, path):
        if path.startswith("votes."):
            key = path[6:]
            return key.isdigit() and int(key) in self.candidacies
        return path in controls.FIGURE_NAMES or (path == "against_all" and self.against_all)

    def label(self, path):
        """ "V Voters on the list", "№ 2 Бекова Test"; the path itself for anything unknown."""
        if path.startswith("votes.") and self.known(path):
            cid = int(path[6:])
            return f"№ {self.numbers[cid]} {self.candidacies[cid]}"
        for name, code, label in (*controls.FIGURES, controls.AGAINST_ALL):
            if name == path:
                return f"{code} {gettext(str(label))}"
        return path

    def anchor(self, path):
        return f"f-{input_name(path)}"

    def formula(self, code):
        """The relation a control checks, as printed on this election's protocol ("" for none)."""
        if code in ("found.not_counted", "votes.all_zero", "votes.single_candidate"):
            votes = " + ".join(f"№{n}" for n in self.numbers.values()) or "0"
            tail = " + A" if self.against_all else ""
            return f"Fs + Fm = N + ({votes}){tail}"
        return _FORMULAS.get(code, "")


def message(result, fields):
    """The text of one result for this election's page."""
    code, params = result.code, result.params
    paths = result.fields
    if code in _NO_AGAINST_ALL and not fields.against_all:
        return gettext(str(_NO_AGAINST_ALL[code])) % params
    if code in _CANDIDATE_VALUE_CODES and paths and paths[0].startswith("votes.") and fields.known(paths[0]):
        template = controls.CATALOGUE[code][1]
        cid = int(paths[0][6:])
        return gettext(str(template)) % {
            **params,
            "label": fields.candidacies[cid],
            "paper": f"№ {fields.numbers[cid]}",
        }
    return result.message


def shown(report, candidacies, against_all):
    """What the page shows of a report.

    Returns a dict:
    - `summary`: errors relating several fields (or none the form has), each once:
      {code, severity, formula, text, fields: [{anchor, label}]};
    - `at_field`: {input name: [{code, severity, text}]} for errors about one field;
    - `faulty`: {input name: "error" (its own value is wrong) | "related" (in a failed relation) |
      "warning"} of the fields to highlight;
    - `field_links`: [{anchor, label}] of the fields with a message of their own, in paper order;
    - `first_fault`: the input name of the first field in fault in paper order (or "");
    - `warnings`: [{code, formula, text, fields}] for the explanations.
    """
    fields = Fields(candidacies, against_all)
    out = {"summary": [], "at_field": {}, "faulty": {}, "first_fault": "", "warnings": [], "field_links": []}
    if report is None:
        return out
    for result in report.results:
        text = message(result, fields)
        known = [p for p in result.fields if fields.known(p)]
        links = [{"anchor": fields.anchor(p), "label": fields.label(p)} for p in known]
        alone = len(known) == 1 and len(result.fields) == 1
        mark = ("error" if alone else "related") if result.is_error else "warning"
        for path in known:
            name = input_name(path)
            if _RANK[mark] > _RANK.get(out["faulty"].get(name), 0):
                out["faulty"][name] = mark
        formula = fields.formula(result.code) if len(result.fields) > 1 else ""
        if not result.is_error:
            out["warnings"].append({"code": result.code, "text": text, "fields": links, "formula": formula})
        elif alone:
            out["at_field"].setdefault(input_name(known[0]), []).append(
                {"code": result.code, "severity": result.severity, "text": text}
            )
        else:
            out["summary"].append(
                {"code": result.code, "severity": result.severity, "text": text, "fields": links, "formula": formula}
            )
    order = [*controls.FIGURE_NAMES, *(f"vote_{cid}" for cid in fields.candidacies), "against_all"]
    out["field_links"] = [
        {"anchor": f"f-{name}", "label": fields.label(f"votes.{name[5:]}" if name.startswith("vote_") else name)}
        for name in order
        if name in out["at_field"]
    ]
    errors = [name for name in order if out["faulty"].get(name) in ("error", "related")]
    out["first_fault"] = errors[0] if errors else ""
    return out
