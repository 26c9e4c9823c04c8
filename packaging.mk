# Packaging: `make deb` (Debian package postgresql-15-pg-jwt, in build/deb/)
# and `make dist` (the PGXN archive build/pg_jwt-<version>.zip).
# Included by the Makefile; the version comes from pg_jwt.control.

PG_JWT_VERSION := $(shell sed -n "s/^default_version *= *'\([^']*\)'.*/\1/p" $(dir $(lastword $(MAKEFILE_LIST)))pg_jwt.control)

# worktree (the files on disk, without ignored build outputs) or HEAD.
DEB_SOURCE ?= worktree

.PHONY: deb dist

deb:
	DEB_SOURCE="$(DEB_SOURCE)" test/packaging/make-deb

# PGXN wants a zip whose single top-level directory is <name>-<version>,
# with META.json in it. It is made from the last commit.
dist:
	test/packaging/check-meta
	@if [ -n "$$(git status --porcelain --untracked-files=no)" ]; then \
	    echo "dist: note: uncommitted changes are not in the archive (git archive HEAD)"; fi
	@mkdir -p build
	git archive --format zip --prefix pg_jwt-$(PG_JWT_VERSION)/ -o build/pg_jwt-$(PG_JWT_VERSION).zip HEAD
	test/packaging/check-meta --zip build/pg_jwt-$(PG_JWT_VERSION).zip
	@echo build/pg_jwt-$(PG_JWT_VERSION).zip
