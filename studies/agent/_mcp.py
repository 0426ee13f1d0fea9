"""Serve the agent tools over the Model Context Protocol (stdio), with the official `mcp` SDK.

Each tool is registered with a signature made from its input model's fields (so an agent
sends plain named arguments) and its output model as the return type, so the SDK publishes
an output schema and returns structured content that validates against it.

    tunetrack mcp            # what an MCP client launches
"""

from __future__ import annotations

import inspect
import logging
import threading
import time
from typing import Annotated, Any

from pydantic import Field

from studies.agent._audit import AuditTrail
from studies.agent._base import TOOLS, ToolSpec
from studies.settings import Settings, load_settings

log = logging.getLogger(__name__)

INSTRUCTIONS = (
    "tunetrack tunes metaheuristic solvers with Optuna and records everything in MLflow. "
    "start_study returns at once while workers run in the background; poll get_study_status until its state "
    "is done, then get_best_params and compare_trials. promote re-evaluates the winner on fresh seeds and "
    "held-out instances and is a dry run unless dry_run is false. Every answer has ok, text and, on failure, "
    "error.message saying what to change."
)


def build_server(settings: Settings | None = None, audit: AuditTrail | None = None) -> Any:
    """An `MCPServer` with every registered agent tool (settings read once, from the environment by default).

    Every call is recorded in `audit` (by default a new trail: one session run in the `agents`
    experiment, opened at the first call).
    """
    settings = settings or load_settings()
    warm_up(settings)
    server = _new_server(settings, audit)
    server.tunetrack_load()
    server.tunetrack_warmed.set()
    return server


def _new_server(settings: Settings, audit: AuditTrail | None = None) -> Any:
    """The server without its tools yet: `tunetrack_load()` registers them (and may run in another thread)."""
    server = _server_class()(name="tunetrack", instructions=INSTRUCTIONS)
    server.tunetrack_settings = settings
    server.tunetrack_audit = audit or AuditTrail(settings)  # so `serve` can close the session run
    return server


def register_tools(server: Any, settings: Settings, audit: AuditTrail) -> None:
    """Add every agent tool to `server`, with its input and output schemas and annotations."""
    from mcp.types import ToolAnnotations

    import studies.agent._tools  # noqa: F401 - registers the tools

    for spec in TOOLS.values():
        server.add_tool(
            mcp_function(spec, settings, audit),
            name=spec.name,
            description=spec.description,
            annotations=ToolAnnotations(read_only_hint=spec.read_only, destructive_hint=False,
                                        open_world_hint=False),
            structured_output=True,
        )
        tool = server._tool_manager.get_tool(spec.name)
        tool.parameters["additionalProperties"] = False  # unknown arguments are refused, not dropped


def _server_class() -> type:
    from mcp.server.mcpserver import MCPServer

    class TunetrackServer(MCPServer):
        """Tool calls go straight to the tool wrappers, which validate the raw arguments themselves.

        The SDK's own argument model would silently drop unknown arguments and answer schema
        errors in its own words; here every answer, refusals included, is the tool's output
        model (`ok`, `text`, `error`), and a failed call is flagged `isError: true`.

        The tools are registered by `tunetrack_load` (in `serve`, on a thread while the session
        starts), so `initialize` is answered at once; listing tools waits for them, and calling
        one also waits for the warm-up (`tunetrack_warmed`), so that a call never imports or
        opens the stores at the same time as the warm-up does.
        """

        tunetrack_settings: Settings
        tunetrack_audit: AuditTrail

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._tunetrack_loaded = threading.Event()
            self._tunetrack_failure: BaseException | None = None
            self.tunetrack_warmed = threading.Event()

        def tunetrack_load(self) -> None:
            """Register the tools (importing their modules); a failure is raised to whoever lists or calls them."""
            try:
                register_tools(self, self.tunetrack_settings, self.tunetrack_audit)
            except BaseException as exc:  # noqa: BLE001 - re-raised by every request that needs the tools
                self._tunetrack_failure = exc
                raise
            finally:
                self._tunetrack_loaded.set()

        async def _wait(self, event: threading.Event) -> None:
            """Until `event` is set (without blocking the session), then the loading failure if any."""
            if not event.is_set():
                import anyio

                await anyio.to_thread.run_sync(event.wait)
            if self._tunetrack_failure is not None:
                raise RuntimeError(f"the agent tools could not be loaded: {self._tunetrack_failure}")

        def _tool_input_schema(self, name: str) -> dict[str, Any] | None:
            self._tunetrack_loaded.wait()
            return super()._tool_input_schema(name)

        async def list_tools(self) -> Any:
            await self._wait(self._tunetrack_loaded)
            return await super().list_tools()

        async def call_tool(self, name: str, arguments: dict[str, Any], context: Any = None) -> Any:
            await self._wait(self.tunetrack_warmed)
            if name not in TOOLS:
                return await super().call_tool(name, arguments, context)
            import json

            import anyio
            from mcp.types import CallToolResult, TextContent

            function = self._tool_manager.get_tool(name).fn
            output = await anyio.to_thread.run_sync(lambda: function(ctx=context, **dict(arguments or {})))
            structured = output.model_dump(mode="json")
            return CallToolResult(content=[TextContent(type="text", text=json.dumps(structured))],
                                  structured_content=structured, is_error=not output.ok)

    return TunetrackServer


