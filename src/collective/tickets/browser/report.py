"""``@@tickets-report``: how the team is doing, for the staff; and
``@@tickets-report-csv``, the figures behind each chart.

The charts are SVG drawn on the server with pygal (a maintained chart
library for Python: no script to load, they print, and a test can read
them), each with its figures as a table underneath for screen readers and
a CSV download. The figures come from ``core.report`` (catalog rows only).
"""

from collective.tickets import _
from collective.tickets.browser.navigation import hide_portlet_columns
from collective.tickets.core import desk
from collective.tickets.core.people import display_name
from collective.tickets.core.people import staff_by_name
from collective.tickets.core.queue import ASSIGNED_NOBODY
from collective.tickets.core.report import build_report
from collective.tickets.core.report import PERIODS
from collective.tickets.core.report import ReportFilter
from collective.tickets.core.report import TABLES
from functools import cached_property
from plone import api
from Products.Five.browser import BrowserView
from urllib.parse import urlencode
from zope.i18n import translate

import csv
import io
import pygal


CHARTS = {
    "volume": _("chart_volume", default="Tickets opened and completed per week"),
    "backlog": _("chart_backlog", default="Open tickets at the end of each week"),
    "times": _(
        "chart_times",
        default="Median first response and resolution (business hours)",
    ),
    "targets": _("chart_targets", default="Share of tickets within target (%)"),
    "satisfaction": _("chart_satisfaction", default="Ratings of completed tickets"),
}
SERIES = {
    "opened": _("series_opened", default="Opened"),
    "completed": _("series_completed", default="Completed"),
    "open": _("series_open", default="Open"),
    "first_response": _("target_first_response", default="First response"),
    "resolution": _("target_resolution", default="Resolution"),
    "ratings": _("series_ratings", default="Tickets"),
}


def _style():
    return pygal.style.Style(
        background="transparent",
        plot_background="transparent",
        font_family="system-ui, sans-serif",
        colors=("#0d6efd", "#6c757d", "#198754", "#dc3545", "#ffc107"),
    )


class TicketsReport(BrowserView):
    def __call__(self):
        hide_portlet_columns(self.request)
        return self.index()

    @cached_property
    def report_filter(self):
        return ReportFilter.from_form(self.request.form)

    @cached_property
    def report(self):
        return build_report(self.report_filter)

    def t(self, message):
        return translate(message, context=self.request)

    # The filter form

    def period_options(self):
        return [
            {
                "value": weeks,
                "title": self.t(
                    _(
                        "report_last_weeks",
                        default="Last ${weeks} weeks",
                        mapping={"weeks": weeks},
                    )
                ),
                "selected": weeks == self.report_filter.weeks,
            }
            for weeks in PERIODS
        ]

    def category_options(self):
        selected = self.report_filter.category
        options = [
            {
                "value": "",
                "title": self.t(_("filter_any_category", default="Any")),
                "selected": not selected,
            }
        ]
        options += [
            {
                "value": category["id"],
                "title": desk.category_title(category["id"]),
                "selected": category["id"] == selected,
            }
            for category in desk.categories()
        ]
        return options

    def assignee_options(self):
        selected = self.report_filter.assignee
        pairs = [
            ("", self.t(_("filter_anyone", default="Anyone"))),
            (ASSIGNED_NOBODY, self.t(_("filter_unassigned", default="Nobody"))),
        ]
        pairs += [(userid, display_name(userid)) for userid in staff_by_name()]
        return [
            {"value": value, "title": title, "selected": value == selected}
            for value, title in pairs
        ]

    def csv_url(self, name):
        query = urlencode({**self.report_filter.params(), "table": name})
        return f"{api.portal.get().absolute_url()}/@@tickets-report-csv?{query}"

    # The figures

    def summary(self):
        report = self.report

        def hours(value):
            return "–" if value is None else f"{value:g} h"

        def percent(value):
            return "–" if value is None else f"{value:g} %"

        average = report.rating_average
        return [
            (_("report_opened", default="Opened"), str(report.opened)),
            (_("report_completed", default="Completed"), str(report.closed)),
            (_("report_backlog", default="Open now"), str(report.backlog)),
            (
                _("report_first_response", default="Median first response"),
                hours(report.first_response_hours),
            ),
            (
                _("report_resolution", default="Median resolution"),
                hours(report.resolution_hours),
            ),
            (
                _(
                    "report_first_response_within",
                    default="First response within target",
                ),
                percent(report.first_response_within),
            ),
            (
                _("report_resolution_within", default="Resolution within target"),
                percent(report.resolution_within),
            ),
            (
                _("report_rating", default="Average rating"),
                "–" if average is None else f"{average:g} / 5 ({report.rating_count})",
            ),
        ]

    def charts(self):
        return [
            {
                "name": name,
                "title": CHARTS[name],
                "svg": self.svg(name),
                "table": self.report.table(name),
                "csv_url": self.csv_url(name),
            }
            for name in TABLES
        ]

    def svg(self, name):
        header, rows = self.report.table(name)
        labels = [str(row[0]) for row in rows]
        if name == "volume":
            chart = self._chart(pygal.Bar, labels)
            chart.add(self.t(SERIES["opened"]), [row[1] for row in rows])
            chart.add(self.t(SERIES["completed"]), [row[2] for row in rows])
        elif name == "backlog":
            chart = self._chart(pygal.Line, labels, legend=False)
            chart.add(self.t(SERIES["open"]), [row[1] for row in rows])
        elif name in ("times", "targets"):
            chart = self._chart(pygal.Line, labels)
            if name == "targets":
                chart.range = (0, 100)
            chart.add(self.t(SERIES["first_response"]), [row[1] for row in rows])
            chart.add(self.t(SERIES["resolution"]), [row[2] for row in rows])
        else:
            chart = self._chart(pygal.Bar, labels, legend=False)
            chart.add(self.t(SERIES["ratings"]), [row[1] for row in rows])
        return chart.render(is_unicode=True)

    def _chart(self, kind, labels, legend=True):
        chart = kind(
            style=_style(),
            js=[],
            disable_xml_declaration=True,
            width=760,
            height=300,
            show_legend=legend,
            legend_at_bottom=True,
            x_label_rotation=30,
            truncate_label=-1,
            show_minor_x_labels=len(labels) <= 12,
            x_labels_major_every=4 if len(labels) > 12 else None,
            print_values=False,
            allow_interruptions=True,
            margin=8,
        )
        chart.x_labels = labels
        return chart


class TicketsReportCSV(TicketsReport):
    """The figures behind one chart (``?table=volume``, …) as CSV, UTF-8 with
    a BOM so that spreadsheet programs read it right."""

    def __call__(self):
        name = self.request.form.get("table", "")
        if name not in TABLES:
            self.request.response.setStatus(400)
            self.request.response.setHeader("Content-Type", "text/plain; charset=utf-8")
            return self.t(
                _(
                    "error_report_table",
                    default="Ask for one of these tables: ${tables}.",
                    mapping={"tables": ", ".join(TABLES)},
                )
            )
        header, rows = self.report.table(name)
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([self.t(name) for name in header])
        for row in rows:
            writer.writerow(["" if value is None else value for value in row])
        response = self.request.response
        response.setHeader("Content-Type", "text/csv; charset=utf-8")
        response.setHeader(
            "Content-Disposition", f'attachment; filename="tickets-{name}.csv"'
        )
        response.setHeader("Cache-Control", "no-store")
        return ("\ufeff" + out.getvalue()).encode("utf-8")
