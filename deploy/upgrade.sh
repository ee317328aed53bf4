#!/usr/bin/env bash
# Upgrade the deployment to the code of this checkout (docs/operations.md "Upgrade"), as root:
#   git pull && sudo deploy/upgrade.sh
# 1. a new checkout in /opt/rbi/<version>, `make setup` there with the deployment's environment
#    (its own .venv; $DAGSTER_HOME/dagster.yaml is left as it is) -- the running version is untouched;
# 2. stop the daemon: no schedule, sensor or queued run starts from now on (queued runs stay queued);
# 3. wait until no run is in progress (the default run launcher runs each run as a child process of
#    the code server: stopping the code server would kill it); RUN_WAIT seconds at most (default
#    3600), then give up and restart the daemon on the old version, changing nothing;
# 4. stop the webserver and the code server; `dagster instance migrate` with the new version
#    (a Dagster version bump may change the schema; a no-op otherwise);
# 5. `current` -> the new version; start the code server and wait for its gRPC health; then the
#    webserver and the daemon, and wait until every component is healthy.
# Options as deploy/install.sh (--prefix, --version, --ref). SYSTEMCTL names the service manager
# command (default systemctl); HEALTH_WAIT=0 skips the health waits (no service manager).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

RUN_WAIT="${RUN_WAIT:-3600}"
while [ $# -gt 0 ]; do
    take_version_option "$@"
    [ "$TAKEN" -gt 0 ] || die "unknown option $1 (see the head of $0)"
    shift "$TAKEN"
done
load_env
service_mode || RBI_USER="$(id -un)"
[ -L "$OPT/current" ] || die "$OPT/current missing: install first (deploy/install.sh)"
old="$(current_version)"
new="$(version_name)"

checkout "$new"
setup_checkout "$new"

$SYSTEMCTL stop rbi-daemon
if ! operate "$old" wait-idle --timeout "$RUN_WAIT"; then
    $SYSTEMCTL start rbi-daemon
    die "a run is still in progress after $RUN_WAIT s: nothing changed (still on $old); try again later"
fi
$SYSTEMCTL stop rbi-webserver rbi-code-server
migrate_instance "$new"
point_current "$new"

$SYSTEMCTL start rbi-code-server
wait_healthy "$new" code-server
$SYSTEMCTL start rbi-webserver rbi-daemon
wait_healthy "$new" instance code-server webserver daemon
say "upgraded $old -> $new (the old checkout $OPT/$old stays for a rollback: point current back, restart rbi.target)"
