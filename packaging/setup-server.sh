#!/usr/bin/env bash
# Sets up a running PostgreSQL 15 server for CareTill, as docs/deploy.md describes:
#   - the owner and application roles (scram-sha-256 passwords) and the database;
#   - the schema (`caretill db upgrade` as the owner) and the tills' privileges
#     (`caretill db grant APP_ROLE`), with the timeouts as role and database defaults;
#   - a test CA and a server certificate for --host made with openssl, ssl on, and
#     pg_hba.conf letting the two roles in over TLS only (hostssl, scram-sha-256);
#   - log_lock_waits and deadlock logging;
#   - pgbouncer.ini + userlist.txt (transaction pooling, TLS on both sides) in OUT/pgbouncer;
#   - OUT/backup.sh (nightly pg_dump -Fc, keeps the newest --keep dumps), its cron file
#     OUT/caretill-backup.cron, and OUT/restore-drill.sh (newest dump -> scratch database ->
#     `caretill check`).
# Run it as root or as the user that owns PGDATA. Running it again changes nothing but the
# passwords (set again), pgbouncer's userlist (their new secrets) and the written files.
#
# Usage: CARETILL_OWNER_PASSWORD=... CARETILL_APP_PASSWORD=... \
#          bash packaging/setup-server.sh --pgdata DIR --host db.hospital.lan [options]
# Options (environment variable in brackets):
#   --pgdata DIR           the server's data directory [PGDATA] (required)
#   --port N               the server's port [PGPORT] (5432)
#   --socket-dir DIR       the server's Unix socket directory (/var/run/postgresql)
#   --db NAME              the database (caretill)
#   --owner-role NAME      the schema's owner, who migrates (caretill_owner)
#   --app-role NAME        the tills' role (caretill_app)
#   --owner-password PW    [CARETILL_OWNER_PASSWORD] (prefer the variable: flags show in ps)
#   --app-password PW      [CARETILL_APP_PASSWORD]
#   --host NAMES           comma-separated names the tills use for this server, put in the
#                          certificate; the first is its subject (`hostname -f`)
#   --out DIR              where the CA, pgbouncer and backup files go (/etc/caretill)
#   --backup-dir DIR       where the nightly dumps go (/var/backups/caretill)
#   --keep N               dumps kept (14)
#   --pgbouncer-port N     (6432)    --pgbouncer-listen ADDR   (*)
#   --lock-timeout-ms N    (5000)    --idle-timeout-ms N       (30000)
#   --caretill CMD         the caretill command [CARETILL_CMD] (caretill on PATH)
#   --bin-dir DIR          PostgreSQL's programs (/usr/lib/postgresql/15/bin, else PATH)
#   --install-cron         also copy the cron file to /etc/cron.d (root only)
set -euo pipefail

pgdata=${PGDATA:-}
port=${PGPORT:-5432}
socket_dir=/var/run/postgresql
db=caretill
owner_role=caretill_owner
app_role=caretill_app
owner_password=${CARETILL_OWNER_PASSWORD:-}
app_password=${CARETILL_APP_PASSWORD:-}
hosts=$(hostname -f 2>/dev/null || hostname)
out=/etc/caretill
backup_dir=/var/backups/caretill
keep=14
bouncer_port=6432
bouncer_listen='*'
lock_ms=5000
idle_ms=30000
caretill=${CARETILL_CMD:-caretill}
bin_dir=
install_cron=0

die() { echo "setup-server: $*" >&2; exit 2; }
step() { echo "== $*"; }

