"""`akita-sim`: run the simulator (`serve`), load data into it (`seed`), print its state
(`export`), empty it (`reset`).

`serve` runs under waitress, a production WSGI server, because the destination's retries and
parallel delivery need a server that behaves like a real one (Flask's development server is
single-purpose and warns against exactly this). Data goes to `akita-sim.sqlite3` in the working
folder unless told otherwise, so it survives a restart. API keys are printed once, when
generated, and never logged.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import re
import resource
import signal
import sys
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any, NoReturn

from destination.errors import InputError
from simulator import __version__
from simulator.errors import DatabaseInUse, SimulatorError
from simulator.service import DEFAULT_JOURNAL_CAP, DEFAULT_SESSION_TIMEOUT, Simulator
from simulator.service.faults import ERROR_STATUSES, FaultPlan
from simulator.store import SQLiteStore
from simulator.web import gateway_of, simulator_of
from simulator.web.access import hosts_of
from simulator.web.live_server import (
    DEFAULT_CONNECTION_LIMIT,
    DEFAULT_IDLE_TIMEOUT,
    DEFAULT_THREADS,
    waitress_server,
)
from simulator.web.seeding import seed as seed_files
from simulator.web.serving import create_serving_app, opened_app

DEFAULT_DB = "akita-sim.sqlite3"
DEFAULT_API_KEY = "akita-dev-key"
DEFAULT_WORKSPACE = "default (akita-sim serve)"
ENV_PREFIX = "AKITA_SIM_"
DEFAULT_PORT = 8400
_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|[smh]?)")
_UNITS = {"": 1, "ms": 0.001, "s": 1, "m": 60, "h": 3600}


def parse_duration(text: str) -> timedelta:
    """"30m", "90s", "1h", "200ms" or plain seconds ("1800") as a positive timedelta."""
    match = _DURATION.fullmatch(text.strip().lower())
    try:
        duration = timedelta(seconds=float(match[1]) * _UNITS[match[2]] if match else 0)
    except OverflowError:  # beyond timedelta's 999,999,999 days
        duration = timedelta(0)
    if duration <= timedelta(0):  # also what rounds to 0 at timedelta's microsecond
        raise argparse.ArgumentTypeError(
            f"invalid duration {text!r}: use a positive 30m, 90s, 1h, 200ms or plain seconds"
        )
    return duration


def _probability(text: str) -> float:
    """An argparse type: a number from 0 to 1."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"invalid probability {text!r}: use 0 to 1, e.g. 0.1")
    return value


def _statuses(text: str) -> tuple[int, ...]:
    """An argparse type: statuses to inject, comma-separated, e.g. "500,503,429"."""
    allowed = ", ".join(map(str, ERROR_STATUSES))
    try:
        chosen = tuple(int(part) for part in text.split(","))
    except ValueError:
        chosen = ()
    if not chosen or any(status not in ERROR_STATUSES for status in chosen):
        raise argparse.ArgumentTypeError(f"invalid statuses {text!r}: choose among {allowed}")
    return tuple(dict.fromkeys(chosen))


