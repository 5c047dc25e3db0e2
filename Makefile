SHELL := /bin/bash
# Re4 toolkit. The README names two commands: `make demo` and `make test`.
# Both run `setup` first, which installs only what is missing.

SWIFT ?= swift
APT_PACKAGES := libcairo2-dev libpng-dev libopenblas-dev pkg-config fonts-dejavu-core
# The explorer's tests load its pages in headless Chromium (Debian's package);
# the cluster tests start a one-node Slurm (slurmctld, slurmd, munged) of their own.
TEST_APT_PACKAGES := chromium slurm-wlm munge
RELEASE := .build/release
# Release builds are compiled for this machine's CPU (AVX2/AVX-512 for the SIMD
# loops: 10-15 % faster training here). `make build PORTABLE=1` turns it off.
ifeq ($(PORTABLE),)
RELEASE_FLAGS ?= $(shell grep -qw avx2 /proc/cpuinfo 2>/dev/null && echo "-Xswiftc -target-cpu -Xswiftc native")
endif
OUT ?= out
# Threads of every analysis and demo command (training grids split the cores by JOBS instead).
THREADS ?= 2

PHONY_EXTRA := gallery gallery-figure
.PHONY: $(PHONY_EXTRA) status paired planted-figures explore setup setup-test build test demo bench clean fuzz figures reproduce sweep planted notebooks test-slurm grid

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

# The Python package's tests and the notebooks: pytest, and Jupyter's runner (nbclient, ipykernel; nbconvert for make notebooks).
TEST_PIP_PACKAGES := pytest nbclient nbformat ipykernel nbconvert pandas
setup-test: setup
	@dpkg -s $(TEST_APT_PACKAGES) >/dev/null 2>&1 || { echo "setup: installing $(TEST_APT_PACKAGES)"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(TEST_APT_PACKAGES) >/dev/null; }
	@python3 -c "import pytest, nbclient, nbformat, ipykernel, nbconvert, pandas" 2>/dev/null || { echo "setup: pip install $(TEST_PIP_PACKAGES)"; \
	  python3 -m pip install -q $(TEST_PIP_PACKAGES) 2>&1 | grep -v "WARNING: Running pip as the 'root'" || true; }

build: setup
	$(SWIFT) build -c release $(RELEASE_FLAGS)

test: setup-test
	$(SWIFT) build
	$(SWIFT) build --build-tests
	@# The test process loads OpenBLAS as it is; on a CPU OpenBLAS does not know that is its SSE3
	@# fallback. Ask the built re4 for the CPU's strongest kernel (docs/performance.md), unless set.
	core=$${OPENBLAS_CORETYPE:-$$(.build/debug/re4 bench --kernel | sed -n 's/.*strongest for this CPU: \([A-Za-z]*\).*/\1/p' | grep -v '^none$$')}; \
	env $${core:+OPENBLAS_CORETYPE=$$core} $(SWIFT) test --skip-build --disable-swift-testing 2>&1 | tee .build/test.log | grep -vE "^Test Case .* (started|passed)" ; exit $${PIPESTATUS[0]}
	@# The Python package against the release executables (the notebooks train small models), then every notebook.
	$(SWIFT) build -c release $(RELEASE_FLAGS)
	RE4_BIN=$(CURDIR)/$(RELEASE) PYTHONPATH=$(CURDIR)/python python3 -m pytest -q python/tests
	RE4_BIN=$(CURDIR)/$(RELEASE) PYTHONPATH=$(CURDIR)/python python3 scripts/notebooks.py
	@# The grids on a real Slurm controller started for the test (docs/cluster.md).
	bash scripts/test-slurm.sh $(RELEASE)/re4

# Only the Slurm tests (a one-node controller on this machine; needs root).
test-slurm: build setup-test
	bash scripts/test-slurm.sh $(RELEASE)/re4

