#!/usr/bin/env bash
# Installs zhidu from this unpacked tarball (docs/operations.md §Install). Run as root:
#
#   sudo ./install.sh            install or upgrade; the previous version stays in /opt/zhidu.previous
#   ./install.sh --root DIR      the same files under DIR, without creating the user, changing
#                                owners or calling systemctl (a dry run, or staging an image)
#
# Installs: /opt/zhidu/{bin,web,policies,docs,VERSION}, /etc/systemd/system/zhidu.service and
# zhidu-backup.{service,timer} (not enabled),
# /etc/zhidu/zhidu.env (only if missing: it holds the site's settings),
# /etc/zhidu/nginx-zhidu.conf.example, /usr/lib/sysusers.d/zhidu.conf, /var/lib/zhidu and
# /var/backups/zhidu (0750, owned by zhidu).
# It does not start or restart the server.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root=""
case "${1:-}" in
  "") ;;
  --root) [ $# -eq 2 ] || { echo "usage: install.sh [--root DIR]" >&2; exit 2; }; root="$2" ;;
  *) echo "usage: install.sh [--root DIR]" >&2; exit 2 ;;
esac
real=1
[ -n "$root" ] && real=0
if [ "$real" -eq 1 ] && [ "$(id -u)" -ne 0 ]; then
  echo "install.sh: run as root (or with --root DIR)" >&2
  exit 2
fi

# The shared libraries' packages (Debian 12).
missing=()
while read -r pkg; do
  [ -n "$pkg" ] || continue
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done < "$here/DEPENDS"
if [ ${#missing[@]} -gt 0 ]; then
  echo "install.sh: missing packages; install them first:" >&2
  echo "  apt-get install ${missing[*]}" >&2
  [ "$real" -eq 1 ] && exit 1
fi

if [ "$real" -eq 1 ] && ! id zhidu >/dev/null 2>&1; then
  if command -v systemd-sysusers >/dev/null 2>&1; then
    systemd-sysusers "$here/packaging/sysusers.d/zhidu.conf"
  else
    useradd --system --home-dir /var/lib/zhidu --no-create-home --shell /usr/sbin/nologin \
            --user-group zhidu
  fi
fi

opt="$root/opt/zhidu"
mkdir -p "$root/opt" "$root/etc/zhidu" "$root/etc/systemd/system" "$root/usr/lib/sysusers.d" \
         "$root/var/lib" "$root/var/backups"
rm -rf "$opt.new"
mkdir -p "$opt.new"
cp -R "$here/bin" "$here/web" "$here/policies" "$here/docs" "$here/VERSION" "$opt.new/"
if [ -d "$opt" ]; then
  rm -rf "$opt.previous"
  mv "$opt" "$opt.previous"
fi
mv "$opt.new" "$opt"

for unit in zhidu.service zhidu-backup.service zhidu-backup.timer; do
  install -m 0644 "$here/packaging/$unit" "$root/etc/systemd/system/$unit"
done
install -m 0644 "$here/packaging/sysusers.d/zhidu.conf" "$root/usr/lib/sysusers.d/zhidu.conf"
install -m 0644 "$here/packaging/nginx/zhidu.conf" "$root/etc/zhidu/nginx-zhidu.conf.example"
if [ ! -e "$root/etc/zhidu/zhidu.env" ]; then
  install -m 0640 "$here/packaging/zhidu.env" "$root/etc/zhidu/zhidu.env"
  [ "$real" -eq 1 ] && chgrp zhidu "$root/etc/zhidu/zhidu.env"
else
  echo "install.sh: kept the existing /etc/zhidu/zhidu.env (the new example: packaging/zhidu.env)"
fi
if [ "$real" -eq 1 ]; then
  install -d -o zhidu -g zhidu -m 0750 /var/lib/zhidu /var/backups/zhidu
  systemctl daemon-reload
else
  install -d -m 0750 "$root/var/lib/zhidu" "$root/var/backups/zhidu"
fi
echo "installed zhidu $(cat "$opt/VERSION") into $opt"
echo "next: edit /etc/zhidu/zhidu.env, create the first administrator, then systemctl enable --now zhidu"
echo "      (docs/operations.md)"