def _bounded(low: int, high: int | None) -> Callable[[str], int]:
    """An argparse type: a whole number from `low` to `high` (None: no upper bound)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or value < low or (high is not None and value > high):
            upper = f" to {high}" if high is not None else " or more"
            raise argparse.ArgumentTypeError(f"invalid value {text!r}: use a whole number "
                                             f"{low}{upper}")
        return value
    return parse


def _per_minute(text: str) -> int:
    """An argparse type: `120/min` (or `120`) as a whole number of requests a minute."""
    number = text.strip().lower().removesuffix("/min")
    if not (number.isascii() and number.isdigit() and int(number) > 0):
        raise argparse.ArgumentTypeError(f"invalid rate {text!r}: use a count a minute, "
                                         "like 120/min")
    return int(number)


def is_loopback(host: str) -> bool:
    """True for addresses only this machine can reach (a hostname other than localhost: no)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def build_parser() -> argparse.ArgumentParser:
    """The `akita-sim` command line."""
    parser = argparse.ArgumentParser(prog="akita-sim", description="A local Akita.")
    parser.add_argument("--version", action="version", version=f"akita-sim {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the simulator over HTTP")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to bind (default 127.0.0.1: this machine only)")
    serve.add_argument("--port", type=_bounded(0, 65535), default=DEFAULT_PORT,
                       help=f"port to bind, 0 for any free one (default {DEFAULT_PORT})")
    where = serve.add_mutually_exclusive_group()
    where.add_argument("--db", default=DEFAULT_DB, metavar="PATH",
                       help=f"SQLite file to keep data in (default ./{DEFAULT_DB})")
    where.add_argument("--memory", action="store_true", help="keep data in memory only")
    serve.add_argument("--api-key", default=os.environ.get("AKITA_API_KEY"), metavar="KEY",
                       help=f"API key of the workspace to ensure (default $AKITA_API_KEY, else "
                            f"{DEFAULT_API_KEY}, the same on every start)")
    serve.add_argument("--session-timeout", type=parse_duration, default=DEFAULT_SESSION_TIMEOUT,
                       metavar="DURATION", help="inactivity that ends a session (default 30m)")
    serve.add_argument("--no-segment", dest="segment", action="store_false",
                       help="do not serve the local Segment Tracking API at /v1/...")
    serve.add_argument("--akita-wire", choices=("direct", "batch"), default="direct",
                       help="how the local Segment delivers into Akita: direct, one raw call a "
                            "request as Segment delivers to partner destinations (default), or "
                            "batch, batches of Akita messages")
    serve.add_argument("--dedup-window", type=parse_duration, default=timedelta(hours=24),
                       metavar="DURATION", help="how long the local Segment's edge remembers a "
                                                "messageId to drop repeats (default 24h)")
    serve.add_argument("--retry-window", type=parse_duration, default=timedelta(hours=4),
                       metavar="DURATION", help="how long the local Segment retries a call "
                                                "Akita did not take (default 4h)")
    serve.add_argument("--strict-accounts", action="store_true",
                       help="answer 409 instead of moving a contact to another account")
    serve.add_argument("--journal-cap", type=_bounded(1, None), default=DEFAULT_JOURNAL_CAP,
                       metavar="N", help=f"journal entries kept per workspace "
                                         f"(default {DEFAULT_JOURNAL_CAP})")
    serve.add_argument("--rest-rate-limit", type=_per_minute, metavar="N/min",
                       help="answer 429 with Retry-After past N REST requests a minute per "
                            "workspace, as Akita limits its REST API (default: no limit)")
    serve.add_argument("--seed", action="append", default=[], metavar="FILE",
                       help="load Segment calls or Akita messages from FILE into the served "
                            "workspace before serving (repeatable; seeding twice changes "
                            "nothing)")
    access = serve.add_argument_group(
        "access", "who may reach the server (loopback names and the bound address always may)")
    access.add_argument("--allowed-host", action="append", default=[], metavar="NAME",
                        help="another Host name to answer to, for a server reached by name "
                             "(repeatable); any other Host is refused")
    access.add_argument("--admin-token", metavar="TOKEN",
                        help="require TOKEN for /_sim and the dashboard, for a server shared "
                             "on a network (default: none)")
    serve.add_argument("--threads", type=_bounded(1, 64), default=DEFAULT_THREADS,
                       metavar="N", help=f"threads running requests (default {DEFAULT_THREADS}); "
                                         "connections are handled apart, however many")
    access.add_argument("--max-connections", type=_bounded(1, None),
                        default=DEFAULT_CONNECTION_LIMIT, metavar="N",
                        help=f"open connections served at once (default "
                             f"{DEFAULT_CONNECTION_LIMIT})")
    access.add_argument("--idle-timeout", type=_bounded(1, 3600), default=DEFAULT_IDLE_TIMEOUT,
                        metavar="SECONDS", help=f"close a connection idle this long (default "
                                                f"{DEFAULT_IDLE_TIMEOUT})")
    faults = serve.add_argument_group(
        "fault injection", "make ingest fail in every workspace (PUT /_sim/workspaces/ID/faults "
                           "changes one); a faulted request applies nothing")
    faults.add_argument("--fault-rate", type=_probability, default=0.0, metavar="P",
                        help="probability of an error answer, e.g. 0.1")
    faults.add_argument("--fault-statuses", type=_statuses, default=FaultPlan.statuses,
                        metavar="LIST", help="error statuses to answer with (default 500,503,429;"
                                             " 429 carries Retry-After)")
    faults.add_argument("--fault-drop-rate", type=_probability, default=0.0, metavar="P",
                        help="probability of closing the connection with no answer")
    faults.add_argument("--fault-lost-answer-rate", type=_probability, default=0.0, metavar="P",
                        help="probability of applying a batch, then closing with no answer")
    faults.add_argument("--fault-latency", type=parse_duration, metavar="DURATION",
                        help="delay added to every ingest request, e.g. 200ms")
    faults.add_argument("--fault-retry-after", type=_bounded(0, 3600), default=1,
                        metavar="SECONDS", help="Retry-After of 429 answers (default 1)")
    faults.add_argument("--fault-seed", type=int, metavar="N",
                        help="seed of the random draws, to replay a run (default: random)")

    seeding = commands.add_parser(
        "seed", help="load Segment calls or Akita messages into a workspace (idempotent)")
    seeding.add_argument("files", nargs="+", metavar="FILE",
                         help="JSON, JSON Lines or a Segment batch body, gzipped or not")
    seeding.add_argument("--db", default=DEFAULT_DB, metavar="PATH",
                         help=f"SQLite file (default ./{DEFAULT_DB})")
    seeding.add_argument("--api-key", default=os.environ.get("AKITA_API_KEY"), metavar="KEY",
                         help=f"the workspace's key (default $AKITA_API_KEY, else "
                              f"{DEFAULT_API_KEY}, serve's default)")
    for name, text in (("export", "print the state as JSON"),
                       ("reset", "empty workspaces (stop the server first, or use "
                                 "POST /_sim/reset on a running one)")):
        command = commands.add_parser(name, help=text)
        command.add_argument("--db", default=DEFAULT_DB, metavar="PATH",
                             help=f"SQLite file (default ./{DEFAULT_DB})")
        command.add_argument("--workspace", metavar="ID", help="only this workspace")
    commands.choices["export"].add_argument(
        "--session-timeout", type=parse_duration, default=DEFAULT_SESSION_TIMEOUT,
        metavar="DURATION", help="inactivity that ends a session (default 30m)")
    for command in commands.choices.values():
        _environment_defaults(command)
    return parser


