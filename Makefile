# The two commands the README opens with, and the build steps behind them.
SWIFT ?= swift
FLOW := .build/debug/flow
# Warnings are errors for every build of ours (not in Package.swift, where unsafeFlags would
# stop other packages from depending on flow's libraries). demo and test share it, so they
# share one build.
STRICT := -Xswiftc -warnings-as-errors

.PHONY: demo test build deps clean

## demo: replay workflows/triage.yaml from its example recording (no key, no network), then show the run
demo: build
	$(FLOW) run workflows/triage.yaml --replay
	@echo
	@$(FLOW) show

## test: build everything and run every test
test: deps
	$(SWIFT) build --build-tests $(STRICT)
	$(SWIFT) test --skip-build

build: deps
	$(SWIFT) build --product flow $(STRICT)

## deps: libyaml's headers (Debian's libyaml-dev) if pkg-config cannot find them; xmllint
## (libxml2-utils), which the tests use to check JUnit output against its schema
deps:
	@if ! pkg-config --exists yaml-0.1 2>/dev/null || ! command -v xmllint >/dev/null; then \
		echo "installing libyaml-dev, pkg-config and libxml2-utils"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq libyaml-dev pkg-config libxml2-utils; \
	fi

clean:
	rm -rf .build .flow

.PHONY: bench
## bench: build flow and flow-bench in release mode with the Swift runtime linked statically
## (it starts about twice as fast; static FoundationNetworking needs libcurl4-openssl-dev) and
## print docs/performance.md's figures. Not a test: nothing here asserts a time.
STATIC := --static-swift-stdlib --scratch-path .build-static
bench: deps
	@if ! dpkg -s libcurl4-openssl-dev >/dev/null 2>&1 || ! test -x /usr/bin/time; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq libcurl4-openssl-dev time; \
	fi
	$(SWIFT) build -c release $(STATIC) --product flow
	$(SWIFT) build -c release $(STATIC) --product flow-bench
	.build-static/release/flow-bench $(BENCH_FLAGS)

.PHONY: fuzz
## fuzz: build the libFuzzer targets (address sanitizer) and run each for FUZZ_SECONDS (default 60),
## seeded from the examples and the provider fixtures; crashes land in .build-fuzz/artifacts/
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := yaml workflow template sse stream openai anthropic gemini
FUZZER := .build-fuzz/debug/flow-fuzz
fuzz: deps
	$(SWIFT) build -c debug -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld -Xlinker --export-dynamic \
		--product flow-fuzz --scratch-path .build-fuzz
	@for target in $(FUZZ_TARGETS); do \
		corpus=.build-fuzz/corpus/$$target; artifacts=.build-fuzz/artifacts/$$target/; \
		mkdir -p $$corpus $$artifacts; \
		case $$target in \
			yaml|workflow) cp workflows/*.yaml $$corpus/ ;; \
			template) cp templates/*.mustache $$corpus/ ;; \
			sse|stream) for f in Tests/FlowCoreTests/Fixtures/*/*.sse; do cp $$f $$corpus/$$(basename $$(dirname $$f))-$$(basename $$f); done ;; \
			*) cp Tests/FlowCoreTests/Fixtures/$$target/*.json $$corpus/ ;; \
		esac; \
		echo "== $$target ($(FUZZ_SECONDS) s)"; \
		FLOW_FUZZ_TARGET=$$target $(FUZZER) -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
			-artifact_prefix=$$artifacts -print_final_stats=1 $$corpus 2>&1 \
			| grep -E "^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb|==[0-9]+==ERROR|SUMMARY)|cov: " | tail -5 || exit 1; \
	done
