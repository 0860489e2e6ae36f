"""One module per command; `ALL` is what the `faas` group registers."""

from __future__ import annotations

from faas.core.cli.commands.certify import certify
from faas.core.cli.commands.deploy import deploy
from faas.core.cli.commands.doctor import doctor
from faas.core.cli.commands.import_ import import_
from faas.core.cli.commands.init import init
from faas.core.cli.commands.invoke import invoke
from faas.core.cli.commands.logs import logs
from faas.core.cli.commands.manage import manage
from faas.core.cli.commands.migrate import migrate
from faas.core.cli.commands.package import package
from faas.core.cli.commands.plan import plan
from faas.core.cli.commands.plugins import plugins
from faas.core.cli.commands.rollback import rollback
from faas.core.cli.commands.schema import schema
from faas.core.cli.commands.secrets import secrets
from faas.core.cli.commands.serve import serve
from faas.core.cli.commands.status import status
from faas.core.cli.commands.undeploy import undeploy

ALL = [
    init,
    import_,
    deploy,
    plan,
    package,
    undeploy,
    status,
    logs,
    invoke,
    manage,
    rollback,
    certify,
    schema,
    plugins,
    serve,
    migrate,
    doctor,
    secrets,
]
