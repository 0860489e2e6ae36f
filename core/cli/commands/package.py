"""`faas package`: build the artifact and its manifest, no cloud call."""

from __future__ import annotations

from pathlib import Path

import click

from faas.core import workflow
from faas.core.cli.output import emit_json, emit_lines
from faas.core.cli.state import get_state, global_options
from faas.core.plugins import Capability

MB = 1024 * 1024


@click.command()
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path), help="Output directory.")
@global_options
def package(output: Path | None) -> None:
    """Build the deployment artifact for the provider's runtime."""
    state = get_state()
    # Packaging makes no cloud call, so it works where the provider's SDK is not installed.
    artifact = workflow.package(state.provider(for_capability=Capability.PACKAGE), output)
    if state.json:
        # The paths go last: the manifest's own "artifact" is the bare file name.
        emit_json(state, {**artifact.manifest, "artifact": str(artifact.path), "manifest": str(artifact.manifest_path)})
        return
    lines = [
        f"Artifact: {artifact.path}",
        f"sha256:   {artifact.sha256}",
        f"Size:     {artifact.zipped_size / MB:.1f} MB zipped, {artifact.unzipped_size / MB:.1f} MB unzipped",
    ]
    largest = artifact.manifest.get("largest_distributions", [])
    if largest:
        lines.append("Largest distributions:")
        lines += [f"  {item['name']} {item.get('version', '')}: {item['size'] / MB:.1f} MB" for item in largest]
    emit_lines(state, lines)