# The notebooks executed and written as Markdown with their outputs into notebooks-md/ (commit the result).
# With .venv-bench (bench/setup-venv.sh) the kernel has PyTorch, so 06's part 4 runs; without it, says it was skipped.
NB_PYTHON = $(shell [ -x .venv-bench/bin/python ] && .venv-bench/bin/python -c "import torch" 2>/dev/null && echo .venv-bench/bin/python || echo python3)
notebooks: build setup-test
	@$(NB_PYTHON) -c "import nbclient, nbformat, ipykernel, nbconvert, pandas" 2>/dev/null || $(NB_PYTHON) -m pip install -q nbclient nbformat ipykernel nbconvert pandas
	RE4_BIN=$(CURDIR)/$(RELEASE) PYTHONPATH=$(CURDIR)/python $(NB_PYTHON) scripts/notebooks.py --markdown notebooks-md

DEMO_EPOCHS ?= 6
DEMO_RUNS := $(OUT)/runs
DEMO_DATA := $(OUT)/synth-demo
# --embedding-std 0.1: with the script's N(0, 1) start the item embeddings keep
# their random start through a short run and no picture can show the planted
# categories (docs/model.md §2.1, docs/planted-study.md).
DEMO_TRAIN = $(RELEASE)/re4 train --data $(DEMO_DATA) --epochs $(DEMO_EPOCHS) --threads $(THREADS) --keep-every-epoch --embedding-std 0.1

# The main job, offline: the embedded ml-latest-small described; then a data
# set with planted interests (a known answer) generated, Base and Re4 (two
# seeds each) trained on it for a few epochs, a checkpoint evaluated, and every
# table and figure of the reproduction drawn for it into $(OUT)/ (Figure 3,
# Figure 4 as panels and on the item map, the distinctness and recovery
# tables); the last line says in one sentence what they show.
demo: build
	@mkdir -p $(DEMO_RUNS)
	$(RELEASE)/re4 data stats ml-latest-small
	rm -rf $(DEMO_RUNS)/demo-* $(DEMO_DATA)
	$(RELEASE)/re4 data synth --out $(DEMO_DATA) --users 2000 --items 1500 --categories 10 --min-length 20 --max-length 100 --seed 1
	for s in 1 2; do \
	  $(DEMO_TRAIN) --seed $$s --base --out $(DEMO_RUNS)/demo-base-s$$s || exit 1; \
	  $(DEMO_TRAIN) --seed $$s --out $(DEMO_RUNS)/demo-re4-s$$s || exit 1; \
	done
	$(RELEASE)/re4 evaluate --checkpoint $(DEMO_RUNS)/demo-re4-s1/best.safetensors
	$(RELEASE)/re4-viz figures --runs $(DEMO_RUNS) --prefix demo --name demo \
	    --title "planted interests, $(DEMO_EPOCHS) epochs" --out $(OUT) --dpi 100 --threads $(THREADS) | tee $(OUT)/figures.log
	@echo "demo tables and figures: $$(cd $(OUT) && ls *.md *.png | tr '\n' ' ')"
	@grep '^summary:' $(OUT)/figures.log | sed 's/^summary: /In short: /'

# The MovieLens-1M reproduction (figures/README.md). `make reproduce` fetches
# ML-1M and trains the grid of scripts/grid-movielens.txt into $(RUNS): three
# seeds each of Base and Re4, of ComiRec-SA and -DR as Base and with the three
# flows, and of the three one-flow-off ablations, 30 epochs with patience 5
# (many hours on 2 cores; keep RUNS outside the repository, e.g. RUNS=../runs).
# A finished run is skipped and an interrupted one continues with --resume, so
# the target can be started again at any time. `make figures` regenerates every
# committed figure and table from those runs.
RUNS ?= runs
# Each finished run of the ML-1M grid is also kept in $(ARCHIVE) (`re4 archive`: its
# config, log and best epoch's per-user metrics; tens of KB), which is committed:
# a grid skips the runs kept there, and `make figures` takes the tables, Figure 3
# and the ablation from them where $(RUNS) has no such run. The runs whose names
# match $(ARCHIVE_CHECKPOINTS) (Base and Re4 of every backbone, not the ablations)
# keep their best checkpoint too (1.4 MB each), for Figure 4, the item map and
# distinctness. `ARCHIVE=` (empty) trains and reads every run in $(RUNS) alone.
ARCHIVE ?= figures/runs
ARCHIVE_CHECKPOINTS ?= -(base|re4)-s[0-9]+$$
# JOBS=2 trains two runs side by side with the cores split between them: on
# this 2-core machine two 1-thread Re4 runs made 28 % more examples/s in
# total than one 2-thread run (bench/README.md § Training throughput).
JOBS ?= 1
GRID_THREADS := $(shell n=$$(nproc 2>/dev/null || echo 2); t=$$(( n / $(JOBS) )); echo $$(( t > 0 ? t : 1 )))
# SCHEDULER=slurm submits each grid as one Slurm job array instead (scripts/slurm-grid.sh,
# docs/cluster.md): the same grid files, run folders and archive; the targets return
# once the array is queued, and their figures are made by a later call without it.
SCHEDULER ?=
ifeq ($(SCHEDULER),slurm)
GRID_RUNNER = bash scripts/slurm-grid.sh $(RELEASE)/re4
else ifeq ($(SCHEDULER),)
GRID_RUNNER = GRID_JOBS=$(JOBS) bash scripts/train-grid.sh $(RELEASE)/re4
else
$(error SCHEDULER is '$(SCHEDULER)'; give SCHEDULER=slurm, or leave it out to train here)
endif
GRID = $(GRID_RUNNER) $(RUNS)

