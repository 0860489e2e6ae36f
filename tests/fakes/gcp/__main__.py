"""`python -m tests.fakes.gcp`: run the fake GCP control plane by hand until Ctrl-C.

It prints `export NAME=value` lines (eval them in a shell) that point google-auth, the Google
clients and gcloud-style endpoint overrides (`CLOUDSDK_API_ENDPOINT_OVERRIDES_<API>`) at the fake,
then `# ready`, then serves.
"""

from __future__ import annotations

import argparse
import contextlib
import shlex
import signal
import tempfile
import threading
from pathlib import Path

from .fake import GcpFake


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.fakes.gcp", description=__doc__)
    parser.add_argument("--project", default="faas-fake-project")
    parser.add_argument("--region", default="us-central1")
    parser.add_argument(
        "--verified-domain",
        action="append",
        default=[],
        help="a domain (and its subdomains) the deployer may map, as after `gcloud domains verify`; repeatable",
    )
    args = parser.parse_args()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with (
        tempfile.TemporaryDirectory(prefix="gcp-fake-") as workdir,
        GcpFake(Path(workdir), project=args.project, region=args.region) as fake,
    ):
        for domain in args.verified_domain:
            fake.domains.verify(domain)
        exports = dict(fake.env())
        for api, url in fake.endpoints.items():
            if api not in ("oauth2", "storage-upload", "storage"):
                exports[f"CLOUDSDK_API_ENDPOINT_OVERRIDES_{api.upper()}"] = url + "/"
        exports["GOOGLE_CLOUD_REGION"] = fake.region
        # What faas itself reads (the gcp provider's endpoint overrides).
        exports["FAAS_GCP_API_ENDPOINTS"] = ",".join(f"{api}={url}" for api, url in sorted(fake.endpoints.items()))
        for name, value in sorted(exports.items()):
            print(f"export {name}={shlex.quote(value)}")
        print(f"# mapped custom domains answer at {fake.domains_url} (send the domain as Host);")
        print("# the fake maps only domains given with --verified-domain (and their subdomains)")
        print("# ready: the fake serves until Ctrl-C", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            stop.wait()


if __name__ == "__main__":
    main()
