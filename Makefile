# Pingyi — the two commands: `make run` and `make test`. See README.md.
#
# Plain cargo + wasm-bindgen (no cargo-leptos needed): the hydrate bundle is built
# for wasm32 and bound with the wasm-bindgen CLI of exactly the version in Cargo.lock.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := run

WASM_BINDGEN_VERSION := $(shell sed -n '/^name = "wasm-bindgen"$$/{n;s/version = "\(.*\)"/\1/p;}' Cargo.lock)
TOOLS_DIR := $(CURDIR)/target/tools
SITE_DIR := target/site
PKG_DIR := $(SITE_DIR)/pkg
FONT_DIR := target/fonts
FONT := $(FONT_DIR)/NotoSansHans-Regular.otf
# Noto Sans SC (思源黑体) Regular, SIL OFL 1.1, from the npm package @embedpdf/fonts-sc.
FONT_PACKAGE := @embedpdf/fonts-sc@1.0.0
FONT_SHA256 := 7db3c634bbd0301b3082a80ffcac2f422e8ef9ce0730f8b279c3e8f756598f68
# pdf.js (Apache-2.0) renders PDF exhibits as pages on a canvas: nothing in a PDF runs,
# and phones that show no PDF inside a page see it too. From the npm registry, checked by hash.
PDFJS_PACKAGE := pdfjs-dist@6.5.438
PDFJS_SHA256 := 7461aefcd27c4ef0dd76f9ca5760f09466eb6b3f934432670c12132e7b3d6faa
PDFJS_DIR := $(SITE_DIR)/pdfjs
WASM_PROFILE := wasm-release
SERVER_PROFILE ?= release
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/postgres
# pyHanko, an independent validator of the minutes' signature (tests only), in its own venv.
PYHANKO_VERSION := 0.38.0
PYHANKO_VENV := $(TOOLS_DIR)/pyhanko
PYHANKO_PYTHON := $(PYHANKO_VENV)/bin/python
# What the tests get under `make test`: a missing PDF checker fails them instead of
# skipping them, so a fresh machine cannot pass without checking the signed minutes.
PDF_TEST_ENV := PINGYI_REQUIRE_PDF_TOOLS=1 PINGYI_PYHANKO=$(PYHANKO_PYTHON)

export PATH := $(TOOLS_DIR)/bin:$(PATH)

.PHONY: run build test tools pdf-tools font pdfjs wasm server-bin check lint unit integration integration-sqlite integration-postgres e2e e2e-deps bench clean-site

## make run: install what is missing, build, migrate ./data/pingyi.db, load the demo, serve :3000
run: SERVER_PROFILE = release
run: build
	@echo "==> 评议 Pingyi: http://$${PINGYI_ADDR:-127.0.0.1:3000}"
	PINGYI_SITE_ROOT=$(SITE_DIR) PINGYI_FONT=$(FONT) ./target/$(SERVER_PROFILE)/pingyi serve

build: tools font wasm pdfjs server-bin

## Tools: the wasm target and the wasm-bindgen CLI matching Cargo.lock
tools:
	@rustup target list --installed | grep -qx wasm32-unknown-unknown || { echo "==> installing the wasm32 target"; rustup target add wasm32-unknown-unknown; }
	@if ! wasm-bindgen --version 2>/dev/null | grep -qF "$(WASM_BINDGEN_VERSION)"; then \
	  echo "==> installing wasm-bindgen-cli $(WASM_BINDGEN_VERSION) into target/tools (a few minutes, once)"; \
	  cargo install --quiet wasm-bindgen-cli --version "=$(WASM_BINDGEN_VERSION)" --root "$(TOOLS_DIR)"; \
	fi

## The PDF checkers the tests run on the minutes: poppler (pdfsig, pdftotext, pdffonts,
## pdftoppm) from Debian, and pyHanko from PyPI in target/tools/pyhanko
pdf-tools:
	@missing=; for t in pdfsig pdftotext pdffonts pdftoppm pdfinfo; do command -v $$t >/dev/null || missing=1; done; \
	if [ -n "$$missing" ]; then echo "==> installing poppler-utils (pdfsig, pdftotext, pdffonts, pdftoppm)"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq poppler-utils >/dev/null; \
	fi
	@if ! "$(PYHANKO_PYTHON)" -c 'import importlib.metadata as m, sys; sys.exit(m.version("pyhanko") != "$(PYHANKO_VERSION)")' 2>/dev/null; then \
	  echo "==> installing pyHanko $(PYHANKO_VERSION) into target/tools/pyhanko (once)"; \
	  if ! python3 -c 'import ensurepip, venv' 2>/dev/null; then \
	    echo "==> installing python3-venv"; \
	    if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	    $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq python3-venv >/dev/null; \
	  fi; \
	  rm -rf "$(PYHANKO_VENV)"; \
	  python3 -m venv "$(PYHANKO_VENV)"; \
	  "$(PYHANKO_PYTHON)" -m pip install --quiet --disable-pip-version-check "pyhanko==$(PYHANKO_VERSION)"; \
	fi

