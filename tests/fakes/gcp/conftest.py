"""The `gcp_fake` fixture for the tests of the fake itself (providers import it from .fixture)."""

from tests.fakes.gcp.fixture import gcp_fake, gcp_fake_session

__all__ = ["gcp_fake", "gcp_fake_session"]
