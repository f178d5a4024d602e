#!/usr/bin/env bash
# Install the system packages policykg needs, when they are missing.
#   scripts/system-deps.sh run    what the main job needs (make run):
#     a JDK (java + the source launcher) for the OWL API / HermiT checker (tools/owlcheck);
#     Node.js and npm, which `make install` uses to install YASGUI, d3 and the province shapes (web/package-lock.json);
#   scripts/system-deps.sh test   that, and what the tests need (make test, CI):
#   Chromium, for the web UI's browser tests (tests/browser, driven by Playwright);
#   Noto CJK fonts, so Chinese labels render in those tests' screenshots;
#   rapper (raptor2-utils), the independent RDF parser the export tests read every format with;
#   Virtuoso (virtuoso-opensource), the second real store the push tests load the graph into
#   (a private instance per test run; the package's own service is not used).
# Uses Debian's packages; needs root (or sudo). Does nothing when all is there.
set -euo pipefail

profile="${1:-test}"
case "$profile" in run|test) ;; *) echo "usage: $0 [run|test]" >&2; exit 2 ;; esac

need=()
if ! command -v java >/dev/null 2>&1 || ! java --list-modules 2>/dev/null | grep -q '^jdk.compiler@'; then
  need+=(default-jdk-headless)
fi
if ! command -v npm >/dev/null 2>&1; then
  need+=(nodejs npm)
fi
if [ "$profile" = test ]; then
  if [ ! -x /usr/bin/chromium ]; then
    need+=(chromium)
  fi
  if ! dpkg-query -W -f='${Status}' fonts-noto-cjk 2>/dev/null | grep -q 'install ok installed'; then
    need+=(fonts-noto-cjk)
  fi
  if ! command -v rapper >/dev/null 2>&1; then
    need+=(raptor2-utils)
  fi
  if ! command -v virtuoso-t >/dev/null 2>&1; then
    need+=(virtuoso-opensource)
  fi
fi

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi

echo "installing system packages: ${need[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
