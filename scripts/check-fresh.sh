#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause-Patent
# check-fresh.sh BUILD - `make check-fresh`: the README's two commands on a
# machine that has nothing yet. A clean Debian 12 root made with mmdebstrap
# (--variant=minbase: no compiler, no QEMU, no Python; `make` alone added,
# as the README asks of a new machine), a clone of HEAD in it (what is
# committed, nothing of this working tree), and in a chroot with a clean
# environment, as root, their first runs:
#   make demo          to its end: the kernel reaches its init
#   make check-build-all  everything `make check` builds (the Debian packages
#                      too), with its installs
# (CHECK_FRESH=full: the whole `make check` instead of `make check-build`).
# Each step's time is printed. The root stays in BUILD/fresh/ to look at,
# and is made anew by the next run.
#
# CHECK_FRESH_DROP=PKG takes PKG out of the clone's scripts/deps.sh first:
# the check of the check (a build rule whose package deps.sh forgets must
# fail here, as it would on a new machine).
#
# Not part of `make check` (it downloads and installs a whole toolchain
# into the root: tens of minutes). Run it before resolving anything that
# touches the Makefile, scripts/deps.sh, .ci/, debian/ or the two commands.
set -euo pipefail
BUILD=${1:-build}
mkdir -p "$BUILD"
BUILD=$(cd "$BUILD" && pwd)
SRC=$(cd "$(dirname "$0")/.." && pwd)
FRESH=$BUILD/fresh
ROOT=$FRESH/root
MODE=${CHECK_FRESH:-build}
log() { printf 'check-fresh: %s\n' "$*"; }
took() { local s=$(($2 - $1)); printf '%d min %02d s' $((s / 60)) $((s % 60)); }

[ "$(id -u)" = 0 ] || { log "needs root (mmdebstrap into a folder, chroot)"; exit 1; }
command -v mmdebstrap >/dev/null || { log "needs mmdebstrap (scripts/deps.sh installs it)"; exit 1; }
git -C "$SRC" rev-parse --verify -q HEAD >/dev/null || { log "$SRC is not a git checkout with a HEAD"; exit 1; }
head=$(git -C "$SRC" rev-parse --short HEAD)
[ -z "$(git -C "$SRC" status --porcelain --untracked-files=no)" ] ||
	log "note: the working tree has uncommitted changes; the clone is of HEAD ($head) without them"

# a root left by an interrupted run: nothing may still be mounted in it
if [ -d "$ROOT" ]; then
	if grep -q " $ROOT/" /proc/mounts; then
		log "something is still mounted under $ROOT: unmount it first"
		exit 1
	fi
	rm -rf "$ROOT"
fi
mkdir -p "$FRESH"

t0=$(date +%s)
log "a clean Debian 12 root (mmdebstrap --variant=minbase, make added) in $ROOT"
mmdebstrap --quiet --variant=minbase --include=make bookworm "$ROOT" \
	"deb http://deb.debian.org/debian bookworm main" \
	"deb http://deb.debian.org/debian bookworm-updates main" \
	"deb http://deb.debian.org/debian-security bookworm-security main"
# the machine's own apt settings (a proxy, an archive snapshot's date
# checks) and name service: what any new machine here has
cp -a /etc/apt/apt.conf.d/. "$ROOT/etc/apt/apt.conf.d/"
cp -L /etc/resolv.conf "$ROOT/etc/resolv.conf"
t1=$(date +%s)
log "root made in $(took "$t0" "$t1")"

git clone -q "$SRC" "$ROOT/root/efikexec"
git -C "$ROOT/root/efikexec" checkout -q "$head"
if [ -n "${CHECK_FRESH_DROP:-}" ]; then
	log "taking $CHECK_FRESH_DROP out of the clone's scripts/deps.sh (the check of the check)"
	sed -i -E "s/([( \t])$CHECK_FRESH_DROP([ )\t]|$)/\1\2/" "$ROOT/root/efikexec/scripts/deps.sh"
fi

second=check-build-all
[ "$MODE" = full ] && second=check
# one step in the root: a private mount namespace, so /proc, /sys and /dev
# go away with it whatever happens
step() {
	unshare --mount --propagation private /bin/sh -c '
		r=$1; shift
		mount -t proc proc "$r/proc"
		mount --rbind /sys "$r/sys"
		mount --rbind /dev "$r/dev"
		exec chroot "$r" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
			HOME=/root LANG=C.UTF-8 /bin/sh -c "cd /root/efikexec && $*"
	' step "$ROOT" "$@"
}
# the two commands in order, each timed; the first failure ends the check
t2=$(date +%s) times=() n=0
for target in demo "$second"; do
	rc=0
	log "in the root, as a new user: make $target"
	t=$(date +%s)
	step make "$target" </dev/null 2>&1 | sed -u 's/^/  | /' || rc=$?
	if [ "$rc" != 0 ]; then
		log "make $target FAILED (exit $rc) after $(took "$t" "$(date +%s)")"
		echo "check-fresh: $n passed, 1 failed"
		exit 1
	fi
	times+=("make $target $(took "$t" "$(date +%s)")")
	log "${times[-1]}"
	n=$((n + 1))
done
log "at $head: root $(took "$t0" "$t1"), ${times[0]}, ${times[1]}, in all $(took "$t0" "$(date +%s)")"
echo "check-fresh: 2 passed, 0 failed"
