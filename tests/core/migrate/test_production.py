"""`faas import` of private networks, concurrency and secret-store references, from each source."""

from __future__ import annotations

import json
from pathlib import Path

from tests.core.migrate.conftest import entries, import_json, plan_local, stage_config

FLASK_APP = "from flask import Flask\napp = Flask(__name__)\n"

# Zappa's README example for RDS access, with reserved concurrency as Zappa spells it.
ZAPPA_RDS = {
    "production": {
        "app_function": "my_app.app",
        "project_name": "shop",
        "aws_region": "eu-west-1",
        "vpc_config": {
            "SubnetIds": ["subnet-12345678", "subnet-0abcdef1234567890"],
            "SecurityGroupIds": ["sg-12345678"],
        },
        "lambda_concurrency": 10,
        "keep_warm": True,
    }
}


def test_zappa_vpc_and_concurrency_become_the_faas_keys_and_plan_on_local(tmp_path: Path) -> None:
    (tmp_path / "my_app.py").write_text(FLASK_APP)
    (tmp_path / "zappa_settings.json").write_text(json.dumps(ZAPPA_RDS))
    document = import_json(cwd=tmp_path)
    config = stage_config(tmp_path / "faas.toml", "production")
    assert config.providers["aws"]["vpc"] == {
        "subnets": ["subnet-0abcdef1234567890", "subnet-12345678"],
        "security_groups": ["sg-12345678"],
    }
    assert config.app is not None and config.app.max_instances == 10 and config.app.min_instances is None
    report = entries(document)
    assert report["production.vpc_config"]["status"] == "mapped"
    assert report["production.vpc_config"]["target"] == "providers.aws.vpc"
    assert report["production.lambda_concurrency"]["target"] == "app.max_instances"
    # A ping schedule is not provisioned concurrency: suggested, never written.
    warm = report["production.keep_warm"]
    assert warm["status"] == "info" and "min_instances = 1" in warm["reason"]
    plan_local(tmp_path, "production")


def test_zappa_vpc_ids_that_are_not_literal_stay_a_warning(tmp_path: Path) -> None:
    settings = {"dev": {"app_function": "my_app.app", "project_name": "vpc"}}
    settings["dev"]["vpc_config"] = {"SubnetIds": ["s-1"], "SecurityGroupIds": ["sg-12345678"]}  # type: ignore[assignment]
    (tmp_path / "my_app.py").write_text(FLASK_APP)
    (tmp_path / "zappa_settings.json").write_text(json.dumps(settings))
    document = import_json(cwd=tmp_path)
    entry = entries(document)["dev.vpc_config"]
    assert entry["status"] == "warn" and "s-1" in entry["reason"] and "providers.aws.vpc.subnets" in entry["reason"]
    assert "vpc" not in stage_config(tmp_path / "faas.toml", "dev").providers.get("aws", {})
