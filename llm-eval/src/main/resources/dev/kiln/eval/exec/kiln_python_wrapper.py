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
import shutil
import subprocess
import sys


def _kiln_run():
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
    shutil.rmtree = None
    shutil.move = None
    shutil.chown = None
    subprocess.Popen = None
    builtins.help = None
    for name in ("ipdb", "joblib", "resource", "psutil", "tkinter"):
        sys.modules[name] = None

    scope = {"__name__": "__kiln_sample__", "__builtins__": builtins}
    try:
        exec(compile(source, "prog.py", "exec"), scope)
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
