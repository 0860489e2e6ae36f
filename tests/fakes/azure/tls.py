"""A throwaway certificate authority (trustme) for the fake's HTTPS endpoints.

azure-core's bearer-token policy refuses plain http, so ARM, the token endpoint, Kudu and Azurite all
serve TLS with a certificate from this CA; clients trust it through `connection_verify=<ca.pem>`.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from pathlib import Path

import certifi
import trustme


def _machine_roots() -> Path:
    """The CA file OpenSSL trusts here (the system's store), else certifi's public roots."""
    found = ssl.get_default_verify_paths().cafile
    return Path(found) if found and Path(found).is_file() else Path(certifi.where())


@dataclass(frozen=True)
class Certificates:
    ca_pem: Path
    cert_pem: Path
    key_pem: Path
    with_public_roots: Path
    """This machine's trusted roots and the test CA: for a shell's SSL_CERT_FILE, so pip still reaches
    its index (through whatever proxy the machine trusts) while the Azure clients trust the fake."""

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert_pem, self.key_pem)
        return context


def make_certificates(folder: Path) -> Certificates:
    folder.mkdir(parents=True, exist_ok=True)
    ca = trustme.CA()
    server = ca.issue_cert("127.0.0.1", "localhost")
    paths = Certificates(
        folder / "ca.pem", folder / "server.pem", folder / "server-key.pem", folder / "ca-and-public-roots.pem"
    )
    ca.cert_pem.write_to_path(str(paths.ca_pem))
    paths.with_public_roots.write_bytes(_machine_roots().read_bytes() + b"\n" + paths.ca_pem.read_bytes())
    server.cert_chain_pems[0].write_to_path(str(paths.cert_pem))
    for extra in server.cert_chain_pems[1:]:
        extra.write_to_path(str(paths.cert_pem), append=True)
    server.private_key_pem.write_to_path(str(paths.key_pem))
    return paths
