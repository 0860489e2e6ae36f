"""A new user's path with Django on the local provider, through the real `faas` command and real HTTP.

`django-admin startproject` (run here, not a checked-in copy), `faas init`, `faas deploy` with no
flag and no edit: the pages, the admin login page with its CSS, `faas manage migrate` and
`createsuperuser`, an admin login (CSRF cookie, POST, session), a redeploy, a rollback, `faas
undeploy`; then the CSS again under `--emulate gcp` and `--emulate azure`.
"""

from __future__ import annotations

import re
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest

from tests.providers.local.conftest import stop_all
from tests.walks.user import Browser, assert_gone, deployed_url, faas

pytestmark = pytest.mark.slow
PASSWORD = "walk-the-path-9f2c"


class AdminBrowser(Browser):
    """A browser that logs into the Django admin."""

    def log_in(self, base: str) -> bytes:
        """Log into the admin as a user does; the page it lands on."""
        status, _, page, _ = self.request(base + "/admin/login/?next=/admin/")
        assert status == 200, page[:500]
        assert any(cookie.name == "csrftoken" for cookie in self.cookies), "no CSRF cookie"
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token is not None
        form = {"csrfmiddlewaretoken": token.group(1).decode(), "username": "admin", "password": PASSWORD}
        status, _, landed, url = self.request(base + "/admin/login/?next=/admin/", {**form, "next": "/admin/"})
        assert status == 200, landed[:2000]
        assert url.endswith("/admin/"), f"still on {url}: {landed[:2000]!r}"
        assert any(cookie.name == "sessionid" for cookie in self.cookies), "no session cookie"
        return landed


def assert_admin_css(base: str, admin: str = "/admin") -> None:
    """The login page renders, and every stylesheet it links is served as CSS."""
    browser = AdminBrowser()
    status, _, page, _ = browser.request(base + admin + "/login/")
    assert status == 200, page[:1000]
    stylesheets = re.findall(rb'<link rel="stylesheet" href="([^"]+\.css)"', page)
    assert len(stylesheets) >= 2, page[:1000]
    for href in stylesheets:
        status, content_type, css, _ = browser.request(urllib.parse.urljoin(base + "/", href.decode()))
        assert status == 200, (href, css[:300])
        assert content_type.startswith("text/css"), (href, content_type)
        assert b"{" in css


@pytest.fixture(scope="module")
def mysite(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("walk")
    project = root / "mysite"
    project.mkdir()
    subprocess.run([sys.executable, "-m", "django", "startproject", "mysite", str(project)], check=True)
    yield project
    stop_all(root)


def test_django_from_startproject_to_undeploy(mysite: Path) -> None:
    faas(mysite, "init")
    faas(mysite, "deploy")
    base = deployed_url(mysite)

    status, _, page, _ = AdminBrowser().request(base + "/")
    assert status == 200 and b"The install worked successfully" in page
    assert_admin_css(base)  # served from the local static bucket: no staticfiles_urlpatterns()

    assert "Applying sessions.0001_initial... OK" in faas(mysite, "manage", "migrate").stdout
    # createsuperuser --noinput reads the password from the function's environment, as Django documents.
    config = mysite / "faas.toml"
    text = config.read_text()
    line = 'environment = { DJANGO_SETTINGS_MODULE = "mysite.settings" }'
    assert line in text
    with_password = line.replace(" }", ', DJANGO_SUPERUSER_PASSWORD = "${env:DJANGO_SUPERUSER_PASSWORD}" }')
    config.write_text(text.replace(line, with_password))
    secret = {"DJANGO_SUPERUSER_PASSWORD": PASSWORD}
    faas(mysite, "deploy", env=secret)
    # The redeployed version finds the first one's database: nothing left to migrate.
    assert "No migrations to apply." in faas(mysite, "manage", "migrate", env=secret).stdout
    faas(mysite, "manage", "createsuperuser", "--noinput", "--username", "admin", "--email", "a@x.org", env=secret)
    browser = AdminBrowser()
    assert b"Site administration" in browser.log_in(base)

    # A redeploy of changed code: the database (users, sessions) is still there.
    urls = mysite / "mysite" / "urls.py"
    urls.write_text(
        urls.read_text()
        + "\nfrom django.http import HttpResponse\n\n"
        + 'urlpatterns.append(path("version/", lambda request: HttpResponse("two")))\n'
    )
    faas(mysite, "deploy", env=secret)
    assert AdminBrowser().request(base + "/version/")[2] == b"two"
    status, _, page, _ = browser.request(base + "/admin/")
    assert status == 200 and b"Site administration" in page, "the session did not survive the redeploy"
    assert b"Site administration" in AdminBrowser().log_in(base)
    assert_admin_css(base)

    faas(mysite, "rollback", env=secret)
    assert AdminBrowser().request(base + "/version/")[0] == 404
    assert b"Site administration" in AdminBrowser().log_in(base), "the database did not survive the rollback"
    assert_admin_css(base)

    faas(mysite, "undeploy", "--yes", env=secret)
    assert_gone(mysite, base)


@pytest.mark.parametrize("platform", ["gcp", "azure"])
def test_the_admin_css_is_served_under_every_emulation(mysite: Path, platform: str) -> None:
    if not (mysite / "faas.toml").exists():
        faas(mysite, "init")
    secret = {"DJANGO_SUPERUSER_PASSWORD": PASSWORD}  # read by the walk's faas.toml, if it ran first
    admin = "/admin"
    if platform == "azure":
        # Azure's host keeps /admin/* (its admin API): the admin is mounted elsewhere too, as the
        # azure provider's plan tells a Django user to do.
        urls = mysite / "mysite" / "urls.py"
        if "site-admin/" not in urls.read_text():
            urls.write_text(urls.read_text() + '\nurlpatterns.append(path("site-admin/", admin.site.urls))\n')
        admin = "/site-admin"
    faas(mysite, "deploy", "--emulate", platform, env=secret)
    try:
        base = deployed_url(mysite, env=secret)
        assert_admin_css(base, admin)
        if platform == "azure":
            assert AdminBrowser().request(base + "/admin/login/")[0] == 401  # the host's, not Django's
    finally:
        faas(mysite, "undeploy", "--yes", env=secret)
