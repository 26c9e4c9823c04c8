# The soak against a live server (test/soak/README.md). Included by the
# top-level Makefile.
.PHONY: soak soak-short

soak: all
	$(MAKE) install
	scripts/in-cluster test/soak/run

soak-short: all
	$(MAKE) install
	scripts/in-cluster test/soak/run --short
