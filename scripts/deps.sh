#!/bin/bash
# Install the Debian 12 packages needed to build, run and test servicekonto.
# Installs only what is missing; does nothing (and prints nothing) when all
# packages are present. Needs root (or sudo) only when something is missing.
set -euo pipefail

# The one list of packages. Add new dependencies here.
PACKAGES=(
	# build
	build-essential
	meson
	ninja-build
	pkg-config
	# libraries
	liblasso3-dev
	libsodium-dev
	libmicrohttpd-dev
	libpq-dev
	libcmocka-dev
	libglib2.0-dev
	libcurl4-openssl-dev
	libssl-dev
	# database server (15 on Debian 12: /usr/lib/postgresql/15/bin)
	postgresql
	# test tools: mail sink, SAML service provider, XML signatures
	python3
	python3-aiosmtpd
	python3-pysaml2
	xmlsec1
	python3-lasso
	curl
	systemd strace # tests/deploy: systemd-analyze; syscalls of the sandbox
	# interop (tests/mellon): Apache httpd with mod_auth_mellon
	apache2
	libapache2-mod-auth-mellon
	# keys and certificates made by the tests (openssl req, x509)
	openssl
	# fault tests (tests/faults): a node with its clock off (libfaketime)
	faketime
	# browser test (tests/browser): headless Chromium driven by Selenium
	chromium
	chromium-driver
	python3-selenium
)

missing=()
for pkg in "${PACKAGES[@]}"; do
	status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null || true)
	case "$status" in
	ii*) ;;
	*) missing+=("$pkg") ;;
	esac
done

if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi

echo "deps.sh: installing missing packages: ${missing[*]}" >&2

if [ "$(id -u)" -eq 0 ]; then
	SUDO=()
elif command -v sudo >/dev/null 2>&1; then
	SUDO=(sudo)
else
	echo "deps.sh: not root and no sudo; please install: ${missing[*]}" >&2
	exit 1
fi

"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
	apt-get install -y --no-install-recommends "${missing[@]}"