while [ $# -gt 0 ]; do
  case "$1" in
    --pgdata) pgdata=$2; shift ;;
    --port) port=$2; shift ;;
    --socket-dir) socket_dir=$2; shift ;;
    --db) db=$2; shift ;;
    --owner-role) owner_role=$2; shift ;;
    --app-role) app_role=$2; shift ;;
    --owner-password) owner_password=$2; shift ;;
    --app-password) app_password=$2; shift ;;
    --host) hosts=$2; shift ;;
    --out) out=$2; shift ;;
    --backup-dir) backup_dir=$2; shift ;;
    --keep) keep=$2; shift ;;
    --pgbouncer-port) bouncer_port=$2; shift ;;
    --pgbouncer-listen) bouncer_listen=$2; shift ;;
    --lock-timeout-ms) lock_ms=$2; shift ;;
    --idle-timeout-ms) idle_ms=$2; shift ;;
    --caretill) caretill=$2; shift ;;
    --bin-dir) bin_dir=$2; shift ;;
    --install-cron) install_cron=1 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
  shift
done

# ---- checks: everything is refused before anything is changed
[ -f "${pgdata:-/nonexistent}/PG_VERSION" ] || die "--pgdata must name a data directory"
[ "$(cat "$pgdata/PG_VERSION")" -ge 15 ] || die "PostgreSQL 15 or later is needed"
for name in "$db" "$owner_role" "$app_role"; do
  [[ $name =~ ^[a-z_][a-z0-9_]{0,62}$ ]] || die "$name: use lower-case letters, digits and _"
done
[ "$owner_role" != "$app_role" ] || die "the owner and the application role must differ"
for number in "$port" "$keep" "$bouncer_port" "$lock_ms" "$idle_ms"; do
  [[ $number =~ ^[0-9]+$ ]] || die "$number is not a number"
done
if [ -z "$owner_password" ] || [ -z "$app_password" ]; then
  die "set CARETILL_OWNER_PASSWORD and CARETILL_APP_PASSWORD (or the flags)"
fi
IFS=, read -r -a names <<<"$hosts"
[ -n "${names[0]:-}" ] || die "--host needs a name"
for name in "${names[@]}"; do
  [[ $name =~ ^[A-Za-z0-9.-]+$ ]] || die "$name is not a host name"
done
if [ -z "$bin_dir" ]; then
  bin_dir=$(find /usr/lib/postgresql -path '*/bin/psql' 2>/dev/null | sort -V | tail -1)
  bin_dir=${bin_dir%/psql}
  [ -x "$bin_dir/psql" ] || bin_dir=$(dirname "$(command -v psql || echo /nonexistent/psql)")
fi
for tool in psql pg_dump pg_restore; do
  [ -x "$bin_dir/$tool" ] || die "$tool not found (--bin-dir)"
done
command -v openssl >/dev/null || die "openssl is not installed"
read -r -a caretill_argv <<<"$caretill"
command -v "${caretill_argv[0]}" >/dev/null || die "$caretill not found (--caretill)"
server_user=$(stat -c %U "$pgdata")
superuser=$server_user  # initdb names the bootstrap superuser after the OS user
if [ "$(id -u)" = 0 ]; then
  as_server() { runuser -u "$server_user" -- "$@"; }
elif [ "$(id -un)" = "$server_user" ]; then
  as_server() { "$@"; }
else
  die "run as root or as $server_user, who owns $pgdata"
fi
# Passwords travel in the environment (psql's \getenv, libpq's PGPASSWORD), never in argv.
export CARETILL_OWNER_PASSWORD=$owner_password CARETILL_APP_PASSWORD=$app_password
sql() {  # psql as the superuser over the Unix socket
  as_server "$bin_dir/psql" -X -q -v ON_ERROR_STOP=1 -h "$socket_dir" -p "$port" -U "$superuser" "$@"
}
sql -d postgres -c "SELECT 1" >/dev/null || die "cannot reach the server on $socket_dir:$port"

mkdir -p "$out/tls" "$out/pgbouncer" "$backup_dir"
chmod 0755 "$out"
chmod 0700 "$out/tls" "$out/pgbouncer" "$backup_dir"

