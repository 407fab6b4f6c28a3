#!/usr/bin/env bash
# Real git servers on loopback for the source module's tests.
#
#   git-servers.sh start DIR WATCH_PID   set up and start; writes DIR/env
#   git-servers.sh stop DIR              stop what start started
#
# start builds, under DIR (which must exist and be empty):
#   repos/origin.git      a bare repository (main, tag v1)
#   a test CA and a server certificate for 127.0.0.1/localhost,
#   another CA that did not sign anything (for the "untrusted" case),
#   lighttpd serving git http-backend (CGI) over HTTPS with basic auth,
#   sshd on an unprivileged port with its own host key and authorized_keys,
#   known_hosts files: right (plain and hashed), wrong key, empty.
# Both servers listen on 127.0.0.1 only, on free ports picked here.
# A watchdog stops them when WATCH_PID (the test process) goes away, so a
# crashed test does not leave servers behind.
#
# A missing server binary is a failure, never a skip: ci/install-deps
# installs them (lighttpd, lighttpd-mod-openssl, openssh-server, openssl,
# git, python3).
set -euo pipefail

cmd=${1:?usage: git-servers.sh start DIR WATCH_PID | stop DIR}
dir=${2:?missing DIR}
dir=$(cd "$dir" && pwd)

stop() {
	local pidfile pid
	for pidfile in "$dir"/run/*.pid; do
		[[ -f $pidfile ]] || continue
		pid=$(cat "$pidfile" 2>/dev/null || true)
		[[ $pid =~ ^[0-9]+$ ]] && kill "$pid" 2>/dev/null || true
		rm -f "$pidfile"
	done
}

if [[ $cmd == stop ]]; then
	stop
	exit 0
fi
[[ $cmd == start ]] || { echo "unknown command $cmd" >&2; exit 64; }
watch_pid=${3:?missing WATCH_PID}

lighttpd_bin=$(command -v lighttpd || echo /usr/sbin/lighttpd)
sshd_bin=/usr/sbin/sshd
backend=$(git --exec-path 2>/dev/null)/git-http-backend
missing=()
for b in git openssl ssh-keygen python3; do
	command -v "$b" >/dev/null 2>&1 || missing+=("$b")
done
[[ -x $lighttpd_bin ]] || missing+=(lighttpd)
[[ -x $sshd_bin ]] || missing+=(sshd)
[[ -x $backend ]] || missing+=(git-http-backend)
moddir=$( "$lighttpd_bin" -V 2>/dev/null | sed -n 's/.*LIBRARY_DIR="\{0,1\}\([^"]*\)"\{0,1\}/\1/p' | head -1 || true)
for m in /usr/lib/lighttpd /usr/lib64/lighttpd "$moddir"; do
	[[ -n $m && -f $m/mod_openssl.so ]] && { moddir=$m; break; }
done
[[ -n $moddir && -f $moddir/mod_openssl.so ]] || missing+=("lighttpd mod_openssl (lighttpd-mod-openssl)")
if ((${#missing[@]})); then
	echo "git-servers: missing ${missing[*]}; run ci/install-deps" >&2
	exit 1
fi

mkdir -p "$dir/run" "$dir/repos" "$dir/www" "$dir/tls" "$dir/ssh"
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
g() { git -c user.name=trellis -c user.email=t@example.com -c init.defaultBranch=main "$@"; }

# --- the repository ---------------------------------------------------
work=$dir/work
mkdir -p "$work/clusters/a"
printf 'kind: Gateway\n' >"$work/clusters/a/gw.yaml"
printf 'version: 1\n' >"$work/trellis.yaml"
g -C "$work" init -q
g -C "$work" add -A
g -C "$work" commit -q -m first
g -C "$work" tag -a v1 -m v1
g clone -q --bare "$work" "$dir/repos/origin.git"
commit=$(git -C "$dir/repos/origin.git" rev-parse main)

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# --- TLS ------------------------------------------------------------------
tls=$dir/tls
ossl() { openssl "$@" >/dev/null 2>&1 || { echo "git-servers: openssl $1 failed" >&2; exit 1; }; }
ossl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	-keyout "$tls/ca.key" -out "$tls/ca.pem" -days 2 -subj "/CN=trellis test CA" \
	-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
ossl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	-keyout "$tls/other-ca.key" -out "$tls/other-ca.pem" -days 2 -subj "/CN=some other CA"
ossl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	-keyout "$tls/server.key" -out "$tls/server.csr" -subj "/CN=127.0.0.1"
# mbedTLS 2.28 (libgit2's TLS on Debian 12) matches IP addresses only
# against DNS names, hence DNS:127.0.0.1 next to IP:127.0.0.1.
printf 'subjectAltName=DNS:localhost,DNS:127.0.0.1,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >"$tls/ext"
ossl x509 -req -in "$tls/server.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" \
	-CAcreateserial -out "$tls/server.pem" -days 2 -extfile "$tls/ext"

# --- lighttpd + git http-backend -----------------------------------------
https_port=$(free_port)
http_user=trellis
http_password=SECRET-CANARY-pw1
printf '%s:%s\n' "$http_user" "$http_password" >"$dir/run/htpasswd"
cat >"$dir/run/lighttpd.conf" <<EOF
server.modules = ("mod_access", "mod_alias", "mod_auth", "mod_authn_file",
                  "mod_cgi", "mod_setenv", "mod_openssl")
server.module-directory = "$moddir"
server.document-root = "$dir/www"
server.bind = "127.0.0.1"
server.port = $https_port
server.errorlog = "$dir/run/lighttpd-error.log"
ssl.engine = "enable"
ssl.pemfile = "$tls/server.pem"
ssl.privkey = "$tls/server.key"
auth.backend = "plain"
auth.backend.plain.userfile = "$dir/run/htpasswd"
\$HTTP["url"] =~ "^/git/" {
  alias.url = ("/git/" => "$backend/")
  cgi.assign = ("" => "")
  setenv.set-environment = ("GIT_PROJECT_ROOT" => "$dir/repos",
                            "GIT_HTTP_EXPORT_ALL" => "1",
                            "GIT_CONFIG_NOSYSTEM" => "1")
  auth.require = ("" => ("method" => "basic", "realm" => "git",
                         "require" => "valid-user"))
}
EOF
"$lighttpd_bin" -tt -f "$dir/run/lighttpd.conf" >"$dir/run/lighttpd-check.log" 2>&1 || {
	echo "git-servers: lighttpd rejects its config:" >&2
	cat "$dir/run/lighttpd-check.log" >&2
	exit 1
}
"$lighttpd_bin" -D -f "$dir/run/lighttpd.conf" </dev/null >"$dir/run/lighttpd.log" 2>&1 &
echo $! >"$dir/run/lighttpd.pid"

# --- sshd -----------------------------------------------------------------
ssh_port=$(free_port)
ssh_user=$(id -un)
ssh-keygen -q -t ed25519 -N '' -C host -f "$dir/ssh/host_key"
ssh-keygen -q -t ed25519 -N '' -C other-host -f "$dir/ssh/other_host_key"
ssh-keygen -q -t ed25519 -N '' -C client -f "$dir/ssh/client_key"
ssh-keygen -q -t ed25519 -N '' -C stranger -f "$dir/ssh/stranger_key"
ssh-keygen -q -t ed25519 -N 'pass-SECRET-CANARY-7' -C locked -f "$dir/ssh/locked_key"
cat "$dir/ssh/client_key.pub" "$dir/ssh/locked_key.pub" >"$dir/ssh/authorized_keys"
chmod 600 "$dir/ssh/authorized_keys"
hostkey=$(cut -d' ' -f1,2 "$dir/ssh/host_key.pub")
otherkey=$(cut -d' ' -f1,2 "$dir/ssh/other_host_key.pub")
printf '# test known_hosts\n[127.0.0.1]:%s %s\n' "$ssh_port" "$hostkey" >"$dir/ssh/known_hosts"
cp "$dir/ssh/known_hosts" "$dir/ssh/known_hosts_hashed"
ssh-keygen -q -H -f "$dir/ssh/known_hosts_hashed" >/dev/null 2>&1
rm -f "$dir/ssh/known_hosts_hashed.old"
printf '[127.0.0.1]:%s %s\n' "$ssh_port" "$otherkey" >"$dir/ssh/known_hosts_wrong"
printf '[127.0.0.1]:%s %s\n' "$((ssh_port + 1))" "$hostkey" >"$dir/ssh/known_hosts_other_port"
cat >"$dir/run/sshd_config" <<EOF
Port $ssh_port
ListenAddress 127.0.0.1
HostKey $dir/ssh/host_key
PidFile $dir/run/sshd-own.pid
AuthorizedKeysFile $dir/ssh/authorized_keys
StrictModes no
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin prohibit-password
AllowUsers $ssh_user
LogLevel VERBOSE
EOF
# sshd insists on its privilege separation folder.
if [[ ! -d /run/sshd && $(id -u) -eq 0 ]]; then
	mkdir -p /run/sshd && chmod 755 /run/sshd
fi
"$sshd_bin" -t -f "$dir/run/sshd_config" >"$dir/run/sshd-check.log" 2>&1 || {
	echo "git-servers: sshd rejects its config:" >&2
	cat "$dir/run/sshd-check.log" >&2
	exit 1
}
"$sshd_bin" -D -e -f "$dir/run/sshd_config" </dev/null >"$dir/run/sshd.log" 2>&1 &
echo $! >"$dir/run/sshd.pid"

# --- ssh-agent holding the client key ---------------------------------------
command -v ssh-agent >/dev/null 2>&1 || { echo "git-servers: missing ssh-agent (openssh-client)" >&2; stop; exit 1; }
ssh-agent -a "$dir/run/agent.sock" -D </dev/null >/dev/null 2>&1 &
echo $! >"$dir/run/ssh-agent.pid"
# On a loaded machine the agent may take seconds to bind its socket and
# start answering: wait for the socket, then retry the add, up to 30 s.
added=
for _ in $(seq 1 300); do
	if [[ -S $dir/run/agent.sock ]] &&
		SSH_AUTH_SOCK=$dir/run/agent.sock ssh-add -q "$dir/ssh/client_key" 2>/dev/null; then
		added=1; break
	fi
	sleep 0.1
done
[[ -n $added ]] || { echo "git-servers: ssh-add failed (agent not answering after 30 s)" >&2; stop; exit 1; }
ssh-agent -a "$dir/run/empty-agent.sock" -D </dev/null >/dev/null 2>&1 &
echo $! >"$dir/run/empty-agent.pid"
for _ in $(seq 1 300); do [[ -S $dir/run/empty-agent.sock ]] && break; sleep 0.1; done

# --- watchdog -------------------------------------------------------------
# It holds the process ids itself: the folder (or this script) may be gone
# by the time it acts, and other people's scratch folders in a shared /tmp
# are not ours to clean.
pids=$(cat "$dir"/run/*.pid | tr '\n' ' ')
(
	trap '' HUP
	while kill -0 "$watch_pid" 2>/dev/null; do
		sleep 1
	done
	kill $pids 2>/dev/null || true
	sleep 1
	rm -rf "$dir"
) </dev/null >/dev/null 2>&1 &
echo $! >"$dir/run/watchdog.pid"
disown

wait_port() {
	local port=$1 name=$2 log=$3
	for _ in $(seq 1 100); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			return 0
		fi
		sleep 0.1
	done
	echo "git-servers: $name did not start on port $port:" >&2
	cat "$log" >&2
	stop
	exit 1
}
wait_port "$https_port" lighttpd "$dir/run/lighttpd.log"
wait_port "$ssh_port" sshd "$dir/run/sshd.log"

cat >"$dir/env" <<EOF
COMMIT=$commit
HTTPS_PORT=$https_port
HTTP_USER=$http_user
HTTP_PASSWORD=$http_password
CA=$tls/ca.pem
OTHER_CA=$tls/other-ca.pem
SSH_PORT=$ssh_port
SSH_USER=$ssh_user
SSH_KEY=$dir/ssh/client_key
STRANGER_KEY=$dir/ssh/stranger_key
KNOWN_HOSTS=$dir/ssh/known_hosts
KNOWN_HOSTS_HASHED=$dir/ssh/known_hosts_hashed
KNOWN_HOSTS_WRONG=$dir/ssh/known_hosts_wrong
KNOWN_HOSTS_OTHER_PORT=$dir/ssh/known_hosts_other_port
PIDS=$pids $(cat "$dir/run/watchdog.pid")
REPO_PATH=$dir/repos/origin.git
LOCKED_KEY=$dir/ssh/locked_key
LOCKED_PASSPHRASE=pass-SECRET-CANARY-7
AGENT_SOCK=$dir/run/agent.sock
EMPTY_AGENT_SOCK=$dir/run/empty-agent.sock
EOF
