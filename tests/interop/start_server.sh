# Sourced by the echo interop scripts: start_server PATTERN COMMAND... starts COMMAND in
# the background with its output in $server_log, waits (5 s at most) until a line of it
# gives the URL through the sed PATTERN, and sets $server (the PID) and $url. An EXIT
# trap stops the server by its PID and removes the log. Fails, showing the log, if no
# URL appears.
start_server() {
  local pattern=$1
  shift
  server_log=$(mktemp)
  "$@" >"$server_log" 2>&1 &
  server=$!
  trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -f "$server_log"' EXIT
  url=""
  for _ in $(seq 1 100); do
    url=$(sed -n "$pattern" "$server_log")
    [ -n "$url" ] && break
    sleep 0.05
  done
  [ -n "$url" ] || { echo "the server did not start:"; cat "$server_log"; return 1; }
  echo "server: $(head -n 1 "$server_log")"
}
# The URL line rtc-echo server prints.
RTC_ECHO_URL='s|^rtc-echo server: \(http://[0-9.:]*\)/.*|\1|p'
