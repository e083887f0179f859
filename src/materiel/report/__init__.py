"""Everything drawn or written for people: sentences, charts, fan charts, the HTML
report and workbook of a plan, the tracker's tables and charts, a sweep's charts. These
names are the package's face: other packages import them from here.
"""

from __future__ import annotations

from materiel.report.alternatives import AlternativeFiles, check_out_folder, write_alternatives
from materiel.report.alternatives import headline as alternatives_headline
from materiel.report.fan import write_simulation
from materiel.report.national import (
    NationalFiles,
    NationalSource,
    national_pdf,
    render_national,
    write_national,
)
from materiel.report.sweep_charts import months_charts
from materiel.report.track_charts import check_chart_path, save_chart
from materiel.report.track_render import emit, tell, to_json
from materiel.report.words import (
    bottleneck_sentences,
    bottleneck_words,
    demand_sentence,
    pooling_sentence,
    requirements_sentence,
    standardisation_sentence,
    supply_chain_words,
)
from materiel.report.write import ReportFiles, real_targets, table_bytes, write_report

__all__ = [
    "AlternativeFiles",
    "NationalFiles",
    "NationalSource",
    "ReportFiles",
    "alternatives_headline",
    "bottleneck_sentences",
    "bottleneck_words",
    "check_chart_path",
    "check_out_folder",
    "demand_sentence",
    "emit",
    "months_charts",
    "national_pdf",
    "pooling_sentence",
    "real_targets",
    "render_national",
    "requirements_sentence",
    "save_chart",
    "standardisation_sentence",
    "supply_chain_words",
    "table_bytes",
    "tell",
    "to_json",
    "write_alternatives",
    "write_national",
    "write_report",
    "write_simulation",
]
