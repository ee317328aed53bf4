"""The readable HTML page of a gate validation: verdict, failed rules first, demonstration label."""

from expectations.runner import validate_frame
from expectations.validation_page import render_validation_page
from tests.expectations.test_suites import context_frame

CTX = "context_sector_year"


def page_for(df, data_status: str) -> tuple[str, object]:
    report = validate_frame(CTX, df)
    html = render_validation_page(
        CTX, report.success, report.evaluated, report.failed, report.result_json, "2026.12.1", data_status
    )
    return html, report


def test_failed_validation_page_lists_the_failure_first_and_labels_demo_data() -> None:
    df = context_frame()
    df.loc[0, "value"] = 150.0
    html, report = page_for(df, "demonstration")
    assert not report.success
    assert "FAILED: nothing is published; the previous release stays current" in html
    assert "Demonstration data." in html
    assert f"{report.evaluated} expectations evaluated, {len(report.failed)} failed." in html
    rows = html.split("<tbody>")[1].split("</tr>")
    assert "FAILED" in rows[0] and "150.0" in rows[0]
    assert sum("FAILED" in row for row in rows) == len(report.failed)
    assert html.count("<tr>") == report.evaluated + 1  # + the header
    assert "<script" not in html and "http" not in html  # self-contained, opens offline


def test_passed_validation_page_of_published_data() -> None:
    html, report = page_for(context_frame(), "published")
    assert report.success
    assert "PASSED: publication may proceed" in html
    assert "Demonstration data." not in html and "FAILED" not in html