# Where the grid stands: each run of GRID_FILE finished, training, or not started.
GRID_FILE ?= scripts/grid-movielens.txt
status: build
	@$(RELEASE)/re4 status --grid $(GRID_FILE) --runs $(RUNS) $$([ -n "$(ARCHIVE)" ] && [ -d "$(ARCHIVE)" ] && echo --archive $(ARCHIVE))

reproduce: build
	@mkdir -p $(RUNS)
	$(RELEASE)/re4 data fetch ml-1m
	GRID_ARCHIVE=$(ARCHIVE) GRID_ARCHIVE_CHECKPOINTS='$(ARCHIVE_CHECKPOINTS)' $(GRID) 30 5 scripts/grid-movielens.txt --threads $(GRID_THREADS) --keep-every-epoch

# Any grid file ("FOLDER ARGS…" lines, as scripts/grid-*.txt), trained here or on
# Slurm: make grid GRID_FILE=F [EPOCHS=30 PATIENCE=5] [GRID_ARGS="--keep-every-epoch"] [SCHEDULER=slurm].
# Its runs are not archived unless GRID_ARCHIVE=DIR is set in the environment.
EPOCHS ?= 30
PATIENCE ?= 5
GRID_ARGS ?=
grid: build
	@mkdir -p $(RUNS)
	$(GRID) $(EPOCHS) $(PATIENCE) $(GRID_FILE) --threads $(GRID_THREADS) $(GRID_ARGS)

