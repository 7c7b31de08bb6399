# wlsimg build. `make` builds build/wlsimg; `make check` runs every test.
# Sources are picked up by wildcard: src/lib/*.c -> build/libwlsimg.a, src/cli/*.c -> build/wlsimg,
# tests/unit/*_test.c -> one runner each, fuzz/*_fuzz.c -> a corpus replayer each.

CC       ?= cc
BUILD    ?= build
PKGS     := libcurl libcrypto jansson libarchive zlib libdeflate yaml-0.1 libmicrohttpd libxml-2.0
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   := $(shell pkg-config --libs $(PKGS))

WARN := -Wall -Wextra -Wformat=2 -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
        -Wold-style-definition -Wpointer-arith -Wcast-qual -Wwrite-strings -Wvla -Wundef \
        -Wimplicit-fallthrough -Wno-missing-field-initializers -Wnull-dereference
ifeq ($(findstring clang,$(shell $(CC) --version 2>/dev/null)),)
WARN += -Wlogical-op -Wduplicated-cond -Wduplicated-branches
else
WARN += -Wcomma -Wshorten-64-to-32
endif
ifneq ($(WERROR),)
WARN += -Werror
endif

OPT      ?= -O2
CFLAGS   ?= -g $(OPT)
SAN      ?=
ALL_CFLAGS := -std=c11 -D_GNU_SOURCE $(CFLAGS) $(SAN) $(WARN) -pthread -Isrc $(PKG_CFLAGS)
LDLIBS   := $(PKG_LIBS) -pthread
ALL_LDFLAGS := $(LDFLAGS) $(SAN)

