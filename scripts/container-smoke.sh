#!/usr/bin/env bash
# Container smoke test of octane-emulator: builds the image, runs it, signs in, creates and reads a
# defect, checks the health check and that the server does not run as root, then stops it and
# measures how long the stop takes (the server handles SIGTERM itself as PID 1).
#
#   bash scripts/container-smoke.sh
#
# Uses docker when a Docker daemon answers, else podman (rootful podman with the base images
# available locally: the build runs with --pull=never). Not part of `npm test`.
# Environment: CONTAINER_ENGINE (docker|podman), NODE_IMAGE (the build argument), SMOKE_PORT
# (host port, default a free one), SMOKE_KEEP_IMAGE=1 to keep the image afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."

IMAGE=octane-emulator:smoke
NAME=octane-emulator-smoke-$$

engine=${CONTAINER_ENGINE:-}
if [ -z "$engine" ]; then
  if command -v docker >/dev/null && docker info >/dev/null 2>&1; then engine=docker
  elif command -v podman >/dev/null; then engine=podman
  else echo "container-smoke: neither a Docker daemon nor podman is available" >&2; exit 2
  fi
fi

step() { printf '\n== %s\n' "$*"; }
fail() { echo "container-smoke: FAILED: $*" >&2; exit 1; }
now_ms() { date +%s%3N; }

cleanup() {
  $engine rm -f "$NAME" >/dev/null 2>&1 || true
  [ "${SMOKE_KEEP_IMAGE:-0}" = 1 ] || $engine rmi -f "$IMAGE" >/dev/null 2>&1 || true
}
trap cleanup EXIT

build_args=()
[ -n "${NODE_IMAGE:-}" ] && build_args+=(--build-arg "NODE_IMAGE=$NODE_IMAGE")
if [ "$engine" = podman ]; then build_args+=(--pull=never --format docker); fi

step "engine: $engine ($($engine --version))"
step "build $IMAGE"
t0=$(now_ms)
$engine build "${build_args[@]}" -t "$IMAGE" . 2>&1 | tail -n 5
echo "built in $(( ($(now_ms) - t0) / 1000 )) s; size: $($engine image inspect --format '{{.Size}}' "$IMAGE" | awk '{printf "%.0f MB", $1/1e6}')"

port=${SMOKE_PORT:-$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")}
base="http://127.0.0.1:$port"

step "run on $base"
t0=$(now_ms)
$engine run -d --name "$NAME" -p "127.0.0.1:$port:8080" "$IMAGE" >/dev/null
for _ in $(seq 1 100); do
  curl -fsS "$base/__admin/health" >/dev/null 2>&1 && break
  sleep 0.1
done
health=$(curl -fsS "$base/__admin/health") || { $engine logs "$NAME" | tail -n 20; fail "no answer from /__admin/health"; }
echo "first answer after $(( $(now_ms) - t0 )) ms: $health"
$engine logs "$NAME" 2>&1 | grep -E 'URL|shared space|workspace:|sign in' | sed 's/^/  banner| /'

step "sign in, create and read a defect"
jar=$(mktemp)
code=$(curl -sS -o /dev/null -w '%{http_code}' -c "$jar" -H 'Content-Type: application/json' \
  -d '{"user":"sa@nga","password":"Welcome1"}' "$base/authentication/sign_in")
[ "$code" = 200 ] || fail "sign-in answered $code"
grep -q LWSSO_COOKIE_KEY "$jar" || fail "no LWSSO_COOKIE_KEY cookie"
echo "sign-in: $code, LWSSO_COOKIE_KEY set"
ws="$base/api/shared_spaces/1001/workspaces/1002"
created=$(curl -fsS -b "$jar" -H 'Content-Type: application/json' \
  -d '{"data":[{"name":"Smoke test defect","phase":{"type":"phase","id":"phase.defect.new"}}]}' "$ws/defects")
id=$(node -e "const b=JSON.parse(process.argv[1]); if(b.total_count!==1) process.exit(1); console.log(b.data[0].id)" "$created") || fail "unexpected POST answer: $created"
read=$(curl -fsS -b "$jar" "$ws/defects/$id?fields=name,phase")
node -e "const b=JSON.parse(process.argv[1]); if(b.name!=='Smoke test defect'||b.phase.type!=='phase') process.exit(1)" "$read" || fail "unexpected GET answer: $read"
echo "POST defects -> id $id; GET defects/$id -> $read"
rm -f "$jar"

step "health check and user"
if [ "$engine" = podman ]; then
  $engine healthcheck run "$NAME" && echo "podman healthcheck run: healthy" || fail "the HEALTHCHECK failed"
else
  status=starting
  for _ in $(seq 1 40); do
    status=$($engine inspect --format '{{.State.Health.Status}}' "$NAME")
    [ "$status" = healthy ] && break
    sleep 0.5
  done
  [ "$status" = healthy ] || fail "health status is $status"
  echo "docker health status: $status"
fi
uid=$($engine exec "$NAME" id -u)
user=$($engine exec "$NAME" id -un)
[ "$uid" != 0 ] || fail "the server runs as root"
echo "runs as $user (uid $uid); image user: $($engine image inspect --format '{{.Config.User}}' "$IMAGE")"
echo "volume: $($engine image inspect --format '{{json .Config.Volumes}}' "$IMAGE"); exposed: $($engine image inspect --format '{{json .Config.ExposedPorts}}' "$IMAGE")"

step "stop (SIGTERM)"
t0=$(now_ms)
$engine stop -t 10 "$NAME" >/dev/null
took=$(( $(now_ms) - t0 ))
exit_code=$($engine inspect --format '{{.State.ExitCode}}' "$NAME")
echo "stopped in $took ms, exit code $exit_code"
[ "$exit_code" = 0 ] || fail "exit code $exit_code after SIGTERM"
[ "$took" -lt 1000 ] || fail "the stop took $took ms (goal: under a second)"

step "container smoke test passed"
