# libFuzzer targets (test/fuzz) and the OpenSSL fault-injection test
# (test/fault), included by the main Makefile.
#
#   make fuzz-build                  build every fuzz target (build/fuzz/bin)
#   make fuzz FUZZ_SECONDS=N         fuzz each target for N seconds (default 60)
#   make fuzz FUZZ_TARGETS="fuzz_jws fuzz_claims"   only some targets
#   make fuzz-replay                 build, then replay every corpus once
#   make fuzz-corpus                 regenerate test/fuzz/corpus (then commit it)
#   make fault                       build and run the fault-injection test
#   make fuzz-sql FUZZ_SQL_SECONDS=N the SQL-level fuzzer (test/sqlfuzz) against a
#                                    throwaway cluster for N seconds (default 600),
#                                    FUZZ_SQL_SEED=N to replay a seed; `make fuzz`
#                                    runs it after the libFuzzer targets

FUZZ_CXX      ?= clang++
FUZZ_DIR       = build/fuzz
FUZZ_SECONDS  ?= 60
FUZZ_SAN       = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CXXFLAGS  = -std=c++20 -g -O1 $(FUZZ_SAN) -DPG_JWT_CORE_TU -Isrc -Itest \
                 $(shell pkg-config --cflags simdjson libcrypto 2>/dev/null) \
                 -DPG_JWT_SOURCE_DIR_DEFAULT='"$(CURDIR)"'
FUZZ_LIBS      = $(shell pkg-config --libs simdjson libcrypto libcurl 2>/dev/null || echo -lsimdjson -lcrypto -lcurl)
FUZZ_HEADERS   = $(wildcard src/core/*.hpp test/common/*.hpp) test/fuzz/common.hpp test/fuzz/verify_families.hpp
FUZZ_CORE_OBJS = $(patsubst src/core/%.cpp,$(FUZZ_DIR)/core/%.o,$(wildcard src/core/*.cpp))

FUZZ_FAMILIES  = hmac rsa ecdsa eddsa
FUZZ_ALL       = fuzz_base64url fuzz_jws fuzz_claims fuzz_key_import \
                 $(addprefix fuzz_verify_,$(FUZZ_FAMILIES)) fuzz_roundtrip fuzz_role_claim
FUZZ_TARGETS  ?= $(FUZZ_ALL)
FUZZ_BINS      = $(addprefix $(FUZZ_DIR)/bin/,$(FUZZ_ALL))

# The core, instrumented for coverage and sanitizers once for all targets.
$(FUZZ_DIR)/core/%.o: src/core/%.cpp $(wildcard src/core/*.hpp)
	@mkdir -p $(@D)
	$(FUZZ_CXX) $(FUZZ_CXXFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_DIR)/bin/fuzz_verify_%: test/fuzz/fuzz_verify.cpp $(FUZZ_HEADERS) $(FUZZ_CORE_OBJS)
	@mkdir -p $(@D)
	$(FUZZ_CXX) $(FUZZ_CXXFLAGS) -DFUZZ_FAMILY=$* -fsanitize=fuzzer -o $@ $< $(FUZZ_CORE_OBJS) $(FUZZ_LIBS)

$(FUZZ_DIR)/bin/fuzz_%: test/fuzz/fuzz_%.cpp $(FUZZ_HEADERS) $(FUZZ_CORE_OBJS)
	@mkdir -p $(@D)
	$(FUZZ_CXX) $(FUZZ_CXXFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_CORE_OBJS) $(FUZZ_LIBS)

# Writes the signed seed tokens of the verify targets (not instrumented).
$(FUZZ_DIR)/make_seeds: test/fuzz/make_seeds.cpp $(FUZZ_HEADERS) $(wildcard src/core/*.cpp)
	@mkdir -p $(@D)
	$(FUZZ_CXX) -std=c++20 -O1 -DPG_JWT_CORE_TU -Isrc -Itest \
	    -DPG_JWT_SOURCE_DIR_DEFAULT='"$(CURDIR)"' -o $@ $< $(wildcard src/core/*.cpp) $(FUZZ_LIBS)

FUZZ_SQL_SECONDS ?= 600

.PHONY: fuzz fuzz-build fuzz-replay fuzz-corpus fault fuzz-sql
fuzz-build: $(FUZZ_BINS)

fuzz: fuzz-build
	FUZZ_SECONDS=$(FUZZ_SECONDS) test/fuzz/run-fuzzers $(FUZZ_TARGETS)
	$(MAKE) fuzz-sql

# The glue is fuzzed through SQL: it needs the extension installed (into the
# machine's PostgreSQL, as `make test` does) and a live server.
fuzz-sql:
	$(MAKE) all
	$(MAKE) install
	scripts/in-cluster test/sqlfuzz/run --seconds $(FUZZ_SQL_SECONDS) \
	    $(if $(FUZZ_SQL_SEED),--seed $(FUZZ_SQL_SEED))

fuzz-replay:
	test/fuzz/replay

fuzz-corpus: $(FUZZ_DIR)/make_seeds
	test/fuzz/make-corpus

-include test/fault/fault.mk
