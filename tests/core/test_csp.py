"""The Content-Security-Policy carries a fresh nonce per request, and our scripts carry it."""

import re
from pathlib import Path

import pytest

import guildbook

pytestmark = pytest.mark.django_db


def nonce_of(response) -> str:
    policy = response["Content-Security-Policy"]
    script_src = next(p for p in policy.split(";") if p.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src
    assert "'nonce'" not in script_src
    found = re.search(r"'nonce-([A-Za-z0-9+/=]{16,})'", script_src)
    assert found, policy
    return found.group(1)


def test_each_page_sends_its_own_nonce_and_its_scripts_carry_it(client):
    first = client.get("/")
    second = client.get("/")
    assert first.status_code == second.status_code == 200
    nonce = nonce_of(first)
    assert nonce != nonce_of(second)
    scripts = re.findall(r"<script\b[^>]*>", first.content.decode())
    assert scripts
    for tag in scripts:
        assert f'nonce="{nonce}"' in tag


def test_every_script_in_our_templates_carries_the_nonce():
    root = Path(guildbook.__file__).parent
    for template in root.rglob("templates/**/*.html"):
        for tag in re.findall(r"<script\b[^>]*>", template.read_text()):
            assert 'nonce="{{ request.csp_nonce }}"' in tag, f"{template}: {tag}"
