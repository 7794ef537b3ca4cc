"""The backend's deploy engine: packaging, stacks and change sets, rollout, blue/green, rollback."""