# ---- TLS: a CA made once, a server certificate for the names (made again if they change)
step "TLS certificates in $out/tls"
tls=$out/tls
if [ ! -f "$tls/ca.crt" ]; then
  openssl req -x509 -newkey rsa:3072 -nodes -days 3650 -sha256 -subj "/CN=CareTill test CA" \
    -keyout "$tls/ca.key" -out "$tls/ca.crt" 2>/dev/null
fi
san=$(printf 'DNS:%s,' "${names[@]}")
san=${san%,}
fits=0
if [ -f "$tls/server.crt" ] && openssl verify -CAfile "$tls/ca.crt" "$tls/server.crt" >/dev/null
then
  fits=1
  for name in "${names[@]}"; do
    openssl x509 -in "$tls/server.crt" -noout -checkhost "$name" | grep -q "does match" || fits=0
  done
fi
if [ "$fits" = 0 ]; then
  openssl req -newkey rsa:3072 -nodes -sha256 -subj "/CN=${names[0]}" \
    -keyout "$tls/server.key" -out "$tls/server.csr" 2>/dev/null
  openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.crt" -CAkey "$tls/ca.key" \
    -CAcreateserial -days 825 -sha256 -out "$tls/server.crt" \
    -extfile <(printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\n' "$san") 2>/dev/null
  rm -f "$tls/server.csr"
fi
chmod 0600 "$tls/ca.key" "$tls/server.key"
chmod 0644 "$tls/ca.crt" "$tls/server.crt"
chmod 0755 "$tls"  # the CA certificate is public; the keys are 0600
for file in server.crt server.key; do  # the server reads its own copies in PGDATA
  install -m 0600 -o "$server_user" "$tls/$file" "$pgdata/caretill-$file"
done
install -m 0644 -o "$server_user" "$tls/ca.crt" "$pgdata/caretill-ca.crt"

# ---- server settings (postgresql.auto.conf via ALTER SYSTEM), then the roles and database
step "server settings"
sql -d postgres <<'SQL'
ALTER SYSTEM SET password_encryption = 'scram-sha-256';
ALTER SYSTEM SET ssl = on;
ALTER SYSTEM SET ssl_cert_file = 'caretill-server.crt';
ALTER SYSTEM SET ssl_key_file = 'caretill-server.key';
ALTER SYSTEM SET ssl_min_protocol_version = 'TLSv1.2';
ALTER SYSTEM SET log_lock_waits = on;       -- a wait longer than deadlock_timeout is logged
ALTER SYSTEM SET deadlock_timeout = '1s';   -- deadlocks are logged as errors with both sides
ALTER SYSTEM SET log_min_error_statement = 'error';
SQL

hba=$pgdata/pg_hba.conf
block="# BEGIN CareTill (packaging/setup-server.sh; edited by each run)
hostssl $db $owner_role,$app_role all scram-sha-256
hostnossl $db all all reject
# END CareTill"
{
  echo "$block"
  sed '/^# BEGIN CareTill/,/^# END CareTill/d' "$hba"
} >"$hba.caretill"
chown "$server_user" "$hba.caretill"
chmod 0600 "$hba.caretill"
mv "$hba.caretill" "$hba"
sql -d postgres -c "SELECT pg_reload_conf()" >/dev/null
for _ in $(seq 50); do  # the postmaster applies a reload asynchronously
  [ "$(sql -d postgres -Atc 'SHOW ssl')" = on ] && break
  sleep 0.2
done
[ "$(sql -d postgres -Atc 'SHOW ssl')" = on ] ||
  die "ssl did not turn on: see the server log (certificate files in $pgdata)"

step "roles $owner_role and $app_role, database $db"
sql -d postgres -v owner="$owner_role" -v app="$app_role" -v db="$db" \
    -v lock_ms="$lock_ms" -v idle_ms="$idle_ms" <<'SQL'
\getenv owner_pw CARETILL_OWNER_PASSWORD
\getenv app_pw CARETILL_APP_PASSWORD
SET password_encryption = 'scram-sha-256';
SELECT format('CREATE ROLE %I', r) FROM unnest(ARRAY[:'owner', :'app']) r
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) \gexec
SELECT format('ALTER ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS PASSWORD %L',
              :'owner', :'owner_pw') \gexec
