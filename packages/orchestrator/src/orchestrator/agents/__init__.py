"""Bedrock agents as code: files in git, export from and import into an environment, rollback."""
