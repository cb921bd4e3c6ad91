#!/usr/bin/env bash
# Starts s3rver (an S3-compatible server from npm, files on disk) on 127.0.0.1:PORT in the background, for the
# recording tests (ANC_S3_URL). Installs it under .tools/s3rver on first use (gitignored). Needs Node.
#   infra/local/s3-local.sh [PORT]        (default 18400)
# Then record to it:
#   Recording__Store=s3 Recording__S3__ServiceUrl=http://127.0.0.1:18400 Recording__S3__Bucket=anc-recordings dotnet run --project gateway
# s3rver accepts the access key S3RVER with secret S3RVER; the bucket is created by the gateway on first use
# when Recording:S3:ServiceUrl is set (a local server), never against AWS.
set -euo pipefail
port=${1:-18400}
root=$(cd "$(dirname "$0")/../.." && pwd)
home="$root/.tools/s3rver"
bin="$home/node_modules/.bin/s3rver"
if [[ ! -x "$bin" ]]; then
  mkdir -p "$home"
  npm install --silent --no-audit --no-fund --prefix "$home" s3rver@3.7.1 >/dev/null
fi
if (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null; then
  echo "something already listens on 127.0.0.1:$port"
  exit 0
fi
mkdir -p "$home/data-$port"
nohup "$bin" --address 127.0.0.1 --port "$port" --directory "$home/data-$port" --silent > "$home/s3rver-$port.log" 2>&1 &
for _ in $(seq 100); do
  (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null && { echo "s3rver on 127.0.0.1:$port"; exit 0; }
  sleep 0.2
done
echo "s3rver did not start; see $home/s3rver-$port.log" >&2
exit 1
