# Kiln's Python sample wrapper (runs inside the sandbox; see dev.kiln.eval.exec.PythonExecutor).
#
# The parent writes a random per-run nonce on stdin and closes it. The wrapper reads it, points
# fd 0 at /dev/null, runs prog.py with exec() under a module name that is not "__main__" (as
# human-eval's exec does), applies the same "reliability guard" as human-eval (destructive
# functions set to None), and writes the nonce to stdout only after the program -- tests
# included -- ran to its end. os._exit(0), SystemExit or a crash before that never produce it.
import builtins
import faulthandler
import os
import sys


def _guard_lazy_modules():
    # human-eval sets shutil.rmtree/move/chown and subprocess.Popen to None. Importing both
    # modules up front costs ~18 ms per sample, so they are patched when first imported instead
    # (every import statement, the standard library's included, goes through __import__).
    real_import = builtins.__import__
    modules = sys.modules

    def patch():
        sh = modules.get("shutil")
        if sh is not None and getattr(sh, "rmtree", None) is not None:
            sh.rmtree = None
            sh.move = None
            sh.chown = None
        sp = modules.get("subprocess")
        if sp is not None and getattr(sp, "Popen", None) is not None:
            sp.Popen = None

    def guarded_import(name, globals=None, locals=None, fromlist=(), level=0):
        module = real_import(name, globals, locals, fromlist, level)
        if "shutil" in modules or "subprocess" in modules:
            patch()
        return module

    patch()
    builtins.__import__ = guarded_import


def _enter_sandbox(args):
    # Called as root inside fresh mount, network and PID namespaces (unshare --mount --net --pid
    # --fork): does in-process what `mount --bind`, `prlimit` and `setpriv` would do as separate
    # programs, saving five process hops per sample. args: DIR UID CPU_S AS_BYTES FSIZE NPROC.
    import ctypes
    import resource

    directory, uid, cpu, address_space, fsize, nproc = args[0], int(args[1]), int(args[2]), int(args[3]), \
        int(args[4]), int(args[5])
    libc = ctypes.CDLL(None, use_errno=True)
    ms_bind = 4096
    if libc.mount(directory.encode(), b"/tmp", None, ms_bind, None) != 0:
        raise OSError(ctypes.get_errno(), "cannot bind-mount the sample directory over /tmp")
    os.chdir("/tmp")
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
    if address_space > 0:
        resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))
    resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
    pr_set_no_new_privs = 38
    if libc.prctl(pr_set_no_new_privs, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "cannot set no_new_privs")
    if os.getuid() != uid or os.geteuid() != uid:
        raise OSError("privileges were not dropped")


class _KilnTimeout(Exception):
    pass


def _kiln_run():
    args = sys.argv[1:]
    timeout = None
    if len(args) >= 2 and args[0] == "--timeout":
        timeout = float(args[1])
        args = args[2:]
    if args and args[0] == "--sandbox":
        try:
            _enter_sandbox(args[1:])
        except BaseException as e:
            os.write(2, ("\nKILN-FAILED sandbox setup failed: %r\n" % (e,)).encode("utf-8", "replace"))
            os._exit(70)
    write = os.write
    exit_now = os._exit
    chunks = []
    while True:
        b = os.read(0, 256)
        if not b:
            break
        chunks.append(b)
    token = b"".join(chunks).strip()
    chunks = None
    fd = os.open(os.devnull, os.O_RDONLY)
    os.dup2(fd, 0)
    os.close(fd)
    with open("prog.py", "rb") as f:
        source = f.read()

    os.environ["OMP_NUM_THREADS"] = "1"
    faulthandler.disable()
    builtins.exit = None
    builtins.quit = None
    for name in ("kill", "system", "putenv", "remove", "removedirs", "rmdir", "fchdir", "setuid",
                 "fork", "forkpty", "killpg", "rename", "renames", "truncate", "replace", "unlink",
                 "fchmod", "fchown", "chmod", "chown", "chroot", "lchflags", "lchmod", "lchown",
                 "getcwd", "chdir"):
        if hasattr(os, name):
            setattr(os, name, None)
    _guard_lazy_modules()
    builtins.help = None
    for name in ("ipdb", "joblib", "resource", "psutil", "tkinter"):
        sys.modules[name] = None

    scope = {"__name__": "__kiln_sample__", "__builtins__": builtins}
    if timeout is not None:
        # As human-eval's time_limit(): SIGALRM raises an exception inside the program after
        # `timeout` seconds of wall time (interpreter start-up not counted).
        import signal

        def on_alarm(signum, frame):
            raise _KilnTimeout("Timed out!")

        signal.signal(signal.SIGALRM, on_alarm)
        signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        exec(compile(source, "prog.py", "exec"), scope)
        if timeout is not None:
            signal.setitimer(signal.ITIMER_REAL, 0)
    except _KilnTimeout:
        write(2, b"\nKILN-TIMED-OUT\n")
        exit_now(1)
    except BaseException as e:  # SystemExit and KeyboardInterrupt fail too
        try:
            text = str(e)
            msg = type(e).__name__ + (": " + text if text else "")
        except BaseException:
            msg = type(e).__name__
        write(2, ("\nKILN-FAILED " + msg.replace("\n", " ")[:500] + "\n").encode("utf-8", "replace"))
        exit_now(1)
    try:
        sys.stdout.flush()
    except BaseException:
        pass
    write(1, b"\n" + token + b"\n")
    exit_now(0)


_kiln_run()
