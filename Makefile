# pg_jwt: PGXS build. `make`, `make install`, `make installcheck`, and the
# project targets `make test`, `make test-versions`, `make demo`, `make bench`,
# `make unit`.

EXTENSION   = pg_jwt pg_jwt_auth
MODULE_big  = pg_jwt

CORE_SRCS   = $(sort $(wildcard src/core/*.cpp))
GLUE_SRCS   = $(sort $(wildcard src/pg/*.cpp))
CORE_OBJS   = $(CORE_SRCS:.cpp=.o)
OBJS        = $(CORE_OBJS) $(GLUE_SRCS:.cpp=.o)

DATA        = $(sort $(wildcard src/pg_jwt--*.sql src/pg_jwt_auth--*.sql))
REGRESS     = $(basename $(notdir $(sort $(wildcard sql/*.sql))))
REGRESS_OPTS = --load-extension=pg_jwt --load-extension=pgcrypto
EXTRA_CLEAN = build results regression.diffs regression.out

PG_CONFIG  ?= pg_config
PKG_CONFIG ?= pkg-config

# Warnings are errors in `make test` (WERROR=-Werror); a user's build with a
# newer compiler should not fail on a new warning.
WERROR ?=

DEPS_CFLAGS := $(shell $(PKG_CONFIG) --cflags simdjson libcrypto libcurl 2>/dev/null)
DEPS_LIBS   := $(shell $(PKG_CONFIG) --libs simdjson libcrypto libcurl 2>/dev/null || echo -lsimdjson -lcrypto -lcurl)
WARNINGS    = -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers $(WERROR)

# The glue: PostgreSQL's headers as system headers (their warnings are not ours).
PG_CPPFLAGS = -isystem $(shell $(PG_CONFIG) --includedir-server) -Isrc
PG_CXXFLAGS = -std=c++20 $(WARNINGS) -Wno-register $(DEPS_CFLAGS)
SHLIB_LINK  = $(DEPS_LIBS) -lstdc++

# clang++ would build LLVM bitcode without -std=c++20 and fail; a plain
# assignment is overridden by Makefile.global, hence `override`.
override with_llvm = no

PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# The core never sees the server's include path (DESIGN.md section 2.1).
# Hardened like the glue, which gets these from PGXS.
CORE_CXXFLAGS = -std=c++20 -O2 -g -fPIC -fstack-protector-strong -D_FORTIFY_SOURCE=2 $(WARNINGS) -DPG_JWT_CORE_TU $(DEPS_CFLAGS)

src/core/%.o: src/core/%.cpp $(wildcard src/core/*.hpp)
	$(CXX) $(CORE_CXXFLAGS) -c -o $@ $<

$(GLUE_SRCS:.cpp=.o): $(wildcard src/core/*.hpp) $(wildcard src/pg/*.hpp)

# ---------------------------------------------------------------- unit tests
# The core's unit and vector tests, built twice: plain, and under
# AddressSanitizer + UndefinedBehaviorSanitizer (+ LeakSanitizer). Objects go
# under build/<variant>/ so that `make -j` compiles them in parallel.
UNIT_SRCS = $(sort $(wildcard test/unit/*.cpp test/vectors/*.cpp))
TEST_CXXFLAGS = -std=c++20 -g -O1 $(WARNINGS) -DPG_JWT_CORE_TU -Isrc -Itest $(DEPS_CFLAGS)
TEST_LIBS = -lgtest_main -lgtest -lpthread $(DEPS_LIBS)
SAN_FLAGS = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
TEST_HEADERS = $(wildcard src/core/*.hpp test/common/*.hpp test/unit/*.hpp test/vectors/*.hpp)

UNIT_OBJS = $(patsubst %.cpp,build/unit/%.o,$(CORE_SRCS) $(UNIT_SRCS))
ASAN_OBJS = $(patsubst %.cpp,build/asan/%.o,$(CORE_SRCS) $(UNIT_SRCS))

build/unit/%.o: %.cpp $(TEST_HEADERS)
	@mkdir -p $(dir $@)
	$(CXX) $(TEST_CXXFLAGS) -c -o $@ $<

build/asan/%.o: %.cpp $(TEST_HEADERS)
	@mkdir -p $(dir $@)
	$(CXX) $(TEST_CXXFLAGS) $(SAN_FLAGS) -c -o $@ $<

build/unit_tests: $(UNIT_OBJS)
	$(CXX) -o $@ $^ $(TEST_LIBS)

build/unit_tests_asan: $(ASAN_OBJS)
	$(CXX) $(SAN_FLAGS) -o $@ $^ $(TEST_LIBS)

unit: build/unit_tests
	build/unit_tests

# Fuzzing and soak targets live beside their tests.
-include test/fuzz/fuzz.mk
-include test/soak/soak.mk
# Debian package, PGXN archive: make deb, make dist.
-include packaging.mk

# ---------------------------------------------------------------- project targets
.PHONY: test test-versions test-citus bench-citus demo bench unit deps format format-check lint

deps:
	scripts/install-deps

JOBS ?= $(shell nproc 2>/dev/null || echo 2)

test: deps
	$(MAKE) -j$(JOBS) WERROR=-Werror all build/unit_tests build/unit_tests_asan
	test/run-all

# PostgreSQL 17 and 18 (PG_VERSIONS), each in a Debian root filesystem of
# the suite that carries it (scripts/pg-root, kept in PG_JWT_ROOTS, default
# /var/cache/pg_jwt/roots): -Werror build, unit tests, pg_regress, upgrade,
# README, and the Debian package postgresql-NN-pg-jwt. As root.
PG_VERSIONS ?= 17 18
test-versions: deps
	PG_VERSIONS="$(PG_VERSIONS)" scripts/test-versions

# pg_jwt on a Citus coordinator and two workers on loopback (issue 18):
# Citus built from the source archive CITUS_SRC (patched with CITUS_PATCH,
# else the patch for this server beside the archive), or the installed one.
# CITUS_PG_MAJOR=NN: in the root filesystem of PostgreSQL NN
# (scripts/pg-root, as make test-versions; as root) instead of this machine.
test-citus: deps
	CITUS_SRC="$(CITUS_SRC)" CITUS_PATCH="$(CITUS_PATCH)" CITUS_PG_MAJOR="$(CITUS_PG_MAJOR)" test/citus/run

# Per-request cost on Citus (test/bench/citus): not a test.
bench-citus: deps
	CITUS_SRC="$(CITUS_SRC)" CITUS_PATCH="$(CITUS_PATCH)" scripts/citus-install
	$(MAKE) -s all
	flock /tmp/pg_jwt_install.lock sh -c '$(MAKE) -s install && scripts/citus-cluster test/bench/citus'

demo: deps
	$(MAKE) all
	$(MAKE) install
	scripts/in-cluster demo/demo.sh

# HS256 against pgcrypto's hmac and pgjwt (when its script is at hand), RLS
# claims against the current_setting idiom, planning with and without
# pg_jwt. test/bench/asymmetric and test/bench/keyring run on their own.
bench: deps
	$(MAKE) all
	$(MAKE) install
	scripts/in-cluster bash -c 'test/bench/run && test/bench/rls && test/bench/planning'

FORMAT_FILES = $(wildcard src/core/*.[ch]pp src/pg/*.[ch]pp test/unit/*.[ch]pp test/vectors/*.[ch]pp test/common/*.hpp test/fuzz/*.[ch]pp test/fault/*.cpp)
format:
	clang-format -i $(FORMAT_FILES)
format-check:
	clang-format --dry-run --Werror $(FORMAT_FILES)

# compile_commands.json for clangd and clang-tidy, recorded by bear from a full rebuild.
compile_commands.json: $(CORE_SRCS) $(GLUE_SRCS)
	bear --output $@ -- $(MAKE) -B all

# Slow (clang-tidy spends ~12 s per simdjson translation unit): not part of
# `make test`, which runs only the format check.
lint: compile_commands.json
	clang-tidy -p . --quiet $(CORE_SRCS) $(GLUE_SRCS)
	# passedByValue: JsonInput is a three-word view, meant to be copied.
	cppcheck --enable=warning,performance --std=c++20 --error-exitcode=1 --quiet \
	    --suppress=missingIncludeSystem --suppress=passedByValue -Isrc src/core
