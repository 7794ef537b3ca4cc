"""Booking Chat backend Lambdas."""
