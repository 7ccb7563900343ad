# orders-pipeline: the one entry point. `make help` lists the targets.
#
# Local targets (setup, test, lint, demo, bench) need no AWS account.
# AWS targets take ENV=dev|prod and read bucket and repository names from the
# Terragrunt units' outputs, so nothing account-specific lives in this file.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
CHECKOV_VENV := $(VENV)/checkov

ENVIRONMENTS := dev prod
ENV      ?= dev
FROM     ?= dev
TO       ?= prod
FILE     ?= assessment_assets/sample_orders.csv
DOWNLOAD ?=
CONFIRM  ?=
NON_INTERACTIVE ?=
ALLOW_DIRTY ?=
BENCH_ARGS  ?=
SOAK_ARGS   ?=
PYTEST_ARGS ?=

LIVE       ?= live
TG         ?= terragrunt
IMAGE_NAME ?= orders-reports
# The image tag is the commit; ECR tags are immutable, so one commit = one image.
GIT_SHA    := $(shell git rev-parse --short=12 HEAD 2>/dev/null)
IMAGE_TAG  ?= $(GIT_SHA)
PIN_FILE    = $(LIVE)/$(ENV)/image-digest.txt
# Terraform runs offline on machines that carry a provider mirror (CI, this
# workplace); an explicit TF_PROVIDER_MIRROR wins, an empty result means registry.
with_mirror = TF_PROVIDER_MIRROR="$${TF_PROVIDER_MIRROR:-$$(scripts/find_provider_mirror.sh)}"

# Terragrunt prompts unless asked not to (CI sets NON_INTERACTIVE=1).
ifeq ($(NON_INTERACTIVE),1)
TG_FLAGS     := --non-interactive
AUTO_APPROVE := -auto-approve
else
TG_FLAGS     :=
AUTO_APPROVE :=
endif

# ---------------------------------------------------------------------------
# Argument checks happen when the Makefile is read, so they also stop `make -n`.
valid_env = $(and $(filter 1,$(words $(1))),$(filter $(ENVIRONMENTS),$(1)))
ENV_GOALS := push deploy plan destroy drop reports
ifneq ($(filter $(ENV_GOALS),$(MAKECMDGOALS)),)
  ifeq ($(call valid_env,$(ENV)),)
    $(error ENV must be one of: $(ENVIRONMENTS) (got '$(ENV)'))
  endif
endif
ifneq ($(filter push,$(MAKECMDGOALS)),)
  ifeq ($(ENV),prod)
    $(error make push: prod gets images only by promotion (build once): run make promote FROM=dev TO=prod)
  endif
endif
ifneq ($(filter destroy,$(MAKECMDGOALS)),)
  ifeq ($(ENV),prod)
    ifneq ($(CONFIRM),prod)
      $(error make destroy: refusing to destroy prod; run again with CONFIRM=prod if you mean it)
    endif
  endif
endif
ifneq ($(filter promote,$(MAKECMDGOALS)),)
  ifeq ($(and $(call valid_env,$(FROM)),$(call valid_env,$(TO))),)
    $(error FROM and TO must each be one of: $(ENVIRONMENTS) (got FROM='$(FROM)' TO='$(TO)'))
  endif
  ifeq ($(FROM),$(TO))
    $(error make promote: FROM and TO are both '$(FROM)')
  endif
endif

# ---------------------------------------------------------------------------
# Fail-fast checks, one clear line each. Use as `@$(call require,TOOL,HINT)`.
require = command -v $(1) >/dev/null 2>&1 || { echo "make $@: '$(1)' not found on PATH; $(2)" >&2; exit 127; }
require_terragrunt = $(call require,$(TG),install Terragrunt $$(cat .terragrunt-version 2>/dev/null) (see .terragrunt-version / mise.toml))
require_terraform = $(call require,terraform,install Terraform $$(cat .terraform-version 2>/dev/null) (see .terraform-version / mise.toml))
require_aws_cli = $(call require,aws,install AWS CLI v2: https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html)
require_aws = aws sts get-caller-identity >/dev/null 2>&1 || { echo "make $@: no usable AWS credentials (aws sts get-caller-identity failed); set AWS_PROFILE or run aws sso login" >&2; exit 1; }
require_docker = command -v docker >/dev/null 2>&1 || { echo "make $@: 'docker' not found on PATH; install Docker with the buildx plugin" >&2; exit 127; }; \
	docker info >/dev/null 2>&1 || { echo "make $@: no Docker engine reachable (docker info failed); start Docker (Docker Desktop, colima or dockerd) and retry" >&2; exit 1; }
require_pin = grep -Eqx 'sha256:[0-9a-f]{64}' $(1) 2>/dev/null || { echo "make $@: $(1) is missing or not a sha256 digest; $(2)" >&2; exit 1; }