SELECT format('ALTER ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS PASSWORD %L',
              :'app', :'app_pw') \gexec
SELECT format('ALTER ROLE %I SET lock_timeout = %s', :'app', :'lock_ms') \gexec
SELECT format('ALTER ROLE %I SET idle_in_transaction_session_timeout = %s', :'app', :'idle_ms')
\gexec
SELECT format('CREATE DATABASE %I OWNER %I ENCODING %L TEMPLATE template0', :'db', :'owner',
              'UTF8')
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db') \gexec
SELECT format('ALTER DATABASE %I OWNER TO %I', :'db', :'owner') \gexec
SQL

step "schema (caretill db upgrade as $owner_role) and privileges (db grant $app_role)"
owner_url="postgresql://$owner_role@127.0.0.1:$port/$db?sslmode=verify-ca&sslrootcert=$tls/ca.crt"
scratch_config=$(mktemp -d)
trap 'rm -rf "$scratch_config"' EXIT
as_caretill() {
  (export CARETILL_CONFIG="$scratch_config/config.json" CARETILL_DB="$owner_url" \
     PGPASSWORD="$owner_password"; "${caretill_argv[@]}" "$@")
}
as_caretill db upgrade
as_caretill db grant "$app_role" >/dev/null

# ---- pgbouncer in front: transaction pooling, TLS to the tills and to the server
step "pgbouncer configuration in $out/pgbouncer"
secret=$(sql -d postgres -v app="$app_role" -At \
  <<<"SELECT rolpassword FROM pg_authid WHERE rolname = :'app'")
[[ $secret == SCRAM-SHA-256\$* ]] || die "the application role has no SCRAM secret"
bouncer=$out/pgbouncer
umask 077
printf '"%s" "%s"\n' "$app_role" "$secret" >"$bouncer/userlist.txt"
cp "$tls/server.crt" "$tls/server.key" "$tls/ca.crt" "$bouncer/"
cat >"$bouncer/pgbouncer.ini" <<INI
; Written by packaging/setup-server.sh. CareTill keeps no session state: its timeouts are
; SET LOCAL in each transaction and psycopg2 prepares no statements, so transaction
; pooling is safe. pgbouncer >= 1.21 may add max_prepared_statements for other clients.
[databases]
$db = host=127.0.0.1 port=$port dbname=$db

[pgbouncer]
listen_addr = $bouncer_listen
listen_port = $bouncer_port
unix_socket_dir =
auth_type = scram-sha-256
auth_file = $bouncer/userlist.txt
pool_mode = transaction
default_pool_size = 20
max_client_conn = 1000
server_reset_query =
idle_transaction_timeout = $(( (idle_ms + 999) / 1000 + 5 ))
client_tls_sslmode = require
client_tls_cert_file = $bouncer/server.crt
client_tls_key_file = $bouncer/server.key
server_tls_sslmode = verify-ca
server_tls_ca_file = $bouncer/ca.crt
logfile = $bouncer/pgbouncer.log
pidfile = $bouncer/pgbouncer.pid
INI
umask 022
chown -R "$server_user" "$bouncer"

# ---- nightly backup and the restore drill
step "nightly backup ($backup_dir, newest $keep kept) and restore drill"
# Both scripts run as root or as $server_user: the PostgreSQL tools run as $server_user
# (over the Unix socket, so no password is stored); caretill runs as whoever starts them.
as_server_text="as_server() { if [ \"\$(id -u)\" = 0 ]; then runuser -u $server_user -- \"\$@\"; \
else \"\$@\"; fi; }"
cat >"$out/backup.sh" <<SH
#!/usr/bin/env bash
# Nightly: a consistent pg_dump -Fc of $db into $backup_dir; keeps the newest $keep.
set -euo pipefail
umask 077
$as_server_text
stamp=\$(date -u +%Y%m%dT%H%M%S.%NZ)
as_server "$bin_dir/pg_dump" -h "$socket_dir" -p $port -U "$superuser" -Fc \\
  -f "$backup_dir/caretill-\$stamp.dump.part" "$db"
