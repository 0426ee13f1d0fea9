"""The contract every agent tool follows: pydantic input, pydantic output with `ok`, `text`, `error`.

A tool body receives a validated input and the settings and returns its output model. The
wrapper turns anything that goes wrong into an output with `ok=False` and an `error` whose
message says what to change: invalid input names the field, guardrails name the limit, and
unexpected failures give the exception's message, never a stack trace.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
from collections.abc import Callable
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from studies.settings import Settings, load_settings
from tracker import TunetrackError, redact, redact_text
from tracker.errors import StoreUnavailable, describe_validation_error

log = logging.getLogger(__name__)

ErrorKind = Literal["invalid_input", "not_found", "guardrail", "error"]


class GuardrailError(TunetrackError, ValueError):
    """A request outside what settings allow an agent (objective, trials, cost, workers, paths)."""


class NotFoundError(TunetrackError, LookupError):
    """A study (or run) that does not exist; the message lists what does."""


class ToolError(BaseModel):
    """Why a call failed, in words an agent can act on."""

    kind: ErrorKind = Field(description="invalid_input | not_found | guardrail | error")
    message: str


class ToolOutput(BaseModel):
    """Fields every tool output has; each tool adds `result`."""

    model_config = ConfigDict(extra="forbid")

    ok: bool = Field(description="False when the call failed; then `error` says why and `result` is null.")
    text: str = Field(description="A short summary of the result (or the error) to quote.")
    error: ToolError | None = None


class ToolInput(BaseModel):
    model_config = ConfigDict(extra="forbid")


InputT = TypeVar("InputT", bound=ToolInput)
OutputT = TypeVar("OutputT", bound=ToolOutput)


@dataclasses.dataclass(frozen=True)
class ToolSpec:
    """One registered tool: what MCP (or any other surface) needs to serve it."""

    name: str
    function: Callable[..., ToolOutput]
    input_model: type[ToolInput]
    output_model: type[ToolOutput]
    description: str
    read_only: bool


TOOLS: dict[str, ToolSpec] = {}


def agent_tool(
    input_model: type[InputT], output_model: type[OutputT], *, read_only: bool = True
) -> Callable[[Callable[[InputT, Settings], OutputT]], Callable[..., OutputT]]:
    """Register `body(request, settings) -> output` as a tool callable as `tool(request)` or `tool(**fields)`."""

    def decorate(body: Callable[[InputT, Settings], OutputT]) -> Callable[..., OutputT]:
        name = body.__name__

        @functools.wraps(body)
        def call(request: InputT | dict[str, Any] | None = None, /, *, settings: Settings | None = None,
                 **fields: Any) -> OutputT:
            try:
                if isinstance(request, input_model):
                    parsed = request
                else:
                    parsed = input_model.model_validate({**(request or {}), **fields})
            except ValidationError as exc:
                return failure(output_model, "invalid_input", describe_validation_error(exc, f"{name} input"))
            try:
                return redacted(body(parsed, settings or load_settings()))
            except GuardrailError as exc:
                return failure(output_model, "guardrail", str(exc))
            except StoreUnavailable as exc:
                return failure(output_model, "error", str(exc))
            except (NotFoundError, LookupError) as exc:
                return failure(output_model, "not_found", str(exc))
            except (TunetrackError, ValidationError, ValueError) as exc:
                message = describe_validation_error(exc, name) if isinstance(exc, ValidationError) else str(exc)
                return failure(output_model, "invalid_input", message)
            except Exception as exc:  # noqa: BLE001 - an agent gets a message, the log keeps the trace
                log.exception("agent tool %s failed", name)
                return failure(output_model, "error", f"{name} failed: {type(exc).__name__}: {exc}")

        call.__doc__ = body.__doc__
        TOOLS[name] = ToolSpec(name=name, function=call, input_model=input_model, output_model=output_model,
                               description=(body.__doc__ or name).strip(), read_only=read_only)
        return call

    return decorate


def failure(output_model: type[OutputT], kind: ErrorKind, message: str) -> OutputT:
    message = redact_text(message)
    return output_model(ok=False, text=f"error ({kind}): {message}", error=ToolError(kind=kind, message=message))


def redacted(output: OutputT) -> OutputT:
    """The output with credentials and secret-named values masked (storage URLs, messages, params)."""
    return type(output).model_validate(redact(output.model_dump(mode="json")))
