"""Translate boto3/botocore exceptions into the datastore's one-line error types.

Imported only by the S3 backend; botocore is imported lazily, when an error is translated.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flowc.runtime_shim.datastore.base import DatastoreError, NotFound, Unreachable

if TYPE_CHECKING:
    from flowc.runtime_shim.datastore.s3 import S3Datastore

_NOT_FOUND = {"NoSuchKey", "NotFound", "404"}
_CREDENTIALS = {
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "ExpiredToken",
    "InvalidToken",
    "TokenRefreshRequired",
}


def error_code(exc: BaseException) -> str:
    """The S3 error code of a botocore ClientError (`NoSuchKey`, `404`, ...), else ''."""
    response = getattr(exc, "response", None)
    if not isinstance(response, dict):
        return ""
    return str(response.get("Error", {}).get("Code", ""))


def is_not_found(exc: BaseException) -> bool:
    return error_code(exc) in _NOT_FOUND


def is_precondition_failed(exc: BaseException | None) -> bool:
    """A conditional write refused because the key exists (412), or lost a race (409)."""
    return exc is not None and error_code(exc) in {
        "PreconditionFailed", "412", "ConditionalRequestConflict", "409"}


def no_answer(store: S3Datastore, what: str, seconds: float) -> Unreachable:
    """The error for a request that passed its deadline."""
    return Unreachable(
        f"S3 endpoint {store.endpoint()} did not answer within {seconds:g}s ({what}; the "
        "deadline is FLOWC_S3_DEADLINE)"
    )


def _endpoint(store: S3Datastore) -> str:
    return f", endpoint {store.endpoint_url}" if store.endpoint_url else ""


def bucket_missing(store: S3Datastore) -> DatastoreError:
    return DatastoreError(
        f"bucket '{store.bucket}' does not exist ({store.url}{_endpoint(store)}): "
        "create it or fix the datastore URL"
    )


def translate(exc: BaseException, store: S3Datastore, what: str) -> DatastoreError:
    """A DatastoreError (NotFound for a missing key) with a one-line message about `what`."""
    from botocore import exceptions as boto  # type: ignore[import-untyped]

    if isinstance(exc, DatastoreError):  # already one line: never wrapped twice
        return exc
    code = error_code(exc)
    if code == "NoSuchBucket":
        return bucket_missing(store)
    if code in _NOT_FOUND:
        if not store.bucket_exists():
            return bucket_missing(store)
        return NotFound(f"{what} does not exist")
    if code in _CREDENTIALS:
        return DatastoreError(
            f"AWS credentials were rejected for {store.url} ({code}{_endpoint(store)}): "
            "check AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE"
        )
    if code in {"AccessDenied", "403", "AllAccessDisabled"}:
        return DatastoreError(f"access denied to {what} ({code}{_endpoint(store)})")
    if code:
        message = _one_line(getattr(exc, "response", {}).get("Error", {}).get("Message", ""))
        return DatastoreError(f"S3 error on {what}: {code}: {message}".rstrip(": "))
    if isinstance(exc, boto.NoCredentialsError | boto.PartialCredentialsError):
        return DatastoreError(
            f"no AWS credentials found for {store.url}: set AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or run with an instance/pod role"
        )
    if isinstance(exc, boto.NoRegionError):
        return DatastoreError(f"no AWS region configured for {store.url}: set AWS_DEFAULT_REGION")
    if isinstance(exc, boto.EndpointConnectionError | boto.ConnectionError
                  | boto.HTTPClientError):  # refused, reset, closed, timed out
        return Unreachable(
            f"cannot reach S3 endpoint {store.endpoint()} ({what}; "
            f"{store.limits.max_attempts} attempts): {_one_line(str(exc))}"
        )
    return DatastoreError(f"S3 error on {what}: {type(exc).__name__}: {_one_line(str(exc))}")


def _one_line(text: Any) -> str:
    return " ".join(str(text).split())
