"""A local Azure control plane for the Azure provider's tests: ARM, Kudu, a token endpoint, Azurite."""