def warm_up(settings: Settings) -> None:
    """Import the heavy modules and open both stores once, so the first tool call is not the slow one.

    The first call in a process otherwise pays for importing MLflow, Optuna and the solvers and
    for opening (or creating) the stores: about 4 s here against 0.5 s for later calls, and
    `start_study` is meant to return at once.
    """
    try:
        import solvers.coloring  # noqa: F401
        import solvers.flowshop  # noqa: F401
        from studies import queries, runner  # noqa: F401
        from studies.storage import get_storage
        from tracker import Tracker

        resolved = settings.resolved()
        resolved.prepare_local_stores()
        Tracker(resolved).create_store()
        get_storage(resolved.studies.storage, heartbeat_interval=None, grace_period=None).get_all_studies()
    except Exception:  # noqa: BLE001 - a tool call will report the same problem as a clear error
        log.warning("warm-up failed; the first tool call will be slower", exc_info=True)


def serve(settings: Settings | None = None) -> None:
    """Serve over stdio until the client closes the connection; then close the session's audit run.

    `initialize` is answered before anything heavy happens: a thread registers the tools (their
    modules import Optuna, MLflow and the solvers), then opens the stores (`warm_up`), while the
    session starts; `tools/list` waits for the registration, a tool call for the warm-up too.
    """
    settings = settings or load_settings()
    server = _new_server(settings)

    def load() -> None:
        try:
            server.tunetrack_load()
            warm_up(settings)
        except BaseException:  # noqa: BLE001 - reported to the client by tools/list and tools/call
            log.exception("the agent tools could not be loaded")
        finally:
            server.tunetrack_warmed.set()

    threading.Thread(target=load, name="tunetrack-mcp-load", daemon=True).start()
    try:
        server.run("stdio")
    finally:
        server.tunetrack_audit.close()


def _client_of(ctx: Any) -> tuple[str, str] | None:
    """The client's name and version from its `initialize` request, if the session has them."""
    try:
        info = ctx.session.client_params.client_info
        return str(info.name), str(info.version)
    except Exception:  # noqa: BLE001 - no session (a direct call) or an older client
        return None


def mcp_function(spec: ToolSpec, settings: Settings, audit: AuditTrail | None = None) -> Any:
    """A function whose keyword parameters are the input model's fields and which returns the output model.

    It also receives the MCP context (the SDK injects it by its annotation) to name the client
    in the audit trail.
    """
    from mcp.server.mcpserver.context import Context

    def call(ctx: Context | None = None, **arguments: Any) -> Any:
        started = time.perf_counter()
        output = spec.function(arguments, settings=settings)
        if audit is not None:
            from tracker.redaction import redact

            audit.record(spec.name, redact(arguments), output, time.perf_counter() - started, _client_of(ctx))
        return output

    parameters = [inspect.Parameter("ctx", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=Context)]
    for name, field in spec.input_model.model_fields.items():
        annotation = Annotated[(field.annotation, *field.metadata, Field(description=field.description))]
        default = inspect.Parameter.empty if field.is_required() else field.get_default(call_default_factory=True)
        parameters.append(inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default,
                                            annotation=annotation))
    call.__name__ = spec.name
    call.__doc__ = spec.description
    call.__annotations__ = {"ctx": Context}
    call.__signature__ = inspect.Signature(parameters, return_annotation=spec.output_model)  # type: ignore[attr-defined]
    return call
