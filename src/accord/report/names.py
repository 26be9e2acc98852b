"""Display names for ids: institutions from the result, categories from the codebook."""

from __future__ import annotations

from accord.analysis.results import AnalysisResult
from accord.report.tables import table, text


class Names:
    """Display names for ids: institutions from the result, categories from the codebook.

    Unknown ids are shown as themselves (categories with '_' as spaces), never dropped.
    """

    def __init__(self, result: AnalysisResult):
        institutions = table(result, "institutions")
        self.institutions = {
            text(row.institution): text(row.institution_name) or text(row.institution)
            for row in institutions.itertuples(index=False)
        }
        self.labels = result.labels
        domains = table(result, "domains")
        self.domains = {
            **self.labels.get("domain", {}),
            **{text(r.domain): text(r.label) for r in domains.itertuples() if text(r.label)},
        }

    def institution(self, institution_id: str) -> str:
        return self.institutions.get(institution_id, institution_id)

    def domain(self, domain_id: str) -> str:
        return self.domains.get(domain_id, domain_id)

    def category(self, dimension: str, category_id: str) -> str:
        return self.labels.get(dimension, {}).get(category_id, category_id.replace("_", " "))
