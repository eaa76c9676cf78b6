#!/bin/sh
# setup.sh - install tlsaudit's build and test dependencies (Debian/Ubuntu,
# as root) and build it in this directory.
#
#   sudo ./setup.sh              # install packages, configure, make
#   sudo ./setup.sh --werror     # the same with warnings as errors (CI)
#
# Extra arguments are passed to ./configure.
set -eu
cd "$(dirname "$0")"

PACKAGES="build-essential autoconf automake pkg-config
libgnutls28-dev libgmp-dev libcurl4-gnutls-dev libsqlite3-dev libjansson-dev libyaml-dev check
gnutls-bin openssl curl nginx-light sqlite3 jq iproute2 util-linux ca-certificates python3 xxd
chromium python3-jsonschema python3-yaml yamllint libxml2-utils slurm-wlm munge poppler-utils systemd
strace postfix dovecot-imapd dovecot-pop3d dovecot-managesieved dovecot-lmtpd vsftpd
slapd postgresql-15 mariadb-server prosody
groff-base man-db mandoc
wget golang-go libnss3-tools openjdk-17-jdk-headless"

if [ "$(id -u)" = 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $PACKAGES >/dev/null
    # inn2 (the NNTP test server, tests/lab/starttls_lab.sh): its postinst
    # asks innconfval for paths, which fails while the host name has no
    # domain ("hostname does not resolve or domain not set in inn.conf", as
    # in most containers), leaving the package half-configured. It is
    # unpacked all the same: give inn.conf a domain and configure it again.
    # (The tests run nnrpd from a config of their own; no innd is started.)
    if ! apt-get install -y -qq --no-install-recommends inn2 >/dev/null 2>&1; then
        if grep -q '^#* *domain:[[:space:]]*$' /etc/news/inn.conf; then
            sed -i 's/^#* *domain:[[:space:]]*$/domain: localdomain/' /etc/news/inn.conf
        fi
        dpkg --configure inn2 >/dev/null
    fi
else
    echo "setup.sh: not root: skipping package installation (needs: $(echo $PACKAGES))" >&2
fi

configure_args=""
for a in "$@"; do
    case $a in
    --werror) configure_args="$configure_args --enable-werror" ;;
    *) configure_args="$configure_args $a" ;;
    esac
done

autoreconf -fi
# shellcheck disable=SC2086
./configure $configure_args
make -j"$(nproc)"
echo "setup.sh: built ./tlsaudit"