# The gallery-size study (issue 18; scripts/grid-gallery.txt): the same 6,000
# planted users over galleries of 2,000, 20,000 and 200,000 generated items,
# Base and Re4, three seeds; resumable like `reproduce`. Then its table and figure.
GALLERIES := 2k:2000 20k:20000 200k:200000
gallery: build
	@mkdir -p $(RUNS)
	for g in $(GALLERIES); do tag=$${g%%:*}; n=$${g##*:}; \
	  [ -f $(RUNS)/synth-g$$tag/truth.csv ] || $(RELEASE)/re4 data synth --out $(RUNS)/synth-g$$tag --items $$n --fixed-users --seed 1 || exit 1; done
	$(GRID) 12 3 scripts/grid-gallery.txt --threads $(GRID_THREADS) --keep-every-epoch
	$(if $(SCHEDULER),@echo "gallery: submitted; make gallery-figure once the array has finished (make status GRID_FILE=scripts/grid-gallery.txt)",$(MAKE) gallery-figure)

gallery-figure: build
	$(RELEASE)/re4-viz gallery --runs $(RUNS) --prefixes gallery-2k,gallery-20k,gallery-200k --threads $(THREADS) \
	    --out figures/gallery-gain.png --md figures/gallery-gain.md

# The planted-interests study (issue 15 §5): two planted data sets
# generated into $(RUNS) (seconds), then Base and Re4, three seeds each, 30
# epochs with patience 5 (scripts/grid-planted.txt); resumable like `reproduce`.
planted: build
	@mkdir -p $(RUNS)
	[ -f $(RUNS)/synth-ml1m/truth.csv ] || $(RELEASE)/re4 data synth --out $(RUNS)/synth-ml1m --seed 1
	[ -f $(RUNS)/synth-50k/truth.csv ] || $(RELEASE)/re4 data synth --out $(RUNS)/synth-50k --items 50000 --categories 100 --seed 2
	$(GRID) 12 3 scripts/grid-planted-std.txt --threads $(GRID_THREADS) --keep-every-epoch
	$(GRID) 30 5 scripts/grid-planted.txt --threads $(GRID_THREADS) --keep-every-epoch

# The planted-interests study's tables and figures (docs/planted-study.md)
# from the runs of `make planted` and the ML-1M seed-1 pair of `make reproduce`.
planted-figures: build
	@mkdir -p $(OUT)/planted01 $(OUT)/planted01-50k
	$(RELEASE)/re4-viz figures --runs $(RUNS) --prefix planted01-ml1m --name planted01 --title "Planted (6,000 users, 3,700 items)" \
	    --out $(OUT)/planted01 --dpi 150 --threads $(THREADS)
	cp $(OUT)/planted01/results.md figures/results-planted01.md
	cp $(OUT)/planted01/fig3-curves-planted01.png $(OUT)/planted01/distinctness-planted01.md $(OUT)/planted01/distinctness-planted01.png figures/
	$(RELEASE)/re4-viz views --runs $(RUNS) --prefix planted01-ml1m --users 20 --threads $(THREADS) \
	    --out figures/views-planted01-6k.md --csv figures/views-planted01-6k.csv
	$(RELEASE)/re4-viz views --runs $(RUNS) --prefix planted01-50k --users 20 --threads $(THREADS) \
	    --out figures/views-planted01-50k.md --csv figures/views-planted01-50k.csv
	$(RELEASE)/re4-viz figures --runs $(RUNS) --prefix planted01-50k --name planted01-50k --title "Planted (6,000 users, 43,618 items)" \
	    --out $(OUT)/planted01-50k --dpi 150 --threads $(THREADS)
	cp $(OUT)/planted01-50k/results.md figures/results-planted01-50k.md
	$(RELEASE)/re4-viz tsne $(RUNS)/planted01-50k-base-s1/best.safetensors $(RUNS)/planted01-50k-re4-s1/best.safetensors \
	    --labels Base,Re4 --layout map --users 4 --threads $(THREADS) --dpi 110 --title "planted, 43,618 items, N(0, 0.1²) start" \
	    --out figures/planted01-50k-fig4-map.png
	$(RELEASE)/re4-viz views --runs $(RUNS) --prefix planted-ml1m --users 20 --threads $(THREADS) \
	    --out figures/views-planted-6k.md --csv figures/views-planted-6k.csv
	$(RELEASE)/re4-viz views --runs $(RUNS) --prefix movielens --data ml-1m --users 20 --threads $(THREADS) \
	    --out figures/views-movielens.md --csv figures/views-movielens.csv
	$(RELEASE)/re4-viz explore $(RUNS)/planted01-ml1m-base-s1/best.safetensors $(RUNS)/planted01-ml1m-re4-s1/best.safetensors \
	    --labels Base,Re4 --users 50 --threads $(THREADS) --out $(OUT)/explore-planted01.html
	bash scripts/screenshot.sh $(OUT)/explore-planted01.html "user=u57" figures/explorer-planted01.png
	for L in panels map; do \
	  $(RELEASE)/re4-viz tsne $(RUNS)/planted01-ml1m-base-s1/best.safetensors $(RUNS)/planted01-ml1m-re4-s1/best.safetensors \
	      --labels Base,Re4 --layout $$L --users 4 --threads $(THREADS) --dpi 110 --title "planted, N(0, 0.1²) start" --out figures/planted01-fig4-$$L.png || exit 1; \
	  $(RELEASE)/re4-viz tsne $(RUNS)/planted-ml1m-base-s1/best.safetensors $(RUNS)/planted-ml1m-re4-s1/best.safetensors \
	      --labels Base,Re4 --layout $$L --users 4 --threads $(THREADS) --dpi 110 --title "planted, N(0, 1) start" --out figures/planted-fig4-$$L.png || exit 1; \
	done

# The validation sweep (figures/sweep-movielens.md, issue #7's question of
# why Re4 barely beats Base here): seed 1, 10 epochs per setting, next to the
# runs above at the same 10-epoch budget; then the two best settings on
# validation for 30 epochs (figures/confirm-movielens.md). About 2 hours on 2 cores.
sweep: build
	@mkdir -p $(RUNS)/sweep $(RUNS)/confirm
	$(RELEASE)/re4 data fetch ml-1m
	$(GRID_RUNNER) $(RUNS)/sweep 10 5 scripts/grid-sweep.txt --threads $(GRID_THREADS)
	@# The two best settings on validation, for the full 30 epochs.
	$(GRID_RUNNER) $(RUNS)/confirm 30 5 scripts/grid-confirm.txt --threads $(GRID_THREADS) --keep-every-epoch

figures: build
	$(RELEASE)/re4-viz figures --runs $(RUNS) $$([ -n "$(ARCHIVE)" ] && [ -d "$(ARCHIVE)" ] && echo --archive $(ARCHIVE)) --prefix movielens --data ml-1m \
	    --name movielens --title MovieLens-1M --out figures --dpi 200 --threads $(THREADS)
	if [ -d $(RUNS)/sweep ]; then $(RELEASE)/re4-viz sweep $(RUNS)/sweep/ml1m-*/ $(RUNS)/movielens-base-s? $(RUNS)/movielens-re4-s? \
	    $(RUNS)/movielens-no*-s1 --budget 10 --title MovieLens-1M --out figures/sweep-movielens.md; fi
	if [ -d $(RUNS)/gallery-200k-re4-s1 ]; then $(MAKE) gallery-figure; fi
	if [ -d $(RUNS)/confirm ]; then $(RELEASE)/re4-viz sweep $(RUNS)/confirm/ml1m-*/ $(RUNS)/movielens-base-s? $(RUNS)/movielens-re4-s? \
	    --budget 30 --with-test --title MovieLens-1M --out figures/confirm-movielens.md; fi

clean:
	rm -rf .build $(OUT)

FUZZ_SECONDS ?= 600
fuzz: setup
	$(SWIFT) build -c release --sanitize=fuzzer --sanitize=address -Xswiftc -DLIBFUZZER --product re4-fuzz --build-path .build-fuzz
	for t in pickle binary text files; do mkdir -p .build-fuzz/corpus-$$t && \
	  (cd .build-fuzz && RE4_FUZZ_TARGET=$$t ./release/re4-fuzz corpus-$$t ../fuzz/corpus/$$t -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048) || exit 1; done

# The explorer page for the seed-1 ML-1M pair of $(RUNS) into $(OUT)/, and the
# README's screenshot of it (one user chosen, a lasso selection on the Base map) into figures/ (docs/explorer.md).
EXPLORE_SHOT_USER ?= 1m_33
EXPLORE_SHOT_LASSO ?= -63,-16,-42,-22,-30,-2,-36,20,-58,24
explore: build setup-test
	@mkdir -p $(OUT)
	$(RELEASE)/re4-viz explore $(RUNS)/movielens-base-s1/best.safetensors $(RUNS)/movielens-re4-s1/best.safetensors \
	    --labels Base,Re4 --data ml-1m --threads $(THREADS) --out $(OUT)/explore-movielens.html
	bash scripts/screenshot.sh $(OUT)/explore-movielens.html "user=$(EXPLORE_SHOT_USER)&lasso=$(EXPLORE_SHOT_LASSO)" figures/explorer-movielens.png
	bash bench/explore_frames.sh $(OUT)/explore-movielens.html

# Paired tests of Re4 against Base, and of the ablations against Re4, on ML-1M's
# test users (docs/protocol.md): re4-viz paired finds the finished runs in $(RUNS)
# and $(ARCHIVE) and takes each one's best-epoch per-user metrics (the archived
# file, or evaluated from its checkpoint).
PAIRED_METRICS := recall@20,recall@50,ndcg@20,ndcg@50,hitrate@20,hitrate@50
paired: build
	$(RELEASE)/re4-viz paired --runs $(RUNS) $$([ -n "$(ARCHIVE)" ] && [ -d "$(ARCHIVE)" ] && echo --archive $(ARCHIVE)) --prefix movielens \
	    --data ml-1m --metrics $(PAIRED_METRICS) --threads $(THREADS) \
	    --out figures/paired-movielens.md --ablation-out figures/paired-ablation-movielens.md
