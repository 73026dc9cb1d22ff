# shellcheck shell=bash
# Shared helpers for scripts/demo and scripts/test. Sourced, never run.
#
# Settings (environment variables, all optional):
#   FRAPPE_BENCH        bench directory (default: ~<bench user>/frappe-bench)
#   FRAPPE_USER         system user that owns and runs the bench when the script runs as root (default: frappe)
#   FRAPPE_PATH         where `bench init` takes Frappe from: upstream by default, or a local clone (offline)
#   FRAPPE_BRANCH       Frappe branch (default: version-15)
#   VS_PYTHON           Python 3.10+ the bench runs on, readable by the bench user (default: /usr/bin/python3.11)
#   VS_DB_ROOT_PASSWORD MariaDB root password the scripts set (if unset) and use (default: vs-local-root)
#   VS_GUNICORN_PATH    offline: a local clone of frappe/gunicorn (Frappe's pyproject installs it from GitHub)
#   VS_AIR_DATEPICKER_PATH offline: a local clone of frappe/air-datepicker (Frappe's package.json fetches it
#                       from GitHub as a tarball, which no git setting can redirect)

set -euo pipefail

VS_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VS_APP=virtual_school

if [ "$(id -u)" = 0 ]; then
	BENCH_USER=${FRAPPE_USER:-frappe}
else
	BENCH_USER=$(id -un)
fi
BENCH_HOME=$(getent passwd "$BENCH_USER" | cut -d: -f6 || true)
BENCH_HOME=${BENCH_HOME:-/home/$BENCH_USER}
FRAPPE_BENCH=${FRAPPE_BENCH:-$BENCH_HOME/frappe-bench}
FRAPPE_PATH=${FRAPPE_PATH:-https://github.com/frappe/frappe}
FRAPPE_BRANCH=${FRAPPE_BRANCH:-version-15}
VS_GUNICORN_PATH=${VS_GUNICORN_PATH:-}
VS_AIR_DATEPICKER_PATH=${VS_AIR_DATEPICKER_PATH:-}
VS_PYTHON=${VS_PYTHON:-/usr/bin/python3.11}
VS_DB_ROOT_PASSWORD=${VS_DB_ROOT_PASSWORD:-vs-local-root}
BENCH_CLI_VENV=$BENCH_HOME/.local/share/virtual-school/bench-cli
# Frappe v15 imports pkg_resources, which setuptools 81+ no longer ships.
VS_PIP_CONSTRAINTS=$BENCH_HOME/.local/share/virtual-school/pip-constraints.txt

STARTED_MARIADB=0
STARTED_REDIS_PORTS=()

log() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }
warn() { printf '\033[1;33m!!\033[0m %s\n' "$*" >&2; }
die() {
	printf '\033[1;31mxx\033[0m %s\n' "$*" >&2
	exit 1
}
is_root() { [ "$(id -u)" = 0 ]; }

# Run a command as the bench user, with a clean, predictable environment.
as_bench_user() {
	local path="$BENCH_CLI_VENV/bin:/usr/local/bin:/usr/bin:/bin"
	local envs=(HOME="$BENCH_HOME" PATH="$path" LANG=C.UTF-8 LC_ALL=C.UTF-8 CI="${CI:-}"
		PIP_CONSTRAINT="$VS_PIP_CONSTRAINTS" UV_CONSTRAINT="$VS_PIP_CONSTRAINTS" UV_NATIVE_TLS=1
		PIP_DISABLE_PIP_VERSION_CHECK=1)
	# Pass through the machine's proxy, certificate and package-index settings.
	local name
	for name in $(compgen -e); do
		case $name in
		http_proxy | https_proxy | no_proxy | HTTP_PROXY | HTTPS_PROXY | NO_PROXY | SSL_CERT_FILE | SSL_CERT_DIR | \
			REQUESTS_CA_BUNDLE | CURL_CA_BUNDLE | NODE_EXTRA_CA_CERTS | GIT_SSL_CAINFO | PIP_CERT | PIP_INDEX_URL | \
			PIP_EXTRA_INDEX_URL | PIP_FIND_LINKS | PIP_DEFAULT_TIMEOUT | UV_INDEX_URL | UV_EXTRA_INDEX_URL | \
			npm_config_registry | YARN_REGISTRY)
			envs+=("$name=${!name}")
			;;
		esac
	done
	if is_root && [ "$BENCH_USER" != root ]; then
		runuser -u "$BENCH_USER" -- env -i "${envs[@]}" "$@"
	else
		env "${envs[@]}" "$@"
	fi
}

