# The image pipeline. `make run` starts everything natively; `make test` runs every test.
# All Swift packages build into one scratch folder, so dependencies compile once.
SHELL := /bin/bash
export SWIFT_DETERMINISTIC_HASHING := 1
SCRATCH := $(CURDIR)/.build
# Packages in dependency order; each is its own SwiftPM package.
PACKAGES := shared/AWSClient shared/Pipeline services/upload-api services/processor services/notifier
SWIFTPM := scripts/swiftpm.sh

.PHONY: help build release test test-swift emulator-start emulator-stop setup run stop clean testdata

help:
	@echo "make run        build (release) and start emulator + all services; Ctrl-C stops them"
	@echo "make test       every test: unit, integration (strict emulator), API fuzzing, end-to-end, AWS template, browser, faults"
	@echo "make build      debug build of every package"
	@echo "make emulator-start / emulator-stop   the embedded moto emulator on 127.0.0.1:4566"
	@echo "make setup      create buckets and queues (against AWS_ENDPOINT_URL or real AWS)"
	@echo "make test-faults  fault suite (kill -9, resets, black hole, DLQ, SIGTERM, bad input) on the release binaries"
	@echo "make test-localstack  conformance run of the release binaries on LocalStack 4.14.0 (started natively, no Docker)"
	@echo "make bench-load   60 s of 32 concurrent uploads with 2 processors: uploads/s, errors, RSS per service"
	@echo "make bench-cost   60 uploads through the stack: CPU ms per image of each service, processor/engine ratio, upload API/original route ratio"
	@echo "make testdata   regenerate tests/data/expected-opencv.json from OpenCV (PyPI wheel, x86_64)"
	@echo "make lint-aws   cfn-lint and checkov on the AWS template (deploy/aws); make test runs it too"
	@echo "make engine-diff  the engine against the last libpng-only engine on 91,557 inputs (SANITIZE=1: ASan+UBSan); make test runs a sample"
	@echo "make fuzz       libFuzzer (ASan+UBSan) on the engine's entry point for FUZZ_SECONDS (default 60)"
	@echo "make bench-engine / bench-upload / bench-pipeline / bench-notifier / bench-cost   benchmarks (README: Benchmarks)"

build:
	@for p in $(PACKAGES); do echo "== build $$p"; $(SWIFTPM) build $$p || exit 1; done

release:
	@for p in $(PACKAGES); do echo "== release build $$p"; $(SWIFTPM) build $$p -c release || exit 1; done

test:
	@scripts/test.sh

emulator-start:
	@scripts/emulator.sh start

emulator-stop:
	@scripts/emulator.sh stop

setup:
	@$(SWIFTPM) build shared/Pipeline --product pipeline-setup >/dev/null
	@$(SCRATCH)/debug/pipeline-setup

run:
	@scripts/run.sh

clean:
	rm -rf .build .build-aws .run

# The expected OpenCV results the tests compare against, regenerated from the wheel in .venv.
testdata:
	@scripts/venv.sh
	@.venv/bin/python scripts/testdata/generate-expected.py

.PHONY: test-localstack
test-localstack:
	@scripts/test-localstack.sh

.PHONY: test-faults bench-engine bench-upload bench-pipeline bench-notifier bench-load bench-cost
test-faults:
	@scripts/test-faults.sh

.PHONY: engine-diff fuzz
fuzz:
	@scripts/fuzz.sh

engine-diff:
	@bash services/processor/EngineDiff/run.sh -q $(if $(SANITIZE),--sanitize)

bench-engine:
	@bash scripts/bench-engine/run.sh $${RUNS:+--runs "$$RUNS"} $${ONLY:+--only "$$ONLY"}

bench-upload:
	@scripts/bench/upload.sh

bench-pipeline:
	@scripts/bench/stack.sh pipeline.py --count "$${COUNT:-200}" --concurrency "$${CONCURRENCY:-8}"

bench-notifier:
	@scripts/bench/stack.sh notifier.py

bench-load:
	@scripts/bench/stack.sh load.py --seconds "$${DURATION:-60}" --concurrency "$${CONCURRENCY:-32}" --processors "$${PROCESSORS:-2}"

bench-cost:
	@EMULATOR_KEEPALIVE=$${EMULATOR_KEEPALIVE:-1} scripts/bench/stack.sh cost.py --count "$${COUNT:-60}" --concurrency "$${CONCURRENCY:-4}" $${LARGE:+--large}

# The AWS template's linters (tests/aws runs this too, so make test and CI cover it).
.PHONY: lint-aws
lint-aws:
	@scripts/lint-aws.sh
