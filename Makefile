# The two commands of the README: `make run` and `make test`. Each installs what is missing,
# builds, and prepares the data it needs.
BUILD_DIR ?= build
DATA_DIR ?= $(HOME)/.cache/digitdesk/mnist
export CCACHE_DIR ?= $(HOME)/.cache/ccache
# Paths under the clone are hashed relative to it, so a fresh clone elsewhere reuses the cache.
export CCACHE_BASEDIR ?= $(CURDIR)
DIGITDESK := $(BUILD_DIR)/app/digitdesk
# Warnings are errors only when asked (CI and the dev preset): a newer compiler's new warning
# should not stop someone building a release.
WERROR ?= OFF

.PHONY: all deps configure build data demo run test test-postgresql image package bench fuzz format clean

all: build

deps:
	@./installer/deps-debian.sh

configure: deps
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release \
	    -DDIGITDESK_DATA_DIR=$(DATA_DIR) -DDIGITDESK_WERROR=$(WERROR) >/dev/null

build: configure
	@cmake --build $(BUILD_DIR)

data: build
	@./resources/demo/fetch-mnist.sh $(DIGITDESK) $(DATA_DIR)

demo: data
	@$(DIGITDESK) demo create --data $(DATA_DIR)

run: demo
	$(DIGITDESK) --workspace "$$($(DIGITDESK) demo path)"

# Every suite on SQLite, then the suites labelled `db` again on PostgreSQL: pg_virtualenv makes
# a throwaway cluster from Debian's packages, exports its PG* variables, and drops it afterwards.
# `make test-postgresql` runs only that second pass; CTEST_ARGS picks suites (-R tst_auth).
CTEST := QT_QPA_PLATFORM=offscreen ctest --output-on-failure --timeout 600 -j2 $(CTEST_ARGS)
POSTGRESQL_PASS := pg_virtualenv -t sh -c \
    'DIGITDESK_TEST_DATABASE=postgresql://$$PGUSER@$$PGHOST:$$PGPORT/postgres $(CTEST) -L ^db$$'
test: data
	cd $(BUILD_DIR) && $(CTEST)
	cd $(BUILD_DIR) && $(POSTGRESQL_PASS)

test-postgresql: data
	cd $(BUILD_DIR) && $(POSTGRESQL_PASS)

# The serving endpoint's container image, digitdesk-serve:VERSION, as a docker archive in
# $(BUILD_DIR)/image/ (`podman load -i`); installer/container/build-image.sh says how.
image: build
	./installer/container/build-image.sh $(BUILD_DIR)

# The Debian package, $(BUILD_DIR)/digitdesk_VERSION_ARCH.deb (cmake/DigitDeskPackaging.cmake);
# install it with `sudo apt install ./$(BUILD_DIR)/digitdesk_*.deb`.
package: build
	cd $(BUILD_DIR) && cpack -G DEB

bench: data
	$(BUILD_DIR)/tests/bench/import_bench $(DATA_DIR)
	$(BUILD_DIR)/tests/bench/infer_bench $(DATA_DIR)
	$(BUILD_DIR)/tests/bench/annotate_bench
	$(BUILD_DIR)/tests/bench/dataset_bench $(DATA_DIR)
	$(BUILD_DIR)/tests/bench/serve_bench
	$(BUILD_DIR)/tests/bench/replica_bench
	tests/bench/train_bench.sh $(BUILD_DIR) $(DATA_DIR)
	$(BUILD_DIR)/tests/bench/loop_bench $(DATA_DIR)
	$(BUILD_DIR)/tests/bench/learning_curve $(DATA_DIR)
	tests/bench/startup_bench.sh $(BUILD_DIR)

# libFuzzer with ASan and UBSan (clang) on every parser of outside input, FUZZ_SECONDS each.
FUZZ_DIR ?= build-fuzz
FUZZ_SECONDS ?= 600
fuzz: deps
	@cmake -S tests/fuzz -B $(FUZZ_DIR) -G Ninja -DCMAKE_CXX_COMPILER=clang++ \
	    -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(FUZZ_DIR)
	tests/fuzz/run-fuzzers.sh $(FUZZ_DIR) $(FUZZ_SECONDS)

format:
	@git ls-files '*.cpp' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR)
