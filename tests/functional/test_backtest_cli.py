"""`gvm report backtest` and `gvm policy compare` end to end on SQLite, with the
synthetic London whose offences run a year past as_of (future violence driven by past
propensity, never by ethnicity).

Figures for seed 1, scale small, as_of 2026-09-30 (checked over seeds 1-5): harm-score
AUC 0.60 for involvement as suspect or victim (0.57-0.61 over seeds) and 0.65 for
involvement as suspect (0.64-0.70). With intelligence about Black people recorded twice
as often, the eligible cohort gains Black people whose future violence is rarer: the
Black cohort's observed rate falls and the people the bias added are involved less often
than the cohort they join (as suspects: every seed of 1-5)."""

from __future__ import annotations

import csv
import stat
from pathlib import Path

import pytest
from tests.functional.conftest import Gvm

AS_OF = "2026-09-30"


def _load(tmp: Path, bias: list[str]) -> Gvm:
    tmp.mkdir(parents=True, exist_ok=True)
    gvm = Gvm(f"sqlite:///{tmp / 'register.db'}", tmp)
    gvm("synth", "--scale", "small", "--out", str(tmp / "bundle"), "--as-of", AS_OF, *bias)
    gvm("import", str(tmp / "bundle"))
    return gvm


@pytest.fixture(scope="module")
def plain(tmp_path_factory) -> Gvm:
    return _load(tmp_path_factory.mktemp("plain"), [])


@pytest.fixture(scope="module")
def biased(tmp_path_factory) -> Gvm:
    return _load(tmp_path_factory.mktemp("biased"), ["--recording-bias", "Black=2.0"])


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _backtest(gvm: Gvm, out: Path) -> tuple[list[dict], list[dict], list[dict]]:
    run = gvm("report", "backtest", "--as-of", AS_OF, "--out", str(out))
    assert "ROC AUC" in run.stdout and "Calibration" in run.stdout
    stem = out / f"backtest_{AS_OF}"
    return (_csv(Path(f"{stem}_auc.csv")), _csv(Path(f"{stem}_calibration.csv")),
            _csv(Path(f"{stem}_coverage.csv")))


def _pick(rows, **where) -> dict:
    got = [r for r in rows if all(r[k] == v for k, v in where.items())]
    assert len(got) == 1, where
    return got[0]


def test_backtest_score_predicts_future_violence(plain, tmp_path):
    aucs, cal, cov = _backtest(plain, tmp_path / "out")
    involved = _pick(aucs, outcome="involved", population="scored", breakdown="all",
                     stratum="all", score="harm")
    assert float(involved["auc"]) > 0.55 and float(involved["auc_low"]) > 0.5, involved
    suspect = _pick(aucs, outcome="suspect", population="scored", breakdown="all",
                    stratum="all", score="harm")
    assert float(suspect["auc"]) > 0.6 and float(suspect["auc_low"]) > 0.5, suspect
    # calibration: Zero-band people are involved least often
    rates = {b: float(_pick(cal, outcome="involved", population="scored", breakdown="all",
                            stratum="all", harm_band=b)["rate"])
             for b in ("Green", "Zero", "all")}
    assert rates["Zero"] < rates["all"] < rates["Green"]
    (c,) = cov
    assert int(c["involved"]) == int(involved["events"]) + int(c["not_known"])
    assert 0 < float(c["share_not_in_cohort"]) < 1
    assert "intact" in plain("audit", "verify").stdout


def _black_and_rest(cal: list[dict], outcome: str) -> tuple[tuple[int, int], tuple[int, int]]:
    """(n, events) of Black people and of everyone in the eligible cohort."""
    def get(stratum, breakdown):
        r = _pick(cal, outcome=outcome, population="cohort", breakdown=breakdown,
                  stratum=stratum, harm_band="all")
        return int(r["n"]), int(r["events"])
    return get("Black", "group"), get("all", "all")


def test_backtest_per_group_calibration_shows_recording_bias(plain, biased, tmp_path):
    """The score never sees ethnicity, yet recording bias shifts the register's make-up,
    and the backtest's per-group calibration shows it."""
    _, cal_plain, _ = _backtest(plain, tmp_path / "plain")
    _, cal_biased, _ = _backtest(biased, tmp_path / "biased")
    for outcome in ("involved", "suspect"):
        (nb0, kb0), (n0, k0) = _black_and_rest(cal_plain, outcome)
        (nb1, kb1), (n1, k1) = _black_and_rest(cal_biased, outcome)
        # offences never change with the bias: only Black people join the cohort
        assert nb1 > nb0 and n1 - n0 == nb1 - nb0, outcome
        rest_rate = (k1 - kb1) / (n1 - nb1)
        assert kb1 / nb1 < kb0 / nb0, outcome  # the Black cohort's rate falls
        assert kb1 / nb1 < rest_rate, outcome  # below everyone else's in the cohort
        # the people the bias added are involved less often than the cohort they join
        assert (kb1 - kb0) / (nb1 - nb0) < k0 / n0, outcome


def test_policy_compare_raising_amber_moves_people_down_only(plain, tmp_path):
    default = Path(__file__).parents[2] / "src" / "gvm" / "data" / "policy" / "default.toml"
    text = default.read_text(encoding="utf-8")
    assert "amber_from = 250" in text
    proposed = tmp_path / "proposed.toml"
    proposed.write_text(text.replace("amber_from = 250", "amber_from = 400")
                        .replace('version = "2026.1"', 'version = "2026.1-amber400"'),
                        encoding="utf-8")
    out = tmp_path / "whatif"
    run = plain("policy", "compare", "default", str(proposed), "--as-of", AS_OF, "--out",
                str(out))
    assert "Harm band transitions" in run.stdout and "RRI" in run.stdout
    rows = _csv(out / f"whatif_{AS_OF}_transitions.csv")
    harm = {(r["current"], r["proposed"]): int(r["count"]) for r in rows
            if r["score"] == "harm"}
    assert harm[("Amber", "Green")] > 0
    assert sum(int(r["count"]) for r in rows if r["direction"] == "up") == 0
    changes = out / f"whatif_{AS_OF}_changes.csv"
    assert stat.S_IMODE(changes.stat().st_mode) == 0o600
    listed = _csv(changes)
    assert len(listed) >= harm[("Amber", "Green")]
    assert all(r["harm_band_current"] != "Green" or r["harm_band_proposed"] == "Green"
               for r in listed)
    makeup = _csv(out / f"whatif_{AS_OF}_makeup.csv")
    assert {r["breakdown"] for r in makeup} == {"ethnic_group", "age_band", "sex", "borough"}
    equality = _csv(out / f"whatif_{AS_OF}_equality.csv")
    assert {r["group"] for r in equality} >= {"Black", "White"}
    assert "intact" in plain("audit", "verify").stdout
    bad = plain("policy", "compare", "default", str(tmp_path / "missing.toml"), "--as-of",
                AS_OF, check=False)
    assert bad.returncode == 2 and "missing.toml" in bad.stderr
