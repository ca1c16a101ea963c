# grantcheck — the commands a newcomer needs. Only Go is required (Node 20 for conformance-node and
# the command driver test; Debian's chromium and chromium-headless-shell for the browser driver,
# installed by `make test`).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
GO ?= go
REPORTS ?= out/reports
NODE_FIXTURE := fixtures/providers/node-oidc-provider

.PHONY: run test unit selftest node-verdicts conformance-node list catalogue build vet clean deps

## run: the whole suite against the embedded reference provider; reports in $(REPORTS)/
run:
	$(GO) run ./cmd/grantcheck run --reports $(REPORTS)

## test: vet, unit tests, the suite against the reference, the fault self-test, the node verdicts
test: deps vet unit selftest node-verdicts

## deps: install what the tests need beyond Go when it is missing: Debian's chromium and its
## chromium-headless-shell (the browser driver's tests; headless runs use the shell, a third of the
## CPU per flow) and Node.js with npm (node-oidc-provider, the command driver's script); as root,
## as in CI, with one `apt-get update`. Without root it says what to run instead of skipping tests.
deps:
	@missing=""; \
	command -v chromium >/dev/null || missing="chromium"; \
	command -v chromium-headless-shell >/dev/null || missing="$$missing chromium-headless-shell"; \
	command -v node >/dev/null && command -v npm >/dev/null || missing="$$missing nodejs npm"; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y $$missing; \
	else \
		echo "make: the tests need$$missing: sudo apt-get install -y$$missing" >&2; exit 1; \
	fi

vet:
	$(GO) vet ./...

unit:
	$(GO) test -count=1 $$($(GO) list ./... | grep -v -e /cmd/grantcheck -e /node-oidc-provider)

# -parallel: each fault run mostly waits on the code lifetime, so runs overlap well on 2 cores.
selftest:
	$(GO) test -count=1 -parallel 8 -timeout 10m -v ./cmd/grantcheck \
		| grep -v -e '^=== ' -e '^    --- PASS' || exit 1

node-verdicts:
	$(GO) test -count=1 -timeout 10m -v ./$(NODE_FIXTURE)/ | grep -v -e '^=== ' || exit 1

## conformance-node: the suite against node-oidc-provider (npm ci on first use), checked against its
## expected verdicts; reports in out/node-reports/
conformance-node: build
	bash $(NODE_FIXTURE)/run.sh bin/grantcheck run --config $(NODE_FIXTURE)/provider.yaml \
		--baseline $(NODE_FIXTURE)/expected.yaml --reports out/node-reports

build:
	$(GO) build -o bin/grantcheck ./cmd/grantcheck

## list: the scenario catalogue
list:
	$(GO) run ./cmd/grantcheck list

## catalogue: regenerate CATALOGUE.md from the code (a test fails when it is stale)
catalogue:
	$(GO) run ./cmd/grantcheck list --format markdown > CATALOGUE.md

clean:
	rm -rf out bin
