# The two commands a newcomer needs: `make run` and `make test`.
GO      ?= go
BIN     := bin/coplan
PKGS    := ./...

.PHONY: run build test test-deps vet lint-openapi fmt bench fuzz faults screenshots clean

## run: build and start coplan with demo data on the embedded SQLite database
run: build
	$(BIN) serve --demo

build:
	$(GO) build -o $(BIN) ./cmd/coplan

## test: install what the tests need, then vet, check formatting, lint the OpenAPI document and run every test with -race
test: test-deps vet lint-openapi
	$(GO) test -race -count=1 $(GOTESTFLAGS) $(PKGS)

test-deps:
	@bash scripts/test-deps.sh

vet:
	$(GO) vet $(PKGS)
	$(GO) vet -tags faults ./cmd/coplan # the fault harness builds only with its tag: vet keeps it compiling
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt would change:"; echo "$$unformatted"; exit 1; fi

## lint-openapi: Redocly's recommended rules on api/openapi.yaml; any error or warning fails
lint-openapi:
	@out=$$(tools/redocly/node_modules/.bin/redocly lint --config api/redocly.yaml --format=stylish api/openapi.yaml 2>&1); status=$$?; \
	if [ $$status -ne 0 ] || echo "$$out" | grep -qE '^ +[0-9]+:[0-9]+ +(error|warning)'; then echo "$$out"; exit 1; fi; \
	echo "openapi.yaml: no errors, no warnings"

fmt:
	gofmt -w $$(git ls-files '*.go')

## bench: the Go benchmarks (planner, feeds, ...) and the timed planner command on national data
bench:
	@bash scripts/bench.sh

## fuzz: every fuzz target for FUZZTIME (default 60s) each; their seed corpora run in make test
FUZZTIME ?= 60s
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzPlanFile$$' -fuzztime $(FUZZTIME) ./planner/planfile
	$(GO) test -run '^$$' -fuzz '^FuzzRequestBodies$$' -fuzztime $(FUZZTIME) ./api
	$(GO) test -run '^$$' -fuzz '^FuzzWriteRoutes$$' -fuzztime $(FUZZTIME) ./api
	$(GO) test -run '^$$' -fuzz '^FuzzTextEscaping$$' -fuzztime $(FUZZTIME) ./calendars
	$(GO) test -run '^$$' -fuzz '^FuzzParseImport$$' -fuzztime $(FUZZTIME) ./store

## faults: kill replicas mid-transaction, restart PostgreSQL under load, SIGTERM during work
faults: test-deps
	COPLAN_REQUIRE_POSTGRES=1 $(GO) test -tags faults -race -count=1 -v -run Fault ./cmd/coplan

## screenshots: every page of every browser test, at 1280 and 375 px, into artifacts/screens (not committed)
screenshots: test-deps
	rm -rf artifacts/screens
	COPLAN_SCREENSHOTS=$(CURDIR)/artifacts/screens $(GO) test -count=1 -run 'TestBrowser' ./api
	@echo "$$(ls artifacts/screens | wc -l) screenshots in artifacts/screens"

clean:
	rm -rf bin data
