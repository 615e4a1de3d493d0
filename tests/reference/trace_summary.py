#!/usr/bin/env python3
"""Where a turn's time goes, from a Chrome trace written by `vora bench --trace PATH`.

For each of the runtime's phases in the trace (vora::layout, vora::embed, vora::prefill, vora::decode, in
the order they ran), prints the host time of the phase and what the device did for it: the kernels, copies
and memsets whose launch (host call) falls inside the phase, their busy time (union of their intervals), the
device's idle time between the first and the last of them, how long after the phase's start the first
began, and the busy time by kind (matrix products, attention, the runtime's own kernels, copies, other).
The biggest kernels of each prefill are listed by name.

    python3 tests/reference/trace_summary.py TRACE.json [--top N] [--json OUT]

Standard library only (runs where the trace was made, or anywhere).
"""
import argparse
import json
import sys
from collections import defaultdict

DEVICE_CATEGORIES = ("kernel", "gpu_memcpy", "gpu_memset")
HOST_LAUNCH_CATEGORIES = ("cuda_runtime", "cuda_driver")
OWN_KERNELS = ("addRmsNorm", "ropeStore", "swiGlu", "splitKernel", "mergeKernel", "gemvKernel", "capture",
               "vora::core::cuda")


def kind_of(event):
    name = event["name"]
    lowered = name.lower()
    if event["cat"] != "kernel":
        return "copies and memsets"
    if any(own in name for own in OWN_KERNELS):
        return "runtime's own kernels"
    if "flash" in lowered or "fmha" in lowered or "attention" in lowered:
        return "attention"
    if any(key in lowered for key in ("gemm", "gemv", "cutlass", "cublas", "nvjet", "sm90_xmma", "splitk")):
        return "matrix products"
    return "other kernels"


def union_ms(intervals):
    total = 0.0
    end = None
    for start, stop in sorted(intervals):
        if end is None or start > end:
            total += stop - start
            end = stop
        elif stop > end:
            total += stop - end
            end = stop
    return total / 1000.0


def summarize(trace, top):
    events = [e for e in trace.get("traceEvents", []) if e.get("ph") == "X"]
    phases = sorted((e for e in events if e.get("cat") == "user_annotation" and e["name"].startswith("vora::")),
                    key=lambda e: e["ts"])
    launch_time = {}
    for e in events:
        if e.get("cat") in HOST_LAUNCH_CATEGORIES and "correlation" in e.get("args", {}):
            launch_time[e["args"]["correlation"]] = e["ts"]
    device = [e for e in events if e.get("cat") in DEVICE_CATEGORIES]
    results = []
    for phase in phases:
        begin, end = phase["ts"], phase["ts"] + phase["dur"]
        mine = [e for e in device
                if begin <= launch_time.get(e.get("args", {}).get("correlation"), -1.0) <= end]
        row = {"phase": phase["name"], "host_ms": phase["dur"] / 1000.0, "device_events": len(mine)}
        if mine:
            intervals = [(e["ts"], e["ts"] + e["dur"]) for e in mine]
            first = min(s for s, _ in intervals)
            last = max(t for _, t in intervals)
            busy = union_ms(intervals)
            row.update({
                "device_busy_ms": busy,
                "device_span_ms": (last - first) / 1000.0,
                "device_idle_in_span_ms": (last - first) / 1000.0 - busy,
                "first_device_start_after_phase_start_ms": (first - begin) / 1000.0,
                "last_device_end_after_phase_end_ms": (last - end) / 1000.0,
            })
            by_kind = defaultdict(float)
            by_name = defaultdict(lambda: [0.0, 0])
            for e in mine:
                by_kind[kind_of(e)] += e["dur"] / 1000.0
                by_name[e["name"]][0] += e["dur"] / 1000.0
                by_name[e["name"]][1] += 1
            row["busy_by_kind_ms"] = dict(sorted(by_kind.items(), key=lambda kv: -kv[1]))
            row["top_kernels"] = [{"name": n[:160], "ms": v[0], "count": v[1]}
                                  for n, v in sorted(by_name.items(), key=lambda kv: -kv[1][0])[:top]]
        results.append(row)
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trace")
    parser.add_argument("--top", type=int, default=12, help="kernels listed per prefill (default 12)")
    parser.add_argument("--json", help="also write the summary here")
    args = parser.parse_args()
    with open(args.trace) as f:
        trace = json.load(f)
    results = summarize(trace, args.top)
    if not results:
        sys.exit("no vora:: phases in the trace (was it written by vora bench --trace?)")
    turn = 0
    for row in results:
        if row["phase"] == "vora::layout":
            turn += 1
            print(f"--- turn {turn}")
        line = f"{row['phase']:<14} host {row['host_ms']:8.3f} ms"
        if row["device_events"]:
            line += (f" | device busy {row['device_busy_ms']:8.3f} ms over {row['device_span_ms']:8.3f} ms"
                     f" (idle {row['device_idle_in_span_ms']:.3f}), first starts "
                     f"{row['first_device_start_after_phase_start_ms']:.3f} ms in, {row['device_events']} events")
        print(line)
        for kind, ms in row.get("busy_by_kind_ms", {}).items():
            print(f"    {kind:<24} {ms:8.3f} ms")
        if row["phase"] == "vora::prefill":
            for k in row.get("top_kernels", []):
                print(f"      {k['ms']:8.3f} ms  x{k['count']:<4} {k['name']}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
