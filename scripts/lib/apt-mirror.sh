# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Sourced helper: the Debian mirror to take other suites' packages from
# (bullseye, sid, bookworm-backports, experimental ...): the one the
# machine's apt sources already name, never a host written here.
#
#   apt_mirror      print the Debian mirror of the machine's apt sources
#   APT_KEYRING     the archive keyring that signs every Debian suite

APT_KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

# The first Debian archive URI of the machine's sources that serves a plain
# release (not -security, not -updates), deb822 or one-line format.
apt_mirror() {
	local m
	m=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
		/etc/apt/sources.list.d/*.sources 2>/dev/null | awk '
		/^[[:space:]]*#/ { next }
		/^deb[[:space:]]/ {
			sub(/\[[^]]*\]/, "")
			if ($2 ~ /debian\/?$/ && $3 !~ /-(security|updates)$/) {
				print $2; exit
			}
		}
		/^URIs:/ { uri = $2 }
		/^Suites:/ && uri ~ /debian\/?$/ && $2 !~ /-(security|updates)$/ {
			print uri; exit
		}
		/^$/ { uri = "" }')
	if [[ -z $m ]]; then
		echo "hwevent: no Debian mirror in the machine's apt sources" >&2
		return 1
	fi
	echo "${m%/}"
}