def _environment_defaults(command: argparse.ArgumentParser) -> None:
    """Every flag takes its default from `AKITA_SIM_<FLAG>` when that is set (`--port`:
    AKITA_SIM_PORT; a switch: 1, true, yes or on; a repeatable flag: a comma-separated list),
    as CI jobs and containers configure servers; a flag given on the command line wins. Values
    are checked as the flag's are."""
    for action in command._actions:  # argparse keeps its actions here and offers no other way
        if not action.option_strings or action.dest in ("help", "version"):
            continue
        name = ENV_PREFIX + action.option_strings[-1].lstrip("-").replace("-", "_").upper()
        action.help = f"{action.help} [env {name}]"
        value = os.environ.get(name)
        if value is None:
            continue
        if action.nargs == 0:  # a switch
            action.default = value.strip().lower() in ("1", "true", "yes", "on")
        elif isinstance(action, argparse._AppendAction):
            action.default = [item.strip() for item in value.split(",") if item.strip()]
        else:
            action.default = value  # a string default goes through the flag's type


def _stop(signum: int, frame: Any) -> NoReturn:
    raise SystemExit(0)  # waitress's loop treats SystemExit as "shut down"


def _allow_descriptors(wanted: int) -> None:
    """Raise the soft limit on open files toward `wanted` (within the hard limit), so the
    connection limit can be reached: each connection is a descriptor."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


def serve(args: argparse.Namespace) -> int:
    """Run until Ctrl-C or SIGTERM; print where to send data and where to look."""
    app = create_serving_app({
        "AKITA_DB": None if args.memory else args.db,
        "AKITA_SESSION_TIMEOUT": args.session_timeout.total_seconds(),
        "AKITA_STRICT_ACCOUNTS": args.strict_accounts,
        "AKITA_JOURNAL_CAP": args.journal_cap,
        "AKITA_SERVED_HOST": args.host,
        "AKITA_ALLOWED_HOSTS": tuple(args.allowed_host),
        "AKITA_ADMIN_TOKEN": args.admin_token or None,
        "AKITA_REST_RATE_LIMIT": args.rest_rate_limit,
        "AKITA_SEGMENT_WIRE": args.akita_wire,
        "AKITA_SEGMENT_DEDUP_WINDOW": args.dedup_window.total_seconds(),
        "AKITA_SEGMENT_RETRY_WINDOW": args.retry_window.total_seconds(),
        "AKITA_API_KEY": args.api_key or DEFAULT_API_KEY,
        "AKITA_WORKSPACE_NAME": "akita-sim serve --api-key" if args.api_key else DEFAULT_WORKSPACE,
    }, segment=args.segment)
    simulator: Simulator = simulator_of(app)
    gateway = gateway_of(app)
    try:
        plan = FaultPlan(
            error_rate=args.fault_rate, statuses=args.fault_statuses,
            drop_rate=args.fault_drop_rate, lost_answer_rate=args.fault_lost_answer_rate,
            latency_ms=round(args.fault_latency.total_seconds() * 1000) if args.fault_latency
            else 0, retry_after=args.fault_retry_after, seed=args.fault_seed)
    except SimulatorError:
        simulator.close()
        raise
    simulator.faults.set_default(plan)
    try:
        _allow_descriptors(args.max_connections + 64)
        server = waitress_server(app, host=args.host, port=args.port, threads=args.threads,
                                 connection_limit=args.max_connections,
                                 idle_timeout=args.idle_timeout)
    except OSError as error:
        simulator.close()
        raise SimulatorError(f"cannot listen on {args.host}:{args.port}: {error}") from error
    workspace_id = simulator.workspace_for_key(app.config["AKITA_API_KEY"])
    seeded = "".join(f"  seeded:    {', '.join(f'{n} {what}' for what, n in found.items())} "
                     f"from {path}\n"
                     for path, found in _seeded(app, args.seed, app.config["AKITA_API_KEY"]))
    shown = ("as given with --api-key" if args.api_key else
             f"{DEFAULT_API_KEY}  (the default, the same on every start; --api-key KEY for "
             "another)")
    listening = getattr(server, "effective_listen", None) or [
        (server.effective_host, server.effective_port)]
    bases = [f"http://{f'[{h}]' if ':' in h else h}:{p}" for h, p in listening]
    if not is_loopback(args.host) and not args.admin_token:
        print(f"warning: listening on {args.host} lets other machines reach this simulator and "
              "its control API, which takes no API key: set --admin-token to require one",
              file=sys.stderr, flush=True)
    database = "in memory" if args.memory else os.path.abspath(args.db)
    segment = (f"  segment:   {bases[0]}  (host for Segment SDKs; a write key names a workspace)\n"
               if args.segment else "")
    admin = ("  admin:     /_sim and the dashboard need the admin token\n"
             if args.admin_token else "")
    # Both set explicitly: a shell starts a background job (`akita-sim serve &`) with SIGINT
    # ignored, and Python's KeyboardInterrupt would then never come.
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    try:
        print(f"akita-sim {__version__} listening on {', '.join(bases)}\n"
              f"  ingest:    {bases[0]}/akita/v1/segment\n"
              f"{segment}"
              f"  dashboard: {bases[0]}/\n"
              f"  database:  {database}\n"
              f"  hosts:     {', '.join(sorted(hosts_of(app)))} (--allowed-host adds one)\n"
              f"{admin}"
              f"{_describe_faults(plan)}"
              f"  workspace: {workspace_id}\n"
              f"{seeded}"
              f"  API key:   {shown}\n"
              "Press Ctrl-C to stop.", flush=True)
        if gateway is not None:
            gateway.queue.start()  # retries what Akita did not take, this run's and earlier
        server.run()
    except (KeyboardInterrupt, SystemExit):
        pass  # a stop that came before waitress's loop began catching it
    finally:
        server.close()
        if gateway is not None:
            gateway.queue.stop()
        simulator.close()
    print("akita-sim stopped", flush=True)
    return 0


def _seeded(app: Any, paths: Sequence[str], api_key: str) -> list[tuple[str, dict[str, int]]]:
    """Seed each file in turn; what each loaded. A file that cannot be read is an error."""
    try:
        return [(path, seed_files(app, [path], api_key) or {"nothing": 0}) for path in paths]
    except (InputError, ValueError) as error:
        simulator_of(app).close()
        raise SimulatorError(f"cannot seed: {error}") from error


def seed(args: argparse.Namespace) -> int:
    """Load files into a workspace of a database no server is using; print what was loaded."""
    key = args.api_key or DEFAULT_API_KEY
    with opened_app({"AKITA_DB": args.db, "AKITA_API_KEY": key,
                     "AKITA_WORKSPACE_NAME": "akita-sim serve --api-key" if args.api_key
                     else DEFAULT_WORKSPACE}) as app:
        for path, found in _seeded(app, args.files, key):
            print(f"{path}: " + (", ".join(f"{n} {what}" for what, n in found.items())))
    return 0


def _describe_faults(plan: FaultPlan) -> str:
    """The banner's line on injected faults, empty when there are none."""
    rates = ((plan.error_rate, f"errors ({', '.join(map(str, plan.statuses))})"),
             (plan.drop_rate, "dropped connections"), (plan.lost_answer_rate, "lost answers"))
    parts = [f"{rate * 100:g}% {what}" for rate, what in rates if rate]
    if plan.latency_ms:
        parts.append(f"{plan.latency_ms} ms latency")
    if not parts:
        return ""
    seed = f", seed {plan.seed}" if plan.seed is not None else ""
    return f"  faults:    {', '.join(parts)}{seed} (every workspace)\n"


