"""`faas import` of AWS SAM templates (with samconfig.toml), written from the SAM documentation."""

from __future__ import annotations

from pathlib import Path

import pytest

from faas.core.migrate.loaders import load_yaml
from faas.core.migrate.sam_functions import merge_globals
from tests.core.migrate.conftest import entries, import_json, plan_local, stage_config, written

TEMPLATE = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Description: A FastAPI app behind Mangum and a worker
Parameters:
  Stage:
    Type: String
    Default: dev
  LogLevel:
    Type: String
    Default: INFO
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
Globals:
  Function:
    Runtime: python3.9
    Timeout: 10
    Environment:
      Variables:
        LOG_LEVEL: !Ref LogLevel
        SHARED: "yes"
    Tags:
      team: web
Resources:
  WebFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: app/
      Handler: main.handler
      MemorySize: 512
      Environment:
        Variables:
          STAGE_NAME: !Sub "${Stage}-web"
          DEBUG: false
          TABLE_ARN: !GetAtt Table.Arn
      Events:
        Root:
          Type: HttpApi
          Properties:
            Path: /{proxy+}
            Method: ANY
  ThumbnailFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: workers/
      Handler: thumbs.handler
      Policies:
        - Statement:
            - Effect: Allow
              Action: [s3:GetObject]
              Resource: arn:aws:s3:::uploads-bucket/*
        - AWSLambdaBasicExecutionRole
      Events:
        Upload:
          Type: S3
          Properties:
            Bucket: !Ref UploadsBucket
            Events: s3:ObjectCreated:*
            Filter:
              S3Key:
                Rules:
                  - Name: prefix
                    Value: incoming/
        Jobs:
          Type: SQS
          Properties:
            Queue: !GetAtt JobsQueue.Arn
            BatchSize: 5
        Nightly:
          Type: Schedule
          Properties:
            Schedule: cron(0 2 ? * MON-FRI *)
        Weekly:
          Type: ScheduleV2
          Properties:
            ScheduleExpression: rate(7 days)
            ScheduleExpressionTimezone: Europe/Paris
        Off:
          Type: Schedule
          Properties:
            Schedule: rate(1 hour)
            Enabled: false
        Alerts:
          Type: SNS
          Properties:
            Topic: !ImportValue alerts-topic
  ProdReport:
    Type: AWS::Serverless::Function
    Condition: IsProd
    Properties:
      CodeUri: workers/
      Handler: thumbs.report
  UploadsBucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub "uploads-${Stage}"
  JobsQueue:
    Type: AWS::SQS::Queue
  Table:
    Type: AWS::DynamoDB::Table
  HourlyRule:
    Type: AWS::Events::Rule
    Properties:
      ScheduleExpression: cron(30 * * * ? *)
      Targets:
        - Arn: !GetAtt ThumbnailFunction.Arn
          Id: thumbnail
Outputs:
  Api:
    Value: !Sub "https://${ServerlessHttpApi}.execute-api.${AWS::Region}.amazonaws.com/"
"""

SAMCONFIG = """\
version = 0.1
[default.deploy.parameters]
stack_name = "sample-app"
region = "eu-west-1"
parameter_overrides = "Stage=dev LogLevel=DEBUG"

[default.build.parameters]
cached = true

[prod.deploy.parameters]
stack_name = "sample-app-prod"
region = "eu-west-1"
parameter_overrides = ["Stage=prod", "LogLevel=WARN"]
"""

FASTAPI_MAIN = "from fastapi import FastAPI\nfrom mangum import Mangum\n\napp = FastAPI()\nhandler = Mangum(app)\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    (tmp_path / "samconfig.toml").write_text(SAMCONFIG)
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "main.py").write_text(FASTAPI_MAIN)
    (tmp_path / "workers").mkdir()
    (tmp_path / "workers" / "__init__.py").write_text("")
    (tmp_path / "workers" / "thumbs.py").write_text("def handler(event, context):\n    return 1\n")
    return tmp_path


def test_the_loader_accepts_every_intrinsic_tag(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(
        "a: !Ref Stage\nb: !Sub '${Stage}-x'\nc: !GetAtt Queue.Arn\nd: !If [IsProd, 1, 2]\n"
        "e: !Join ['-', [a, b]]\nf: !ImportValue shared\ng: !FindInMap [M, k, v]\nh: 2010-09-09\n"
    )
    assert load_yaml(path) == {
        "a": {"Ref": "Stage"},
        "b": {"Fn::Sub": "${Stage}-x"},
        "c": {"Fn::GetAtt": ["Queue", "Arn"]},
        "d": {"Fn::If": ["IsProd", 1, 2]},
        "e": {"Fn::Join": ["-", ["a", "b"]]},
        "f": {"Fn::ImportValue": "shared"},
        "g": {"Fn::FindInMap": ["M", "k", "v"]},
        "h": "2010-09-09",
    }
    # YAML 1.2 booleans, as CloudFormation and js-yaml read them.
    path.write_text("Off: on\nyes: true\n")
    assert load_yaml(path) == {"Off": "on", "yes": True}


def test_globals_merge_scalars_replaced_maps_merged_lists_added() -> None:
    merged = merge_globals(
        {"Timeout": 10, "Environment": {"Variables": {"A": "1", "B": "2"}}, "Layers": ["l1"]},
        {"Timeout": 20, "Environment": {"Variables": {"B": "3"}}, "Layers": ["l2"]},
    )
    assert merged["Timeout"][0] == 20
    assert merged["Environment"][0] == {"Variables": {"A": "1", "B": "3"}}
    assert merged["Layers"][0] == ["l1", "l2"]


def test_template_imports_per_samconfig_environment(project: Path) -> None:
    document = import_json(cwd=project)
    assert document["format"] == "sam"
    assert written(project / "faas.toml") == document["config"]
    assert set(document["config"]["stages"]) == {"default", "prod"}
    assert document["config"]["name"] == "sample-app"
    default = stage_config(project / "faas.toml", "default")
    prod = stage_config(project / "faas.toml", "prod")
    assert default.app is not None and prod.app is not None
    assert (default.app.entry, default.app.interface) == ("app.main:app", "asgi")
    assert (default.app.memory, default.app.timeout) == (512, 10)
    assert default.app.environment == {"LOG_LEVEL": "DEBUG", "SHARED": "yes", "STAGE_NAME": "dev-web", "DEBUG": "false"}
    assert prod.app.environment["LOG_LEVEL"] == "WARN" and prod.app.environment["STAGE_NAME"] == "prod-web"
    assert default.providers["aws"]["front_door"] == "http-api"
    assert default.providers["aws"]["region"] == "eu-west-1"
    assert default.python == "3.10"
    plan_local(project, "default")
    report = entries(document)
    assert report["Resources.WebFunction.Properties.Environment.Variables.TABLE_ARN"]["status"] == "warn"
    assert report["Globals.Function.Runtime"]["status"] == "warn"
    assert report["Globals.Function.Environment.Variables.LOG_LEVEL"]["status"] == "mapped"
    assert report["Outputs"]["status"] == "info"


def test_functions_triggers_defaults_and_conditions(project: Path) -> None:
    document = import_json(cwd=project)
    default = stage_config(project / "faas.toml", "default")
    prod = stage_config(project / "faas.toml", "prod")
    (thumbnail,) = default.functions
    assert thumbnail.entry == "workers.thumbs:handler"
    # SAM's default memory, Globals' timeout.
    assert (thumbnail.memory, thumbnail.timeout) == (128, 10)
    triggers = [trigger.model_dump(mode="json") for trigger in thumbnail.triggers]
    assert triggers == [
        {"storage": {"bucket": "uploads-dev", "events": ["created"], "prefix": "incoming/", "suffix": ""}},
        {"queue": {"name": "sample-app-jobsqueue", "batch_size": 5}},
        {"schedule": "cron(0 2 * * MON-FRI)"},
        {"schedule": "rate(7 days)"},
        {"schedule": "cron(30 * * * *)"},
    ]
    # ProdReport exists only where its Condition holds.
    assert [function.name for function in prod.functions] == ["thumbnail-function", "prod-report"]
    report = entries(document)
    events = "Resources.ThumbnailFunction.Properties.Events"
    assert report[f"{events}.Jobs"]["status"] == "warn" and "generated" in report[f"{events}.Jobs"]["reason"]
    assert report[f"{events}.Weekly"]["status"] == "warn" and "Timezone" in report[f"{events}.Weekly"]["reason"]
    assert report[f"{events}.Off"]["status"] == "warn" and "disabled" in report[f"{events}.Off"]["reason"]
    assert report[f"{events}.Alerts"]["status"] == "warn" and "topic" in report[f"{events}.Alerts"]["reason"]
    assert report["Resources.ThumbnailFunction.Properties.Policies"]["status"] == "warn"
    assert default.providers["aws"]["iam_statements"] == [
        {"effect": "Allow", "actions": ["s3:GetObject"], "resources": ["arn:aws:s3:::uploads-bucket/*"]}
    ]
    assert report["Resources.Table"]["status"] == "warn"
    assert report["Resources.HourlyRule"]["status"] == "mapped"


LWA_TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  App:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src
      Handler: run.sh
      Runtime: python3.12
      MemorySize: 256
      Layers:
        - !Sub arn:aws:lambda:${AWS::Region}:753240598075:layer:LambdaAdapterLayerX86:22
      Environment:
        Variables:
          AWS_LAMBDA_EXEC_WRAPPER: /opt/bootstrap
          AWS_LWA_INVOKE_MODE: buffered
          PORT: 8000
      FunctionUrlConfig:
        AuthType: NONE
"""


def test_lambda_web_adapter_app_is_found_in_run_sh(tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text(LWA_TEMPLATE)
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "__init__.py").write_text("")
    (tmp_path / "src" / "app.py").write_text("from flask import Flask\napp = Flask(__name__)\n")
    (tmp_path / "src" / "run.sh").write_text(
        "#!/bin/bash\nPATH=$PATH:$LAMBDA_TASK_ROOT/bin exec python -m gunicorn -b=:$PORT -w=1 app:app\n"
    )
    document = import_json(cwd=tmp_path)
    app = document["config"]["app"]
    assert (app["entry"], app["interface"], app["memory"], app["timeout"]) == ("src.app:app", "wsgi", 256, 3)
    # The adapter's own variables are not copied: faas's handler would hand over to a missing bootstrap.
    assert app["environment"] == {"PORT": "8000"}
    assert document["config"]["providers"]["aws"]["front_door"] == "function-url"
    report = entries(document)
    assert report["Resources.App.Properties.Layers"]["status"] == "info"
    plan_local(tmp_path, "default")


@pytest.mark.parametrize(
    ("handler_module", "interface"),
    [
        (
            "import serverless_wsgi\nfrom web import app\n\ndef handler(event, context):\n"
            "    return serverless_wsgi.handle_request(app, event, context)\n",
            "wsgi",
        ),
        (
            "from apig_wsgi import make_lambda_handler\nfrom web import app\n\nhandler = make_lambda_handler(app)\n",
            "wsgi",
        ),
        ("from mangum import Mangum\nfrom web import app\n\nhandler = Mangum(app, lifespan='off')\n", "asgi"),
    ],
)
def test_web_apps_behind_wsgi_and_asgi_wrappers(tmp_path: Path, handler_module: str, interface: str) -> None:
    (tmp_path / "template.yaml").write_text(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Web:\n    Type: AWS::Serverless::Function\n"
        "    Properties:\n      Handler: lambda_function.handler\n      Runtime: python3.11\n"
        "      Events:\n        Proxy:\n          Type: Api\n          Properties:\n            Path: /{proxy+}\n"
        "            Method: any\n"
    )
    (tmp_path / "lambda_function.py").write_text(handler_module)
    document = import_json(cwd=tmp_path)
    app = document["config"]["app"]
    assert (app["entry"], app["interface"]) == ("lambda_function:app", interface)
    assert (app["memory"], app["timeout"]) == (128, 3)
    assert document["config"]["providers"]["aws"]["front_door"] == "rest-api"
    assert "functions" not in document["config"]


def test_a_plain_handler_is_a_function_not_an_app(tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  HelloWorldFunction:\n"
        "    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: hello_world/\n"
        "      Handler: app.lambda_handler\n      Runtime: python3.13\n      Events:\n        HelloWorld:\n"
        "          Type: Api\n          Properties:\n            Path: /hello\n            Method: get\n"
    )
    (tmp_path / "hello_world").mkdir()
    (tmp_path / "hello_world" / "app.py").write_text("def lambda_handler(event, context):\n    return {}\n")
    document = import_json(cwd=tmp_path)
    (function,) = document["config"]["functions"]
    assert function == {
        "name": "hello-world-function",
        "entry": "hello_world.app:lambda_handler",
        "memory": 128,
        "timeout": 3,
        "triggers": [],
    }
    entry = entries(document)["Resources.HelloWorldFunction.Properties.Events.HelloWorld"]
    assert entry["status"] == "warn" and "[app]" in entry["reason"]
