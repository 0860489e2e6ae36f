"""#15's production project: one Django faas.toml with a private network on every cloud, a
`${secret:db-password}` and a warm instance. The AWS test (aws/test_production.py) and the GCP + Azure
test (test_production_everywhere.py) deploy this same file."""

from __future__ import annotations

from dataclasses import dataclass

SECRET = "db-password"  # a name Secrets Manager, Secret Manager and Key Vault all accept

SETTINGS = """
import os
SECRET_KEY = "not-this-one"
ALLOWED_HOSTS = ["*"]
ROOT_URLCONF = "mysite.urls"
INSTALLED_APPS = []
MIDDLEWARE = []
DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "HOST": os.environ.get("DB_HOST", ""),
                         "NAME": "app", "USER": "app", "PASSWORD": os.environ.get("DB_PASSWORD", "")}}
"""
# /db answers what the app would connect with: the secret's value must arrive, resolved by the platform.
URLS = """
from django.conf import settings
from django.http import JsonResponse
from django.urls import path


def database(request):
    db = settings.DATABASES["default"]
    return JsonResponse({"host": db["HOST"], "password": db["PASSWORD"]})


urlpatterns = [path("", lambda request: JsonResponse({"hello": "django"})), path("db", database)]
"""
WSGI = """
import os
from django.core.wsgi import get_wsgi_application
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")
application = get_wsgi_application()
"""
FILES = {
    "mysite/__init__.py": "",
    "mysite/settings.py": SETTINGS,
    "mysite/urls.py": URLS,
    "mysite/wsgi.py": WSGI,
    "requirements.txt": "django>=5,<6\n",
}


@dataclass(frozen=True)
class Networks:
    """Each platform's own ids for the private network (the ids differ; the faas.toml is one)."""

    aws_subnet: str = "subnet-0a1b2c3d4e5f60718"
    aws_security_group: str = "sg-0a1b2c3d4e5f60718"
    gcp_region: str = "us-central1"
    gcp_connector: str = "projects/my-project/locations/us-central1/connectors/db-conn"
    azure_subnet: str = (
        "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/network/providers"
        "/Microsoft.Network/virtualNetworks/app-vnet/subnets/apps"
    )
    azure_key_vault: str = "faas-shared-kv"


def faas_toml(networks: Networks) -> str:
    return f"""
[app]
entry = "mysite.wsgi:application"
framework = "django"
settings_module = "mysite.settings"
min_instances = 1
environment = {{ DB_HOST = "db.internal", DB_PASSWORD = "${{secret:{SECRET}}}" }}

[providers.aws]
vpc = {{ subnets = ["{networks.aws_subnet}"], security_groups = ["{networks.aws_security_group}"] }}

[providers.gcp]
region = "{networks.gcp_region}"
vpc = {{ connector = "{networks.gcp_connector}" }}

[providers.azure]
vnet = {{ subnet = "{networks.azure_subnet}" }}
key_vault = "{networks.azure_key_vault}"
"""
