"""Precinct protocols, their official figures and votes, and every clerk's entry of them.

Field names of `Protocol` (voters, ballots_received, issued_station, issued_mobile, spoiled,
unused, found_stationary, found_mobile, invalid, against_all) and `ProtocolVote` (protocol,
candidacy, votes) are read by aggregation: keep them stable. State changes only through
`results.services` (the state machine is `results.services.state_machine`).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from ..controls import FIGURE_NAMES


class ProtocolState(models.TextChoices):
    EMPTY = "empty", _("empty")
    FIRST_ENTRY_IN_PROGRESS = "first_entry_in_progress", _("first entry in progress")
    FIRST_ENTRY_DONE = "first_entry_done", _("first entry done")
    SECOND_ENTRY_IN_PROGRESS = "second_entry_in_progress", _("second entry in progress")
    IN_DISCREPANCY = "in_discrepancy", _("in discrepancy")
    VERIFIED = "verified", _("verified")
    CERTIFIED = "certified", _("certified")


# States grouped as the progress pages count them.
PROGRESS_GROUPS = {
    "empty": [ProtocolState.EMPTY],
    "in_entry": [
        ProtocolState.FIRST_ENTRY_IN_PROGRESS,
        ProtocolState.FIRST_ENTRY_DONE,
        ProtocolState.SECOND_ENTRY_IN_PROGRESS,
    ],
    "in_discrepancy": [ProtocolState.IN_DISCREPANCY],
    "verified": [ProtocolState.VERIFIED],
    "certified": [ProtocolState.CERTIFIED],
}
WITH_FIGURES = [ProtocolState.VERIFIED, ProtocolState.CERTIFIED]


class ProtocolQuerySet(models.QuerySet):
    def in_state(self, *states):
        return self.filter(state__in=states)

    def certified(self):
        return self.filter(state=ProtocolState.CERTIFIED)

    def with_official_figures(self):
        """Verified or certified: the protocols whose figures are official."""
        return self.filter(state__in=WITH_FIGURES)

    def changed_since(self, moment):
        return self.filter(state_changed_at__gt=moment)

    def progress(self, *group_by):
        """Counts per progress group, grouped by the given fields (one GROUP BY)."""
        annotations = {name: models.Count("pk", filter=Q(state__in=states)) for name, states in PROGRESS_GROUPS.items()}
        return self.values(*group_by).annotate(total=models.Count("pk"), **annotations).order_by(*group_by)


def _figure(label):
    return models.PositiveIntegerField(label, null=True, blank=True, editable=False)


class Protocol(models.Model):
    """The result protocol of one polling station in one contest.

    Election, region and district are denormalised from contest and station so that a roll-up
    is one GROUP BY. The figures are null until the protocol is verified; they are the official
    ones from then on (and cleared again, with the old values in the audit trail, on reopen).
    """

    election = models.ForeignKey(
        "registry.Election", verbose_name=_("election"), on_delete=models.PROTECT, related_name="protocols"
    )
    contest = models.ForeignKey(
        "registry.Contest", verbose_name=_("contest"), on_delete=models.PROTECT, related_name="protocols"
    )
    polling_station = models.ForeignKey(
        "territory.PollingStation",
        verbose_name=_("polling station"),
        on_delete=models.PROTECT,
        related_name="protocols",
    )
    region = models.ForeignKey(
        "territory.AdminUnit",
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        editable=False,
    )
    district = models.ForeignKey(
        "territory.AdminUnit",
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        editable=False,
    )
    state = models.CharField(
        _("state"), max_length=30, choices=ProtocolState.choices, default=ProtocolState.EMPTY, editable=False
    )
    version = models.PositiveIntegerField(
        _("version"), default=0, editable=False, help_text=_("Incremented by every change; refuses stale forms.")
    )
    cycle = models.PositiveIntegerField(
        _("entry cycle"), default=1, editable=False, help_text=_("Incremented each time the protocol is reopened.")
    )
    state_changed_at = models.DateTimeField(_("state changed at"), db_index=True, editable=False)
    created_at = models.DateTimeField(_("created at"), editable=False)

    voters = _figure(_("voters on the list (V)"))
    ballots_received = _figure(_("ballots received (R)"))
    issued_station = _figure(_("ballots issued at the station (Is)"))
    issued_mobile = _figure(_("ballots issued for mobile voting (Im)"))
    spoiled = _figure(_("spoiled ballots (S)"))
    unused = _figure(_("unused ballots (U)"))
    found_stationary = _figure(_("ballots found in stationary boxes (Fs)"))
    found_mobile = _figure(_("ballots found in mobile boxes (Fm)"))
    invalid = _figure(_("invalid ballots (N)"))
    against_all = _figure(_("against all (A)"))

    official_entry = models.ForeignKey(
        "ProtocolEntry",
        verbose_name=_("entry that became official"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    certified_at = models.DateTimeField(_("certified at"), null=True, blank=True, editable=False)
    certified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("certified by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )

    objects = ProtocolQuerySet.as_manager()

    class Meta:
        verbose_name = _("protocol")
        verbose_name_plural = _("protocols")
        ordering = ["district_id", "polling_station_id", "contest_id"]
        indexes = [
            models.Index(fields=["election", "state"], name="protocol_election_state"),
            # The API's pages of one election's protocols in id order: without it PostgreSQL walks
            # the primary key past every other election's protocols (0.57 s past a million).
            models.Index(fields=["election", "id"], name="protocol_election_id"),
            models.Index(fields=["contest", "state"], name="protocol_contest_state"),
            models.Index(fields=["region", "state"], name="protocol_region_state"),
            models.Index(fields=["district", "state"], name="protocol_district_state"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["polling_station", "contest"], name="one_protocol_per_station_contest"),
            models.CheckConstraint(
                condition=~Q(state__in=WITH_FIGURES)
                | Q(
                    voters__isnull=False,
                    ballots_received__isnull=False,
                    issued_station__isnull=False,
                    issued_mobile__isnull=False,
                    spoiled__isnull=False,
                    unused__isnull=False,
                    found_stationary__isnull=False,
                    found_mobile__isnull=False,
                    invalid__isnull=False,
                ),
                name="protocol_official_figures_complete",
            ),
            # The arithmetic controls a row can hold (the votes relation spans rows: checked in code).
            models.CheckConstraint(
                condition=Q(ballots_received__isnull=True)
                | Q(ballots_received=F("issued_station") + F("issued_mobile") + F("spoiled") + F("unused")),
                name="protocol_ballots_balance",
            ),
            models.CheckConstraint(
                condition=Q(voters__isnull=True) | Q(voters__gte=F("issued_station") + F("issued_mobile")),
                name="protocol_issued_within_voters",
            ),
            models.CheckConstraint(
                condition=Q(found_mobile__isnull=True) | Q(found_mobile__lte=F("issued_mobile")),
                name="protocol_mobile_found_within_issued",
            ),
            models.CheckConstraint(
                condition=Q(found_stationary__isnull=True)
                | Q(issued_station__gte=F("found_stationary") + F("found_mobile") - F("issued_mobile")),
                name="protocol_found_within_issued",
            ),
            models.CheckConstraint(
                condition=~Q(state="certified") | Q(certified_at__isnull=False, certified_by__isnull=False),
                name="protocol_certified_has_who_and_when",
            ),
        ]

    def __str__(self):
        return _("Protocol of station %(station)s, %(contest)s") % {
            "station": self.polling_station.number,
            "contest": self.contest.unit.name,
        }

    @property
    def is_locked(self):
        return self.state == ProtocolState.CERTIFIED

    @property
    def turnout(self):
        """(Is + Im) / V as a fraction 0..1, or None without official figures."""
        if self.voters in (None, 0) or self.issued_station is None:
            return None
        return (self.issued_station + self.issued_mobile) / self.voters

    def official_figures(self):
        figures = {name: getattr(self, name) for name in FIGURE_NAMES}
        if self.against_all is not None:
            figures["against_all"] = self.against_all
        return figures


class ProtocolVote(models.Model):
    """The official count of one registered candidate in one protocol (written when verified)."""

    protocol = models.ForeignKey(Protocol, verbose_name=_("protocol"), on_delete=models.PROTECT, related_name="votes")
    candidacy = models.ForeignKey(
        "registry.Candidacy", verbose_name=_("candidacy"), on_delete=models.PROTECT, related_name="protocol_votes"
    )
    votes = models.PositiveIntegerField(_("votes"))

    class Meta:
        verbose_name = _("votes of a candidate")
        verbose_name_plural = _("votes of candidates")
        constraints = [
            models.UniqueConstraint(fields=["protocol", "candidacy"], name="one_count_per_candidacy_per_protocol"),
        ]
        # GROUP BY candidacy summing votes reads the index alone.
        indexes = [models.Index(fields=["candidacy", "votes"], name="protocolvote_candidacy_votes")]

    def __str__(self):
        return f"{self.candidacy_id}: {self.votes}"


class ProtocolEntry(models.Model):
    """One person's entry of a protocol's figures, kept forever.

    `slot` 1 and 2 are the two independent clerk entries of a cycle, 3 a supervisor's corrected
    figures. `values` holds the figures as entered (ints, or null for an empty field in a draft)
    with "votes" as {candidacy id: count} inside it; `acknowledged` maps each acknowledged warning code to
    the clerk's explanation.
    """

    class Kind(models.TextChoices):
        FIRST = "first", _("first entry")
        SECOND = "second", _("second entry")
        CORRECTION = "correction", _("correction by a supervisor")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        FINISHED = "finished", _("finished")
        DISCARDED = "discarded", _("discarded")

    SLOT_OF_KIND = {Kind.FIRST: 1, Kind.SECOND: 2, Kind.CORRECTION: 3}

    protocol = models.ForeignKey(Protocol, verbose_name=_("protocol"), on_delete=models.PROTECT, related_name="entries")
    cycle = models.PositiveIntegerField(_("entry cycle"))
    slot = models.PositiveSmallIntegerField(_("slot"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.PROTECT, related_name="+"
    )
    values = models.JSONField(_("values"), default=dict)
    acknowledged = models.JSONField(_("acknowledged warnings"), default=dict, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    started_at = models.DateTimeField(_("started at"))
    updated_at = models.DateTimeField(_("updated at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    discarded_at = models.DateTimeField(_("discarded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("protocol entry")
        verbose_name_plural = _("protocol entries")
        ordering = ["protocol_id", "cycle", "slot", "started_at"]
        constraints = [
            # One live (draft or finished) entry per slot per cycle: two finished entries can never
            # share a slot, so two racing clerks cannot both become "the second entry".
            models.UniqueConstraint(
                fields=["protocol", "cycle", "slot"],
                condition=Q(status__in=["draft", "finished"]),
                name="one_live_entry_per_slot",
            ),
            models.CheckConstraint(
                condition=Q(kind="first", slot=1) | Q(kind="second", slot=2) | Q(kind="correction", slot=3),
                name="entry_slot_matches_kind",
            ),
            models.CheckConstraint(
                condition=~Q(status="finished") | Q(finished_at__isnull=False), name="entry_finished_has_time"
            ),
            models.CheckConstraint(condition=~Q(kind="correction") | ~Q(reason=""), name="entry_correction_has_reason"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.cycle} ({self.get_status_display()})"

    def figures(self):
        """The entered values in the controls' input shape."""
        return {**self.values, "votes": dict(self.values.get("votes", {}))}
