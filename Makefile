# qpsmtpd-ts: build, test, serve, measure.
SHELL := /bin/bash
BIN := node_modules/.bin
SOURCES := $(shell find src plugins -name '*.ts') build.mjs package.json
# Plain TAP when the output is a log (CI), the compact view on a terminal.
TAP_REPORTER := $(shell [ -t 1 ] && echo terse || echo tap)
TAP := $(BIN)/tap --disable-coverage --reporter=$(TAP_REPORTER)

.PHONY: all build typecheck test unit conformance bench run clean

all: build

build: dist/qpsmtpd dist/types/api/index.d.ts

dist/qpsmtpd: node_modules/.installed $(SOURCES)
	node build.mjs

# The declaration files plugin authors' editors and tsc read (package.json "types").
dist/types/api/index.d.ts: node_modules/.installed $(SOURCES) tsconfig.types.json
	$(BIN)/tsc -p tsconfig.types.json

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

typecheck: node_modules/.installed
	$(BIN)/tsc --noEmit -p .

# Everything CI runs: types, unit and session tests, end-to-end tests against
# the built binary and real programs, and the conformance suite.
test: typecheck build
	$(TAP) 'test/**/*.test.ts'
	$(MAKE) --no-print-directory conformance

unit: node_modules/.installed
	$(TAP) 'test/unit/**/*.test.ts' 'test/session/**/*.test.ts'

conformance: build
	test/conformance/run

bench: build
	bench/run --stdin pipe
	bench/run --stdin file
	bench/run --stdin socket
	bench/plugins
	bench/http_config
	bench/queue

# Serve on 127.0.0.1:2525 under tcpserver with the default config; mail
# lands in run/maildir/new.
run: build
	@command -v tcpserver >/dev/null || { echo 'make run needs tcpserver: apt-get install ucspi-tcp' >&2; exit 1; }
	@mkdir -p run/maildir/cur run/maildir/new run/maildir/tmp run/spool && chmod 700 run/spool
	@echo 'qpsmtpd on 127.0.0.1:2525 (Ctrl-C stops it). Send a test mail with:'
	@echo '  swaks --server 127.0.0.1:2525 --from you@example.com --to postmaster@example.com'
	@echo 'and find it in run/maildir/new/.'
	cd run && exec tcpserver -v -R -H -l 0 127.0.0.1 2525 ../dist/qpsmtpd --spool-dir spool

clean:
	rm -rf dist .tap run
