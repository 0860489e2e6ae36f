"""`faas import` of serverless.yml, with configs written from the Serverless, serverless-wsgi,
serverless-python-requirements, serverless-domain-manager and serverless-lift documentation."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.core.migrate.conftest import entries, faas_import, import_json, plan_local, stage_config, written

SERVICE = """\
service: example
frameworkVersion: '3'

provider:
  name: aws
  runtime: python3.9
  stage: ${opt:stage, 'dev'}
  region: eu-west-1
  logRetentionInDays: 14
  environment:
    DB_PORT: 5432
    DEBUG: false
    TABLE: ${self:custom.table.${sls:stage}}
    SETTINGS_LEVEL: ${self:custom.settings.level}
    DB_PASSWORD: ${ssm:/example/${sls:stage}/db-password}
    API_TOKEN: ${env:API_TOKEN, 'none'}
    REGION_NAME: ${aws:region}
  iam:
    role:
      statements:
        - Effect: Allow
          Action: [dynamodb:GetItem, dynamodb:PutItem]
          Resource: arn:aws:dynamodb:eu-west-1:123456789012:table/example

plugins:
  - serverless-wsgi
  - serverless-python-requirements
  - serverless-domain-manager
  - serverless-lift
  - serverless-plugin-canary-deployments

custom:
  wsgi:
    app: src/app.app
    packRequirements: false
  pythonRequirements:
    dockerizePip: non-linux
    zip: true
    poetryWithoutHashes: true
  table:
    dev: table-dev
    prod: table-prod
  memory:
    dev: 512
    prod: 2048
  domains:
    prod: api.example.com
  customDomain:
    domainName: ${self:custom.domains.${sls:stage}, null}
    certificateArn: arn:aws:acm:us-east-1:123456789012:certificate/abc
    basePath: v1
    createRoute53Record: true
  settings: ${file(./config.${sls:stage}.yml)}

params:
  prod:
    retention: 90

functions:
  api:
    handler: wsgi_handler.handler
    memorySize: ${self:custom.memory.${sls:stage}}
    events:
      - http: ANY /
      - http: ANY /{proxy+}
  cron:
    handler: src/tasks.nightly
    events:
      - schedule: cron(0 3 ? * 2 *)
      - schedule:
          rate:
            - rate(10 minutes)
            - rate(1 hour)
      - schedule:
          rate: rate(5 minutes)
          enabled: false
      - schedule: cron(0 12 L * ? *)
  uploads:
    handler: src/tasks.on_upload
    timeout: 30
    environment:
      BUCKET_ROLE: uploads
    events:
      - s3:
          bucket: photos-bucket
          event: s3:ObjectCreated:*
          rules:
            - prefix: uploads/
            - suffix: .jpg
          existing: true
      - s3: scratch-bucket
      - sqs:
          arn:
            Fn::GetAtt: [JobsQueue, Arn]
          batchSize: 5
      - sqs: arn:aws:sqs:eu-west-1:123456789012:emails
      - sns: alerts

constructs:
  jobs:
    type: queue
    worker:
      handler: src/worker.handler

package:
  patterns:
    - '!node_modules/**'
    - '!tests/**'
    - 'src/**'

resources:
  Resources:
    JobsQueue:
      Type: AWS::SQS::Queue
      Properties:
        QueueName: jobs-${sls:stage}
