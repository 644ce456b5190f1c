"""A private CUPS server for tests: cupsd -f with its own config, spool and logs in a temporary folder,
on a free port on 127.0.0.1. Needs root (cupsd) and the Debian packages cups, cups-client and
printer-driver-cups-pdf (Makefile DEB_PACKAGES)."""
from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

CUPS_PDF_PPD = Path("/usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd")
CUPS_PDF_OUT = (Path.home() / "PDF", Path("/var/spool/cups-pdf/ANONYMOUS"))  # cups-pdf.conf: Out ${HOME}/PDF

FILES_CONF = """ServerRoot {root}/etc
RequestRoot {root}/spool
TempDir {root}/tmp
CacheDir {root}/cache
StateDir {root}/state
AccessLog {root}/log/access_log
ErrorLog {root}/log/error_log
PageLog {root}/log/page_log
SystemGroup root
"""
CUPSD_CONF = """Listen 127.0.0.1:{port}
LogLevel info
WebInterface No
Browsing No
DefaultAuthType None
<Location />
  Order allow,deny
  Allow all
</Location>
<Policy default>
  <Limit All>
    Order deny,allow
    Allow all
  </Limit>
</Policy>
"""


def missing() -> str:
    """Why a CUPS server cannot run here ('' when it can)."""
    if os.geteuid() != 0:
        return "cupsd needs root"
    for tool in ("cupsd", "lpadmin", "lp", "lpstat"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (Debian: cups, cups-client)"
    if not CUPS_PDF_PPD.exists():
        return "printer-driver-cups-pdf is not installed"
    return ""


class CupsServer:
    def __init__(self, root: Path, port: int):
        self.root, self.port = root, port
        self.address = f"127.0.0.1:{port}"
        for sub in ("etc/ppd", "spool", "cache", "state", "log", "tmp"):
            (root / sub).mkdir(parents=True, exist_ok=True)
        (root / "tmp").chmod(0o1777)  # filters run as lp and need a temp folder they can write
        (root / "etc" / "cups-files.conf").write_text(FILES_CONF.format(root=root))
        (root / "etc" / "cupsd.conf").write_text(CUPSD_CONF.format(port=port))
        self.process = subprocess.Popen(["cupsd", "-f", "-c", str(root / "etc" / "cupsd.conf"),
                                         "-s", str(root / "etc" / "cups-files.conf")],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if subprocess.run(["lpstat", "-h", self.address, "-r"], capture_output=True, check=False).returncode == 0:
                return
            time.sleep(0.2)
        self.stop()
        raise RuntimeError("cupsd did not start:\n" + self.log())

    def add_queue(self, name: str, device: str, ppd: Path | None = None) -> None:
        command = ["lpadmin", "-h", self.address, "-p", name, "-E", "-v", device]
        if ppd is not None:
            command += ["-P", str(ppd)]
        for _ in range(20):  # cupsd may still be loading its configuration
            done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
            if done.returncode == 0:
                return
            time.sleep(0.5)
        raise RuntimeError(f"lpadmin failed: {done.stderr}\n{self.log()}")

    def wait_done(self, queue: str, timeout: float = 120) -> None:
        """Until the queue has no pending jobs."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pending = subprocess.run(["lpstat", "-h", self.address, "-o", queue], capture_output=True, text=True, check=False)
            if not pending.stdout.strip():
                return
            time.sleep(0.3)
        raise TimeoutError(f"jobs still pending on {queue}:\n{self.log()}")

    def log(self) -> str:
        path = self.root / "log" / "error_log"
        return path.read_text()[-4000:] if path.exists() else ""

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def cups_pdf_output(job_id: str, title: str, timeout: float = 60) -> bytes:
    """The PDF cups-pdf wrote for a CUPS job id like 'PDF-3' titled `title` (an alphanumeric title unique to
    the test: files are named <title>...-job_<n>.pdf and job numbers restart with every server); removed after."""
    number = job_id.rsplit("-", 1)[-1]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for folder in CUPS_PDF_OUT:
            found = sorted(folder.glob(f"{title}*job_{number}.pdf")) if folder.exists() else []
            if found and found[-1].stat().st_size > 0:
                time.sleep(0.3)  # let cups-pdf finish writing
                content = found[-1].read_bytes()
                found[-1].unlink()
                return content
        time.sleep(0.3)
    raise TimeoutError(f"no cups-pdf output for {job_id}")
