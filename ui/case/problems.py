"""What the case view says about saving (the problem banner and the save indicator), and
why a withdrawn case is read-only."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStyle,
    QWidget,
)

from fieldwork.withdrawals import Withdrawal
from ui.widgets import ScaledLabel, announce


def saved_time(saved_at: str) -> str:
    """A stored ISO timestamp as the local time of day."""
    try:
        return datetime.fromisoformat(saved_at).astimezone().strftime("%H:%M:%S")
    except ValueError:
        return saved_at


class Banner(QFrame):
    """A framed statement above the work: an icon, and a message in bold."""

    def __init__(
        self,
        icon: QStyle.StandardPixmap,
        names: tuple[str, str, str],  # the banner's, the icon's and the message's
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName(names[0])
        picture = QLabel(self)
        size = self.fontMetrics().height() * 2
        picture.setPixmap(self.style().standardIcon(icon).pixmap(size, size))
        picture.setAccessibleName(names[1])
        self.message = ScaledLabel("", self, bold=True, accessible_name=names[2])
        self.message.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.row = QHBoxLayout(self)
        self.row.addWidget(picture)
        self.row.addWidget(self.message, 1)
        self.hide()


class ProblemBanner(Banner):
    """A plain statement of what went wrong, and what can be done, above the work."""

    retry = Signal()
    discard = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(
            QStyle.StandardPixmap.SP_MessageBoxWarning,
            ("Problem", "Warning", "Problem message"),
            parent,
        )
        self.retry_button = QPushButton("Try again   (Ctrl+S)", self)
        self.retry_button.setAccessibleName("Try saving again")
        self.discard_button = QPushButton("Discard unsaved changes", self)
        self.discard_button.setAccessibleName("Discard the changes that were not saved")
        self.dismiss_button = QPushButton("Dismiss", self)
        self.dismiss_button.setAccessibleName("Dismiss this message")
        self.retry_button.clicked.connect(self.retry)
        self.discard_button.clicked.connect(self.discard)
        self.dismiss_button.clicked.connect(self.hide)
        self.row.addWidget(self.retry_button)
        self.row.addWidget(self.discard_button)
        self.row.addWidget(self.dismiss_button)

    def show_problem(self, text: str, *, retryable: bool) -> None:
        self.message.setText(text)
        self.retry_button.setVisible(retryable)
        self.discard_button.setVisible(retryable)
        self.dismiss_button.setVisible(not retryable)
        self.show()
        announce(self, text)  # a reader hears the problem where the keys are, not later


class SaveIndicator(QLabel):
    """The status bar's word on saving: in progress, when the last change was saved, or
    how many changes are waiting because a write failed.

    It changes twice on every answer ("Saving…", then "All changes saved"), so its size
    is fixed, as wide as the widest of its texts and right-aligned where a label of its
    text would end: a label that changes size lays out the status bar and the window
    again, and repaints them."""

    #: The widest of each of the texts it shows.
    WIDEST = (
        "999 changes NOT saved: Ctrl+S to try again",
        "All changes saved (last at 00:00:00)",
        "Every change is saved as you make it",
    )

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setAccessibleName("Save status")
        self.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.last_saved = ""
        self._saving = False
        self._pending = 0
        self._fit()
        self._update()

    def _fit(self, text: str = "") -> None:
        """Fix the size for the font, wide enough for ``text`` too."""
        metrics = self.fontMetrics()
        margins = self.contentsMargins()
        width = max(metrics.horizontalAdvance(t) for t in (*self.WIDEST, text))
        self.setFixedSize(
            width + margins.left() + margins.right() + 2 * self.margin() + 2,
            metrics.height() + margins.top() + margins.bottom() + 2 * self.margin(),
        )

    def setText(self, text: str) -> None:
        if self.fontMetrics().horizontalAdvance(text) > self.width():
            self._fit(text)
        super().setText(text)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._fit(self.text())

    def saving(self, busy: bool) -> None:
        self._saving = busy
        self._update()

    def saved(self, saved_at: str) -> None:
        self.last_saved = saved_time(saved_at)
        self._update()

    def pending(self, count: int) -> None:
        self._pending = count
        self._update()

    def _update(self) -> None:
        if self._pending:
            s = "s" if self._pending != 1 else ""
            text = f"{self._pending} change{s} NOT saved: Ctrl+S to try again"
        elif self._saving:
            text = "Saving…"
        elif self.last_saved:
            text = f"All changes saved (last at {self.last_saved})"
        else:
            text = "Every change is saved as you make it"
        self.setText(text)


class WithdrawnBanner(Banner):
    """Above a case central moved to another inspector: why it is read-only here
    (fieldwork/withdrawals.py). Hidden for a case this laptop holds."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(
            QStyle.StandardPixmap.SP_MessageBoxInformation,
            ("Case withdrawn", "Information", "Why the case is read-only"),
            parent,
        )

    def show_withdrawal(self, reference: str, withdrawal: Withdrawal | None) -> None:
        if withdrawal is None:
            self.hide()
            return
        self.message.setText(f"Case {reference} was {withdrawal.reason()}.")
        self.show()
