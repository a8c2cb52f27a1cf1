"""AWS clients for deploying (Step Functions, EventBridge Scheduler) and the one place their
errors become one line: no credentials or no region (exit 2, saying what to set), an
endpoint that does not answer (exit 3), a refused call (exit 1 naming the call and the
resource; exit 2 when the credentials are refused). boto3 is imported here only, and honours
`AWS_ENDPOINT_URL` (and `AWS_ENDPOINT_URL_<SERVICE>`) by itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flowc.targets.deploy.errors import EXIT_REFUSED, EXIT_USAGE, DeployError, Unreachable

T = TypeVar("T")
CONNECT_TIMEOUT = 10
READ_TIMEOUT = 60
MAX_ATTEMPTS = 4
CREDENTIAL_CODES = frozenset({
    "AccessDenied", "AccessDeniedException", "UnrecognizedClientException",
    "InvalidSignatureException", "ExpiredToken", "ExpiredTokenException",
    "InvalidClientTokenId", "MissingAuthenticationToken",
})
NOT_FOUND_CODES = frozenset({"ResourceNotFoundException", "StateMachineDoesNotExist",
                             "NotFoundException", "NoSuchKey"})


class NotFound(Exception):
    """The resource a read asked for does not exist."""


def client(service: str) -> Any:
    """A boto3 client with bounded timeouts and retries (region from the AWS configuration)."""
    import boto3
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError

    config = Config(connect_timeout=CONNECT_TIMEOUT, read_timeout=READ_TIMEOUT,
                    retries={"max_attempts": MAX_ATTEMPTS, "mode": "standard"})
    try:
        return boto3.client(service, config=config)
    except BotoCoreError as exc:
        raise _botocore_error(exc, f"creating the {service} client", service) from None


def call(what: str, action: Callable[[], T], *, missing_ok: bool = False) -> T:
    """Run one AWS call; `what` names the call and the resource for messages. With
    `missing_ok`, a not-found error raises NotFound instead of DeployError."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        return action()
    except ClientError as exc:
        error = exc.response.get("Error", {})
        code = str(error.get("Code", ""))
        message = str(error.get("Message", "")) or str(exc)
        status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
        if missing_ok and (code in NOT_FOUND_CODES or status == 404):
            raise NotFound(what) from None
        if code in CREDENTIAL_CODES:
            raise DeployError(f"{what} was refused ({code}: {message}): check the AWS "
                              "credentials (AWS_PROFILE, or AWS_ACCESS_KEY_ID and "
                              "AWS_SECRET_ACCESS_KEY)", EXIT_USAGE) from None
        if status >= 500:
            raise Unreachable(f"{what} failed: {code or status} {message}") from None
        raise DeployError(f"{what} failed: {code} {message}".strip(), EXIT_REFUSED) from None
    except BotoCoreError as exc:
        raise _botocore_error(exc, what, "AWS") from None


def _botocore_error(exc: Exception, what: str, service: str) -> DeployError:
    from botocore.exceptions import (
        ConnectionError,
        ConnectTimeoutError,
        EndpointConnectionError,
        NoCredentialsError,
        NoRegionError,
        ReadTimeoutError,
    )

    if isinstance(exc, NoCredentialsError):
        return DeployError(f"{what}: no AWS credentials found: set AWS_PROFILE, or "
                           "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
    if isinstance(exc, NoRegionError):
        return DeployError(f"{what}: no AWS region: set AWS_REGION (or AWS_DEFAULT_REGION, or "
                           "region in the AWS profile)")
    if isinstance(exc, EndpointConnectionError | ConnectTimeoutError | ReadTimeoutError
                  | ConnectionError):
        return Unreachable(f"cannot reach {service} ({what}): {exc}")
    return DeployError(f"{what} failed: {exc}", EXIT_REFUSED)
