"""What a benchmark ran on, recorded with its figures (shared by bench/*.py and bench/load/)."""
import os
import platform
import subprocess


def tool_version(cmd):
    """The first line a tool prints about its version, or "unknown"."""
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
        return (p.stdout + p.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.TimeoutExpired):
        return "unknown"


def describe(**tools):
    """CPU model, cores, memory and kernel, plus `name=[version command]` for each tool."""
    cpu = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kb = int(f.readline().split()[1])
    info = {"cpu": cpu, "cores": os.cpu_count(), "memory_gib": round(mem_kb / 1048576, 1),
            "kernel": platform.release()}
    info.update({name: tool_version(cmd) for name, cmd in tools.items()})
    return info
