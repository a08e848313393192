#!/usr/bin/env bash
# Proves that buildout users get a Zope that serves: builds buildout.cfg from scratch (new
# venv, every egg from the index, the add-on developed from this checkout) in a temporary
# directory, starts bin/instance fg and asks it for /. The only thing written into the
# checkout is the egg-info that the editable install of the add-on leaves in src/.
#
#   bash scripts/buildout_check.sh      # PYTHON=/path/to/python3.11 to pick the interpreter
#
# Takes about 5 minutes, nearly all of it bin/buildout fetching and building eggs.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# A cold start loads all of Plone's ZCML, which takes a while on a small machine.
STARTUP_TIMEOUT="${STARTUP_TIMEOUT:-120}"

if [[ -z "${PYTHON:-}" ]]; then
    # The pins in versions.cfg are chosen for 3.11, so prefer it when both exist.
    PYTHON="$(command -v python3.11 || command -v python3 || true)"
fi
if [[ -z "$PYTHON" ]] || ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "FAIL: need Python 3.11 or later; set PYTHON to its interpreter" >&2
    exit 2
fi
if [[ "$ROOT" =~ [[:space:]] ]]; then
    # buildout's develop option is whitespace-separated, so such a path cannot be named in it.
    echo "FAIL: the checkout path '$ROOT' contains whitespace, which buildout cannot develop" >&2
    exit 2
fi

# A stale versions.cfg would test other pins than the ones pip users get.
if ! "$PYTHON" "$ROOT/scripts/make_versions.py" --check >/dev/null; then
    echo "FAIL: versions.cfg does not match constraints.txt (see above)" >&2
    exit 1
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/buildout-check.XXXXXX")"
ZOPE_PID=""

stop_zope() {
    [[ -n "$ZOPE_PID" ]] || return 0
    # fg may hand over to a child process, so signal the whole process group it leads.
    kill -TERM -- "-$ZOPE_PID" 2>/dev/null || true
    local waited=0
    while kill -0 -- "-$ZOPE_PID" 2>/dev/null && ((waited < 30)); do
        sleep 1
        waited=$((waited + 1))
    done
    kill -KILL -- "-$ZOPE_PID" 2>/dev/null || true
    wait "$ZOPE_PID" 2>/dev/null || true
    ZOPE_PID=""
}

cleanup() {
    stop_zope
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() {
    echo "FAIL: $1" >&2
    local log
    # The fg log last: its final lines hold the traceback that stopped Zope.
    for log in "$WORK/var/log/instance.log" "$WORK/instance-fg.log"; do
        if [[ -s "$log" ]]; then
            echo "--- last lines of ${log#"$WORK"/} ---" >&2
            tail -n 60 "$log" >&2
        fi
    done
    exit 1
}

port_is_free() {
    "$PYTHON" - "$1" <<'PY'
import socket
import sys

with socket.socket() as sock:
    try:
        sock.bind(("127.0.0.1", int(sys.argv[1])))
    except OSError:
        sys.exit(1)
PY
}

some_free_port() {
    "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# Prints the HTTP status of GET $1 without following redirects, or nothing if no answer.
http_status() {
    "$PYTHON" - "$1" <<'PY'
import sys
import urllib.error
import urllib.request


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


opener = urllib.request.build_opener(NoRedirect)
try:
    with opener.open(sys.argv[1], timeout=10) as response:
        print(response.status)
except urllib.error.HTTPError as error:
    print(error.code)
except OSError:
    pass
PY
}

pin() {
    awk -F'[[:space:]]*=[[:space:]]*' -v name="$1" \
        'tolower($1) == tolower(name) { print $2 }' "$ROOT/versions.cfg"
}

# make run owns 8080 while it runs; the check must not fight it for the port.
PORT=8080
port_is_free "$PORT" || PORT="$(some_free_port)"

cp "$ROOT/buildout.cfg" "$ROOT/instance.cfg" "$ROOT/versions.cfg" "$WORK/"
cd "$WORK"

echo "buildout check in $WORK (removed at exit), Python $("$PYTHON" -c 'import platform; print(platform.python_version())')"
"$PYTHON" -m venv venv
# zc.buildout's own dependencies at their pins too: buildout checks setuptools, pip and
# wheel against versions.cfg and the build should not depend on the day it runs.
bootstrap=()
for name in zc.buildout setuptools pip wheel packaging platformdirs; do
    version="$(pin "$name")"
    [[ -n "$version" ]] || fail "versions.cfg has no pin for $name"
    bootstrap+=("$name==$version")
done
venv/bin/pip install --quiet "${bootstrap[@]}" ||
    fail "could not install ${bootstrap[*]} into the scratch venv"

# -U: the user's ~/.buildout/default.cfg (shared eggs, other indexes) must not leak in.
BUILDOUT_ARGS=(-U -c buildout.cfg "buildout:develop=$ROOT")
echo "running bin/buildout (about 5 minutes)..."
started=$SECONDS
if ! venv/bin/buildout "${BUILDOUT_ARGS[@]}" "instance:http-address=127.0.0.1:$PORT" \
    >buildout.log 2>&1; then
    echo "--- last lines of buildout.log ---" >&2
    tail -n 40 buildout.log >&2
    fail "bin/buildout failed"
fi
buildout_seconds=$((SECONDS - started))
echo "bin/buildout finished in ${buildout_seconds}s"

if ! port_is_free "$PORT"; then
    # Someone took the port during the build. Every egg is here now, so with -N this run
    # takes seconds (-o would be faster still, but zc.buildout 6.0.1 then fails to find
    # the recipe egg it has just installed).
    PORT="$(some_free_port)"
    if ! venv/bin/buildout "${BUILDOUT_ARGS[@]}" -N "instance:http-address=127.0.0.1:$PORT" \
        >>buildout.log 2>&1; then
        echo "--- last lines of buildout.log ---" >&2
        tail -n 40 buildout.log >&2
        fail "bin/buildout could not move the instance to port $PORT"
    fi
fi

URL="http://127.0.0.1:$PORT/"
echo "starting bin/instance fg on $URL"
# Job control gives the instance a process group of its own for stop_zope to signal.
set -m
bin/instance fg >instance-fg.log 2>&1 &
ZOPE_PID=$!
set +m

started=$SECONDS
status=""
while true; do
    status="$(http_status "$URL")"
    case "$status" in
        200 | 302 | 401) break ;;
    esac
    kill -0 "$ZOPE_PID" 2>/dev/null ||
        fail "bin/instance fg exited before Zope answered"
    ((SECONDS - started < STARTUP_TIMEOUT)) ||
        fail "Zope did not answer $URL with 200/302/401 within ${STARTUP_TIMEOUT}s (last status: ${status:-none})"
    sleep 2
done
startup_seconds=$((SECONDS - started))

stop_zope
echo "PASS: buildout built the instance in ${buildout_seconds}s; Zope answered HTTP $status on $URL after ${startup_seconds}s"
