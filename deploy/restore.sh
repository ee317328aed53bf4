#!/usr/bin/env bash
# Restore a backup of deploy/backup.sh into a deployment (docs/operations.md "Backup and restore"):
#   on a new host: put the backup's rbi.env (tar -xf config.tar rbi.env) at /etc/rbi/rbi.env,
#   create the database (createuser/createdb), run deploy/install.sh, then
#   sudo deploy/restore.sh /srv/backup/rbi/rbi-backup-<time>
# Checks SHA256SUMS; stops the three services; restores the instance (pg_restore --clean) and the
# instance config; puts releases, the raw area (with keys/pseudonym.key) and the snapshot store in
# place -- only into empty folders: a deployment's published record is never overwritten --, and
# replaces the inputs; migrates the instance (a backup from an older Dagster) and starts the services
# in readiness order. The backup's env file is written next to the deployment's as
# rbi.env.from-backup, for comparison. The next run rebuilds the warehouse and finds the restored
# releases unchanged (tests/deploy/test_install_upgrade.py). PG_BIN: folder of pg_restore.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BACKUP=""
while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) PREFIX="$2"; OPT="$PREFIX/opt/rbi"; ENV_FILE="$PREFIX/etc/rbi/rbi.env"; shift 2 ;;
        -*) die "unknown option $1 (see the head of $0)" ;;
        *) BACKUP="$1"; shift ;;
    esac
done
[ -d "$BACKUP" ] || die "usage: $0 BACKUP_DIR (a folder written by deploy/backup.sh)"
load_env
service_mode || RBI_USER="$(id -un)"
[ -L "$OPT/current" ] || die "$OPT/current missing: install first (deploy/install.sh)"
(cd "$BACKUP" && sha256sum --quiet -c SHA256SUMS) || die "$BACKUP: SHA256SUMS do not match"
version="$(current_version)"
releases="$RBI_OUTPUT_DIR/releases"
snapshots="${RBI_SNAPSHOT_DIR:-$RBI_OUTPUT_DIR/snapshots}"
for folder in "$releases" "$RBI_RAW_DIR" "$snapshots"; do
    if [ -d "$folder" ] && [ -n "$(ls -A "$folder")" ]; then
        die "$folder is not empty: restore into a fresh deployment (nothing was changed)"
    fi
done

$SYSTEMCTL stop rbi-daemon rbi-webserver rbi-code-server
PGPASSWORD="$DAGSTER_PG_PASSWORD" "${PG_BIN:+$PG_BIN/}pg_restore" --clean --if-exists --no-owner \
    -h "$DAGSTER_PG_HOST" -p "$DAGSTER_PG_PORT" -U "$DAGSTER_PG_USER" -d "$DAGSTER_PG_DB" "$BACKUP/instance.dump"
own 0750 "$RBI_OUTPUT_DIR" "$RBI_RAW_DIR" "$RBI_INPUTS_DIR"
tar -C "$RBI_OUTPUT_DIR" -xf "$BACKUP/releases.tar"
tar -C "$RBI_RAW_DIR" -xf "$BACKUP/raw.tar"
find "$RBI_INPUTS_DIR" -mindepth 1 -delete
tar -C "$RBI_INPUTS_DIR" -xf "$BACKUP/inputs.tar"
if [ -f "$BACKUP/snapshots.tar" ]; then own 0750 "$snapshots"; tar -C "$snapshots" -xf "$BACKUP/snapshots.tar"; fi
tar -C "$DAGSTER_HOME" -xf "$BACKUP/config.tar" dagster.yaml
tar -xOf "$BACKUP/config.tar" rbi.env > "$ENV_FILE.from-backup"
chmod 600 "$ENV_FILE.from-backup"
if service_mode; then
    chown -R "$RBI_USER:$RBI_USER" "$RBI_OUTPUT_DIR" "$RBI_RAW_DIR" "$RBI_INPUTS_DIR" "$DAGSTER_HOME"
fi
migrate_instance "$version"

$SYSTEMCTL start rbi-code-server
wait_healthy "$version" code-server
$SYSTEMCTL start rbi-webserver rbi-daemon
wait_healthy "$version" instance code-server webserver daemon
say "restored $BACKUP; compare $ENV_FILE with $ENV_FILE.from-backup"
