#!/usr/bin/env bash
# llm-eval's HumanEval-X executors run C++ (g++, OpenSSL for CPP/162, Boost.Any for CPP/22 and 137),
# Go (go test, offline with the bundled vendored testify), JavaScript (node, js-md5 0.7.3 for
# JavaScript/162, the reference environment's version) and Rust (rustc, cargo and Debian's crate
# registry with rand, regex and md5, which every HumanEval-X Rust program imports).
set -euo pipefail
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
need=()
command -v g++ >/dev/null 2>&1 || need+=(g++)
[ -f /usr/include/openssl/md5.h ] || need+=(libssl-dev)
[ -f /usr/include/boost/any.hpp ] || need+=(libboost-dev)
command -v go >/dev/null 2>&1 || need+=(golang-go)
command -v node >/dev/null 2>&1 || need+=(nodejs)
command -v npm >/dev/null 2>&1 || need+=(npm)
if ! command -v rustc >/dev/null 2>&1 && [ ! -x "$HOME/.cargo/bin/rustc" ]; then need+=(rustc cargo); fi
if ! command -v cargo >/dev/null 2>&1 && [ ! -x "$HOME/.cargo/bin/cargo" ]; then need+=(cargo); fi
for crate in rand regex md5; do
  ls -d /usr/share/cargo/registry/"$crate"-[0-9]* >/dev/null 2>&1 || need+=("librust-$crate-dev")
done
# `regex = "*"` takes regex's default features, whose crates (aho-corasick, memchr, ...) Debian ships
# in a separate feature package: librust-regex-dev alone leaves cargo with "no matching package named
# `aho-corasick`".
for crate in aho-corasick memchr; do
  if ! ls -d /usr/share/cargo/registry/"$crate"-[0-9]* >/dev/null 2>&1; then
    need+=("librust-regex+default-dev")
    break
  fi
done
if [ ${#need[@]} -gt 0 ]; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
if [ ! -d "$(npm root -g)/js-md5" ]; then
  $SUDO npm install -g --no-audit --no-fund js-md5@0.7.3 >/dev/null
fi
g++ --version | head -1
go version
node --version
"$( (command -v rustc || echo "$HOME/.cargo/bin/rustc") | head -1)" --version
