"""Finding 5: the API key goes only to the configured origin, over https (or to this computer).

A redirect is never followed (requests would resend X-API-KEY to the new host), http:// is
accepted for loopback addresses only, and a new CRM address needs the key typed again.
"""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from integration.exchange.jobs import run_inline
from integration.exchange.messages import render
from integration.models import CrmSettings
from tests.security.conftest import exported_settings, form_errors, post_settings, upload_settings_file

pytestmark = pytest.mark.django_db

API_KEY = "Kx7-secret-api-key-for-redirect-test-0042"


class _Recorder(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        self.server.seen.append({"path": self.path, "key": self.headers.get("X-API-KEY")})
        if self.server.redirect_to:
            self.send_response(self.server.status)
            self.send_header("Location", self.server.redirect_to + self.path)
            self.end_headers()
            return
        body = json.dumps({"success": True}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def servers():
    """Two HTTP servers on loopback (two origins): the first redirects everything to the second."""
    started = []

    def start(redirect_to=None, status=302):
        server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
        server.seen, server.redirect_to, server.status = [], redirect_to, status
        threading.Thread(target=server.serve_forever, daemon=True).start()
        started.append(server)
        return server, f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in started:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_the_api_key_never_follows_a_redirect_to_another_origin(servers, status):
    elsewhere, elsewhere_url = servers()
    crm, crm_url = servers(redirect_to=elsewhere_url, status=status)
    CrmSettings.get_solo()
    CrmSettings.objects.update(crm_url=crm_url, api_key=API_KEY)
    run = run_inline("check-connection")
    assert crm.seen and crm.seen[0]["key"] == API_KEY  # the configured origin got it
    assert elsewhere.seen == []  # the other origin got nothing at all, least of all the key
    row = CrmSettings.get_solo()
    assert not row.connection_ok and "redirect" in render(row.connection_message)
    assert elsewhere_url in render(row.connection_message) and API_KEY not in render(row.connection_message)
    assert run.status == "failed"


def test_a_stored_plain_http_address_of_another_host_is_refused_by_the_client(servers):
    CrmSettings.get_solo()
    CrmSettings.objects.update(crm_url="http://crm.example.invalid", api_key=API_KEY)
    run = run_inline("check-connection")
    assert run.status == "failed" and "use https://" in render(run.error)
    assert not CrmSettings.get_solo().connection_ok


@pytest.mark.parametrize("address", ["http://crm.example.com", "http://10.0.0.5:8080", "http://192.168.1.1",
                                     "ftp://crm.example.com", "http://127.0.0.1.example.com"])
def test_the_form_refuses_http_for_other_hosts(admin_client, address):
    errors = form_errors(post_settings(admin_client, crm_url=address, api_key=API_KEY))
    assert "crm_url" in errors
    assert CrmSettings.get_solo().crm_url == ""


@pytest.mark.parametrize("address", ["https://myshop.retailcrm.ru", "http://127.0.0.1:8001", "http://127.5.0.1",
                                     "http://localhost:8001", "http://[::1]:8001"])
def test_the_form_accepts_https_and_loopback_http(admin_client, address):
    assert post_settings(admin_client, crm_url=address, api_key=API_KEY).status_code == 302
    assert CrmSettings.get_solo().crm_url == address


def test_the_settings_file_refuses_http_for_other_hosts(admin_client):
    data = exported_settings(admin_client)
    data["settings"]["crm_url"] = "http://crm.example.com"
    errors = dict(upload_settings_file(admin_client, json.dumps(data).encode()).context["file_errors"])
    assert "https://" in errors["settings.crm_url"]


def test_a_new_address_in_the_form_needs_the_key_again(admin_client):
    CrmSettings.get_solo()
    CrmSettings.objects.update(crm_url="https://old.retailcrm.ru", api_key=API_KEY)
    errors = form_errors(post_settings(admin_client, crm_url="https://new.retailcrm.ru"))
    assert "enter the API key again" in errors["api_key"]
    assert CrmSettings.get_solo().crm_url == "https://old.retailcrm.ru"
    # the same address with the key left empty keeps it; a new address with the key typed again saves
    assert post_settings(admin_client, crm_url="https://old.retailcrm.ru").status_code == 302
    assert CrmSettings.get_solo().api_key == API_KEY
    assert post_settings(admin_client, crm_url="https://new.retailcrm.ru", api_key="new-key-" + "9" * 20).status_code == 302
    assert CrmSettings.get_solo().api_key == "new-key-" + "9" * 20


def test_a_new_address_in_the_settings_file_clears_the_key(admin_client):
    CrmSettings.get_solo()
    CrmSettings.objects.update(crm_url="https://old.retailcrm.ru", api_key=API_KEY)
    data = exported_settings(admin_client)
    del data["settings"]["api_key"]
    data["settings"]["crm_url"] = "https://new.retailcrm.ru"
    response = upload_settings_file(admin_client, json.dumps(data).encode())
    assert response.status_code == 302
    row = CrmSettings.get_solo()
    assert (row.crm_url, row.api_key) == ("https://new.retailcrm.ru", "")
    # the same address keeps the key
    CrmSettings.objects.update(api_key=API_KEY)
    upload_settings_file(admin_client, json.dumps(data).encode())
    assert CrmSettings.get_solo().api_key == API_KEY
