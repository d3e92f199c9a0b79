# zhidu — the two commands a newcomer needs are `make run` and `make test`.
#   make run    installs what is missing, builds (release), builds the console, serves on
#               http://127.0.0.1:8080 with an embedded SQLite file in ./data and demo data
#   make test   installs what is missing, builds with ASan+UBSan, starts a throwaway PostgreSQL,
#               and runs every test (C++ unit + storage conformance on both backends, API tests
#               against the real binary on both backends, console unit and browser tests)
#   make bench  end-to-end benchmarks (QUICK=1 for small sizes)
#   make clause-coverage  which executable clauses of the control-room regulations the API tests
#               exercise (SQLite run), written to docs/clause_coverage.md
#   make fmt    clang-format every C++ file
#   make dist   the release tarball (binary, console, policies, systemd unit, nginx example,
#               install.sh) in build/dist/ — docs/operations.md

JOBS ?= 2
DATA ?= data
LISTEN ?= 127.0.0.1:8080
# Independent test binaries run side by side; the two API halves (the longest) start first.
TEST_JOBS ?= 2
CTEST_ARGS ?=

.PHONY: all setup debug release web run test bench clause-coverage fmt dist clean

all: debug

setup:
	@scripts/setup

debug: setup
	cmake --preset debug >/dev/null
	cmake --build build/debug -j$(JOBS)

release: setup
	cmake --preset release >/dev/null
	cmake --build build/release -j$(JOBS) --target zhidu

web: setup
	@if [ -f web/package.json ]; then cd web && npm run build; fi

run: release web
	./build/release/src/app/zhidu serve --data $(DATA) --listen $(LISTEN) --demo --web web/dist

test: debug web
	PG_THROWAWAY_FSYNC=off scripts/with-postgres ctest --test-dir build/debug --output-on-failure -j$(TEST_JOBS) $(CTEST_ARGS)

bench: release
	@if [ -x bench/run ]; then bench/run $(if $(QUICK),--quick,); else echo "no benchmarks yet"; fi

clause-coverage: debug
	rm -f build/clause-log.jsonl
	ZHIDU_CLAUSE_LOG=$(CURDIR)/build/clause-log.jsonl ZHIDU_BIN=$(CURDIR)/build/debug/src/app/zhidu \
	  PYTHONPATH=tests/api /usr/bin/python3 -m pytest -p zhidu_fixtures tests/api src/modules -q -k "not postgresql"
	ZHIDU_BIN=$(CURDIR)/build/debug/src/app/zhidu scripts/clause_coverage.py \
	  build/clause-log.jsonl docs/clause_coverage.md \
	  R01 R02 R03 R04 R05 R06 R07 R08 R09 R10 R11 R12 R13 R14 R15 R16 R17 R18 R19 R20

dist: release web
	scripts/dist --bin build/release/src/app/zhidu --web web/dist --out build/dist

fmt:
	clang-format -i $$(git ls-files 'src/*.cpp' 'src/*.hpp' 'tests/*.cpp' 'tests/*.hpp' 'bench/*.cpp')

clean:
	rm -rf build web/dist
