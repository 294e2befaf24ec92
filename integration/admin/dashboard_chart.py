"""The dashboard's "orders per hour" bar chart, laid out here and drawn as inline SVG by a template.

Coordinates are formatted as strings with a dot, so a Russian locale never turns 12.5 into 12,5.
"""

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext

from integration.exchange.dashboard import HourBucket

WIDTH, HEIGHT = 720, 240
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 12, 32
PLOT_WIDTH, PLOT_HEIGHT = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
BAR_SHARE = 0.38  # of an hour's slot, per series; the rest is the gap between hours
LABEL_EVERY = 3  # hours between x-axis labels


@dataclass
class Bar:
    series: str  # "imported" or "errors"
    hour: str
    count: int
    x: str
    y: str
    width: str
    height: str
    title: str


@dataclass
class Tick:
    x: str
    y: str
    text: str


@dataclass
class Chart:
    width: int
    height: int
    bars: list[Bar]
    x_labels: list[Tick]
    y_ticks: list[Tick]
    plot_left: int
    plot_right: int
    plot_top: int
    plot_bottom: int
    scale_max: int
    total_imported: int
    total_errors: int

    @property
    def empty(self) -> bool:
        return not (self.total_imported or self.total_errors)


def _num(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def nice_ceiling(value: int) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50… not below ``value``: round numbers on the axis."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


def orders_chart(buckets: list[HourBucket]) -> Chart:
    peak = max([bucket.imported for bucket in buckets] + [bucket.errors for bucket in buckets] + [1])
    scale_max = nice_ceiling(peak)
    slot = PLOT_WIDTH / len(buckets)
    bar_width = slot * BAR_SHARE
    bottom = TOP + PLOT_HEIGHT
    bars, labels = [], []
    for index, bucket in enumerate(buckets):
        hour = timezone.localtime(bucket.start).strftime("%H:00")
        slot_left = LEFT + index * slot + (slot - 2 * bar_width) / 2
        for offset, (series, count, template) in enumerate((
            ("imported", bucket.imported, gettext("%(hour)s: %(count)d orders imported")),
            ("errors", bucket.errors, gettext("%(hour)s: %(count)d order errors")),
        )):
            height = PLOT_HEIGHT * count / scale_max
            bars.append(Bar(
                series=series, hour=hour, count=count, x=_num(slot_left + offset * bar_width), y=_num(bottom - height),
                width=_num(bar_width), height=_num(height), title=template % {"hour": hour, "count": count},
            ))
        if index % LABEL_EVERY == 0:
            labels.append(Tick(x=_num(LEFT + index * slot + slot / 2), y=_num(bottom + 18), text=hour))
    tick_values = [0, scale_max // 2, scale_max] if scale_max % 2 == 0 else [0, scale_max]
    y_ticks = [
        Tick(x=_num(LEFT - 6), y=_num(bottom - PLOT_HEIGHT * value / scale_max), text=str(value)) for value in tick_values
    ]
    return Chart(
        width=WIDTH, height=HEIGHT, bars=bars, x_labels=labels, y_ticks=y_ticks, plot_left=LEFT,
        plot_right=LEFT + PLOT_WIDTH, plot_top=TOP, plot_bottom=bottom, scale_max=scale_max,
        total_imported=sum(bucket.imported for bucket in buckets), total_errors=sum(bucket.errors for bucket in buckets),
    )
