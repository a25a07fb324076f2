# migreplay — see README.md. `make help` lists the targets.
GO      ?= go
BIN     := bin/migreplay
OUT     ?= out
PKGS    := ./...

.PHONY: help build run test test-go test-race test-integration test-report test-cluster bench fuzz golden lint fmt clean notebooks qemu-lab qemu-lab-deps

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'

build: ## build bin/migreplay
	$(GO) build -o $(BIN) ./cmd/migreplay

run: build ## the main job on the bundled datasets, end to end (writes $(OUT)/)
	./scripts/run.sh $(BIN) $(OUT)

test: test-go test-race test-integration ## everything CI runs

test-go: ## unit, golden, property and cross-check tests
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "not gofmt'ed (make fmt):"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)
	$(GO) test -count=1 $(PKGS)

test-race: ## the packages with goroutines (the Parquet writer's worker, ingest, replay sweeps) under the race detector; -short leaves out the multi-thousand-host and memory tests test-go runs
	$(GO) test -race -short -count=1 ./schema/... ./ingest ./replay

test-report: ## only the report's test: rendered in headless Chromium (Debian's chromium; part of test-go, skipped without it unless MIGREPLAY_REQUIRE_CHROMIUM=1)
	$(GO) test -count=1 -run 'TestReportInChromium|TestChromiumCheckCatches' -v ./cmd/migreplay

test-integration: build ## DuckDB over the lake (installs @duckdb/node-api into a scratch folder)
	./scripts/integration.sh $(BIN)

test-cluster: build ## (root; CI runs it after test) a Slurm array job on this machine: sharded ingest and sweep = one process, byte for byte; the k8s manifests' shape
	python3 scripts/check_k8s.py deploy/k8s $(BIN)
	./scripts/cluster-test.sh $(BIN)

bench: ## Go benchmarks plus the bench/ peer comparisons (prints ratios)
	$(GO) test -run '^$$' -bench . -benchmem $(PKGS)
	./bench/all.sh

fuzz: ## a short fuzz run of every fuzz target
	./scripts/fuzz.sh 20s

golden: ## rewrite golden testdata from the current code
	$(GO) test ./ingest/... -update

lint: ## gofmt (lists unformatted files), go vet and staticcheck
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "not gofmt'ed (make fmt):"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 $(PKGS)

fmt: ## gofmt every file
	gofmt -w $$(git ls-files '*.go')

clean: ## remove build and run outputs
	rm -rf bin $(OUT)

notebooks: build ## execute notebooks/*.ipynb against a fresh make run (needs jupyter-nbconvert, python3-pandas, python3-matplotlib)
	@test -d $(OUT)/lake || $(MAKE) run
	mkdir -p $(OUT)/notebooks
	MIGREPLAY=$(CURDIR)/$(BIN) LAKE=$(CURDIR)/$(OUT)/lake CLUSTER=$(CURDIR)/$(OUT)/cluster/lake \
	  IDC=$(CURDIR)/datasets/cluster/idc.csv OUT=$(CURDIR)/$(OUT)/notebooks \
	  jupyter nbconvert --to notebook --execute --output-dir $(OUT)/notebooks notebooks/*.ipynb

qemu-lab-deps: ## (root, Debian bookworm) install what qemu-lab needs: QEMU 10 from bookworm-backports, a guest kernel, busybox-static, gcc
	apt-get install -y -t bookworm-backports qemu-system-x86 qemu-utils
	apt-get install -y linux-image-amd64 busybox-static gcc

qemu-lab: ## (root; not in test, ~20 min) rerecord the real QEMU migrations of datasets/qemu (lab/qemu/lab.py); RUNS=a,b for some of them
	python3 lab/qemu/lab.py $(if $(RUNS),--only $(RUNS))
	$(GO) test -count=1 -run TestQEMULabRuns ./datasets
	@echo "datasets/qemu/README.md's table, from the new logs: $(GO) test ./datasets -run TestQEMUPrintTable -v -args -qemu-table"
