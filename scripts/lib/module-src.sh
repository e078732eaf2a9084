# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Sourced helper: the one list of what building the module takes, so that
# every out-of-tree copy of it (DKMS, the matrix's chroots) has all of it
# and none of the work tree's build products.
#
#   module_src_copy ROOT DEST   copy ROOT's module sources to DEST/module/
#                               and its uAPI headers to
#                               DEST/include/uapi/linux/, where Kbuild's
#                               -I$(src)/../include/uapi finds it

module_src_copy() {
	local root=$1 dest=$2
	mkdir -p "$dest/module" "$dest/include/uapi/linux"
	cp "$root"/module/{Kbuild,Kconfig,*.c,*.h} "$dest/module/"
	cp "$root"/include/uapi/linux/{hwevent,hwecho}.h "$dest/include/uapi/linux/"
}