# Run a bench command inside the bench directory as the bench user.
bench_cmd() { (cd "$FRAPPE_BENCH" && as_bench_user "$BENCH_CLI_VENV/bin/bench" "$@"); }

ensure_system_packages() {
	local missing=()
	command -v mariadbd >/dev/null 2>&1 || command -v mysqld >/dev/null 2>&1 || missing+=(mariadb-server)
	command -v mariadb >/dev/null 2>&1 || missing+=(mariadb-client)
	command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
	command -v git >/dev/null 2>&1 || missing+=(git)
	command -v rsync >/dev/null 2>&1 || missing+=(rsync)
	command -v curl >/dev/null 2>&1 || missing+=(curl)
	[ -x "$(nginx_bin)" ] || missing+=(nginx)
	command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
	[ -x "$VS_PYTHON" ] || missing+=(python3.11)
	"$VS_PYTHON" -c 'import ensurepip, venv' >/dev/null 2>&1 || missing+=(python3.11-venv)
	[ -f /usr/include/python3.11/Python.h ] || [ "$VS_PYTHON" != /usr/bin/python3.11 ] || missing+=(python3.11-dev)
	if [ ${#missing[@]} -gt 0 ]; then
		is_root || die "Missing system packages: ${missing[*]}. Install them (sudo apt-get install ${missing[*]}) and re-run."
		log "Installing system packages: ${missing[*]}"
		apt-get update -qq
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
	fi
	command -v node >/dev/null 2>&1 || die "Node.js 20 is required (https://nodejs.org or Debian's nodejs)."
	if ! yarn --version 2>/dev/null | grep -q '^1\.22\.'; then
		is_root || die "Frappe v15 needs yarn 1.22 (classic): npm install -g yarn@1.22.22"
		log "Installing yarn 1.22 (classic) from npm"
		npm install -g --silent yarn@1.22.22 >/dev/null
		hash -r
	fi
}

ensure_bench_user() {
	if ! id "$BENCH_USER" >/dev/null 2>&1; then
		is_root || die "User $BENCH_USER does not exist."
		log "Creating system user $BENCH_USER for the bench"
		useradd --create-home --shell /bin/bash "$BENCH_USER"
	fi
	BENCH_HOME=$(getent passwd "$BENCH_USER" | cut -d: -f6)
	is_root && chmod 755 "$BENCH_HOME"
	as_bench_user mkdir -p "$(dirname "$VS_PIP_CONSTRAINTS")"
	as_bench_user sh -c "printf 'setuptools<81\n' > '$VS_PIP_CONSTRAINTS'"
}

ensure_bench_cli() {
	if [ ! -x "$BENCH_CLI_VENV/bin/bench" ]; then
		log "Installing the frappe-bench CLI from PyPI into $BENCH_CLI_VENV"
		as_bench_user "$VS_PYTHON" -m venv "$BENCH_CLI_VENV"
		as_bench_user "$BENCH_CLI_VENV/bin/pip" install -q --upgrade pip
		as_bench_user "$BENCH_CLI_VENV/bin/pip" install -q frappe-bench
	fi
}

mariadb_up() { mariadb-admin ping --silent >/dev/null 2>&1 || mysqladmin ping --silent >/dev/null 2>&1; }
db_root_sql() { mariadb -h 127.0.0.1 -u root -p"$VS_DB_ROOT_PASSWORD" "$@"; }

ensure_mariadb() {
	local conf=/etc/mysql/mariadb.conf.d/99-virtual-school.cnf
	if is_root && [ -d /etc/mysql/mariadb.conf.d ] && [ ! -f "$conf" ]; then
		cat >"$conf" <<-EOF
			# Frappe expects utf8mb4 with the unicode collation; keep the server on loopback.
			[mysqld]
			bind-address = 127.0.0.1
			character-set-client-handshake = FALSE
			character-set-server = utf8mb4
			collation-server = utf8mb4_unicode_ci
			innodb_buffer_pool_size = 1G

			[mysql]
			default-character-set = utf8mb4
		EOF
	fi
	if ! mariadb_up; then
		is_root || die "MariaDB is not running. Start it (sudo service mariadb start) and re-run."
		log "Starting MariaDB"
		if [ -x /etc/init.d/mariadb ]; then
			/etc/init.d/mariadb start >/dev/null
		else
			(mysqld_safe --user=mysql >/dev/null 2>&1 &)
		fi
		for _ in $(seq 1 60); do mariadb_up && break; sleep 1; done
		mariadb_up || die "MariaDB did not start"
		STARTED_MARIADB=1
	fi
	if ! db_root_sql -e 'SELECT 1' >/dev/null 2>&1; then
		is_root || die "Cannot log in to MariaDB as root with VS_DB_ROOT_PASSWORD over 127.0.0.1."
		log "Setting the MariaDB root password (VS_DB_ROOT_PASSWORD) for TCP logins; socket login stays"
		mariadb -u root <<-EOF
			ALTER USER 'root'@'localhost' IDENTIFIED VIA unix_socket OR mysql_native_password USING PASSWORD('$VS_DB_ROOT_PASSWORD');
			FLUSH PRIVILEGES;
		EOF
		db_root_sql -e 'SELECT 1' >/dev/null || die "MariaDB root login over 127.0.0.1 still fails"
	fi
}

# Offline: the framework's two GitHub-hosted dependencies taken from local clones, for the bench user.
#   gunicorn: pip clones it with git, so a url.<path>.insteadOf in the bench user's git config redirects it.
#   air-datepicker: yarn downloads GitHub tarballs over HTTPS (insteadOf never applies), so the framework is
#   cloned into a private working copy whose package.json takes the package from a local tarball instead.
# Sets FRAPPE_INIT_SOURCE, the path `bench init` takes Frappe from.
# Clone a local repository for the bench user, whoever owns it and whatever its file modes: a fetched mirror
# may keep root-only files (a 0600 .promisor), which the bench user's own clone fails on ("Permission denied").
# As root, git copies it (no hard links) and the copy is given to the bench user; otherwise the user clones
# it, with the original marked safe (git calls a clone owned by another user "dubious").
#   clone_for_bench_user SOURCE DESTINATION [git clone options]
clone_for_bench_user() {
	local from=$1 to=$2
	shift 2
	if is_root && [ "$BENCH_USER" != root ]; then
		git -c safe.directory='*' clone --quiet --no-hardlinks "$@" "$from" "$to" ||
			die "Cannot clone $from into $to"
		chown -R "$BENCH_USER:$BENCH_USER" "$to"
	else
		as_bench_user git config --global --replace-all safe.directory "$from" "^$from\$"
		as_bench_user git clone --quiet "$@" "$from" "$to" ||
			die "Cannot clone $from as $BENCH_USER: it must be readable by $BENCH_USER (chmod -R a+rX)"
	fi
}

prepare_framework_source() {
	FRAPPE_INIT_SOURCE=$FRAPPE_PATH
	if [[ $FRAPPE_PATH == http* || $FRAPPE_PATH == git@* ]]; then
		return
	fi
	[ -d "$FRAPPE_PATH" ] || die "FRAPPE_PATH=$FRAPPE_PATH is neither a URL nor a local clone"
	local src_root=$BENCH_HOME/.local/share/virtual-school/offline
	as_bench_user mkdir -p "$src_root"
	if [ -n "$VS_GUNICORN_PATH" ]; then
		[ -d "$VS_GUNICORN_PATH" ] || die "VS_GUNICORN_PATH=$VS_GUNICORN_PATH is not a directory"
		# pip clones gunicorn as the bench user and fetches a pinned commit: a mirror (every ref) of its own.
		local gunicorn=$src_root/gunicorn.git
		[ -d "$gunicorn" ] || clone_for_bench_user "$VS_GUNICORN_PATH" "$gunicorn" --mirror
		local key
		for key in $(as_bench_user git config --global --get-regexp '^url\..*\.insteadof$' | awk '$2 == "https://github.com/frappe/gunicorn" {print $1}'); do
			[ "$key" = "url.$gunicorn.insteadof" ] || as_bench_user git config --global --unset-all "$key"
		done
		as_bench_user git config --global --replace-all "url.$gunicorn.insteadOf" https://github.com/frappe/gunicorn
	fi
	local src=$src_root/frappe
	if [ ! -d "$src/.git" ]; then
		log "Cloning $FRAPPE_PATH ($FRAPPE_BRANCH) into $src for the bench user"
		clone_for_bench_user "$FRAPPE_PATH" "$src" --branch "$FRAPPE_BRANCH"
	fi
	if [ -n "$VS_AIR_DATEPICKER_PATH" ] && ! grep -q '"air-datepicker": "file:' "$src/package.json"; then
		[ -d "$VS_AIR_DATEPICKER_PATH" ] || die "VS_AIR_DATEPICKER_PATH=$VS_AIR_DATEPICKER_PATH is not a directory"
		local tarball=$src_root/air-datepicker.tgz
		git -c safe.directory='*' -C "$VS_AIR_DATEPICKER_PATH" archive --format=tar.gz --prefix=package/ HEAD >"$tarball"
		chmod 644 "$tarball"
		log "Taking air-datepicker from $VS_AIR_DATEPICKER_PATH (a local commit in $src)"
		# package.json takes the local tarball; yarn.lock's entry names the GitHub tarball, so it is dropped.
		as_bench_user "$VS_PYTHON" - "$src" "$tarball" <<-'EOF'
			import json, re, sys
			src, tarball = sys.argv[1], sys.argv[2]
			with open(f"{src}/package.json") as f:
			    package = json.load(f)
			package["dependencies"]["air-datepicker"] = f"file:{tarball}"
			with open(f"{src}/package.json", "w") as f:
			    json.dump(package, f, indent=2)
			    f.write("\n")
			with open(f"{src}/yarn.lock") as f:
			    lock = f.read()
			lock = re.sub(r'(?m)^"?air-datepicker@[^\n]*\n(?:  [^\n]*\n)*\n?', "", lock)
			with open(f"{src}/yarn.lock", "w") as f:
			    f.write(lock)
		EOF
		as_bench_user git -C "$src" -c user.name=virtual-school -c user.email=scripts@localhost \
			commit --quiet -am "offline: air-datepicker from a local tarball"
	fi
	FRAPPE_INIT_SOURCE=$src
}

ensure_bench() {
	if [ -d "$FRAPPE_BENCH/apps/frappe" ] && [ ! -f "$FRAPPE_BENCH/.virtual-school-init-incomplete" ]; then
		return
	fi
	if [ -f "$FRAPPE_BENCH/.virtual-school-init-incomplete" ]; then
		warn "An earlier bench init at $FRAPPE_BENCH did not finish: removing it and starting again"
		rm -rf "$FRAPPE_BENCH"
	fi
	[ -e "$FRAPPE_BENCH" ] && die "$FRAPPE_BENCH exists but has no apps/frappe: move it away or set FRAPPE_BENCH."
	prepare_framework_source
	log "Creating a Frappe bench at $FRAPPE_BENCH from $FRAPPE_INIT_SOURCE ($FRAPPE_BRANCH); this takes a few minutes"
	as_bench_user mkdir -p "$FRAPPE_BENCH"
	as_bench_user touch "$FRAPPE_BENCH/.virtual-school-init-incomplete"
	# bench init refuses an existing folder: it creates it itself, so start from an empty path.
	as_bench_user rm -rf "$FRAPPE_BENCH"
	local log_file=/tmp/virtual-school-bench-init.$$.log
	if ! as_bench_user "$BENCH_CLI_VENV/bin/bench" init "$FRAPPE_BENCH" \
		--frappe-path "$FRAPPE_INIT_SOURCE" --frappe-branch "$FRAPPE_BRANCH" \
		--python "$VS_PYTHON" --no-backups --skip-redis-config-generation 2>&1 | tee "$log_file" >&2; then
		[ -d "$FRAPPE_BENCH" ] && rm -rf "$FRAPPE_BENCH"
		grep -q 'codeload.github.com\|github.com/frappe/gunicorn' "$log_file" 2>/dev/null &&
			warn "GitHub is out of reach: set VS_GUNICORN_PATH and VS_AIR_DATEPICKER_PATH to local clones (README)."
		die "bench init failed (the half-made bench was removed; see $log_file)"
	fi
	(cd "$FRAPPE_BENCH" && as_bench_user "$BENCH_CLI_VENV/bin/bench" setup redis)
	as_bench_user "$FRAPPE_BENCH/env/bin/pip" install -q "setuptools<81"
}

# Put this checkout into the bench as apps/virtual_school and install it into the bench's Python.
#   link: a symlink to the checkout (live edits; the bench user must be able to read it)
#   copy: an exact copy of the checkout's working tree (what tests use)
install_app_into_bench() {
	local mode=${1:-copy}
	local target=$FRAPPE_BENCH/apps/$VS_APP
	if [ "$mode" = link ] && ! as_bench_user test -r "$VS_ROOT/pyproject.toml"; then
		warn "$BENCH_USER cannot read $VS_ROOT; copying the checkout into the bench instead of linking it"
		mode=copy
	fi
	if [ "$mode" = link ]; then
		if [ "$(readlink "$target" 2>/dev/null)" != "$VS_ROOT" ]; then
			rm -rf "$target"
			ln -s "$VS_ROOT" "$target"
		fi
	else
		[ -L "$target" ] && rm -f "$target"
		mkdir -p "$target"
		rsync -a --delete --exclude '.venv*' --exclude node_modules --exclude __pycache__ \
			--exclude .pytest_cache --exclude .hypothesis --exclude test-results "$VS_ROOT/" "$target/"
		is_root && chown -R "$BENCH_USER:$BENCH_USER" "$target"
	fi
	# The bench's Python must import the app from this target (an editable install made through a
	# symlink points at the symlink's destination, so switching modes needs a reinstall).
	local stamp=$FRAPPE_BENCH/env/.virtual_school-deps
	local wanted imported expected
	wanted=$(sha1sum "$VS_ROOT/pyproject.toml" | cut -c1-40)
	expected=$(cd "$target/$VS_APP" && pwd -P)
	imported=$(cd / && as_bench_user "$FRAPPE_BENCH/env/bin/python" -c \
		'import os, virtual_school; print(os.path.dirname(os.path.realpath(virtual_school.__file__)))' 2>/dev/null || true)
	if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ] || [ "$imported" != "$expected" ]; then
		log "Installing $VS_APP into the bench's Python environment"
		as_bench_user "$FRAPPE_BENCH/env/bin/pip" install -q -e "$target"
		as_bench_user sh -c "echo $wanted > '$stamp'"
	fi
	local apps_txt=$FRAPPE_BENCH/sites/apps.txt
	if ! grep -qx "$VS_APP" "$apps_txt"; then
		# apps.txt may lack a final newline; add one before our line.
		as_bench_user sh -c "[ -z \"\$(tail -c1 '$apps_txt')\" ] || echo >> '$apps_txt'; echo $VS_APP >> '$apps_txt'"
	fi
	# The app's public/ folder must be reachable as /assets/virtual_school.
	as_bench_user mkdir -p "$FRAPPE_BENCH/sites/assets"
	as_bench_user ln -sfn "$target/$VS_APP/public" "$FRAPPE_BENCH/sites/assets/$VS_APP"
	ensure_dfe_validator
}

# The DfE SSDA903 validator (csc-validator-be-903) in a venv of its own: it pins pandas<2 and numpy<1.25,
# which Frappe's environment must not get (virtual_school/imports/dfe_validator.py). About 20 s, once per
# version; VS_SKIP_903_VALIDATOR=1 leaves it out. A failed install only warns: imports run without it.
ensure_dfe_validator() {
	[ "${VS_SKIP_903_VALIDATOR:-0}" = 1 ] && return 0
	local venv=$BENCH_HOME/.local/share/virtual-school/dfe-903-validator version
	version=$(sed -n 's/^VERSION = "\(.*\)"$/\1/p' "$VS_ROOT/$VS_APP/imports/dfe_validator.py")
	[ -n "$version" ] || return 0
	[ "$(cat "$venv/.installed" 2>/dev/null)" = "$version" ] && return 0
	log "Installing the DfE SSDA903 validator (csc-validator-be-903 $version) in its own venv at $venv"
	as_bench_user rm -rf "$venv"
	if as_bench_user "$VS_PYTHON" -m venv "$venv" &&
		as_bench_user "$venv/bin/pip" install -q "csc-validator-be-903==$version"; then
		as_bench_user sh -c "echo '$version' > '$venv/.installed'"
	else
		warn "The DfE SSDA903 validator could not be installed: imports run without it (bench virtual-school-install-903-validator retries)"
	fi
}

redis_ports() {
	grep -h '^port' "$FRAPPE_BENCH"/config/redis_*.conf | awk '{print $2}'
}

ensure_redis() {
	local conf port
	for conf in "$FRAPPE_BENCH"/config/redis_*.conf; do
		port=$(awk '/^port/{print $2}' "$conf")
		if ! redis-cli -h 127.0.0.1 -p "$port" ping >/dev/null 2>&1; then
			log "Starting Redis on 127.0.0.1:$port ($(basename "$conf"))"
			(cd "$FRAPPE_BENCH/config" && as_bench_user redis-server "$conf" --bind 127.0.0.1 --daemonize yes >/dev/null)
			for _ in $(seq 1 20); do redis-cli -h 127.0.0.1 -p "$port" ping >/dev/null 2>&1 && break; sleep 0.25; done
			STARTED_REDIS_PORTS+=("$port")
		fi
	done
}

stop_started_services() {
	local port
	for port in "${STARTED_REDIS_PORTS[@]}"; do
		redis-cli -h 127.0.0.1 -p "$port" shutdown nosave >/dev/null 2>&1 || true
	done
	STARTED_REDIS_PORTS=()
	if [ "$STARTED_MARIADB" = 1 ]; then
		log "Stopping MariaDB (this script started it)"
		if [ -x /etc/init.d/mariadb ]; then /etc/init.d/mariadb stop >/dev/null 2>&1 || true; else mariadb-admin shutdown || true; fi
		STARTED_MARIADB=0
	fi
}

# Create a fresh site with the app installed. $1 = site name, $2 = "fresh" to drop an existing one.
create_site() {
	local site=$1 mode=${2:-reuse}
	if [ -d "$FRAPPE_BENCH/sites/$site" ]; then
		[ "$mode" = fresh ] || return 0
		log "Dropping old site $site"
		bench_cmd drop-site "$site" --force --no-backup --db-root-username root \
			--db-root-password "$VS_DB_ROOT_PASSWORD" >/dev/null
	fi
	log "Creating site $site (log: $FRAPPE_BENCH/logs/new-site-$site.log)"
	local logfile=$FRAPPE_BENCH/logs/new-site-$site.log
	if ! bench_cmd new-site "$site" --db-host 127.0.0.1 --db-root-username root \
		--db-root-password "$VS_DB_ROOT_PASSWORD" --admin-password "${VS_ADMIN_PASSWORD:-admin}" \
		--install-app "$VS_APP" >"$logfile" 2>&1; then
		tail -n 60 "$logfile" >&2
		die "Creating site $site failed"
	fi
}

# ---- Serving a site: the processes a council runs, started and stopped together ----
#
#   serve_site SITE PORT PIDFILE [--scheduler] [--own-queue]
#
# starts, as the bench user, the processes Frappe's Procfile and `bench setup supervisor` run for a bench
# (their commands are in site_process below, and nowhere else):
#   nginx        on 127.0.0.1:PORT, in front as in production (`bench setup nginx`): /socket.io goes to the
#                realtime server, everything else to gunicorn
#   web          gunicorn (scripts/gunicorn_conf.py); its master's pid in PIDFILE, its log in PIDFILE.log
#   socketio     Frappe's realtime server (node apps/frappe/socketio.js): the notification bell, progress bars
#   worker-short RQ worker for the short and default queues (bench worker --queue short,default)
#   worker-long  RQ worker for the long queue (bench worker --queue long)
#   schedule     with --scheduler: bench schedule (one per bench: it enqueues the due jobs of every site whose
#                scheduler is enabled, see `bench --site SITE enable-scheduler`)
#   queue        with --own-queue: a private Redis for this run's jobs and realtime events (the tests: no
#                job left queued by another site or an earlier run runs here, or delays this run's jobs)
# gunicorn, the realtime server and the run's Redis listen on Unix sockets in RUN.sock/, a folder only the
# bench user may enter: socketio.js binds every interface when given a port, and each served site gets its
# own sockets, so the demo and the tests never fight over `socketio_port`. Every other file of the run is
# named after PIDFILE without its .pid: RUN.<process>.pid and RUN.<process>.log under $FRAPPE_BENCH/logs.
serve_site() {
	local site=$1 port=$2 pidfile=$3
	shift 3
	local run=${pidfile%.pid} scheduler=0 own_queue=0 arg queue_env=()
	for arg in "$@"; do
		case $arg in
		--scheduler) scheduler=1 ;;
		--own-queue) own_queue=1 ;;
		*) die "serve_site: unknown option $arg" ;;
		esac
	done
	[ -d "$FRAPPE_BENCH/apps/frappe/node_modules/socket.io" ] ||
		die "Frappe's node modules are missing (the realtime server needs them): cd $FRAPPE_BENCH && bench setup requirements --node"
	as_bench_user mkdir -p "$run.sock"
	as_bench_user chmod 700 "$run.sock"
	if [ $own_queue = 1 ]; then
		site_process queue "$site" "$run" || return 1
		queue_env=(FRAPPE_REDIS_QUEUE="unix://$run.sock/queue")
	fi
	# Frappe reads FRAPPE_REDIS_QUEUE before the site's config, so web, workers and realtime share the queue.
	(cd "$FRAPPE_BENCH/sites" && as_bench_user env VS_SITE="$site" "${queue_env[@]}" \
		"$FRAPPE_BENCH/env/bin/gunicorn" --config "$FRAPPE_BENCH/apps/$VS_APP/scripts/gunicorn_conf.py" \
		--bind "unix:$run.sock/web" --pid "$pidfile" --daemon --log-file "$pidfile.log" \
		'frappe.app:application_with_statics()')
	site_process socketio "$site" "$run" "${queue_env[@]}" || return 1
	site_process worker-short "$site" "$run" "${queue_env[@]}" || return 1
	site_process worker-long "$site" "$run" "${queue_env[@]}" || return 1
	if [ $scheduler = 1 ]; then site_process schedule "$site" "$run" "${queue_env[@]}" || return 1; fi
	wait_for_socket "$run.sock/web" || { warn "gunicorn did not start; see $pidfile.log" && return 1; }
	wait_for_socket "$run.sock/socketio" ||
		{ warn "The realtime server did not start; see $run.socketio.log" && return 1; }
	site_process nginx "$site" "$run" "$port" || return 1
}

