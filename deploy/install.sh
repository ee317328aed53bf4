#!/usr/bin/env bash
# Install the deployment on one host (docs/operations.md "Install"). Run from a checkout of the
# repository, as root for a real host:
#   sudo deploy/install.sh                       # first time: writes /etc/rbi/rbi.env, stops
#   sudoedit /etc/rbi/rbi.env                    # DAGSTER_PG_PASSWORD, alerts, ...
#   sudo deploy/install.sh [--inputs DIR]        # then: the rest
# Steps: service user `rbi`; the folders of the environment with their modes; a checkout in
# /opt/rbi/<version> and `current` pointing at it; `make setup` there with the deployment's
# environment loaded; the inputs folder filled (from --inputs DIR, else the embedded snapshot)
# unless it has files already; deploy/dagster.yaml placed in $DAGSTER_HOME once (never replaced);
# the instance's tables created (`dagster instance migrate`); the systemd units copied.
# Options (or variables): --prefix DIR (PREFIX: install under DIR, unprivileged, for a trial or a
# test), --version NAME (VERSION), --ref GIT_REF (REF: check out that commit instead of the files
# of this working tree), --inputs DIR (INPUTS).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

INPUTS="${INPUTS:-}"
while [ $# -gt 0 ]; do
    take_version_option "$@"
    if [ "$TAKEN" -gt 0 ]; then shift "$TAKEN"; continue; fi
    case "$1" in
        --inputs) INPUTS="${2:?--inputs needs a folder}"; shift 2 ;;
        *) die "unknown option $1 (see the head of $0)" ;;
    esac
done

# 1. the environment file: created from the example once, then the operator fills it in
if [ ! -f "$ENV_FILE" ]; then
    mkdir -p "$(dirname "$ENV_FILE")"
    sed -e "s#=/var/lib/rbi#=$PREFIX/var/lib/rbi#" "$SOURCE/deploy/rbi.env.example" > "$ENV_FILE"
    chmod 600 "$ENV_FILE"
    say "wrote $ENV_FILE from deploy/rbi.env.example: fill in DAGSTER_PG_* (and the alert targets), then run $0 again"
    exit 2
fi
chmod 600 "$ENV_FILE"
load_env

# 2. the service user (root only)
if service_mode; then
    if ! id -u "$RBI_USER" >/dev/null 2>&1; then
        useradd --system --user-group --home-dir "$PREFIX/var/lib/rbi" --shell /usr/sbin/nologin "$RBI_USER"
        say "created the service user $RBI_USER"
    fi
else
    RBI_USER="$(id -un)"
    say "not root, or under --prefix: no service user; everything belongs to $RBI_USER"
fi

# 3. folders and modes: 0750 (owner + the operators' group, as storage/restricted.py makes them)
own 0750 "$DAGSTER_HOME" "$RBI_INPUTS_DIR" "$RBI_OUTPUT_DIR" "$RBI_RAW_DIR" "${RBI_INBOX_DIR:-$RBI_OUTPUT_DIR/inbox}"
mkdir -p "$OPT"

# 4. the instance config, once: a deployment's own config is never replaced (not by an upgrade,
#    not by `make setup`, whose local SQLite config would switch the instance off PostgreSQL)
if [ ! -e "$DAGSTER_HOME/dagster.yaml" ]; then
    install -m 0640 "$SOURCE/deploy/dagster.yaml" "$DAGSTER_HOME/dagster.yaml"
    if service_mode; then chown "$RBI_USER:$RBI_USER" "$DAGSTER_HOME/dagster.yaml"; fi
    say "placed deploy/dagster.yaml in $DAGSTER_HOME"
elif ! cmp -s "$SOURCE/deploy/dagster.yaml" "$DAGSTER_HOME/dagster.yaml"; then
    say "$DAGSTER_HOME/dagster.yaml differs from deploy/dagster.yaml: left as it is (compare them by hand)"
fi

# 5. the checkout, `make setup` with the deployment's environment, `current`
version="$(version_name)"
checkout "$version"
setup_checkout "$version"
point_current "$version"

# 6. inputs: the operator's own (--inputs DIR, laid out like sources/embedded: snapshots/, surveys/)
#    or the embedded snapshot (demonstration data, labelled so), only into an empty folder
if [ -z "$(ls -A "$RBI_INPUTS_DIR")" ]; then
    from="${INPUTS:-$OPT/$version/sources/embedded}"
    [ -d "$from/snapshots" ] || die "$from has no snapshots/: inputs are laid out like sources/embedded"
    cp -R "$from/." "$RBI_INPUTS_DIR/"
    if service_mode; then chown -R "$RBI_USER:$RBI_USER" "$RBI_INPUTS_DIR"; fi
    say "inputs: copied $from into $RBI_INPUTS_DIR"
else
    say "inputs: $RBI_INPUTS_DIR has files already, left as they are"
fi

# 7. the instance's tables, before any of the three processes starts
migrate_instance "$version"

# 8. the service units (only on the real root; with --prefix they are copied for inspection)
units="$PREFIX/etc/systemd/system"
mkdir -p "$units"
cp "$SOURCE"/deploy/systemd/rbi*.service "$SOURCE"/deploy/systemd/rbi*.timer "$SOURCE"/deploy/systemd/rbi.target "$units/"
if service_mode && command -v systemctl >/dev/null; then
    systemctl daemon-reload
    say "installed; start it with: systemctl enable --now rbi.target rbi-housekeep.timer"
else
    say "installed under ${PREFIX:-/}; units copied to $units"
fi
