"""The one error type services raise when a request cannot be carried out.

Views show `message` beside `field`; the API answers it as JSON with `status`; the CLI
prints it on one line and exits non-zero.
"""


class ServiceError(Exception):
    status = 400
    code = "invalid"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code

    def as_dict(self) -> dict:
        return {"detail": self.message, "field": self.field, "code": self.code}


class Conflict(ServiceError):
    status = 409
    code = "conflict"


class NotAllowed(ServiceError):
    status = 403
    code = "not_allowed"
