# The two commands the README opens with, and the build steps behind them.
SWIFT ?= swift
FLOW := .build/debug/flow
# Warnings are errors for every build of ours (not in Package.swift, where unsafeFlags would
# stop other packages from depending on flow's libraries). demo and test share it, so they
# share one build.
STRICT := -Xswiftc -warnings-as-errors

.PHONY: demo test example test-release build deps build-deps clean install uninstall

## demo: replay workflows/triage.yaml from its example recording (no key, no network), then show the run
demo: build
	$(FLOW) run workflows/triage.yaml --replay
	@echo
	@$(FLOW) show

## test: build everything and run every test
test: deps
	$(SWIFT) build --build-tests $(STRICT)
	$(SWIFT) test --skip-build
	@$(MAKE) --no-print-directory example

## example: build Examples/Greeter, an app that depends on FlowKit, against this checkout, run
## it (its workflow runs on the mock model: no key) and check what it prints; then flow test its workflow
example: build
	$(SWIFT) build --package-path Examples/Greeter $(STRICT)
	@out=$$(Examples/Greeter/.build/debug/Greeter Grace) && echo "$$out" \
		&& echo "$$out" | grep -q '^topic: the weather$$' && echo "$$out" | grep -q '^streamed steps: 2$$' \
		|| { echo "Examples/Greeter did not print what FlowKit should give it"; exit 1; }
	$(FLOW) test Examples/Greeter/Sources/Greeter/flows/greet.yaml

## test-release: every test against a release build compiled as make install compiles flow
## (optimised, prespecialized generic metadata), in .build-release-tests/. Not part of CI: it
## builds everything a second time.
test-release: deps
	$(SWIFT) build -c release --build-tests --scratch-path .build-release-tests -Xswiftc -enable-testing $(PRESPECIALIZE) $(STRICT)
	$(SWIFT) test -c release --skip-build --scratch-path .build-release-tests -Xswiftc -enable-testing $(PRESPECIALIZE)

build: build-deps
	$(SWIFT) build --product flow $(STRICT)

## deps: what the tests need: libyaml's headers (Debian's libyaml-dev, via pkg-config) if
## pkg-config cannot find them; xmllint (libxml2-utils), which the tests use to check JUnit
## output against its schema; headless Chromium (Debian's chromium), which opens the HTML report
## in the tests (screenshots, filters); and from PyPI the other sides the tests talk to: jsonschema
## (checks flow schema), pygls with lsprotocol (an LSP client for flow lsp) and mcp-server-time
## (the reference MCP server flow's MCP client is tested against), prompty with jinja2 (the
## runtime whose messages an imported .prompty file must match), opentelemetry-proto (parses the
## OTLP bodies flow exports with the official message definitions), and the evals wheel (not
## installed, only downloaded to .build-deps: its registry of evals and samples is the corpus
## flow import is run on, and its fuzzy_match the reference flow's is compared with). A failed pip
## install is not fatal: those tests then skip, saying why.
deps: build-deps
	@if ! command -v xmllint >/dev/null || ! command -v chromium >/dev/null; then \
		echo "installing libxml2-utils and chromium (for the tests)"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq --no-install-recommends libxml2-utils chromium; \
	fi
	@if ! python3 -c "import jsonschema, pygls, lsprotocol, mcp_server_time, prompty, jinja2, opentelemetry.proto" 2>/dev/null; then \
		echo "installing jsonschema, pygls, lsprotocol, mcp-server-time, prompty, jinja2 and opentelemetry-proto from PyPI (for the tests)"; \
		python3 -m pip install -q --disable-pip-version-check jsonschema pygls lsprotocol mcp-server-time prompty jinja2 opentelemetry-proto 2>&1 | grep -v "as the 'root' user" || true; \
	fi
	@if ! ls .build-deps/evals-*.whl >/dev/null 2>&1; then \
		echo "downloading the evals wheel from PyPI (its registry is the corpus flow import is checked on)"; \
		python3 -m pip download -q --no-deps --disable-pip-version-check evals==3.0.1.post1 -d .build-deps 2>&1 | grep -v "as the 'root' user" || true; \
	fi

## build-deps: only what building flow needs (libyaml-dev and pkg-config): make demo and make
## build install no browser
build-deps:
	@if ! pkg-config --exists yaml-0.1 2>/dev/null; then \
		echo "installing libyaml-dev and pkg-config"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq --no-install-recommends libyaml-dev pkg-config; \
	fi

clean:
	rm -rf .build .flow

