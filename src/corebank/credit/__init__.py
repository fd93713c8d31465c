"""The credit bureau client (behind its breaker) and the staff credit check on a customer."""
