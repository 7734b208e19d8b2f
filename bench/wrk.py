"""wrk (Debian's package) posting distinct signed LINE webhook bodies, and reading what it printed.

The bodies are written to a file, one ``signature<TAB>body`` per line; the
Lua script gives each wrk thread its own share of the lines, so within a
run no event is posted twice (``Run.wrapped`` says when a thread ran out and
started over).
"""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

SCRIPT = """
local created = 0
function setup(thread)
  thread:set("id", created)
  created = created + 1
end

local bodies, signatures, count, index, wrapped = {}, {}, 0, 0, 0
function init(args)
  local threads, line_number = tonumber(args[2]), 0
  for line in io.lines(args[1]) do
    if line_number % threads == id then
      local signature, body = line:match("^([^\\t]+)\\t(.*)$")
      count = count + 1
      bodies[count], signatures[count] = body, signature
    end
    line_number = line_number + 1
  end
end

function request()
  index = index + 1
  if index > count then
    index, wrapped = 1, wrapped + 1
  end
  local headers = {["Content-Type"] = "application/json; charset=utf-8", ["X-Line-Signature"] = signatures[index]}
  return wrk.format("POST", nil, headers, bodies[index])
end

function done(summary, latency, requests)
  io.write(string.format("wrapped %d\\n", wrapped))
end
"""


@dataclass(frozen=True)
class Run:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    failed: int  # non-2xx answers, connection errors and timeouts
    wrapped: int  # threads that ran out of distinct bodies and started over


def available() -> bool:
    return shutil.which("wrk") is not None


def write_bodies(path: Path, signed: list[tuple[str, bytes]]) -> None:
    with path.open("wb") as out:
        for signature, body in signed:
            out.write(signature.encode() + b"\t" + body + b"\n")


async def run(url: str, bodies: Path, folder: Path, connections: int, seconds: float, threads: int = 2) -> Run:
    """Run wrk as a subprocess (this process's event loop goes on: the LINE emulator must answer meanwhile)."""
    script = folder / "line_webhook.lua"
    script.write_text(SCRIPT, encoding="utf-8")
    command = [
        "wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s", "--latency", "--timeout", "10s",
        "-s", str(script), url, "--", str(bodies), str(threads),
    ]
    process = await asyncio.create_subprocess_exec(*command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    output, errors = await process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"wrk failed: {errors.decode(errors='replace')}")
    return parse(output.decode())


def parse(output: str) -> Run:
    def number(pattern: str) -> float:
        found = re.search(pattern, output)
        return float(found.group(1)) if found else 0.0

    def milliseconds(percent: str) -> float:
        found = re.search(rf"^\s*{percent}%\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)
        if not found:
            return 0.0
        value, unit = float(found.group(1)), found.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    return Run(
        requests_per_second=number(r"Requests/sec:\s+([\d.]+)"),
        p50_ms=milliseconds("50"),
        p99_ms=milliseconds("99"),
        requests=int(number(r"(\d+) requests in")),
        failed=int(number(r"Non-2xx or 3xx responses: (\d+)")) + errors,
        wrapped=int(sum(int(n) for n in re.findall(r"^wrapped (\d+)$", output, re.MULTILINE))),
    )
