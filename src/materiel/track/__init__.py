"""Tracking: the spending guideline, outlook to a target, aid burden sharing, pledges.

Pure functions return a :class:`TrackResult` (a table with its sources and
assumptions); :mod:`materiel.cli.track` renders them as ``materiel track ...``.
"""

from __future__ import annotations

from materiel.track.aid import AidOptions, aid, fair_share
from materiel.track.fx import Rate, RateTable
from materiel.track.ledger import (
    JsonPledgeFile,
    PledgeRepository,
    builtin_pledges,
    default_ledger_path,
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
from materiel.track.spending import count_meeting, spending, spending_frame

__all__ = [
    "AidOptions",
    "JsonPledgeFile",
    "LinearFit",
    "OutlookOptions",
    "Pledge",
    "PledgeRepository",
    "Rate",
    "RateTable",
    "TrackResult",
    "aid",
    "builtin_pledges",
    "count_meeting",
    "default_ledger_path",
    "fair_share",
    "fit_linear",
    "make_pledge",
    "outlook",
    "path_year",
    "pledge_table",
    "spending",
    "spending_frame",
    "trend_year",
]
