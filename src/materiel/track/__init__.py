"""Tracking: the spending guideline, outlook to a target, aid burden sharing, pledges.

Pure functions return a :class:`TrackResult` (a table with its sources and
assumptions); :mod:`materiel.cli.track` renders them as ``materiel track ...``.
"""

from __future__ import annotations

from materiel.track.aid import AidOptions, aid, fair_share, parse_period
from materiel.track.formats import OutputFormat
from materiel.track.from_facts import check_candidates, read_candidates
from materiel.track.fx import Rate, RateTable, user_eur_usd
from materiel.track.ledger import (
    UPDATABLE,
    JsonPledgeFile,
    PledgeRepository,
    all_pledges,
    builtin_pledges,
    default_ledger_path,
    next_pledge_id,
    refuse_duplicate,
)
from materiel.track.ledger_model import Pledge, make_pledge
from materiel.track.outlook import (
    LinearFit,
    OutlookOptions,
    fit_linear,
    outlook,
    path_year,
    trend_year,
)
from materiel.track.pledges import pledge_table
from materiel.track.result import TrackResult
from materiel.track.series import series
from materiel.track.spending import count_meeting, spending, spending_frame
from materiel.track.totals import counts, totals

__all__ = [
    "UPDATABLE",
    "AidOptions",
    "JsonPledgeFile",
    "LinearFit",
    "OutlookOptions",
    "OutputFormat",
    "Pledge",
    "PledgeRepository",
    "Rate",
    "RateTable",
    "TrackResult",
    "aid",
    "all_pledges",
    "annotations",
    "builtin_pledges",
    "check_candidates",
    "count_meeting",
    "counts",
    "default_ledger_path",
    "fair_share",
    "fit_linear",
    "make_pledge",
    "next_pledge_id",
    "outlook",
    "parse_period",
    "path_year",
    "pledge_table",
    "read_candidates",
    "refuse_duplicate",
    "series",
    "spending",
    "spending_frame",
    "totals",
    "trend_year",
    "user_eur_usd",
]