# $(call tg_output,ENV,UNIT,OUTPUT): a unit's output, for `var=$(call tg_output,...); \`
tg_output = $$(cd $(LIVE)/$(1)/$(2) && $(TG) output -raw $(3)) || { echo "make $@: cannot read output '$(3)' of $(LIVE)/$(1)/$(2); apply it first (make deploy ENV=$(1))" >&2; exit 1; }
# $(call apply_ecr,ENV): create or update ENV's image repository (and, the first
# time, the state bucket: --backend-bootstrap) before an image can go into it.
apply_ecr = cd $(LIVE)/$(1)/ecr-repository && $(TG) run --backend-bootstrap $(TG_FLAGS) -- apply $(AUTO_APPROVE)
# Pushing, promoting and checking an image: scripts/ecr_image.py (tested directly).
ecr_image = $(BIN)/python scripts/ecr_image.py --live-dir $(LIVE) --terragrunt $(TG)

.PHONY: help setup test lint demo soak bench lock build push deploy plan destroy drop reports promote

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %-10s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

setup: $(VENV)/.installed $(VENV)/lambda-runtime/.installed ## Create .venv (app editable, pinned dev tools) and the image-runtime venv

$(VENV)/lambda-runtime/.installed: requirements/lambda-runtime.txt scripts/lambda_runtime_venv.sh app/Dockerfile
	scripts/lambda_runtime_venv.sh $(VENV)/lambda-runtime

$(VENV)/.installed: requirements/dev.txt requirements/checkov.txt app/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -qq --upgrade pip
	$(BIN)/python -m pip install -qq -r requirements/dev.txt
	$(BIN)/python -m pip install -qq --no-deps -e app
	@# checkov pins an old boto3 and installs a fork of python-hcl2 under the
	@# same import name, so it lives in a virtualenv of its own, linked into .venv/bin.
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install -qq -r requirements/checkov.txt
	ln -sfn ../checkov/bin/checkov $(BIN)/checkov
	@touch $@

test: setup ## Run the whole test suite (unit, handler, CLI, terraform, live contract, end to end)
	$(with_mirror) $(BIN)/pytest $(PYTEST_ARGS)

lint: setup ## Run every pre-commit hook on every file (what a reviewer checks)
	$(with_mirror) $(BIN)/pre-commit run --all-files

demo: setup ## Run the whole pipeline on a local AWS emulator (no AWS account needed)
	$(with_mirror) $(BIN)/python demo/run_demo.py

soak: setup ## Run 200+ files through the pipeline on the emulator under injected faults (SOAK_ARGS=...)
	$(with_mirror) $(BIN)/python demo/soak.py $(SOAK_ARGS)

bench: setup ## Benchmark the report engine (BENCH_ARGS=... passes options), then hostile shapes' memory
	$(BIN)/python bench/run.py $(BENCH_ARGS)
	$(BIN)/python bench/shapes.py

lock: setup ## Re-resolve requirements/*.txt and app/requirements.lock from their .in files
	$(BIN)/python -m pip install -qq uv==0.13.9
	$(BIN)/uv pip compile --quiet requirements/dev.in --python-version 3.11 -o requirements/dev.txt
	$(BIN)/uv pip compile --quiet requirements/checkov.in --python-version 3.11 -o requirements/checkov.txt
	$(BIN)/uv pip compile --quiet app/requirements.in --python-version 3.12 \
	  --python-platform aarch64-manylinux_2_28 --generate-hashes -o app/requirements.lock
	UV=$(BIN)/uv scripts/lambda_runtime_venv.sh --lock

# --- image ------------------------------------------------------------------

# --provenance=false: buildx would otherwise push an OCI index with an
# attestation manifest, which Lambda rejects. --load keeps a single-platform
# image in the local engine for `make push`.
build: ## Build the Lambda image (linux/arm64) as orders-reports:<git sha>
	@$(require_docker)
	@docker buildx version >/dev/null 2>&1 || { echo "make $@: docker buildx is not available; install the Docker buildx plugin" >&2; exit 1; }
	@test -n "$(IMAGE_TAG)" || { echo "make $@: no git commit to tag the image with; commit first or pass IMAGE_TAG=..." >&2; exit 1; }
	docker buildx build --platform linux/arm64 --provenance=false --load \
	  -t $(IMAGE_NAME):$(IMAGE_TAG) -f app/Dockerfile app

push: setup ## Push the image to ENV's ECR repository and pin ECR's digest in live/ENV/image-digest.txt
	@$(require_aws_cli)
	@$(require_terragrunt)
	@$(require_docker)
	@$(require_aws)
	$(ecr_image) push --env $(ENV) --tag $(IMAGE_TAG) --local-image $(IMAGE_NAME):$(IMAGE_TAG) $(if $(filter 1,$(ALLOW_DIRTY)),--allow-dirty)

# --- infrastructure ---------------------------------------------------------

