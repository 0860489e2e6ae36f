"""Test support for provider authors: the conformance suite every provider's tests subclass."""