## install: a release build with the Swift runtime linked statically, to $(DESTDIR)$(PREFIX)/bin/flow,
## with shell completions (bash, zsh, fish) and the man page, both written by that binary from the
## command table behind --help. libcurl is not linked: Sources/CFlowPlatform/lazy_curl.c loads it
## when the first request goes on the wire, so commands that send nothing start without it.
PREFIX ?= /usr/local
DESTDIR ?=
COMMIT := $(shell git rev-parse --short HEAD 2>/dev/null)
## PIE=no (the default) links a position-dependent executable: a PIE of this size carries about
## 79,000 relative relocations that the loader applies at every start, about 2 ms of the 4-6 ms
## an offline command takes (docs/performance.md). Shared libraries, stack and heap stay
## randomised; packagers who want the executable randomised too can say PIE=yes.
## --disable-local-rpath: nothing is installed beside the binary, so the loader need not look there.
## -prespecialize-generic-metadata: the compiler lays out the metadata of the generic types flow
## uses (Dictionary<String, [String]>, …) at build time; otherwise the runtime builds each on first
## use from its mangled name, scanning every conformance record: 1-2 ms of every start. The
## release test run (make test-release) checks the tests pass with it.
PIE ?= no
LINK_PIE := $(if $(filter no,$(PIE)),-Xswiftc -Xclang-linker -Xswiftc -no-pie,)
PRESPECIALIZE := -Xswiftc -Xfrontend -Xswiftc -prespecialize-generic-metadata
## The C++ runtime (libstdc++, libgcc) and libyaml are linked in too, from their static archives
## (libstdc++-dev and libyaml-dev ship them), so an installed flow loads libc and libm and
## nothing else: loading, relocating and initialising libstdc++, libgcc_s and libyaml was
## 1-1.5 ms of every start (docs/performance.md). static-libs links the archives into one
## directory, the only one -lstdc++ and -lyaml (through a yaml-0.1.pc of its own) search first;
## where an archive is missing, the link falls back to the shared library.
STATIC_LIBS := $(abspath .build-static/static-libs)
RELEASE := -c release --static-swift-stdlib --scratch-path .build-static --disable-local-rpath $(LINK_PIE) $(PRESPECIALIZE) \
	-Xswiftc -Xfrontend -Xswiftc -disable-autolink-library -Xswiftc -Xfrontend -Xswiftc curl \
	-Xlinker -L$(STATIC_LIBS) -Xswiftc -Xclang-linker -Xswiftc -static-libgcc \
	-Xcc -DFLOW_COMMIT='"$(COMMIT)"' $(STRICT)
RELEASE_ENV := PKG_CONFIG_PATH=$(STATIC_LIBS)/pkgconfig
RELEASE_FLOW := .build-static/release/flow
BINDIR = $(DESTDIR)$(PREFIX)/bin
MANDIR = $(DESTDIR)$(PREFIX)/share/man/man1
BASHDIR = $(DESTDIR)$(PREFIX)/share/bash-completion/completions
ZSHDIR = $(DESTDIR)$(PREFIX)/share/zsh/site-functions
FISHDIR = $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
install: build-deps static-libs
	$(RELEASE_ENV) $(SWIFT) build $(RELEASE) --product flow
	install -d "$(BINDIR)" "$(MANDIR)" "$(BASHDIR)" "$(ZSHDIR)" "$(FISHDIR)"
	install -m 755 -s $(RELEASE_FLOW) "$(BINDIR)/flow"
	$(RELEASE_FLOW) completions bash > "$(BASHDIR)/flow"
	$(RELEASE_FLOW) completions zsh > "$(ZSHDIR)/_flow"
	$(RELEASE_FLOW) completions fish > "$(FISHDIR)/flow.fish"
	$(RELEASE_FLOW) manpage > "$(MANDIR)/flow.1"
	@echo "installed $(BINDIR)/flow ($$("$(BINDIR)/flow" --version))"

.PHONY: static-libs
static-libs:
	@mkdir -p "$(STATIC_LIBS)/pkgconfig"
	@cxx=$$("$$(dirname "$$(command -v $(SWIFT))")/clang" -print-file-name=libstdc++.a 2>/dev/null); \
	if test -f "$$cxx"; then ln -sf "$$cxx" "$(STATIC_LIBS)/libstdc++.a"; else echo "no libstdc++.a: flow links libstdc++.so"; fi
	@yaml="$$(pkg-config --variable=libdir yaml-0.1)/libyaml.a"; \
	if test -f "$$yaml"; then \
		ln -sf "$$yaml" "$(STATIC_LIBS)/libyaml.a"; \
		printf 'Name: LibYAML\nDescription: libyaml, linked statically by make install\nVersion: %s\nCflags: %s\nLibs: -L%s -lyaml\n' \
			"$$(pkg-config --modversion yaml-0.1)" "$$(pkg-config --cflags yaml-0.1)" "$(STATIC_LIBS)" > "$(STATIC_LIBS)/pkgconfig/yaml-0.1.pc"; \
	else echo "no libyaml.a: flow links libyaml.so"; rm -f "$(STATIC_LIBS)/pkgconfig/yaml-0.1.pc"; fi

uninstall:
	rm -f "$(BINDIR)/flow" "$(MANDIR)/flow.1" "$(BASHDIR)/flow" "$(ZSHDIR)/_flow" "$(FISHDIR)/flow.fish"

.PHONY: bench
## bench: install flow (as above) under .build-static/install, build flow-bench the same way, and
## print docs/performance.md's figures, start-up measured on the installed binary. Not a test:
## nothing here asserts a time.
BENCH_PREFIX := $(abspath .build-static/install)
bench: build-deps
	@if ! test -x /usr/bin/time; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq time; \
	fi
	$(MAKE) install PREFIX=$(BENCH_PREFIX) DESTDIR=
	$(RELEASE_ENV) $(SWIFT) build $(RELEASE) --product flow-bench
	FLOW_BENCH_BINARY=$(BENCH_PREFIX)/bin/flow .build-static/release/flow-bench $(BENCH_FLAGS)

.PHONY: fuzz
## fuzz: build the libFuzzer targets (address sanitizer) and run each for FUZZ_SECONDS (default 60),
## seeded from the examples and the provider fixtures; crashes land in .build-fuzz/artifacts/
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := yaml workflow template sse stream openai anthropic gemini
FUZZER := .build-fuzz/debug/flow-fuzz
fuzz: build-deps
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
