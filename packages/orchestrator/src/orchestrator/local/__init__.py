"""The platform on one machine: embedded AWS, sandbox emulation, local AppSync and CDN, local-dev, rehearse."""
