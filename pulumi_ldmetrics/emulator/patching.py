"""JSON Patch (RFC 6902) for `PATCH /api/v2/metrics/{projectKey}/{metricKey}`.

Metric PATCH bodies are bare JSON Patch arrays (reference §3). What LaunchDarkly's own
Terraform provider sends, and the live API therefore accepts, fixes two points:

* `replace` does not require its target to exist: `replace /percentileValue null` goes out
  on every update, mean metrics included, which have no percentile value. The model that
  explains it: the API patches its full representation, in which every `MetricPost` field
  is present (`null` when unset). So the ops apply to the `MetricRep` with each absent
  editable field as `null`, and `replace` or `remove` of such a field works; a path outside
  the representation (`/nope`) is still a 400, as RFC 6902 requires.
* `replace /isActive true` (a deprecated, computed field) goes out on every update too: it is
  accepted and has no effect, like an unknown body field.

Our choices where no client tells (§16):

* A body that is not a JSON array is a 400 `invalid_request`; the `{comment, patch}`
  envelope is not accepted, since the metrics operation documents only the bare array.
* `add`, `remove`, `replace` and `test` are supported; `move` and `copy` get a 400.
* A failed `test` op is a 400 `invalid_request` (§16.12 is unconfirmed).
* Writes to `/key`, any `/_*` path and the other read-only fields are a 400. `test` may read
  them, so `{"op": "test", "path": "/_version", "value": 3}` works as a precondition.
* `/randomizationUnits` is accepted as an alias write of `analysisUnits`.

Ops apply all or nothing: the patched copy is discarded on error.
"""

from __future__ import annotations

from typing import Any, Final

import jsonpatch
import jsonpointer

from pulumi_ldmetrics.emulator.jsonbody import BodyError, check_document, parse_json
from pulumi_ldmetrics.emulator.representation import READ_ONLY_FIELDS
from pulumi_ldmetrics.emulator.validation import EDITABLE_FIELDS

JSONDict = dict[str, Any]

SUPPORTED_OPS: Final = ("add", "remove", "replace", "test")
IGNORED_WRITES: Final = frozenset({"isActive"})
"""Read-only fields a write to which is accepted and dropped (the Terraform provider's)."""


class PatchError(ValueError):
    """The patch is malformed or cannot be applied; the message is the 400 message."""


def parse_patch(body: bytes) -> list[JSONDict]:
    """Parse and check a JSON Patch body; raise PatchError if it is not acceptable."""
    try:
        ops = parse_json(body) if body else None
    except BodyError as err:
        raise PatchError(str(err)) from None
    if not isinstance(ops, list):
        raise PatchError("body: must be a JSON Patch array of operations")
    for i, op in enumerate(ops):
        _check_op(i, op)
    return ops


def _check_op(index: int, op: Any) -> None:
    where = f"patch[{index}]"
    if not isinstance(op, dict):
        raise PatchError(f"{where}: must be an object")
    name, path = op.get("op"), op.get("path")
    if name not in SUPPORTED_OPS:
        raise PatchError(f"{where}.op: must be one of {', '.join(SUPPORTED_OPS)}")
    if not isinstance(path, str) or not path.startswith("/"):
        raise PatchError(f"{where}.path: must be a JSON pointer starting with '/'")
    if name in ("add", "replace", "test") and "value" not in op:
        raise PatchError(f"{where}.value: is required for {name}")
    if name != "test":
        field = _top_field(path)
        if field in IGNORED_WRITES:
            return
        if field == "key" or field.startswith("_") or field in READ_ONLY_FIELDS:
            raise PatchError(f"{where}.path: {path} is read-only")


def _top_field(path: str) -> str:
    return path.split("/", 2)[1].replace("~1", "/").replace("~0", "~")


def patch_target(rep: JSONDict) -> JSONDict:
    """`rep` with every editable field it lacks present as `null` (see the module docstring)."""
    target: JSONDict = dict.fromkeys(sorted(EDITABLE_FIELDS - set(rep)))
    target.update(rep)
    return target


def apply_ops(rep: JSONDict, ops: list[JSONDict]) -> JSONDict:
    """Return a patched copy of `rep`; `rep` itself is never modified."""
    try:
        patched: JSONDict = jsonpatch.apply_patch(rep, ops, in_place=False)
    except jsonpatch.JsonPatchTestFailed as err:
        raise PatchError(f"test operation failed: {err}") from None
    except (jsonpatch.JsonPatchException, jsonpointer.JsonPointerException) as err:
        raise PatchError(f"patch cannot be applied: {err}") from None
    except (TypeError, KeyError, IndexError, ValueError) as err:
        # jsonpatch lets these through for pointers into scalars or odd indexes.
        raise PatchError(f"patch cannot be applied: {err!r}") from None
    if not isinstance(patched, dict):
        raise PatchError("patch cannot be applied: the result is not an object")
    try:
        # Each patch is shallow, but patches stack: bound the stored document as a whole.
        check_document(patched, what="patched metric")
    except BodyError as err:
        raise PatchError(str(err)) from None
    return patched
