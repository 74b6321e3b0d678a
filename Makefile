# The two commands of the README. Both install what is missing, build, and are fast when nothing
# has changed (every step below is idempotent).
PRESET ?= release
JOBS   ?= $(shell nproc)
BUILD  := build/$(PRESET)
COLA   := $(BUILD)/app/cola/cola

.PHONY: demo test build package deps configure format format-check clean fuzz sanitize

# The demo builds only what it runs: the CLI and its LibTorch plugin (a dependency of `cola`), not
# the tests and benchmarks, which are more than half of a cold build.
demo: configure
	cmake --build --preset $(PRESET) -j $(JOBS) --target cola
	@scripts/demo.sh $(COLA)

test: build
	ctest --preset $(PRESET) -j $(JOBS)

build: configure
	cmake --build --preset $(PRESET) -j $(JOBS)

# The Debian package, build/$(PRESET)/cola_<version>_amd64.deb (cmake/Packaging.cmake): the CLI and
# what it loads, nothing of the tests. tests/deploy/package_root_test.sh installs it in a clean root.
package: configure
	cmake --build --preset $(PRESET) -j $(JOBS) --target cola
	cd $(BUILD) && cpack --config CPackConfig.cmake

# ONNXRUNTIME_ROOT (an official release) wins; otherwise the pinned npm-based cache.
configure: deps
	@ort=$$(scripts/fetch-onnxruntime.sh) && web=$$(scripts/fetch-onnxruntime-web.sh) && \
	if ! grep -qxF "ONNXRUNTIME_ROOT:PATH=$$ort" $(BUILD)/CMakeCache.txt 2>/dev/null || \
	   ! grep -qxF "COLA_ORT_WEB_DIR:PATH=$$web" $(BUILD)/CMakeCache.txt 2>/dev/null; then \
	  cmake --preset $(PRESET) -DONNXRUNTIME_ROOT:PATH=$$ort -DCOLA_ORT_WEB_DIR:PATH=$$web; \
	fi

deps:
	@scripts/install-deps.sh

# libFuzzer targets (fuzz/), each run FUZZ_SECONDS (default 60) on a corpus seeded from the goldens.
fuzz: deps
	@FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz.sh

# The torch-free modules and their tests under ASan + UBSan (clang, the fuzz preset), then each
# fuzz target for FUZZ_SECONDS (default 60). .ci/run runs it after `make test`.
sanitize: deps
	@FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/sanitize.sh

format:
	@git ls-files '*.cc' '*.h' | xargs -r clang-format -i

format-check:
	@git ls-files '*.cc' '*.h' | xargs -r clang-format --dry-run --Werror

clean:
	rm -rf build
