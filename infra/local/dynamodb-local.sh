#!/usr/bin/env bash
# Starts AWS's DynamoDB Local (shipped inside the npm package amplify-dynamodb-simulator) on 127.0.0.1:PORT,
# in memory, in the background. Installs it under .tools/dynamodb on first use. Needs Java 17.
#   infra/local/dynamodb-local.sh [PORT]        (default 8000)
#   infra/local/dynamodb-local.sh --install     (install only; prints the folder holding DynamoDBLocal.jar)
# Then run the cluster on it:
#   Persistence__Provider=dynamodb DynamoDB__ServiceUrl=http://127.0.0.1:8000 dotnet run --project gateway
set -euo pipefail
port=${1:-8000}
install_only=false
[[ "$port" == --install ]] && install_only=true
root=$(cd "$(dirname "$0")/../.." && pwd)
home="$root/.tools/dynamodb"
emulator="$home/node_modules/amplify-dynamodb-simulator/emulator"
if [[ ! -f "$emulator/DynamoDBLocal.jar" ]]; then
  mkdir -p "$home"
  npm install --silent --no-audit --no-fund --prefix "$home" amplify-dynamodb-simulator@2.9.30 >/dev/null
fi
if $install_only; then echo "$emulator"; exit 0; fi
if (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null; then
  echo "something already listens on 127.0.0.1:$port"
  exit 0
fi
cd "$emulator"
nohup java -Djava.library.path=./DynamoDBLocal_lib -jar DynamoDBLocal.jar -inMemory -port "$port" > "$home/dynamodb-$port.log" 2>&1 &
for _ in $(seq 100); do
  (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null && { echo "DynamoDB Local on 127.0.0.1:$port"; exit 0; }
  sleep 0.2
done
echo "DynamoDB Local did not start; see $home/dynamodb-$port.log" >&2
exit 1
