"""Small Qt Charts views the dashboard fills with (label, amount) pairs."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCharts import (
    QAbstractBarSeries,
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QValueAxis,
)
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QWidget


class _ChartView(QChartView):
    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumSize(320, 240)
        self._title = title
        self.points: list[tuple[str, Decimal]] = []

    def _fresh_chart(self) -> QChart:
        chart = QChart()
        chart.setTitle(self._title)
        chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        return chart


class BarChartView(_ChartView):
    """Amounts per label as bars (by hour, method, cashier).

    `horizontal` lays the bars sideways so long labels ("Mobile money") are never cut short.
    """

    def __init__(
        self, title: str, parent: QWidget | None = None, *, horizontal: bool = False
    ) -> None:
        super().__init__(title, parent)
        self._horizontal = horizontal

    def set_points(self, points: list[tuple[str, Decimal]]) -> None:
        self.points = list(points)
        chart = self._fresh_chart()
        bars = QBarSet("Amount")
        bars.setLabelColor(QColor("#1f2933"))  # read beside the bar, on the chart's white
        for _label, amount in self.points:
            bars.append(float(amount))  # display only: money stays Decimal everywhere else
        series = QHorizontalBarSeries() if self._horizontal else QBarSeries()
        series.append(bars)
        series.setLabelsVisible(True)
        # Outside the bar's end, on room the axis leaves for it: never cut by a short bar.
        series.setLabelsPosition(QAbstractBarSeries.LabelsPosition.LabelsOutsideEnd)
        chart.addSeries(series)
        axis_x = QBarCategoryAxis()
        axis_x.append([label for label, _ in self.points] or ["—"])
        axis_y = QValueAxis()
        axis_y.setMin(0)
        axis_y.setMax(max([float(a) for _, a in self.points] + [1.0]) * 1.3)
        axis_y.setLabelFormat("%.0f")
        axis_y.applyNiceNumbers()
        if self._horizontal:  # the value axis runs across a narrow chart: few labels fit
            axis_y.setTickCount(3)
        labels_at, values_at = Qt.AlignmentFlag.AlignBottom, Qt.AlignmentFlag.AlignLeft
        if self._horizontal:
            labels_at, values_at = values_at, labels_at
        chart.addAxis(axis_x, labels_at)
        chart.addAxis(axis_y, values_at)
        series.attachAxis(axis_x)
        series.attachAxis(axis_y)
        chart.legend().setVisible(False)
        self.setChart(chart)