## The CJK font for the minutes PDF, from the npm registry, checked by hash
font: $(FONT)
$(FONT):
	@echo "==> fetching the minutes font ($(FONT_PACKAGE))"
	@mkdir -p $(FONT_DIR)/pack
	cd $(FONT_DIR)/pack && npm pack --silent "$(FONT_PACKAGE)" >/dev/null && tar xzf embedpdf-fonts-sc-*.tgz package/fonts/NotoSansHans-Regular.otf package/LICENSE
	@echo "$(FONT_SHA256)  $(FONT_DIR)/pack/package/fonts/NotoSansHans-Regular.otf" | sha256sum -c --quiet - || { echo "font checksum mismatch"; exit 1; }
	mv $(FONT_DIR)/pack/package/fonts/NotoSansHans-Regular.otf $(FONT)
	mv $(FONT_DIR)/pack/package/LICENSE $(FONT_DIR)/LICENSE-NotoSansSC-OFL.txt
	rm -rf $(FONT_DIR)/pack

## pdf.js for the PDF previews, into target/site/pdfjs (served with its own CSP)
pdfjs: $(PDFJS_DIR)/pdf.min.mjs
$(PDFJS_DIR)/pdf.min.mjs:
	@echo "==> fetching pdf.js ($(PDFJS_PACKAGE))"
	@rm -rf target/pdfjs-pack && mkdir -p target/pdfjs-pack
	cd target/pdfjs-pack && npm pack --silent "$(PDFJS_PACKAGE)" >/dev/null
	@echo "$(PDFJS_SHA256)  $$(ls target/pdfjs-pack/pdfjs-dist-*.tgz)" | sha256sum -c --quiet - || { echo "pdf.js checksum mismatch"; exit 1; }
	cd target/pdfjs-pack && tar xzf pdfjs-dist-*.tgz package/build/pdf.min.mjs package/build/pdf.worker.min.mjs \
	  package/cmaps package/standard_fonts package/iccs package/LICENSE \
	  package/wasm/openjpeg.wasm package/wasm/openjpeg_nowasm_fallback.js package/wasm/jbig2.wasm \
	  package/wasm/jbig2_nowasm_fallback.js package/wasm/qcms_bg.wasm \
	  package/wasm/LICENSE_OPENJPEG package/wasm/LICENSE_PDFJS_OPENJPEG package/wasm/LICENSE_JBIG2 \
	  package/wasm/LICENSE_PDFJS_JBIG2 package/wasm/LICENSE_QCMS package/wasm/LICENSE_PDFJS_QCMS
	@rm -rf $(PDFJS_DIR) && mkdir -p $(SITE_DIR)
	mv target/pdfjs-pack/package/build target/pdfjs-pack/package/pdfjs
	cp -r target/pdfjs-pack/package/{cmaps,standard_fonts,iccs,wasm,LICENSE} target/pdfjs-pack/package/pdfjs/
	mv target/pdfjs-pack/package/pdfjs $(PDFJS_DIR)
	@rm -rf target/pdfjs-pack

## The hydrate bundle and the stylesheet, into target/site/pkg. Without the
## function-name section (more than half of the file): every phone downloads
## the bundle, nobody reads its symbol names.
wasm:
	@echo "==> building the browser bundle"
	cargo build --quiet -p frontend --lib --target wasm32-unknown-unknown --profile $(WASM_PROFILE)
	@mkdir -p $(PKG_DIR)
	@rm -rf $(PKG_DIR)/pingyi* $(PKG_DIR)/snippets $(PKG_DIR)/BUNDLE
	wasm-bindgen --target web --no-typescript --remove-name-section --remove-producers-section \
	  --out-dir $(PKG_DIR) --out-name pingyi \
	  target/wasm32-unknown-unknown/$(WASM_PROFILE)/frontend.wasm
	cp style/main.css $(PKG_DIR)/pingyi.css
	@if [ -d style/assets ]; then cp -r style/assets/. $(SITE_DIR)/; fi
	@echo "==> naming the bundle by its content (browsers keep it for good; a new build, a new name)"
	@cd $(PKG_DIR) && stem=pingyi-$$(cat pingyi.js pingyi_bg.wasm pingyi.css $$(find snippets -type f 2>/dev/null | sort) \
	    | sha256sum | cut -c1-16) && \
	  mv pingyi_bg.wasm $${stem}_bg.wasm && cp pingyi.css $$stem.css && \
	  if [ -d snippets ]; then mv snippets $$stem-snippets; fi && \
	  sed "s#'\./snippets/#'./$$stem-snippets/#g" pingyi.js > $$stem.js && rm pingyi.js && \
	  echo $$stem > BUNDLE
	@echo "==> compressing the bundle once (brotli and gzip beside each file; served as is)"
	@command -v brotli >/dev/null || { echo "==> installing Debian brotli"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq brotli >/dev/null; }
	@for f in $$(find $(PKG_DIR) -name '*.js' -o -name '*.wasm' -o -name '*.css'); do \
	  brotli -f -q 11 -o $$f.br $$f && gzip -9 -k -f -n $$f; touch -r $$f $$f.br $$f.gz; done

