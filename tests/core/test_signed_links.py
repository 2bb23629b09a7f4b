from datetime import timedelta

import pytest

from guildbook.core.signed_links import BadLink, LinkSigner

SIGNER = LinkSigner(namespace="tests.links", purposes=("view", "sign"), max_age=timedelta(days=1))


def test_a_token_works_for_its_purpose_only():
    token = SIGNER.sign(42, "view")
    assert SIGNER.unsign(token, "view") == 42
    with pytest.raises(BadLink) as caught:
        SIGNER.unsign(token, "sign")
    assert caught.value.reason == "invalid"
    other = LinkSigner(namespace="tests.other", purposes=("view",), max_age=timedelta(days=1))
    with pytest.raises(BadLink):
        other.unsign(token, "view")
    with pytest.raises(ValueError):
        SIGNER.sign(42, "delete")


def test_a_token_expires_and_an_altered_one_is_refused():
    token = SIGNER.sign("key", "view")
    with pytest.raises(BadLink) as caught:
        SIGNER.unsign(token, "view", max_age=timedelta(seconds=-1))
    assert caught.value.reason == "expired"
    with pytest.raises(BadLink) as caught:
        SIGNER.unsign(token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "view")
    assert caught.value.reason == "invalid"


def test_changing_the_revision_revokes_the_links_made_before():
    token = SIGNER.sign(7, "view", revision=1)
    assert SIGNER.unsign(token, "view", revision=1) == 7
    with pytest.raises(BadLink) as caught:
        SIGNER.unsign(token, "view", revision=2)
    assert caught.value.reason == "revoked"
    with pytest.raises(BadLink):
        SIGNER.unsign(SIGNER.sign(7, "view"), "view", revision=1)
