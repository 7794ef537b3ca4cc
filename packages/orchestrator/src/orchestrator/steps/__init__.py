"""The steps of releases, promotions and rollbacks. Each says what it touches, checks the real
system (`done`), acts idempotently (`apply`) and verifies (`verify`)."""
