"""Path traversal through the command line's import and export paths (R-ACCESS): a
bundle cannot make the importer read a file outside it, and no option that becomes part
of a file name can write outside the folder given. The API's path and query parameters
are in test_attacks_api."""

from __future__ import annotations

from pathlib import Path

from api_support import write_bundle


def test_a_linked_file_in_a_bundle_is_refused_and_nothing_is_written(gvm, tmp_path):
    secret = tmp_path / "elsewhere" / "people.csv"
    bundle = write_bundle(tmp_path / "bundle")
    secret.parent.mkdir()
    secret.write_text((bundle / "people.csv").read_text(encoding="utf-8"), encoding="utf-8")
    (bundle / "people.csv").unlink()
    (bundle / "people.csv").symlink_to(Path("..") / "elsewhere" / "people.csv")
    run = gvm("import", str(bundle), check=False)
    assert run.returncode != 0
    assert "people.csv" in run.stderr + run.stdout and "not a regular file" in run.stderr
    assert "Zanzibarova" not in run.stderr + run.stdout
    scored = gvm("score", "--as-of", "2024-06-30", "--format", "jsonl")
    assert scored.stdout.strip() == ""  # nothing was imported


def test_names_built_from_options_cannot_leave_the_output_folder(gvm, tmp_path):
    out = tmp_path / "out" / "inner"
    out.mkdir(parents=True)
    runs = [
        gvm("report", "quarterly", "--quarter", "2024Q1/../../escaped", "--out", str(out),
            check=False),
        gvm("report", "equality", "--as-of", "2024-06-30", "--borough", "../../escaped",
            "--out", str(out), check=False),
    ]
    for run in runs:
        assert run.returncode != 0 and "Traceback" not in run.stderr, run.stderr
    assert "--quarter" in runs[0].stderr and "--borough" in runs[1].stderr
    assert [p for p in tmp_path.rglob("*escaped*")] == []
