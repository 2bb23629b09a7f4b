"""Pages kept in a shared cache must not share a Content-Security-Policy nonce.

A nonce is only worth anything if it is new for every response, so a cached page is stored
with a placeholder where the nonce was, and the requesting response's own nonce is put back
when it is served.
"""

NONCE_SLOT = b"__csp_nonce__"


def nonce_removed(request, html: bytes) -> bytes:
    return html.replace(str(request.csp_nonce).encode(), NONCE_SLOT)


def nonce_restored(request, html: bytes) -> bytes:
    return html.replace(NONCE_SLOT, str(request.csp_nonce).encode())
