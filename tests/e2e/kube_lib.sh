# Kubernetes API emulators for end-to-end tests (sourced after lib.sh).
#   start_kube NAME TOKEN   starts tests/emulator/src/kube.js for cluster NAME
#                           with a certificate from a test CA made here with
#                           openssl; writes $E2E_TMP/kube/NAME.kubeconfig
#                           (context NAME) and sets KUBE_URL_<NAME>.
#   kube NAME METHOD PATH [JSON]   talks to its /_kube/ control endpoints.
#   add_pod NAME NS SERVICE IP [PORT_NAME PORT]   one ready endpoint.
KUBE_PIDS=()
KUBE_DIR=$E2E_TMP/kube
mkdir -p "$KUBE_DIR"

cleanup_kube() {
  for pid in "${KUBE_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  cleanup_e2e
}
trap cleanup_kube EXIT

kube_ca() {
  [[ -f $KUBE_DIR/ca.crt ]] && return 0
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
    -subj /CN=trellis-test-ca -keyout "$KUBE_DIR/ca.key" -out "$KUBE_DIR/ca.crt" 2>/dev/null \
    || fail "openssl cannot make the test CA"
}

start_kube() {
  local name=$1 token=$2 out=$KUBE_DIR/$1.out
  kube_ca
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=$name" \
    -keyout "$KUBE_DIR/$name.key" -out "$KUBE_DIR/$name.csr" 2>/dev/null || fail "openssl csr"
  printf 'subjectAltName=IP:127.0.0.1\n' >"$KUBE_DIR/$name.ext"
  openssl x509 -req -in "$KUBE_DIR/$name.csr" -CA "$KUBE_DIR/ca.crt" -CAkey "$KUBE_DIR/ca.key" \
    -CAcreateserial -days 1 -extfile "$KUBE_DIR/$name.ext" -out "$KUBE_DIR/$name.crt" 2>/dev/null \
    || fail "openssl cannot sign the $name certificate"
  node "$TRELLIS_SOURCE_DIR/tests/emulator/src/kube.js" --cert "$KUBE_DIR/$name.crt" \
    --key "$KUBE_DIR/$name.key" --token "$token" --cluster "$name" >"$out" 2>"$KUBE_DIR/$name.err" &
  KUBE_PIDS+=($!)
  for _ in $(seq 1 100); do
    if [[ -s $out ]] && head -1 "$out" | grep -q '^listening '; then break; fi
    sleep 0.1
  done
  local url
  url=$(head -1 "$out" | sed 's/^listening //')
  [[ $url == https://127.0.0.1:* ]] || fail "kube emulator $name did not start: $(cat "$KUBE_DIR/$name.err")"
  printf -v "KUBE_URL_${name//-/_}" '%s' "$url"
  write_kubeconfig "$name" "$url" "$token"
}

# A kubeconfig with the CA inline (certificate-authority-data).
write_kubeconfig() {
  local name=$1 url=$2 token=$3
  cat >"$KUBE_DIR/$name.kubeconfig" <<KC
apiVersion: v1
kind: Config
current-context: $name
clusters:
  - name: $name
    cluster:
      server: $url
      certificate-authority-data: $(base64 -w0 "$KUBE_DIR/ca.crt")
users:
  - name: $name-user
    user:
      token: $token
contexts:
  - name: $name
    context: {cluster: $name, user: $name-user}
KC
}

kube() {
  local name=$1 method=$2 path=$3 body=${4:-} var="KUBE_URL_${1//-/_}"
  if [[ -n $body ]]; then
    curl -sf --cacert "$KUBE_DIR/ca.crt" -X "$method" -H 'Content-Type: application/json' \
      --data "$body" "${!var}$path"
  else
    curl -sf --cacert "$KUBE_DIR/ca.crt" -X "$method" "${!var}$path"
  fi
}

add_pod() {
  local name=$1 ns=$2 svc=$3 ip=$4 pname=${5:-http} port=${6:-3000}
  kube "$name" POST /_kube/endpoints \
    "{\"namespace\":\"$ns\",\"service\":\"$svc\",\"ip\":\"$ip\",\"ports\":[{\"name\":\"$pname\",\"port\":$port,\"protocol\":\"TCP\"}]}" \
    >/dev/null || fail "add_pod $*"
}
