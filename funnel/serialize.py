"""The forecasts as stored in ForecastDay.data (JSON) and read back."""

from __future__ import annotations

from funnel.forecast import Backtest, Calibration, Throughput
from funnel.stats import Survival


def throughput_data(rows: list[Throughput]) -> list[dict]:
    return [
        {
            "milestone": row.milestone,
            "horizon": row.horizon,
            "waiting": row.waiting,
            "group": row.group,
            "expected": round(row.expected, 2) if row.expected is not None else None,
            "low": row.low,
            "high": row.high,
        }
        for row in rows
    ]


def throughput_from(data: list[dict]) -> list[Throughput]:
    return [Throughput(**row) for row in data]


def backtest_data(result: Backtest) -> dict:
    return {
        "as_of": result.as_of,
        "horizon": result.horizon,
        "rows": [[throughput_data([row])[0], actual] for row, actual in result.rows],
        "accounts": vars(result.accounts),
    }


def backtest_from(data: dict) -> Backtest:
    rows = [(Throughput(**row), actual) for row, actual in data["rows"]]
    # Rows stored before the per-account backtest existed have none.
    accounts = Calibration(**data["accounts"]) if "accounts" in data else Calibration(0, None, None, None)
    return Backtest(data["as_of"], data["horizon"], rows, accounts)


def curve_data(curve: Survival) -> dict:
    return {
        "subjects": curve.subjects,
        "events": curve.events,
        "times": list(curve.times),
        "values": [round(value, 6) for value in curve.values],
        "followed": list(curve.followed),
        "beyond": list(curve.beyond),
    }


def curve_from(data: dict) -> Survival:
    return Survival(
        data["subjects"],
        data["events"],
        tuple(data["times"]),
        tuple(data["values"]),
        tuple(data["followed"]),
        tuple(data["beyond"]),
    )