LIB_SRC  := $(sort $(wildcard src/lib/*.c))
CLI_SRC  := $(sort $(wildcard src/cli/*.c))
UNIT_SRC := $(sort $(wildcard tests/unit/*_test.c))
FUZZ_SRC := $(sort $(wildcard fuzz/*_fuzz.c))
TOOL_SRC := $(sort $(wildcard tests/tools/*.c))

LIB_OBJ  := $(LIB_SRC:src/%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/gen/ui_assets.o
UI_ASSETS := $(shell find ui ! -name ".*" 2>/dev/null)
CLI_OBJ  := $(CLI_SRC:src/%.c=$(BUILD)/obj/%.o)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
FUZZ_BIN := $(FUZZ_SRC:fuzz/%.c=$(BUILD)/fuzz/%)
# tests/tools/foo_bar.c -> $(BUILD)/tests/foo-bar: small drivers of library calls for the integration tests and bench
TOOL_BIN := $(patsubst tests/tools/%.c,$(BUILD)/tests/%,$(subst _,-,$(TOOL_SRC)))

.PHONY: all check check-unit check-fuzz check-integration check-asan check-tsan fuzz fuzz-build fuzz-long lint \
        format format-check clean man completion install uninstall

all: $(BUILD)/wlsimg

$(BUILD)/obj/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

# The page of `wlsimg ui`: every file under ui/ becomes a C array (scripts/embed-assets.sh).
$(BUILD)/gen/ui_assets.c: scripts/embed-assets.sh $(UI_ASSETS)
	@mkdir -p $(dir $@)
	scripts/embed-assets.sh ui $@

$(BUILD)/obj/gen/ui_assets.o: $(BUILD)/gen/ui_assets.c src/lib/ui_assets.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/libwlsimg.a: $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/wlsimg: $(CLI_OBJ) $(BUILD)/libwlsimg.a
	$(CC) $(ALL_LDFLAGS) -o $@ $(CLI_OBJ) $(BUILD)/libwlsimg.a $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c tests/unit/harness.h $(BUILD)/libwlsimg.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/unit $(ALL_LDFLAGS) -o $@ $< $(BUILD)/libwlsimg.a $(LDLIBS)

$(BUILD)/fuzz/%: fuzz/%.c fuzz/driver.c $(wildcard fuzz/*.h) $(BUILD)/libwlsimg.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< fuzz/driver.c $(BUILD)/libwlsimg.a $(LDLIBS)

# Man pages (help2man, from the same text as --help) and the shell completion scripts, made from the
# binary; `make install PREFIX=… DESTDIR=…` puts them and the binary in place.
PREFIX      ?= /usr/local
BINDIR      ?= $(PREFIX)/bin
MANDIR      ?= $(PREFIX)/share/man/man1
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  ?= $(PREFIX)/share/zsh/site-functions

man: $(BUILD)/man/wlsimg.1

$(BUILD)/man/wlsimg.1: $(BUILD)/wlsimg scripts/gen-man.sh README.md
	@rm -rf $(BUILD)/man
	scripts/gen-man.sh $(BUILD)/wlsimg $(BUILD)/man

completion: $(BUILD)/completion/wlsimg $(BUILD)/completion/_wlsimg

$(BUILD)/completion/wlsimg: $(BUILD)/wlsimg
	@mkdir -p $(dir $@)
	$(BUILD)/wlsimg completion bash > $@

$(BUILD)/completion/_wlsimg: $(BUILD)/wlsimg
	@mkdir -p $(dir $@)
	$(BUILD)/wlsimg completion zsh > $@

install: all man completion
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR) $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR)
	install -m 0755 $(BUILD)/wlsimg $(DESTDIR)$(BINDIR)/wlsimg
	install -m 0644 $(BUILD)/man/*.1 $(DESTDIR)$(MANDIR)/
	install -m 0644 $(BUILD)/completion/wlsimg $(DESTDIR)$(BASHCOMPDIR)/wlsimg
	install -m 0644 $(BUILD)/completion/_wlsimg $(DESTDIR)$(ZSHCOMPDIR)/_wlsimg

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/wlsimg $(DESTDIR)$(MANDIR)/wlsimg.1 $(DESTDIR)$(MANDIR)/wlsimg-*.1 \
	  $(DESTDIR)$(BASHCOMPDIR)/wlsimg $(DESTDIR)$(ZSHCOMPDIR)/_wlsimg

check-unit: $(UNIT_BIN)
	@tests/run-unit.sh $(UNIT_BIN)

check-fuzz: $(FUZZ_BIN)
	@tests/run-fuzz-replay.sh $(FUZZ_BIN)

check-integration: $(BUILD)/wlsimg $(TOOL_BIN)
	@WLSIMG=$(CURDIR)/$(BUILD)/wlsimg tests/integration/run.sh

# Everything: unit tests, fuzz-corpus replay, integration. The last line is "N passed, N failed".
check: all $(UNIT_BIN) $(FUZZ_BIN) $(TOOL_BIN)
	@tests/run-all.sh "$(CURDIR)/$(BUILD)" "$(UNIT_BIN)" "$(FUZZ_BIN)"

# Unit tests and fuzz replay under ASan+UBSan (leak detection on), then the integration tests with the
# sanitized binary (servers and clients leak-checked at exit). Last line: "N passed, N failed".
ASAN_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
check-asan:
	@$(MAKE) -s BUILD=build-asan OPT=-O1 SAN="$(ASAN_SAN)" build-asan/wlsimg \
	  $(patsubst $(BUILD)/%,build-asan/%,$(TOOL_BIN))
	@$(MAKE) -s BUILD=build-asan OPT=-O1 SAN="$(ASAN_SAN)" build-asan/libwlsimg.a \
	  $(UNIT_SRC:tests/unit/%.c=build-asan/tests/%) $(FUZZ_SRC:fuzz/%.c=build-asan/fuzz/%)
	@WLSIMG_SANITIZED=1 WRK_MANIFEST_SECONDS=3 WRK_BLOB_SECONDS=2 tests/run-all.sh "$(CURDIR)/build-asan" \
	  "$(UNIT_SRC:tests/unit/%.c=build-asan/tests/%)" "$(FUZZ_SRC:fuzz/%.c=build-asan/fuzz/%)"

# Unit tests and integration tests with a ThreadSanitizer build (gcc): a race report from the command
# under test or from a server in the background fails the run (tests/run-tsan.sh). TSAN_TESTS names
# the integration scripts: those whose code runs threads (parallel transfers, the registry server,
# the UI's jobs), as the whole suite under TSan does not fit in CI's time; "all" runs every one.
TSAN_SAN   := -fsanitize=thread -fno-omit-frame-pointer
TSAN_TESTS ?= 30_push_pull 32_hostile_registry 40_registry_http 42_registry_crash 70_ui_api
TSAN_UNIT  := $(UNIT_SRC:tests/unit/%.c=build-tsan/tests/%)
check-tsan:
	@$(MAKE) -s BUILD=build-tsan OPT=-O1 SAN="$(TSAN_SAN)" build-tsan/wlsimg $(TSAN_UNIT)
	@tests/run-tsan.sh "$(CURDIR)/build-tsan" "$(TSAN_UNIT)" \
	  $(if $(filter all,$(TSAN_TESTS)),,$(TSAN_TESTS:%=tests/integration/%.sh))

# libFuzzer builds (clang) of every target; the library is built once with coverage instrumentation.
# make fuzz runs each briefly (CI); make fuzz-long runs each for FUZZ_LONG_SECONDS (an hour by
# default) outside CI, FUZZ_TARGETS="creds yaml" picks some. Crashes: tests/run-libfuzzer.sh.
FUZZ_SECONDS      ?= 20
FUZZ_LONG_SECONDS ?= 3600
FUZZ_MAX_LEN      ?= 4096
FUZZ_TARGETS      ?= $(FUZZ_SRC:fuzz/%_fuzz.c=%)
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all
fuzz-build:
	@$(MAKE) -s BUILD=build-fuzz CC=clang OPT=-O1 SAN="-fsanitize=fuzzer-no-link $(FUZZ_SAN)" build-fuzz/libwlsimg.a
	@printf '%s\n' $(FUZZ_TARGETS) | xargs -P "$$(nproc)" -I{} \
	  clang -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer $(FUZZ_SAN) -Isrc $(PKG_CFLAGS) \
	    -o build-fuzz/{}_fuzz fuzz/{}_fuzz.c build-fuzz/libwlsimg.a $(PKG_LIBS) -pthread

fuzz: fuzz-build
	@tests/run-libfuzzer.sh $(FUZZ_SECONDS) $(FUZZ_MAX_LEN) $(FUZZ_TARGETS:%=build-fuzz/%_fuzz)

fuzz-long: fuzz-build
	@tests/run-libfuzzer.sh $(FUZZ_LONG_SECONDS) $(FUZZ_MAX_LEN) $(FUZZ_TARGETS:%=build-fuzz/%_fuzz)

# Style and structure checks; the structure check reads the symbols of the library's objects.
lint: $(LIB_OBJ)
	@LINT_OBJDIR=$(BUILD)/obj tests/lint.sh

format:
	clang-format -i src/lib/*.[ch] src/cli/*.[ch] tests/unit/*.[ch] $(TOOL_SRC) fuzz/*.c

format-check:
	clang-format --dry-run -Werror src/lib/*.[ch] src/cli/*.[ch] tests/unit/*.[ch] $(TOOL_SRC) fuzz/*.c

clean:
	rm -rf build build-asan build-tsan build-fuzz

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d)