def _open(args: argparse.Namespace) -> Simulator:
    if not os.path.exists(args.db):
        raise SimulatorError(f"no database at {args.db}; pass --db PATH of an akita-sim file")
    timeout = getattr(args, "session_timeout", DEFAULT_SESSION_TIMEOUT)
    try:
        store = SQLiteStore(args.db)
    except DatabaseInUse as error:
        through = ("GET /_sim/workspaces/ID/state" if args.command == "export"
                   else "POST /_sim/reset (or /_sim/workspaces/ID/reset)")
        raise DatabaseInUse(f"{error.message}. Stop it first, or ask the running server: "
                            f"{through}") from None
    return Simulator(store, session_timeout=timeout)


def export(args: argparse.Namespace) -> int:
    """Print one workspace's snapshot, or every workspace with its snapshot, as JSON."""
    simulator = _open(args)
    try:
        if args.workspace:
            state: Any = simulator.snapshot(args.workspace)
        else:
            state = {"workspaces": [{**ws, "state": simulator.snapshot(ws["id"])}
                                    for ws in simulator.list_workspaces()]}
    finally:
        simulator.close()
    print(json.dumps(state, indent=2, ensure_ascii=False))
    return 0


def reset(args: argparse.Namespace) -> int:
    """Empty one workspace or all of them; their API keys keep working."""
    simulator = _open(args)
    try:
        simulator.reset(args.workspace)
        count = 1 if args.workspace else len(simulator.list_workspaces())
    finally:
        simulator.close()
    print(f"reset {count} workspace{'' if count == 1 else 's'} in {args.db}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `akita-sim`; returns the exit status (2 for a bad command line)."""
    args = build_parser().parse_args(argv)
    try:
        return {"serve": serve, "export": export, "reset": reset,
                "seed": seed}[args.command](args)
    except SimulatorError as error:
        print(f"akita-sim {args.command}: error: {error.message}", file=sys.stderr)
        return 1