# Start one process of a served site. $1 = process, $2 = site, $3 = RUN (file prefix), then its settings
# (FRAPPE_REDIS_QUEUE=..., or nginx's port). The commands are those of the bench's Procfile and of
# `bench setup supervisor`; nginx's configuration is `bench setup nginx`'s, cut to one site on loopback.
site_process() {
	local name=$1 site=$2 run=$3
	shift 3
	case $name in
	queue)
		rm -f "$run.sock/queue"
		as_bench_user redis-server --port 0 --unixsocket "$run.sock/queue" --unixsocketperm 700 --save '' \
			--appendonly no --daemonize yes --pidfile "$run.queue.pid" --logfile "$run.queue.log" >/dev/null
		wait_for_socket "$run.sock/queue" || { warn "The run's Redis did not start; see $run.queue.log" && return 1; }
		;;
	socketio)
		rm -f "$run.sock/socketio"
		start_group "$run" socketio env "$@" FRAPPE_SOCKETIO_UDS="$run.sock/socketio" node apps/frappe/socketio.js
		;;
	worker-short) start_group "$run" worker-short env "$@" "$BENCH_CLI_VENV/bin/bench" worker --queue short,default ;;
	worker-long) start_group "$run" worker-long env "$@" "$BENCH_CLI_VENV/bin/bench" worker --queue long ;;
	schedule)
		start_group "$run" schedule env "$@" "$BENCH_CLI_VENV/bin/bench" schedule
		sleep 3
		# Frappe runs one scheduler per bench (a file lock); a second one exits at once, and the first
		# serves this site as well.
		group_alive "$run.schedule.pid" || warn "Another scheduler already runs on this bench; it serves $site too."
		;;
	nginx)
		local port=$1 conf=$run.nginx.conf
		as_bench_user mkdir -p "$run.nginx-tmp"
		as_bench_user tee "$conf" >/dev/null <<-EOF
			# Generated by scripts/lib.sh for $site: bench setup nginx's server block, on loopback only.
			worker_processes 1;
			pid $run.nginx.pid;
			error_log $run.nginx.log warn;
			events { worker_connections 512; }
			http {
				access_log off;
				client_body_temp_path $run.nginx-tmp/body;
				proxy_temp_path $run.nginx-tmp/proxy;
				fastcgi_temp_path $run.nginx-tmp/fastcgi;
				uwsgi_temp_path $run.nginx-tmp/uwsgi;
				scgi_temp_path $run.nginx-tmp/scgi;
				upstream web { server unix:$run.sock/web fail_timeout=0; }
				upstream socketio { server unix:$run.sock/socketio fail_timeout=0; }
				server {
					listen 127.0.0.1:$port;
					client_max_body_size 50m;
					proxy_buffer_size 128k;
					proxy_buffers 4 256k;
					proxy_busy_buffers_size 256k;
					location /socket.io {
						proxy_http_version 1.1;
						proxy_set_header Upgrade \$http_upgrade;
						proxy_set_header Connection "upgrade";
						proxy_set_header X-Frappe-Site-Name $site;
						proxy_set_header Origin \$scheme://\$http_host;
						proxy_set_header Host \$http_host;
						proxy_pass http://socketio;
					}
					location / {
						proxy_http_version 1.1;
						proxy_set_header X-Forwarded-For \$remote_addr;
						proxy_set_header X-Forwarded-Proto \$scheme;
						proxy_set_header X-Frappe-Site-Name $site;
						proxy_set_header Host \$http_host;
						proxy_read_timeout 120;
						proxy_redirect off;
						proxy_pass http://web;
					}
				}
			}
		EOF
		local errlog=()
		# nginx 1.19.5+ takes its start-up error log from -e (the packaged default is root's /var/log/nginx).
		"$(nginx_bin)" -h 2>&1 | grep -q -- '-e filename' && errlog=(-e "$run.nginx.log")
		as_bench_user "$(nginx_bin)" -q -p "$run.nginx-tmp" "${errlog[@]}" -c "$conf" ||
			{ warn "nginx did not start on 127.0.0.1:$port; see $run.nginx.log" && return 1; }
		;;
	*) die "site_process: unknown process $name" ;;
	esac
}

