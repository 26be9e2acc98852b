"""The ranking table of the shared corpus for docs/findings-shared-corpus.md.

Runs `accord run` on the shared corpus texts (default coder) into benchmarks/results/shared.db,
or reuses that store, and writes benchmarks/results/findings-table.md.
"""

from __future__ import annotations

from _common import RESULTS, run_shared_store


def main() -> None:
    summary = run_shared_store()
    domains = summary.result["domains"]
    k = summary.result.settings.top_k
    lines = [
        f"Coder {summary.coded.coder}, codebook {summary.result.stamp.codebook_digest[:12]}, "
        f"corpus {summary.result.stamp.corpus_digest[:12]}, {summary.coded.n_passages:,} "
        "passages.",
        "",
        f"| Rank [95 % interval] | Domain | Opportunity [95 %] | Institutions | Alignment | "
        f"Complementarity | Cooperation | Security | P(top {k}) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in domains[domains["ranked"]].itertuples():
        lines.append(
            f"| {row.rank:.0f} [{row.rank_low:.0f}–{row.rank_high:.0f}] | {row.label} | "
            f"{row.opportunity:.2f} [{row.opportunity_low:.2f}–{row.opportunity_high:.2f}] | "
            f"{row.breadth:.0f} | {row.alignment:.2f} | {row.complementarity:.2f} | "
            f"{row.cooperation:.2f} | {row.security:.2f} | {getattr(row, f'p_top{k}_joint'):.2f} |"
        )
    lines += ["", "Not ranked:", ""]
    lines += [f"- {row.label}: {row.reason}" for row in domains[~domains["ranked"]].itertuples()]
    institutions = summary.result["institutions"]
    thin = institutions[institutions["supported_domains"] == 0]["institution_name"].tolist()
    listed = ", ".join(thin) or "none"
    lines += ["", f"Institutions addressing no domain with enough text: {listed}"]
    (RESULTS / "findings-table.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
