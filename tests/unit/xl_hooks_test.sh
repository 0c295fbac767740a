#!/bin/bash
# xl-hooks/yasmin-vif, the vif hotplug wrapper, with a fake stock script, a fake yasmind and a
# fake xenstore-exists (what it does on a real dom0 is the lab's business, 82-yasmin-remap):
#   - shellcheck (skipped if not installed);
#   - the stock script gets the same arguments and environment, and its exit status is the
#     wrapper's, failure included;
#   - a running yasmind daemon: no yasmind --once; none: --once at online at once, and at
#     offline only once the domain's home is gone; YASMIN_VIF_ONCE=no: never;
#   - bad settings (no such stock script, the wrapper itself, a path with a slash but not
#     absolute, bad YASMIN_VIF_ONCE or YASMIN_VIF_WAIT) fail with a message that names them,
#     before the stock script runs.
# Usage: xl_hooks_test.sh HOOK
# shellcheck disable=SC2015 # "COND && ok ... || fail ...": ok only echoes, it never fails
set -u
hook=$1
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }

if command -v shellcheck >/dev/null 2>&1; then
    if shellcheck "$hook"; then ok "shellcheck $hook"; else fail "shellcheck $hook"; fi
else
    echo "skipped: shellcheck is not installed"
fi

tmp=$(mktemp -d)
daemon=
cleanup() { [ -z "$daemon" ] || kill "$daemon" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
# The wrapper runs from a directory of its own, next to the stock script, as in /etc/xen/scripts.
mkdir -p "$tmp/scripts" "$tmp/bin" "$tmp/xs"
cp "$hook" "$tmp/scripts/yasmin-vif"
cat >"$tmp/scripts/vif-stock" <<'EOF'
#!/bin/sh
echo "$* XENBUS_PATH=$XENBUS_PATH vif=${vif:-}" >>"$TEST_DIR/stock.calls"
exit "${STOCK_RC:-0}"
EOF
cat >"$tmp/bin/yasmind" <<'EOF'
#!/bin/sh
echo "$*" >>"$TEST_DIR/yasmind.calls"
EOF
# xenstore-exists PATH: the fake XenStore is a directory of marker files.
cat >"$tmp/bin/xenstore-exists" <<'EOF'
#!/bin/sh
[ -e "$TEST_DIR/xs/$(echo "$1" | tr / _)" ]
EOF
# A process whose name is yasmind, for the pid file of a "running daemon".
mkdir -p "$tmp/d"
cp "$(command -v sleep)" "$tmp/d/yasmind"
chmod +x "$tmp/scripts/vif-stock" "$tmp/bin/yasmind" "$tmp/bin/xenstore-exists" "$tmp/scripts/yasmin-vif"
export TEST_DIR=$tmp PATH="$tmp/bin:$PATH" YASMIN_VIF_CONFIG=$tmp/yasmin-vif.conf

settings() {   # the settings file, with extra lines
    { echo "YASMIN_VIF_SCRIPT=vif-stock"
      echo "YASMIND=$tmp/bin/yasmind"
      echo "YASMIND_PIDFILE=$tmp/yasmind.pid"
      echo "YASMIN_VIF_WAIT=5"
      printf '%s\n' "$@"; } >"$YASMIN_VIF_CONFIG"
}
run() {   # ARGS...: the wrapper as libxl runs it; its exit status in $rc, stderr in $tmp/err
    rm -f "$tmp/stock.calls" "$tmp/yasmind.calls"
    rc=0
    XENBUS_PATH=${XENBUS_PATH:-backend/vif/7/0} vif=vif7.0 "$tmp/scripts/yasmin-vif" "$@" 2>"$tmp/err" || rc=$?
}
calls() { cat "$tmp/$1.calls" 2>/dev/null; }
# wait_calls NAME TEXT : up to 3 s for TEXT in NAME's calls (the offline pass is in the background).
wait_calls() {
    local i=0
    until [ "$(calls "$1")" = "$2" ]; do
        [ $i -lt 30 ] || return 1
        sleep 0.1; i=$((i + 1))
    done
}

echo "=== no daemon"
settings
run online
[ "$(calls stock)" = "online XENBUS_PATH=backend/vif/7/0 vif=vif7.0" ] &&
    ok "online: the stock script got the arguments and environment" ||
    fail "online: the stock script got '$(calls stock)'"
[ "$rc" -eq 0 ] && [ "$(calls yasmind)" = "--once" ] && ok "online: yasmind --once at once" ||
    fail "online: exit $rc, yasmind calls '$(calls yasmind)' ($(cat "$tmp/err"))"

STOCK_RC=3 run online
[ "$rc" -eq 3 ] && ok "a failing stock script's status (3) is the wrapper's" || fail "exit $rc, expected 3"

touch "$tmp/xs/_local_domain_7"
run offline
[ "$(calls stock)" = "offline XENBUS_PATH=backend/vif/7/0 vif=vif7.0" ] || fail "offline: the stock script got '$(calls stock)'"
sleep 0.5
[ -z "$(calls yasmind)" ] && ok "offline: no pass while the domain still has its home" ||
    fail "offline: yasmind ran while /local/domain/7 exists: '$(calls yasmind)'"
rm "$tmp/xs/_local_domain_7"
wait_calls yasmind "--once" && ok "offline: yasmind --once once the home is gone" ||
    fail "offline: no yasmind --once after the home went: '$(calls yasmind)'"

XENBUS_PATH=garbage run offline
wait_calls yasmind "--once" && grep -q "XENBUS_PATH='garbage'" "$tmp/err" &&
    ok "offline with a bad XENBUS_PATH: said so, and ran yasmind --once at once" ||
    fail "bad XENBUS_PATH: '$(calls yasmind)', stderr: $(cat "$tmp/err")"

settings YASMIN_VIF_ONCE=no
run online
sleep 0.3
[ "$rc" -eq 0 ] && [ -n "$(calls stock)" ] && [ -z "$(calls yasmind)" ] && ok "YASMIN_VIF_ONCE=no: stock script only" ||
    fail "YASMIN_VIF_ONCE=no: exit $rc, yasmind '$(calls yasmind)'"

echo "=== a yasmind daemon runs"
settings
# comm is the executable's name: a copy of sleep called yasmind.
"$tmp/d/yasmind" 60 &
daemon=$!
echo "$daemon" >"$tmp/yasmind.pid"
for event in online offline; do
    run "$event"
    sleep 0.3
    [ "$rc" -eq 0 ] && [ -n "$(calls stock)" ] && [ -z "$(calls yasmind)" ] &&
        ok "$event with the daemon running: stock script only, no yasmind --once" ||
        fail "$event with the daemon: exit $rc, yasmind '$(calls yasmind)'"
done
echo "999999999" >"$tmp/yasmind.pid"
run online
[ "$(calls yasmind)" = "--once" ] && ok "a pid file naming no process: yasmind --once" ||
    fail "stale pid file: yasmind calls '$(calls yasmind)'"

echo "=== bad settings"
bad() {   # MESSAGE LINE... : the wrapper refuses these settings, saying MESSAGE
    local want=$1; shift
    settings "$@"
    run online
    if [ "$rc" -eq 1 ] && [ -z "$(calls stock)" ] && grep -qF -- "$want" "$tmp/err"; then
        ok "refused: $*"
    else
        fail "$*: exit $rc, stock calls '$(calls stock)', stderr: $(cat "$tmp/err")"
    fi
}
bad "is not an executable file" YASMIN_VIF_SCRIPT=vif-missing
bad "names this wrapper itself" YASMIN_VIF_SCRIPT=yasmin-vif
bad "a name in" YASMIN_VIF_SCRIPT=sub/vif-stock
bad "is empty" YASMIN_VIF_SCRIPT=
bad "YASMIN_VIF_ONCE=sometimes" YASMIN_VIF_ONCE=sometimes
bad "YASMIN_VIF_WAIT=soon" YASMIN_VIF_WAIT=soon
settings "YASMIN_VIF_SCRIPT=$tmp/scripts/vif-stock"
run online
[ "$rc" -eq 0 ] && [ -n "$(calls stock)" ] && ok "an absolute YASMIN_VIF_SCRIPT" || fail "absolute path: exit $rc"
rm "$YASMIN_VIF_CONFIG"
run online
[ "$rc" -eq 1 ] && grep -q "/vif-bridge is not an executable file" "$tmp/err" &&
    ok "without a settings file the stock script is vif-bridge" || fail "default stock script: $(cat "$tmp/err")"


[ "$failures" -eq 0 ] || { echo "$failures failed" >&2; exit 1; }
echo "all xl-hooks checks passed"
