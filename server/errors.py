"""The one error type of the API: it becomes `{"error": {"code", "message"}}` with its status."""


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, **extra):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.extra = extra

    def body(self) -> dict:
        return {"error": {"code": self.code, "message": self.message, **self.extra}}


def not_found(what: str = "thread") -> ApiError:
    # One boring answer whether the thing is missing or hidden from this user.
    return ApiError(404, "not_found", f"No such {what}.")


def forbidden(code: str, message: str) -> ApiError:
    return ApiError(403, code, message)


def invalid(code: str, message: str, **extra) -> ApiError:
    return ApiError(422, code, message, **extra)
