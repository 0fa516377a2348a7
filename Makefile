# sozialatlas: `make run` serves the Berlin demo, `make test` runs every test.

GO      ?= go
BIN     := bin/sozialatlas
DATA    ?= ./data
ADDR    ?= 127.0.0.1:8080

.PHONY: all build frontend e2e run test vet bench bench-import bench-engine bench-api bench-tiles synth clean

all: build

build: frontend
	$(GO) build -o $(BIN) ./cmd/sozialatlas

# The web map (frontend/, TypeScript + Vite + MapLibre) into frontend/dist,
# which the binary embeds; skipped when dist is newer than its sources.
frontend:
	scripts/frontend

# End-to-end tests of the web map in Debian's Chromium; out/e2e/ gets
# screenshots and the measured timings.
e2e:
	scripts/e2e

# Serves http://localhost:8080 on the embedded store; the first start imports the Berlin demo.
run: build
	$(BIN) serve -addr $(ADDR) -data $(DATA)

# Installs PostgreSQL/PostGIS and GDAL when missing, starts a throwaway
# PostGIS cluster, runs unit, contract and integration tests, stops it.
test:
	scripts/test

vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1; }

# Import benchmarks: 1,000,000 values into SQLite and into PostGIS, and the
# synthetic city with 100,000 blocks generated and imported.
bench-import:
	scripts/bench-import

# Indicator engine benchmarks: points to blocks against PostGIS, 2SFCA, the
# whole synthetic catalog for ten dates.
bench-engine:
	scripts/bench-engine

# API load test on loopback: 200 connections for 60 s against the values
# and units endpoints of the Berlin demo (needs wrk).
bench-api:
	scripts/bench-api

# Vector tiles of the synthetic city with 100,000 blocks on loopback: ours
# cold and warm, a per-request ST_AsMVT baseline and a bare Go handler,
# z8 to z14, peak RSS with the whole pyramid (docs/benchmarks.md, Tiles).
bench-tiles:
	scripts/bench-tiles

bench: bench-import bench-engine bench-api bench-tiles

# A synthetic city for demos: make synth BLOCKS=20000 SEED=1 OUT=out/synth
BLOCKS ?= 20000
SEED   ?= 1
OUT    ?= out/synth
synth: build
	$(BIN) demo synth -blocks $(BLOCKS) -seed $(SEED) -out $(OUT)

clean:
	rm -rf bin out
