"""manage.py issue_token USER [--days N] [--region KATO | --commission ID]: issue an API token, print it once.

The token carries the territory it is issued with, said on stderr: national or one region (users in
the auditor role only), or a commission member's seat (the token works while the seat lasts)."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from api import tokens
from core.commands import LocalizedCommand
from core.errors import DomainError
from territory.models import AdminUnit, Commission


class Command(LocalizedCommand):
    help = gettext_lazy("Issue a read-only API token to an auditor and print it (only its hash is stored).")

    def add_arguments(self, parser):
        parser.add_argument("username", metavar="USERNAME", help=gettext_lazy("Username of the token's holder."))
        parser.add_argument("--days", type=int, default=settings.API_TOKEN_DAYS, help=gettext_lazy("Lifetime in days."))
        parser.add_argument(
            "--region", help=gettext_lazy("Limit the token to one region (2-digit prefix or 9-digit KATO).")
        )
        parser.add_argument(
            "--commission",
            type=int,
            help=gettext_lazy(
                "For a commission member: the id of the commission whose seat backs the token "
                "(needed only when the member holds several seats)."
            ),
        )
        parser.add_argument("--note", default="", help=gettext_lazy("What the token is for."))
        parser.add_argument("--issued-by", help=gettext_lazy("Username of the CEC staff member issuing it."))
        parser.add_argument(
            "--add-to-auditors",
            action="store_true",
            help=gettext_lazy("Put the user in the “auditors” group first."),
        )

    def handle(self, *args, username, days, region, commission, note, issued_by, add_to_auditors, **options):
        users = get_user_model().objects
        user = users.filter(username=username).first()
        issuer = users.filter(username=issued_by).first() if issued_by else None
        for name, found in ((username, user), (issued_by, issuer if issued_by else True)):
            if found is None:
                raise CommandError(_("No such user: %(name)s") % {"name": name})
        scope_unit = None
        if region:
            code = region.ljust(9, "0") if len(region) == 2 else region
            scope_unit = AdminUnit.objects.regions().filter(kato=code).first()
            if scope_unit is None:
                raise CommandError(_("No region with KATO code %(code)s.") % {"code": code})
        seat = None
        if commission is not None:
            seat = Commission.objects.filter(pk=commission).first()
            if seat is None:
                raise CommandError(_("No commission with id %(id)s.") % {"id": commission})
        if add_to_auditors:
            user.groups.add(Group.objects.get_or_create(name=tokens.AUDITOR_GROUP)[0])
        try:
            token, raw = tokens.issue_token(user, issuer, days, scope_unit=scope_unit, name=note, commission=seat)
        except DomainError as error:
            raise CommandError(f"{error.code}: {error.message}") from None
        self.stderr.write(
            _("token %(prefix)s… for %(user)s, scope: %(scope)s, expires %(expires)s")
            % {
                "prefix": token.key_prefix,
                "user": user.get_username(),
                "scope": tokens.describe_scope(token),
                "expires": f"{token.expires_at:%Y-%m-%d %H:%M %Z}",
            }
        )
        self.stdout.write(raw)