as_server mv "$backup_dir/caretill-\$stamp.dump.part" "$backup_dir/caretill-\$stamp.dump"
as_server find "$backup_dir" -maxdepth 1 -name 'caretill-*.dump' -printf '%T@ %p\\n' |
  sort -rn | tail -n +$((keep + 1)) | cut -d' ' -f2- | xargs -r -d '\\n' rm -f --
echo "backup: $backup_dir/caretill-\$stamp.dump"
SH
cat >"$out/restore-drill.sh" <<SH
#!/usr/bin/env bash
# The restore drill: the newest dump into the scratch database ${db}_drill, then
# \`caretill check\` on it as a supervisor (CARETILL_USER / CARETILL_PASSWORD, or the
# file $out/drill.env that sets them). Exit 0 only when the copy restores and checks clean.
# caretill connects over the Unix socket as $superuser: run it as $server_user (cron does).
set -euo pipefail
$as_server_text
if [ -f "$out/drill.env" ]; then . "$out/drill.env"; fi
newest=\$(as_server find "$backup_dir" -maxdepth 1 -name 'caretill-*.dump' -printf '%T@ %p\\n' |
  sort -rn | head -1 | cut -d' ' -f2-)
[ -n "\$newest" ] || { echo "restore-drill: no dump in $backup_dir" >&2; exit 1; }
psql() { as_server "$bin_dir/psql" -X -q -v ON_ERROR_STOP=1 -h "$socket_dir" -p $port \\
  -U "$superuser" "\$@"; }
config=\$(mktemp -d)
cleanup() { psql -d postgres -c 'DROP DATABASE IF EXISTS ${db}_drill WITH (FORCE)'; rm -rf "\$config"; }
trap cleanup EXIT
psql -d postgres -c 'DROP DATABASE IF EXISTS ${db}_drill WITH (FORCE)'
psql -d postgres -c 'CREATE DATABASE ${db}_drill OWNER $owner_role TEMPLATE template0'
as_server "$bin_dir/pg_restore" --exit-on-error -h "$socket_dir" -p $port -U "$superuser" \\
  -d ${db}_drill "\$newest"
echo "restore-drill: \$newest restored into ${db}_drill"
CARETILL_CONFIG="\$config/config.json" CARETILL_WORKSTATION=DRILL \\
  CARETILL_DB="postgresql://$superuser@/${db}_drill?host=$socket_dir&port=$port" \\
  $caretill check
echo "restore-drill: check clean"
SH
chmod 0755 "$out/backup.sh" "$out/restore-drill.sh"
cat >"$out/caretill-backup.cron" <<CRON
# CareTill: nightly dump at 02:30, restore drill every Sunday at 04:00 (/etc/cron.d format)
30 2 * * * $server_user $out/backup.sh >>$backup_dir/backup.log 2>&1
0 4 * * 0 $server_user $out/restore-drill.sh >>$backup_dir/restore-drill.log 2>&1
CRON
chown "$server_user" "$backup_dir"
if [ "$install_cron" = 1 ]; then
  install -m 0644 "$out/caretill-backup.cron" /etc/cron.d/caretill-backup
fi

step "done"
cat <<DONE
Tills connect as $app_role to ${names[0]}, with the CA certificate $tls/ca.crt:
  direct:    postgresql://$app_role@${names[0]}:$port/$db?sslmode=verify-full&sslrootcert=ca.crt
  pgbouncer: postgresql://$app_role@${names[0]}:$bouncer_port/$db?sslmode=verify-full&sslrootcert=ca.crt
Start pgbouncer with $bouncer/pgbouncer.ini (docs/deploy.md), and install
$out/caretill-backup.cron in /etc/cron.d (or run again with --install-cron).
DONE