server-bin:
	@echo "==> building the server ($(SERVER_PROFILE))"
	cargo build --quiet -p server --bin pingyi $(if $(filter release,$(SERVER_PROFILE)),--release,)

## make test: fmt, clippy, unit, integration (SQLite, PostgreSQL), e2e in Chromium
test: SERVER_PROFILE = debug
test: tools font pdf-tools lint unit integration wasm pdfjs e2e
	@echo "==> make test: all passed"

lint:
	@echo "==> fmt"
	cargo fmt --all -- --check
	@echo "==> clippy (server side)"
	cargo clippy --quiet -p app -p server --all-targets -- -D warnings
	@echo "==> clippy (browser side)"
	cargo clippy --quiet -p frontend --target wasm32-unknown-unknown -- -D warnings

unit: pdf-tools
	@echo "==> unit tests (domain, pure; then server units)"
	$(PDF_TEST_ENV) cargo test --quiet -p app --features ssr
	$(PDF_TEST_ENV) cargo test --quiet -p server --lib --bins

integration: integration-sqlite integration-postgres

integration-sqlite: pdf-tools
	@echo "==> integration tests on SQLite"
	PINGYI_FONT=$(CURDIR)/$(FONT) $(PDF_TEST_ENV) cargo test --quiet -p server --test integration

integration-postgres: pdf-tools
	@if (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; then \
	  echo "==> integration tests on PostgreSQL ($(PG_TEST_URL))"; \
	  PINGYI_TEST_POSTGRES=$(PG_TEST_URL) PINGYI_FONT=$(CURDIR)/$(FONT) $(PDF_TEST_ENV) cargo test --quiet -p server --test integration; \
	else \
	  echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"; \
	  echo "!!! PostgreSQL is NOT reachable at 127.0.0.1:5432: integration tests ran on   !!!"; \
	  echo "!!! SQLite only. Start PostgreSQL to test the scale path.                     !!!"; \
	  echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"; \
	  if [ "$(PINGYI_REQUIRE_POSTGRES)" = 1 ]; then echo "PINGYI_REQUIRE_POSTGRES=1: failing"; exit 1; fi; \
	fi

e2e-deps: pdf-tools
	@command -v chromium >/dev/null || { echo "==> installing Debian chromium"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null; }
	@fc-list 2>/dev/null | grep -i -e wqy -e "Noto Sans CJK" >/dev/null || { echo "==> installing a CJK font for the browser (screenshots)"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq fonts-wqy-microhei >/dev/null; }
	cd e2e && npm ci --silent --no-audit --no-fund

e2e: e2e-deps server-bin
	@echo "==> end-to-end tests in headless Chromium"
	cd e2e && PINGYI_BIN=$(CURDIR)/target/$(SERVER_PROFILE)/pingyi PINGYI_SITE_ROOT=$(CURDIR)/$(SITE_DIR) \
	  PINGYI_FONT=$(CURDIR)/$(FONT) $(PDF_TEST_ENV) node --test --test-concurrency=1 tests/

## make bench: measured figures for docs/PERFORMANCE.md and docs/SORTITION.md
bench: font
	@echo "==> sortition: 10,000 seeded draws on the demo pool vs the maximin optimum"
	cargo test --quiet --release -p app --lib -- --ignored ten_thousand --nocapture
	@echo "==> live fan-out: 100 and 1,000 websocket observers, pingyi vs a bare tokio-tungstenite broadcast server"
	ulimit -n 8192 2>/dev/null || true; cargo test --quiet --release -p server --test integration fanout_bench -- --ignored --nocapture --test-threads=1
	@echo "==> votes: 50 members at once on SQLite FULL vs the raw SQLite FULL commit rate"
	PINGYI_FONT=$(CURDIR)/$(FONT) cargo test --quiet --release -p server --test integration vote_bench -- --ignored --nocapture
	@echo "==> minutes: a 20-page document rendered and signed"
	PINGYI_FONT=$(CURDIR)/$(FONT) cargo test --quiet --release -p server --test integration minutes_bench -- --ignored --nocapture
	@echo "==> vote fault test, long form: 200 SIGKILL cycles"
	PINGYI_FONT=$(CURDIR)/$(FONT) PINGYI_FAULT_CYCLES=200 cargo test --quiet --release -p server --test integration vote_faults -- --nocapture
