# servicekonto: thin entry points. The work is done by scripts/ and meson;
# see docs/development.md.

.PHONY: all deps build run test stop clean

all: build

# Install missing Debian packages (needs root or sudo when something is missing).
deps:
	@bash scripts/deps.sh

# Configure (once) and compile the normal build tree in build/.
build: deps
	@test -f build/meson-private/coredata.dat || meson setup build
	meson compile -C build

# Build, start the database in state/pg, migrate, serve on 127.0.0.1:8080.
run:
	@bash scripts/run.sh

# Build build/ and build-san/ and run the test suite in both against a
# throwaway PostgreSQL.
test:
	@bash scripts/test.sh

# Stop the database (and idpd) that "make run" left running.
stop:
	@bash scripts/run.sh stop

# Remove the build trees; state/ (database, config) stays.
clean:
	rm -rf build build-san
