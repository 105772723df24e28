"""manage.py setup_db_roles: grant the application role what it needs and nothing more (PostgreSQL).

Run as the owner role of the schema (MIGRATION_DATABASE_URL), after every `migrate` (the migrate
step of deploy/ does): the application role (DATABASE_URL's user, or --app-role) may read and
write the rows of every table, use the sequences, and only read and insert into the audit tables
(core_auditevent, core_auditcheckpoint). It owns nothing, so it cannot ALTER or DROP a table,
disable a trigger, TRUNCATE (no privilege), or create objects in the schema. Idempotent.

The roles themselves are made by the database administrator (docs/OPERATIONS.md, section 11;
deploy/postgres/init-roles.sh for compose).
"""

import environ
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.commands import LocalizedCommand
from core.models import AuditCheckpoint, AuditEvent

APPEND_ONLY = (AuditEvent._meta.db_table, AuditCheckpoint._meta.db_table)


def _ident(name):
    return '"' + name.replace('"', '""') + '"'


def grant_statements(app_role, owner_role, schema="public"):
    """The statements that give `app_role` row access only (what the command runs)."""
    app, owner, sch = _ident(app_role), _ident(owner_role), _ident(schema)
    append_only = ", ".join(_ident(table) for table in APPEND_ONLY)
    return [
        f"GRANT USAGE ON SCHEMA {sch} TO {app}",
        f"REVOKE CREATE ON SCHEMA {sch} FROM {app}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {sch} TO {app}",
        f"REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA {sch} FROM {app}",
        # The audit trail: read and append only (the triggers refuse the rest even to the owner).
        f"REVOKE UPDATE, DELETE ON {append_only} FROM {app}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {sch} TO {app}",
        # Tables the next migrations create get row access too (the audit ones are revoked above,
        # at the next run of this command).
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {sch} "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {app}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {sch} GRANT USAGE, SELECT ON SEQUENCES TO {app}",
    ]


class Command(LocalizedCommand):
    help = gettext_lazy("Grant the application database role row access only (run as the schema owner after migrate).")

    def add_arguments(self, parser):
        parser.add_argument(
            "--app-role",
            metavar="ROLE",
            help=gettext_lazy("The application's role (default: the user of DATABASE_URL in the environment)."),
        )
        parser.add_argument("--print", action="store_true", help=gettext_lazy("Print the SQL instead of running it."))

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError(
                _("setup_db_roles is for PostgreSQL; this database is %(vendor)s.") % {"vendor": connection.vendor}
            )
        app_role = options["app_role"] or environ.Env().db("DATABASE_URL", default="sqlite://").get("USER", "")
        if not app_role:
            raise CommandError(_("Name the application role: --app-role, or a user in DATABASE_URL."))
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user")
            (owner_role,) = cursor.fetchone()
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", [app_role])
            row = cursor.fetchone()
        if row is None:
            raise CommandError(
                _("The role %(role)s does not exist: create it first (docs/OPERATIONS.md, section 11).")
                % {"role": app_role}
            )
        if app_role == owner_role:
            raise CommandError(
                _(
                    "The application role %(role)s is the owner this command runs as: set MIGRATION_DATABASE_URL to "
                    "the owner's connection and DATABASE_URL to a separate application role."
                )
                % {"role": app_role}
            )
        if row[0]:
            raise CommandError(
                _("The application role %(role)s is a superuser: it may do anything.") % {"role": app_role}
            )
        statements = grant_statements(app_role, owner_role)
        if options["print"]:
            self.stdout.write(";\n".join(statements) + ";")
            return
        with transaction.atomic(), connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
        self.stdout.write(
            _("role %(app)s: row access to every table, read and append only on %(tables)s; schema owned by %(owner)s")
            % {"app": app_role, "tables": ", ".join(APPEND_ONLY), "owner": owner_role}
        )
