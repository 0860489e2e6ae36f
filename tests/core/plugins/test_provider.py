"""`Provider[Options]`: the class parameter is the options model, and `self.options` is an instance of it."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import Field

from faas import ConfigError, Provider, ProviderOptions, load_project


class AcmeOptions(ProviderOptions):
    region: str = Field(default="moon-1", description="Where.")


class AcmeProvider(Provider[AcmeOptions]):
    name = "acme"


def test_the_parameter_is_the_options_model(tmp_path: Path) -> None:
    (tmp_path / "faas.toml").write_text(
        'name = "pups"\n[app]\nentry = "app:application"\n[providers.acme]\nregion = "mars-2"\n'
    )
    provider = AcmeProvider(load_project(tmp_path / "faas.toml", "dev"))
    assert AcmeProvider.Options is AcmeOptions
    assert isinstance(provider.options, AcmeOptions)
    assert provider.options.region == "mars-2"


def test_unknown_options_are_refused_by_that_model(tmp_path: Path) -> None:
    (tmp_path / "faas.toml").write_text(
        'name = "pups"\n[app]\nentry = "app:application"\n[providers.acme]\nregoin = "mars-2"\n'
    )
    with pytest.raises(ConfigError, match=r"providers\.acme\.regoin"):
        AcmeProvider(load_project(tmp_path / "faas.toml", "dev"))


def test_options_contradicting_the_parameter_are_a_mistake_caught_at_class_creation() -> None:
    with pytest.raises(TypeError, match="Options must be AcmeOptions"):

        class Confused(Provider[AcmeOptions]):
            name = "confused"
            Options = ProviderOptions


def test_a_provider_without_options_gets_the_empty_model(tmp_path: Path) -> None:
    class Bare(Provider):
        name = "bare"

    (tmp_path / "faas.toml").write_text('name = "pups"\n[app]\nentry = "app:application"\n')
    assert type(Bare(load_project(tmp_path / "faas.toml", "dev")).options) is ProviderOptions
