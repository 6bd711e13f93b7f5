# Shared by setup/run, setup/test and .ci/run (sourced, not executed).
# Odoo 19.0 is an installed prerequisite: `python3 -c 'import odoo'` must work.
# PostgreSQL is a local service; these helpers only start it and give the current user a role.

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ADDONS="aftersales_warranty,aftersales_feedback"
PYTHON=${PYTHON:-python3}

die() { echo "ERROR: $*" >&2; exit 1; }

require_odoo() {
    "$PYTHON" -c 'import odoo.release as r; assert r.version_info[:2] == (19, 0), r.version' 2>/dev/null \
        || die "Odoo 19.0 is not importable by '$PYTHON' (python3 -c 'import odoo' must work): install Odoo 19.0 first, see README.md 'Prerequisites'."
}

# Start the local PostgreSQL cluster when it is down, and give the current user a superuser role.
ensure_postgres() {
    if command -v pg_lsclusters >/dev/null 2>&1; then
        pg_lsclusters --no-header | while read -r ver name _port status _rest; do
            if [ "$status" != "online" ]; then
                pg_ctlcluster --skip-systemctl-redirect "$ver" "$name" start \
                    || die "could not start PostgreSQL cluster $ver/$name"
            fi
        done
    fi
    local me
    me=$(id -un)
    if ! psql -d postgres -Atc 'select 1' >/dev/null 2>&1; then
        if [ "$(id -u)" = 0 ] && id postgres >/dev/null 2>&1; then
            su postgres -c "createuser --superuser '$me'" >/dev/null 2>&1 || true
        fi
        psql -d postgres -Atc 'select 1' >/dev/null 2>&1 \
            || die "PostgreSQL does not accept user '$me': create a role for it (createuser --superuser $me)."
    fi
}

# Odoo adds its own addons directories by itself; ours is the repository root.
odoo_cmd() {
    "$PYTHON" -m odoo --addons-path="$REPO_ROOT" --http-interface=127.0.0.1 "$@"
}
