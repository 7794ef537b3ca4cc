"""What runs where, and the checks and switches that act on it: status, smoke, reconcile, the AI switch."""