# The first deploy of an environment is a chicken-and-egg: the function needs an
# image digest, the image needs the repository. So: create the state bucket if
# missing (--backend-bootstrap) while applying the repository unit
# alone, build, push and pin, then apply everything. prod never builds: it runs
# the digest promoted from dev, which must already be in prod's repository.
deploy: setup ## Bootstrap/update ENV: ECR unit, build, push, pin, then terragrunt run --all apply (prod: promoted digest only)
	@$(require_aws_cli)
	@$(require_terragrunt)
	@$(require_terraform)
ifeq ($(ENV),prod)
	@$(call require_pin,$(PIN_FILE),prod never builds: run make promote FROM=dev TO=prod first)
	@$(require_aws)
	$(call apply_ecr,$(ENV))
	$(ecr_image) verify --env $(ENV)
else
	@$(require_docker)
	@$(require_aws)
	$(call apply_ecr,$(ENV))
	$(MAKE) --no-print-directory build
	$(MAKE) --no-print-directory push ENV=$(ENV)
endif
	cd $(LIVE)/$(ENV) && $(TG) run --all $(TG_FLAGS) -- apply

plan: ## Show what terragrunt run --all plan would change in ENV
	@$(require_aws_cli)
	@$(require_terragrunt)
	@$(require_terraform)
	@$(require_aws)
	cd $(LIVE)/$(ENV) && $(TG) run --all $(TG_FLAGS) -- plan

destroy: ## Destroy every unit of ENV (ENV=prod also needs CONFIRM=prod)
	@$(require_aws_cli)
	@$(require_terragrunt)
	@$(require_terraform)
	@$(require_aws)
	cd $(LIVE)/$(ENV) && $(TG) run --all $(TG_FLAGS) -- destroy

# --- operating an environment -----------------------------------------------

drop: ## Upload FILE (a .csv) to ENV's input bucket under incoming/
	@test -f "$(FILE)" || { echo "make $@: FILE='$(FILE)' does not exist" >&2; exit 1; }
	@case "$(FILE)" in *.csv) ;; *) echo "make $@: FILE='$(FILE)' must end with .csv (only .csv objects trigger the pipeline)" >&2; exit 1;; esac
	@$(require_aws_cli)
	@$(require_terragrunt)
	@$(require_aws)
	bucket=$(call tg_output,$(ENV),input-bucket,bucket_name); \
	aws s3 cp "$(FILE)" "s3://$$bucket/incoming/$(notdir $(FILE))"

reports: ## List ENV's report objects under reports/ (DOWNLOAD=dir also copies them there)
	@$(require_aws_cli)
	@$(require_terragrunt)
	@$(require_aws)
	bucket=$(call tg_output,$(ENV),output-bucket,bucket_name); \
	aws s3 ls --recursive "s3://$$bucket/reports/"; \
	if [[ -n "$(DOWNLOAD)" ]]; then aws s3 cp --recursive "s3://$$bucket/reports/" "$(DOWNLOAD)"; fi

# Promotion copies the exact bytes FROM ran: skopeo copies the manifest by digest
# with --preserve-digests, and TO is pinned only once its repository holds that digest.
promote: setup ## Copy FROM's pinned image by digest into TO's repository and pin TO to it
	@$(call require_pin,$(LIVE)/$(FROM)/image-digest.txt,nothing to promote: run make deploy ENV=$(FROM) first)
	@$(require_aws_cli)
	@$(require_terragrunt)
	@$(require_terraform)
	@$(call require,skopeo,install skopeo (apt-get install skopeo / brew install skopeo))
	@$(require_aws)
	$(call apply_ecr,$(TO))
	$(ecr_image) promote --from $(FROM) --to $(TO)

# --- querying the orders lake -------------------------------------------------

REPORT        ?=
QUERY_TIMEOUT ?= 600
# A report is a named query: one SQL file each in the catalog module.
REPORTS := $(sort $(basename $(notdir $(wildcard modules/orders-catalog/queries/*.sql))))
ifneq ($(filter query,$(MAKECMDGOALS)),)
  ifeq ($(call valid_env,$(ENV)),)
    $(error ENV must be one of: $(ENVIRONMENTS) (got '$(ENV)'))
  endif
  ifeq ($(and $(filter 1,$(words $(REPORT))),$(filter $(REPORTS),$(REPORT))),)
    $(error make query: REPORT must be one of: $(REPORTS) (got '$(REPORT)'))
  endif
endif

.PHONY: query
query: setup ## Run REPORT's named Athena query over every file ENV received; print the rows as CSV
	@$(require_aws_cli)
	@$(require_terragrunt)
	@$(require_aws)
	workgroup_arn=$(call tg_output,$(ENV),catalog,workgroup_arn); \
	$(BIN)/python scripts/run_named_query.py --workgroup-arn "$$workgroup_arn" --name $(REPORT) --timeout $(QUERY_TIMEOUT)
