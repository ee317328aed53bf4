#!/usr/bin/env bash
# Back up everything a deployment cannot rebuild (docs/operations.md "Backup and restore"):
#   sudo deploy/backup.sh --to /srv/backup/rbi          # nightly, e.g. from a systemd timer or cron
# Writes <to>/rbi-backup-<UTC time>/ (mode 0700) with
#   instance.dump   pg_dump -Fc of the Dagster instance (run history, schedule/sensor cursors)
#   releases.tar    $RBI_OUTPUT_DIR/releases: the published record, immutable, not rebuildable byte for byte
#   raw.tar         $RBI_RAW_DIR: survey exports, records, quarantine, revision store, audit log and
#                   keys/pseudonym.key (PERSONAL DATA and the pseudonym secret: store encrypted,
#                   same access rules as the raw area, erasure rules apply to backups too)
#   inputs.tar      $RBI_INPUTS_DIR (the operator's inputs)
#   snapshots.tar   the live fetch store ($RBI_SNAPSHOT_DIR, default <output>/snapshots), if any
#   config.tar      the env file (SECRETS: the database password, alert credentials) and
#                   $DAGSTER_HOME/dagster.yaml
#   SHA256SUMS      of the files above (restore.sh checks it)
# Not backed up: the warehouse (rebuilt by the next run from raw), validation/, failed-attempts/,
# dbt artefacts, captured run logs. PG_BIN: folder of pg_dump (default: PATH).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TO=""
while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) PREFIX="$2"; OPT="$PREFIX/opt/rbi"; ENV_FILE="$PREFIX/etc/rbi/rbi.env"; shift 2 ;;
        --to) TO="$2"; shift 2 ;;
        *) die "unknown option $1 (see the head of $0)" ;;
    esac
done
[ -n "$TO" ] || die "--to DIR: where the backup goes"
load_env
dest="$TO/rbi-backup-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$dest"
chmod 700 "$dest"
umask 077

PGPASSWORD="$DAGSTER_PG_PASSWORD" "${PG_BIN:+$PG_BIN/}pg_dump" -Fc -h "$DAGSTER_PG_HOST" -p "$DAGSTER_PG_PORT" \
    -U "$DAGSTER_PG_USER" -d "$DAGSTER_PG_DB" -f "$dest/instance.dump"
tar -C "$RBI_OUTPUT_DIR" -cf "$dest/releases.tar" releases
tar -C "$RBI_RAW_DIR" -cf "$dest/raw.tar" .
tar -C "$RBI_INPUTS_DIR" -cf "$dest/inputs.tar" .
snapshots="${RBI_SNAPSHOT_DIR:-$RBI_OUTPUT_DIR/snapshots}"
if [ -d "$snapshots" ]; then tar -C "$snapshots" -cf "$dest/snapshots.tar" .; fi
staging="$(mktemp -d)"
cp "$ENV_FILE" "$staging/rbi.env"
cp "$DAGSTER_HOME/dagster.yaml" "$staging/dagster.yaml"
tar -C "$staging" -cf "$dest/config.tar" rbi.env dagster.yaml
rm -rf "$staging"
(cd "$dest" && sha256sum ./*.dump ./*.tar > SHA256SUMS)
say "backup written to $dest ($(du -sh "$dest" | cut -f1)); copy it off the host"
echo "$dest"
