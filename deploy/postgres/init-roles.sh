#!/bin/sh
# The application's database role, made once when the compose PostgreSQL starts on an empty volume
# (/docker-entrypoint-initdb.d). The schema's owner is POSTGRES_USER (electadmin), used only by the
# migrate service; web, worker and beat connect as electadmin_app, which `manage.py setup_db_roles`
# (run by migrate) gives row access only. An existing volume: run the CREATE ROLE by hand
# (docs/OPERATIONS.md, section 11).
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" -v app_password="$APP_DB_PASSWORD" <<'SQL'
CREATE ROLE electadmin_app LOGIN PASSWORD :'app_password';
SQL
