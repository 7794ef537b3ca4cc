"""Pure code: no I/O. Versions, changelog, manifest, plans."""
