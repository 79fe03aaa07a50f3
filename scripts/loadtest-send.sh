#!/usr/bin/env bash
# Load test of send_msg through HTTP with wrk as a separate process, on loopback only.
# Starts a fresh server (demo users, rate limits off) in a temporary directory, sends
# from mid 293793435 to mid 1 (who follow each other) for DURATION, prints wrk's summary
# and checks that every request was stored, then stops the server.
#
#   scripts/loadtest-send.sh [DURATION=10s] [CONNECTIONS=64] [SYNCHRONOUS=normal]
#
# Needs wrk (Debian: apt-get install wrk) and curl.
set -euo pipefail
duration=${1:-10s} conns=${2:-64} sync=${3:-normal}
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)"; exit 1; }
dir=$(mktemp -d)
port=18000
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$dir"' EXIT
go build -o "$dir/bilimsg" ./cmd/bilimsg
"$dir/bilimsg" serve --demo --data "$dir/data" --addr "127.0.0.1:$port" --send-burst 0 --send-daily 0 \
  --synchronous "$sync" >"$dir/out" 2>"$dir/err" &
pid=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
line=$(grep 'mid 293793435' "$dir/out")
sess=$(sed -E 's/.*SESSDATA=([^;]+);.*/\1/' <<<"$line")
csrf=$(sed -E 's/.*csrf=([0-9a-f]+).*/\1/' <<<"$line")
detail() {
  curl -s -G "http://127.0.0.1:$port/session_svr/v1/session_svr/session_detail" -d talker_id=1 -d session_type=1 \
    -b "SESSDATA=$sess" | sed -E 's/.*"max_seqno":([0-9]+).*/\1/'
}
before=$(detail)
cat >"$dir/send.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = "SESSDATA=$sess"
wrk.body = "msg%5Bsender_uid%5D=293793435&msg%5Breceiver_id%5D=1&msg%5Breceiver_type%5D=1&msg%5Bmsg_type%5D=1&msg%5Bmsg_status%5D=0&msg%5Bdev_id%5D=372778FD-E359-461D-86A3-EA2BCC6FF52A&msg%5Btimestamp%5D=1626181379&msg%5Bnew_face_version%5D=1&msg%5Bcontent%5D=%7B%22content%22%3A%22%E4%BD%A0%E5%A5%BD%EF%BC%8C%E5%82%AC%E6%9B%B4+%5Bdoge%5D%22%7D&csrf=$csrf&csrf_token=$csrf"
function response(status, headers, body)
  if status ~= 200 or not body:find('"code":0,', 1, true) then error("send failed: " .. body) end
end
LUA
wrk -t2 -c"$conns" -d"$duration" -s "$dir/send.lua" "http://127.0.0.1:$port/web_im/v1/web_im/send_msg" | tee "$dir/wrk"
after=$(detail)
echo "messages stored during the run (seqno delta): $((after - before))"
