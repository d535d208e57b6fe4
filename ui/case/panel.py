"""What the prompt and judgement panels share: guidance, QA comments, wording and a note."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from PySide6.QtCore import (
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QFrame,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from fieldwork.applicability import CaseItem
from fieldwork.bundles.comments import QaComment
from fieldwork.framework import Framework, KeyQuestion, Standard
from ui.widgets import NoteEditor, ScaledLabel


def guidance_text(framework: Framework, item: CaseItem) -> str:
    """What the framework says to guide this item: its own guidance, its key question's,
    the standard it serves, and the rule of who it applies to."""
    standard = framework.standard(item.standard_id)
    kq = framework.key_question(item.key_question_id)
    parts: list[str] = []
    own = None
    if item.item_id != kq.id:
        own = framework.prompt(item.item_id).guidance
    if own:
        parts.append(own)
    if kq.guidance:
        parts.append(kq.guidance)
    if item.rule_note:
        parts.append(f"Who this applies to: {item.rule_note}")
    if item.may_mark_na:
        parts.append(
            "The framework lets you answer Not applicable here, where the work was not "
            "needed in this case; say why."
        )
    if standard.statement:
        parts.append(f"Standard {standard.id}: {standard.statement}")
    if not parts:
        parts.append("The framework gives no further guidance for this item.")
    return "\n\n".join(parts)


def panel_button(
    text: str, accessible: str, parent: QWidget, *, checkable: bool = True
) -> QPushButton:
    button = QPushButton(text, parent)
    button.setAccessibleName(accessible)
    button.setCheckable(checkable)
    button.setAutoDefault(False)
    return button


def _day(stamp: str) -> str:
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp[:10]
    return f"{moment.day} {moment:%b %Y}"


class QaCommentBox(QFrame):
    """Central quality assurance's comments on this item, framed so they cannot be missed.
    Hidden when there are none."""

    reply_requested = Signal(object)  # QaComment: the thread the inspector answers

    def __init__(self, parent: QWidget | None = None, *, title: str = "Quality assurance comment"):
        super().__init__(parent)
        self.setObjectName("qaComment")
        self.setAccessibleName(title)
        self.setFrameShape(QFrame.Shape.Box)
        self.setLineWidth(2)
        # The highlight colour of the palette, so it reads in the light and the dark theme.
        self.setStyleSheet(
            "QFrame#qaComment { border: 2px solid palette(highlight); border-radius: 4px; }"
        )
        self._title = title
        self.heading = ScaledLabel(title, self, bold=True, accessible_name=f"{title} heading")
        self.text = ScaledLabel("", self, scale=1.1, accessible_name=title)
        # The inspector answers the thread (issue 17): fieldwork/qa/threads.py, ui/qa/reply.py.
        self.reply_button = QPushButton("Reply to quality assurance…", self)
        self.reply_button.setAccessibleName(f"Reply to the {title.lower()}")
        self.reply_button.setAutoDefault(False)
        self.reply_button.clicked.connect(self._reply)
        self._comments: list[QaComment] = []
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.text)
        layout.addWidget(self.reply_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.hide()

    def _reply(self) -> None:
        if self._comments:
            self.reply_requested.emit(self._comments[0])

    def show_comments(self, comments: Sequence[QaComment]) -> None:
        comments = list(comments)
        self._comments = comments
        self.setVisible(bool(comments))
        if not comments:
            self.text.clear()
            return
        self.heading.setText(self._title + ("s" if len(comments) > 1 else ""))
        self.text.setText(
            "\n\n".join(f"{c.comment}\n— {c.author}, {_day(c.created_at)}" for c in comments)
        )


class ItemPanel(QWidget):
    """What the prompt and judgement panels share: context, wording, guidance and a note."""

    note_edited = Signal(str, str)  # item id, text
    leave_note = Signal()

    def __init__(self, note_name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.framework: Framework | None = None
        self.item: CaseItem | None = None
        self.context = ScaledLabel("", self, accessible_name="Standard and key question")
        self.heading = ScaledLabel("", self, scale=1.15, bold=True, accessible_name="Item")
        self.wording = ScaledLabel("", self, scale=1.25, accessible_name="Wording")
        self.rule = ScaledLabel("", self, accessible_name="Applicability")
        self.guidance = ScaledLabel("", self, accessible_name="Guidance")
        self.guidance.setFrameShape(QFrame.Shape.StyledPanel)
        self.guidance.setMargin(8)
        self.guidance.setVisible(False)
        self.state = ScaledLabel("", self, bold=True, accessible_name="State")
        self.qa_box = QaCommentBox(self)
        self.note = NoteEditor(note_name, self)
        self.note.edited.connect(self.note_edited)
        self.note.leave.connect(self.leave_note)
        # On a small screen (1280×720 at 150 % leaves 853×480) the panel scrolls rather
        # than squeezing or clipping its parts.
        self.body = QWidget(self)
        self.body_scroll = QScrollArea(self)
        self.body_scroll.setAccessibleName("Item panel")
        self.body_scroll.setWidgetResizable(True)
        self.body_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.body_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.body_scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.body_scroll)

    def body_layout(self, *, under_context: QWidget | None = None) -> QVBoxLayout:
        """The layout of the panel's scrolled body (made once, by the subclass), holding
        what both panels show first: where the item is, its heading and wording, the rule,
        QA comments and guidance."""
        layout = QVBoxLayout(self.body)
        self.body_scroll.setWidget(self.body)
        # The body and the viewport show the window's background through them rather than
        # filling it (QScrollArea makes both fill, the same colour). A filled ("opaque")
        # widget shown is painted on its own, and then again with the window around it
        # for the labels and buttons shown with it: a judgement shown in place of a prompt
        # was painted twice. Transparent, the whole panel is painted once.
        self.body.setAutoFillBackground(False)
        self.body_scroll.viewport().setAutoFillBackground(False)
        layout.addWidget(self.context)
        if under_context is not None:
            layout.addWidget(under_context)
        layout.addSpacing(self.fontMetrics().height() // 2)
        for part in (self.heading, self.wording, self.rule, self.qa_box, self.guidance):
            layout.addWidget(part)
        return layout

    def toggle_guidance(self) -> bool:
        self.guidance.setVisible(not self.guidance.isVisible())
        return self.guidance.isVisible()

    def _show_common(
        self, framework: Framework, item: CaseItem, standard: Standard, kq: KeyQuestion
    ) -> None:
        self.framework, self.item = framework, item
        self.context.setText(f"Standard {standard.id} {standard.title}  ›  Key question {kq.id}")
        self.guidance.setText(guidance_text(framework, item))
        if not item.applies:
            why = f": {item.rule_note}" if item.rule_note else ""
            self.rule.setText(f"Does not apply to this case{why}. It is skipped and not counted.")
        elif item.rule_note:
            self.rule.setText(item.rule_note)
        self.rule.setVisible(bool(self.rule.text()) and (not item.applies or bool(item.rule_note)))