nginx_bin() { command -v nginx 2>/dev/null || echo /usr/sbin/nginx; }

# Start a long-running command as the bench user in the bench directory, as the leader of its own process
# group (so stopping it stops its children too). $1 = RUN, $2 = process: pid in RUN.$2.pid, output in RUN.$2.log.
start_group() {
	local run=$1 name=$2
	shift 2
	rm -f "$run.$name.pid"
	# shellcheck disable=SC2016 # expanded by the bench user's sh
	(cd "$FRAPPE_BENCH" && as_bench_user setsid sh -c 'echo $$ >"$0"; log=$1; shift; exec "$@" >>"$log" 2>&1' \
		"$run.$name.pid" "$run.$name.log" "$@" </dev/null >/dev/null 2>&1 &)
	for _ in $(seq 1 50); do [ -s "$run.$name.pid" ] && return 0; sleep 0.1; done
	warn "$name did not start; see $run.$name.log"
	return 1
}

group_alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# Stop a process group started by start_group: TERM (an RQ worker finishes its job first), KILL after $2 s.
stop_group() {
	local pidfile=$1 wait=${2:-15} pid
	[ -s "$pidfile" ] || return 0
	pid=$(cat "$pidfile")
	kill -TERM -- "-$pid" 2>/dev/null || true
	for _ in $(seq 1 $((wait * 5))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
	kill -KILL -- "-$pid" 2>/dev/null || true
	rm -f "$pidfile"
}

# Stop a process that wrote its own pid file (gunicorn, nginx, redis daemonise), waiting for it to exit.
stop_daemon() {
	local pidfile=$1 pid
	[ -s "$pidfile" ] || return 0
	pid=$(cat "$pidfile")
	kill -TERM "$pid" 2>/dev/null || true
	for _ in $(seq 1 75); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
	kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
	rm -f "$pidfile"
}

# Stop every process serve_site started for PIDFILE (safe to repeat, and when some never started).
stop_served_site() {
	local pidfile=$1 run=${1%.pid} name
	stop_daemon "$run.nginx.pid"
	for name in schedule worker-short worker-long socketio; do stop_group "$run.$name.pid"; done
	stop_daemon "$pidfile"
	stop_daemon "$run.queue.pid"
	rm -f "$run.sock/web" "$run.sock/socketio" "$run.sock/queue"
}

# The processes serve_site started for PIDFILE that are not running (none: all are up).
served_site_down() {
	local run=${1%.pid} name
	[ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null || echo web
	[ -f "$run.nginx.pid" ] && kill -0 "$(cat "$run.nginx.pid")" 2>/dev/null || echo nginx
	for name in socketio worker-short worker-long; do group_alive "$run.$name.pid" || echo "$name"; done
}

wait_for_socket() {
	for _ in $(seq 1 150); do [ -S "$1" ] && return 0; sleep 0.2; done
	return 1
}

wait_for_http() {
	local url=$1
	for _ in $(seq 1 60); do
		curl -fsS -o /dev/null "$url" 2>/dev/null && return 0
		sleep 1
	done
	return 1
}