"""

FLASK_APP = "from flask import Flask\napp = Flask(__name__)\n"
TASKS = "def nightly(event, context):\n    return 1\n\ndef on_upload(event, context):\n    return 1\n"


@pytest.fixture
def service(tmp_path: Path) -> Path:
    (tmp_path / "serverless.yml").write_text(SERVICE)
    (tmp_path / "config.dev.yml").write_text("level: verbose\n")
    (tmp_path / "config.prod.yml").write_text("level: quiet\n")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "__init__.py").write_text("")
    (tmp_path / "src" / "app.py").write_text(FLASK_APP)
    (tmp_path / "src" / "tasks.py").write_text(TASKS)
    (tmp_path / "src" / "worker.py").write_text("def handler(event, context):\n    return 1\n")
    return tmp_path


def test_service_imports_per_stage_and_plans_on_local(service: Path) -> None:
    document = import_json(cwd=service)
    assert document["format"] == "serverless"
    assert written(service / "faas.toml") == document["config"]
    assert set(document["config"]["stages"]) == {"dev", "prod"}
    secrets = {"DB_PASSWORD": "from-ssm"}
    dev = stage_config(service / "faas.toml", "dev", secrets)
    prod = stage_config(service / "faas.toml", "prod", secrets)
    assert dev.app is not None and prod.app is not None
    # custom.wsgi.app `src/app.app` is written relative to the project root.
    assert dev.app.entry == "src.app:app" and dev.app.interface == "wsgi"
    assert (dev.app.memory, prod.app.memory) == (512, 2048)
    # Serverless's own default timeout, written out.
    assert dev.app.timeout == 6
    assert dev.app.environment["TABLE"] == "table-dev" and prod.app.environment["TABLE"] == "table-prod"
    assert dev.app.environment["SETTINGS_LEVEL"] == "verbose" and prod.app.environment["SETTINGS_LEVEL"] == "quiet"
    assert dev.app.environment["REGION_NAME"] == "eu-west-1"
    assert prod.domain == "api.example.com" and prod.base_path == "/v1" and dev.domain is None
    assert dev.providers["aws"]["front_door"] == "rest-api"
    assert dev.providers["aws"]["iam_statements"] == [
        {
            "effect": "Allow",
            "actions": ["dynamodb:GetItem", "dynamodb:PutItem"],
            "resources": ["arn:aws:dynamodb:eu-west-1:123456789012:table/example"],
        }
    ]
    plan_local(service, "dev", secrets)
    report = entries(document)
    assert report["custom.wsgi.app"]["status"] == "warn" and "src/" in report["custom.wsgi.app"]["reason"]


def test_environment_values_are_strings_and_references_stay_references(service: Path) -> None:
    document = import_json(cwd=service)
    environment = document["config"]["app"]["environment"]
    assert environment["DB_PORT"] == "5432" and environment["DEBUG"] == "false"
    # ${env:} is faas's own syntax: read from the deploying machine when faas deploys, never now.
    assert environment["API_TOKEN"] == "${env:API_TOKEN:-none}"
    # An SSM secret is never inlined: it becomes an environment reference, warned.
    assert environment["DB_PASSWORD"] == "${env:DB_PASSWORD}"
    report = entries(document)
    assert report["provider.environment.DB_PASSWORD"]["status"] == "warn"
    assert "${ssm:/example/dev/db-password}" in report["provider.environment.DB_PASSWORD"]["reason"]
    assert report["provider.environment.API_TOKEN"]["status"] == "warn"


def test_importer_never_reads_its_own_environment(service: Path) -> None:
    from tests.core.plugins.conftest import run_faas

    result = run_faas("import", "--json", cwd=service, env={"API_TOKEN": "from-my-laptop", "DB_PASSWORD": "oops"})
    assert result.returncode == 0, result.stderr
    assert "from-my-laptop" not in result.stdout and "oops" not in result.stdout
    assert "from-my-laptop" not in (service / "faas.toml").read_text()


def test_schedules_s3_sqs_and_lift_queues(service: Path) -> None:
    document = import_json(cwd=service)
    dev = stage_config(service / "faas.toml", "dev", {"DB_PASSWORD": "x"})
    functions = {function.name: function for function in dev.functions}
    assert [str(t.schedule) for t in functions["cron"].triggers] == [  # type: ignore[union-attr]
        "cron(0 3 * * MON)",
        "rate(10 minutes)",
        "rate(1 hour)",
    ]
    assert functions["cron"].entry == "src.tasks:nightly"
    uploads = functions["uploads"]
    kinds = [next(iter(t.model_dump())) for t in uploads.triggers]
    assert kinds == ["storage", "storage", "queue", "queue", "topic"]
    assert uploads.triggers[4].topic.name == "alerts"  # type: ignore[union-attr]
    photos = uploads.triggers[0].storage  # type: ignore[union-attr]
    assert (photos.bucket, photos.prefix, photos.suffix) == ("photos-bucket", "uploads/", ".jpg")
    jobs = uploads.triggers[2].queue  # type: ignore[union-attr]
    assert (jobs.name, jobs.batch_size) == ("jobs-dev", 5)
    assert uploads.triggers[3].queue.name == "emails"  # type: ignore[union-attr]
    assert uploads.timeout == 30 and uploads.memory == 1024
    assert uploads.environment["BUCKET_ROLE"] == "uploads" and uploads.environment["TABLE"] == "table-dev"
    worker = functions["jobs-worker"]
    assert worker.triggers[0].queue.name == "example-dev-jobs"  # type: ignore[union-attr]
    report = entries(document)
    assert report["functions.cron.events[2]"]["status"] == "warn"  # enabled: false
    assert report["functions.cron.events[3]"]["status"] == "warn"  # L has no standard form
    assert "create it first" in report["functions.uploads.events[1]"]["reason"]  # created by Serverless
    sns = report["functions.uploads.events[4]"]
    assert sns["status"] == "warn" and "aws provider does not deploy topic" in sns["reason"]
    assert "Serverless created this topic" in sns["reason"]  # a bare name: the topic is the service's
    assert report["constructs.jobs"]["status"] == "warn" and "example-dev-jobs" in report["constructs.jobs"]["reason"]


def test_plugins_package_and_unknown_keys(service: Path) -> None:
    document = import_json(cwd=service)
    report = entries(document)
    assert report["plugins[0]"]["status"] == "info"
    assert report["plugins[4]"]["status"] == "warn"
    assert report["custom.pythonRequirements.zip"]["status"] == "warn"
    assert report["custom.pythonRequirements.poetryWithoutHashes"]["status"] == "warn"
    assert report["resources"]["status"] == "warn" and "AWS::SQS::Queue" in report["resources"]["reason"]
    package = document["config"]["package"]
    assert package["exclude"] == ["node_modules/**", "tests/**"] and package["include"] == ["src/**"]
    assert document["config"]["python"] == "3.10"
    assert report["provider.runtime"]["status"] == "warn"


def test_http_api_front_door_and_one_stage(tmp_path: Path) -> None:
    (tmp_path / "serverless.yml").write_text(
        "service: tiny\nprovider:\n  name: aws\n  runtime: python3.12\n  httpApi:\n    cors: true\n"
        "custom:\n  wsgi:\n    app: app.app\n"
        "functions:\n  api:\n    handler: wsgi_handler.handler\n    events:\n      - httpApi: '*'\n"
    )
    (tmp_path / "app.py").write_text(FLASK_APP)
    document = import_json("--stage", "staging", cwd=tmp_path)
    assert list(document["config"]["stages"]) == ["staging"]
    assert document["config"]["providers"]["aws"]["front_door"] == "http-api"
    assert document["config"]["app"]["entry"] == "app:app"
    assert document["config"]["app"]["memory"] == 1024
    assert entries(document)["provider.httpApi"]["status"] == "warn"


def test_a_self_reference_cycle_is_one_error(tmp_path: Path) -> None:
    (tmp_path / "serverless.yml").write_text(
        "service: loop\nprovider:\n  name: aws\ncustom:\n  a: ${self:custom.b}\n  b: ${self:custom.a}\n"
        "functions:\n  f:\n    handler: f.main\n    environment:\n      X: ${self:custom.a}\n"
    )
    result = faas_import(cwd=tmp_path)
    assert result.returncode == 2
    assert "variable cycle" in result.stderr and "custom.a -> custom.b -> custom.a" in result.stderr
    assert "Traceback" not in result.stderr
