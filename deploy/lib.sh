# Shared by deploy/install.sh, deploy/upgrade.sh, deploy/backup.sh and deploy/restore.sh (sourced,
# not run). Layout under PREFIX (default /; set PREFIX=/tmp/x to try it all unprivileged):
#   $PREFIX/opt/rbi/<version>/     one checkout per version, each with its own .venv
#   $PREFIX/opt/rbi/current        symlink to the version the units run
#   $PREFIX/etc/rbi/rbi.env        the environment (mode 0600): DAGSTER_*, RBI_*
# and the folders the environment names (DAGSTER_HOME, RBI_INPUTS_DIR, RBI_OUTPUT_DIR, RBI_RAW_DIR).

set -euo pipefail

PREFIX="${PREFIX:-}"
RBI_USER="${RBI_USER:-rbi}"
SOURCE="${SOURCE:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
OPT="$PREFIX/opt/rbi"
ENV_FILE="${ENV_FILE:-$PREFIX/etc/rbi/rbi.env}"
SYSTEMCTL="${SYSTEMCTL:-systemctl}"
# seconds to wait for a component to become healthy (0: do not wait, e.g. no service manager)
HEALTH_WAIT="${HEALTH_WAIT:-180}"

say() { echo "[rbi-deploy] $*" >&2; }
die() { say "ERROR: $*"; exit 1; }
is_root() { [ "$(id -u)" -eq 0 ]; }
# a real install: root and no PREFIX (a service user, files owned by it); under a PREFIX everything
# belongs to whoever runs the script, and no user is created
service_mode() { is_root && [ -z "$PREFIX" ]; }

# the options deploy/install.sh and deploy/upgrade.sh share: --prefix DIR, --version NAME, --ref
# GIT_REF. Sets TAKEN to the number of arguments it used (0: not one of them), for the caller's shift
take_version_option() {
    TAKEN=2
    case "$1" in
        --prefix) PREFIX="${2:?--prefix needs a folder}"; OPT="$PREFIX/opt/rbi"; ENV_FILE="$PREFIX/etc/rbi/rbi.env" ;;
        --version) VERSION="${2:?--version needs a name}" ;;
        --ref) REF="${2:?--ref needs a git ref}" ;;
        *) TAKEN=0 ;;
    esac
}

load_env() {
    [ -f "$ENV_FILE" ] || die "no environment file $ENV_FILE (deploy/install.sh creates it from deploy/rbi.env.example)"
    set -a
    # shellcheck disable=SC1090
    . "$ENV_FILE"
    set +a
    : "${DAGSTER_HOME:?DAGSTER_HOME missing in $ENV_FILE}"
    : "${RBI_INPUTS_DIR:?RBI_INPUTS_DIR missing in $ENV_FILE}"
    : "${RBI_OUTPUT_DIR:?RBI_OUTPUT_DIR missing in $ENV_FILE}"
    : "${RBI_RAW_DIR:?RBI_RAW_DIR missing in $ENV_FILE}"
}

# as the service user when root (the processes run as it), else as whoever runs the script
as_service() {
    if service_mode && [ "$RBI_USER" != root ]; then runuser -u "$RBI_USER" -- env "PATH=$PATH" "$@"; else "$@"; fi
}

own() {  # own MODE DIR...: create the folders, owned by the service user
    local mode="$1"; shift
    mkdir -p "$@"
    chmod "$mode" "$@"
    if service_mode; then chown "$RBI_USER:$RBI_USER" "$@"; fi
}

version_name() {  # a new version's folder name: short commit + time, or $VERSION
    if [ -n "${VERSION:-}" ]; then echo "$VERSION"; return; fi
    echo "$(git -C "$SOURCE" rev-parse --short HEAD 2>/dev/null || echo src)-$(date -u +%Y%m%dT%H%M%SZ)"
}

# checkout VERSION: the source's files (tracked + untracked, not ignored; or REF with `git archive`)
checkout() {
    local target="$OPT/$1"
    [ ! -e "$target" ] || die "$target exists already: choose another VERSION"
    mkdir -p "$target"
    if [ -n "${REF:-}" ]; then
        git -C "$SOURCE" archive --format=tar "$REF" | tar -x -C "$target"
    else
        (cd "$SOURCE" && git ls-files -z --cached --others --exclude-standard | xargs -0 -r tar -c --no-recursion) \
            | tar -x -C "$target"
    fi
    if [ -n "${SHARED_VENV:-}" ]; then  # a virtualenv built from the same requirements.lock (tests)
        ln -s "$SHARED_VENV" "$target/.venv"
        touch -h -d '@0' "$target/requirements.lock"
    fi
    if service_mode; then chown -R "$RBI_USER:$RBI_USER" "$target"; fi
    say "checked out $SOURCE${REF:+ at $REF} into $target"
}

# `make setup` in a checkout with the deployment's environment loaded: dbt is parsed for the
# deployment's output folder (no "Unable to do partial parsing" at run time), and the Makefile
# leaves the instance config in $DAGSTER_HOME as it is
setup_checkout() {
    as_service make -C "$OPT/$1" --no-print-directory setup
}

dagster_bin() { echo "$OPT/$1/.venv/bin/$2"; }

# the instance's schema: created by the first install, migrated by an upgrade (never by the three
# processes racing each other at their first start)
migrate_instance() {
    (cd "$OPT/$1" && as_service env PYTHONPATH="$OPT/$1" "$(dagster_bin "$1" dagster)" instance migrate)
}

operate() {  # operate VERSION ARGS...: python -m orchestration.operate in that checkout
    local version="$1"; shift
    (cd "$OPT/$version" && as_service env PYTHONPATH="$OPT/$version" "$(dagster_bin "$version" python)" \
        -m orchestration.operate "$@")
}

point_current() {  # atomically move the `current` symlink
    ln -sfn "$1" "$OPT/.current.new"
    mv -T "$OPT/.current.new" "$OPT/current"
    say "current -> $1"
}

current_version() { basename "$(readlink "$OPT/current")"; }

wait_healthy() {  # wait_healthy VERSION COMPONENT...
    local version="$1"; shift
    [ "$HEALTH_WAIT" != 0 ] || { say "HEALTH_WAIT=0: not waiting for $*"; return 0; }
    local args=()
    for component in "$@"; do args+=(--only "$component"); done
    operate "$version" health "${args[@]}" --wait "$HEALTH_WAIT" || die "not healthy after ${HEALTH_WAIT} s: $*"
}
