SHELL := /bin/bash
# Re4 toolkit. The README names two commands: `make demo` and `make test`.
# Both run `setup` first, which installs only what is missing.

SWIFT ?= swift
APT_PACKAGES := libcairo2-dev libpng-dev libopenblas-dev pkg-config fonts-dejavu-core
RELEASE := .build/release
# Release builds are compiled for this machine's CPU (AVX2/AVX-512 for the SIMD
# loops: 10-15 % faster training here). `make build PORTABLE=1` turns it off.
ifeq ($(PORTABLE),)
RELEASE_FLAGS ?= $(shell grep -qw avx2 /proc/cpuinfo 2>/dev/null && echo "-Xswiftc -target-cpu -Xswiftc native")
endif
OUT ?= out

.PHONY: setup build test demo bench clean fuzz

bench: build
	bash bench/train_throughput.sh

setup:
	@missing=""; \
	for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "setup: installing$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi
	@python3 -c "import safetensors, numpy" 2>/dev/null || { echo "setup: pip install safetensors numpy"; \
	  python3 -m pip install -q safetensors numpy 2>&1 | grep -v "WARNING: Running pip as the 'root'" || true; }

build: setup
	$(SWIFT) build -c release $(RELEASE_FLAGS)

test: setup
	$(SWIFT) build
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --disable-swift-testing 2>&1 | tee .build/test.log | grep -vE "^Test Case .* (started|passed)" ; exit $${PIPESTATUS[0]}

DEMO_EPOCHS ?= 4

# The main job on the embedded data: stats, then Base and Re4 trained for a few
# epochs, then both best checkpoints evaluated on the test users.
demo: build
	@mkdir -p $(OUT)
	$(RELEASE)/re4 data stats ml-latest-small
	rm -rf $(OUT)/base $(OUT)/re4
	$(RELEASE)/re4 train --data ml-latest-small --epochs $(DEMO_EPOCHS) --base --out $(OUT)/base
	$(RELEASE)/re4 train --data ml-latest-small --epochs $(DEMO_EPOCHS) --out $(OUT)/re4
	$(RELEASE)/re4 evaluate --checkpoint $(OUT)/base/best.safetensors --data ml-latest-small
	$(RELEASE)/re4 evaluate --checkpoint $(OUT)/re4/best.safetensors --data ml-latest-small
	$(RELEASE)/re4-viz curves $(OUT)/base/log.jsonl $(OUT)/re4/log.jsonl --labels Base,Re4 \
	    --metrics test_recall@50,test_hitrate@50,test_ndcg@50 --out $(OUT)/curves.png
	$(RELEASE)/re4-viz tsne $(OUT)/base/best.safetensors $(OUT)/re4/best.safetensors --data ml-latest-small \
	    --labels Base,Re4 --users 4 --out $(OUT)/tsne.png --coords-out $(OUT)/tsne.csv
	$(RELEASE)/re4-viz distinct $(OUT)/base/best.safetensors $(OUT)/re4/best.safetensors --data ml-latest-small \
	    --out $(OUT)/distinct.txt
	@echo "demo figures and tables: $(OUT)/curves.png $(OUT)/tsne.png $(OUT)/distinct.txt"

clean:
	rm -rf .build $(OUT)

FUZZ_SECONDS ?= 600
CORE := Sources/Re4Core
fuzz:
	@mkdir -p .build-fuzz/corpus-binary .build-fuzz/corpus-text
	swiftc -O -sanitize=fuzzer,address -parse-as-library $(CORE)/IO/SafeTensors.swift $(CORE)/IO/Tensor.swift \
	    $(CORE)/IO/Npy.swift $(CORE)/Util/AtomicFile.swift fuzz/BinaryReadersFuzz.swift -o .build-fuzz/binary 2>/dev/null
	swiftc -O -sanitize=fuzzer,address -parse-as-library $(CORE)/Data/DelimitedText.swift $(CORE)/Data/InteractionLog.swift \
	    $(CORE)/Data/DataError.swift $(CORE)/Util/AtomicFile.swift fuzz/TextReadersFuzz.swift -o .build-fuzz/text 2>/dev/null
	cd .build-fuzz && ./binary corpus-binary ../fuzz/corpus/binary -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048
	cd .build-fuzz && ./text corpus-text ../fuzz/corpus/text -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048
