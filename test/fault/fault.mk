# The OpenSSL fault-injection test (test/fault), included from test/fuzz/fuzz.mk.
#   make fault          build build/fault/fault_test and run it (test/fault/run)

FAULT_CXX      ?= g++
FAULT_DIR       = build/fault
FAULT_SAN       = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FAULT_CXXFLAGS  = -std=c++20 -g -O1 $(FAULT_SAN) -DPG_JWT_CORE_TU -Isrc -Itest \
                  $(shell pkg-config --cflags simdjson libcrypto 2>/dev/null)
FAULT_CORE_OBJS = $(patsubst src/core/%.cpp,$(FAULT_DIR)/core/%.o,$(wildcard src/core/*.cpp))
# Every OpenSSL call the test wraps (FAULT_WRAP lines, and the variadic keygen).
FAULT_WRAPPED   = $(shell awk -F, '/^FAULT_WRAP/ {gsub(/ /, "", $$2); print $$2}' \
                    test/fault/fault_test.cpp) EVP_PKEY_Q_keygen
FAULT_LDFLAGS   = $(addprefix -Wl$(comma)--wrap=,$(FAULT_WRAPPED))
comma := ,

$(FAULT_DIR)/core/%.o: src/core/%.cpp $(wildcard src/core/*.hpp)
	@mkdir -p $(@D)
	$(FAULT_CXX) $(FAULT_CXXFLAGS) -c -o $@ $<

$(FAULT_DIR)/fault_test: test/fault/fault_test.cpp $(FAULT_CORE_OBJS)
	@mkdir -p $(@D)
	$(FAULT_CXX) $(FAULT_CXXFLAGS) -o $@ $< $(FAULT_CORE_OBJS) $(FAULT_LDFLAGS) \
	    -lgtest -lpthread $(shell pkg-config --libs simdjson libcrypto libcurl 2>/dev/null || echo -lsimdjson -lcrypto -lcurl)

.PHONY: fault fault-build
fault-build: $(FAULT_DIR)/fault_test

fault:
	test/fault/run
