"""What a deadline rush came to (deadline_rush.py): each upload's outcome by the group it
started in, the receipt and upload times against the idle baseline, and the comparison of the
rush on one node with the rush on several (``--nodes``)."""

from __future__ import annotations

import statistics

from harness import UploadResult, percentile

ON_TIME, LAST_SECOND, AFTER = "on time", "last second", "after deadline"


def _outcome(job, deadline_perf: float) -> str:
    r = job.result
    if r is None:
        return "not finished (gave up)"
    cut = r.code.endswith(("BrokenPipeError", "ConnectionResetError"))
    if r.outcome == "error" and cut and r.finished > deadline_perf:
        # The server answers 403 "closed" to a PATCH without reading its body and drops the
        # connection, so the client sees it cut mid-send, again on every retry.
        return "refused: closed, connection cut"
    if r.outcome == "accepted":
        return "accepted (receipt)"
    if r.outcome == "accepted_no_receipt":
        return "accepted, receipt lost in transit"
    if r.outcome == "closed":
        return {
            "create": "refused: closed at start",
            "patch": "refused: closed mid-upload",
            "final": "refused: closed at last PATCH",
        }[r.where]
    if r.outcome == "refused":
        return f"refused: {r.code}"
    return f"error: {r.code}"


def report(
    jobs: list,
    baseline: list[UploadResult],
    *,
    lost: list[str],
    late_accepted: list[int],
    no_receipt: list[int],
    leftovers: tuple[int, int],
    rush_seconds: float,
    size: int,
    deadline_perf: float,
) -> str:
    groups = [ON_TIME, LAST_SECOND, AFTER]
    outcomes: dict[str, dict[str, int]] = {}
    for job in jobs:
        outcomes.setdefault(_outcome(job, deadline_perf), dict.fromkeys(groups, 0))[job.group] += 1
    header = f"{'outcome':<34}" + "".join(f"{g:>15}" for g in groups) + f"{'all':>7}"
    lines = [header, "-" * len(header)]
    planned = {g: sum(j.group == g for j in jobs) for g in groups}
    lines.append(f"{'uploads started':<34}" + "".join(f"{planned[g]:>15}" for g in groups))
    for name in sorted(outcomes, key=lambda n: (not n.startswith("accepted"), n)):
        row = outcomes[name]
        lines.append(
            f"{name:<34}" + "".join(f"{row[g]:>15}" for g in groups) + f"{sum(row.values()):>7}"
        )
    accepted = [j.result for j in jobs if j.result and j.result.outcome == "accepted"]
    refused = sum(1 for j in jobs if _outcome(j, deadline_perf).startswith("refused: closed"))
    lines.append("")
    lines.append(
        f"accepted {len(accepted)} · refused after the deadline {refused} · "
        f"LOST {len(lost)} (must be 0) · accepted at/after the deadline {len(late_accepted)} "
        f"(must be 0) · bids whose receipt never reached the client {len(no_receipt)}"
    )
    receipt = [r.receipt_seconds for r in accepted]
    whole = [r.total_seconds for r in accepted]
    idle_receipt = [r.receipt_seconds for r in baseline]
    idle_whole = [r.total_seconds for r in baseline]
    if receipt:
        base = statistics.median(idle_receipt)
        lines.append(
            f"receipt time (last PATCH start → receipt): p50 {statistics.median(receipt):.2f} s, "
            f"p99 {percentile(receipt, 99):.2f} s, max {max(receipt):.2f} s; idle p50 "
            f"{base:.2f} s ({len(idle_receipt)} uploads, "
            f"{min(idle_receipt):.2f}–{max(idle_receipt):.2f} s) → rush p50 ÷ idle p50 = "
            f"{statistics.median(receipt) / base:.1f}×"
        )
        lines.append(
            f"whole upload: p50 {statistics.median(whole):.1f} s, p99 {percentile(whole, 99):.1f}"
            f" s; idle p50 {statistics.median(idle_whole):.2f} s → "
            f"{statistics.median(whole) / statistics.median(idle_whole):.1f}×"
        )
    at_last = [
        j.result
        for j in jobs
        if j.result and j.result.outcome == "closed" and j.result.where == "final"
    ]
    sent_in_time = [deadline_perf - r.final_start for r in at_last if r.final_start < deadline_perf]
    if at_last:
        lines.append(
            f"refused at the last PATCH: {len(at_last)}, of which {len(sent_in_time)} had begun "
            f"sending it before the deadline (up to {max(sent_in_time, default=0):.1f} s before): "
            "the deadline is judged when the acceptance transaction runs, after the bytes are in"
        )
    retries = sum(j.result.retries for j in jobs if j.result)
    lag = max((j.lag for j in jobs if j.result), default=0.0)
    lines.append(
        f"received {len(accepted) * size / 1e6:.0f} MB of accepted bids in {rush_seconds:.0f} s "
        f"({len(accepted) * size / 1e6 / rush_seconds:.0f} MB/s); client retries {retries}; "
        f"latest start {lag:.1f} s after plan; "
        f"unfinished uploads left (part files, or chunks in the bucket): {leftovers[0]} ({leftovers[1] / 1e6:.0f} MB)"
    )
    return "\n".join(lines)


def receipt_spread(jobs: list) -> tuple[int, float, float]:
    """(accepted uploads, receipt p50, receipt p99) of a rush."""
    receipt = [
        j.result.receipt_seconds for j in jobs if j.result and j.result.outcome == "accepted"
    ]
    if not receipt:
        return 0, 0.0, 0.0
    return len(receipt), statistics.median(receipt), percentile(receipt, 99)


def comparison(phases: list[tuple[int, list]]) -> str:
    """The receipt time's tail against its median on one node and on several, same run."""
    lines = ["receipt time, last PATCH start → receipt, by the number of nodes (same run):"]
    ratios = {}
    for nodes, jobs in phases:
        accepted, p50, p99 = receipt_spread(jobs)
        ratios[nodes] = p99 / p50 if p50 else float("nan")
        lines.append(
            f"  {nodes} node{'s' if nodes > 1 else ''}: {accepted} accepted, p50 {p50:.2f} s, "
            f"p99 {p99:.2f} s → p99/p50 {ratios[nodes]:.1f}×"
        )
    if len(ratios) > 1 and ratios.get(1):
        most = max(ratios)
        lines.append(f"  p99/p50 on {most} nodes ÷ on 1 node = {ratios[most] / ratios[1]:.2f}")
    return "\n".join(lines)
