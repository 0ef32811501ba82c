"""The ``df.beebole`` accessor: thin, it delegates to push and reports."""

from __future__ import annotations

import pandas as pd


@pd.api.extensions.register_dataframe_accessor("beebole")
class BeeboleAccessor:
    def __init__(self, frame: pd.DataFrame) -> None:
        self._frame = frame
