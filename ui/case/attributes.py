"""The case attributes panel: the sample's attributes, each with an editor of its type.

A change is sent at once (through the case session, as an undoable command); the store
re-evaluates which items apply and the navigator and completion view follow. Dates are
typed and shown as DD/MM/YYYY (with a calendar pop-up) and stored as ISO dates; an
unreadable date is shown at its field with the reason and nothing is sent.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from fieldwork.framework import Attribute, Attributes, AttributeValue, Sample
from ui.widgets import DateField, ScaledLabel

NOT_RECORDED = "(not recorded)"
_GROUPS = {
    "inspector": "Recorded by you (these decide which prompts apply)",
    "provider": "Recorded by the provider",
}


class AttributesPanel(QScrollArea):
    changed = Signal(str, str, object)  # attribute id, label, new value

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setAccessibleName("Case attributes")
        self.setWidgetResizable(True)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._sample: Sample | None = None
        self._editors: dict[str, QWidget] = {}
        self._values: dict[str, AttributeValue] = {}
        self._inner = QWidget(self)
        self.setWidget(self._inner)
        self._layout = QVBoxLayout(self._inner)

    def editor(self, attribute_id: str) -> QWidget:
        return self._editors[attribute_id]

    def show_case(self, sample: Sample, reference: str, attributes: Attributes) -> None:
        if sample is not self._sample:
            self._build(sample)
        self._reference.setText(f"{sample.reference_label}: {reference}")
        self._values = dict(attributes)
        for attribute in sample.attributes:
            self._show_value(attribute, attributes.get(attribute.id))

    def first_editor(self) -> QWidget | None:
        return next(iter(self._editors.values()), None)

    def _build(self, sample: Sample) -> None:
        inner = QWidget(self)
        layout = QVBoxLayout(inner)
        self._reference = ScaledLabel("", inner, bold=True, accessible_name="Case reference")
        layout.addWidget(self._reference)
        self._editors = {}
        for group in ("inspector", "provider"):
            members = [a for a in sample.attributes if a.recorded_by == group]
            if not members:
                continue
            layout.addWidget(ScaledLabel(_GROUPS[group], inner, bold=True))
            form = QFormLayout()
            form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
            form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
            for attribute in members:
                editor = self._make_editor(attribute, inner)
                self._editors[attribute.id] = editor
                label = QLabel(attribute.label, inner)
                label.setWordWrap(True)
                label.setBuddy(editor)
                if isinstance(editor, QCheckBox):
                    # box then its (long, wrapped) label, across the whole row
                    row = QHBoxLayout()
                    row.addWidget(editor, 0, Qt.AlignmentFlag.AlignTop)
                    row.addWidget(label, 1)
                    form.addRow(row)
                else:
                    form.addRow(label, editor)
            layout.addLayout(form)
        layout.addStretch(1)
        self.setWidget(inner)  # the old inner widget is deleted by the scroll area
        self._inner = inner
        self._sample = sample

    def _make_editor(self, attribute: Attribute, parent: QWidget) -> QWidget:
        editor: QWidget
        if attribute.type == "bool":
            box = QCheckBox(parent)
            box.clicked.connect(lambda checked, a=attribute: self._emit(a, bool(checked)))
            editor = box
        elif attribute.type == "choice":
            combo = QComboBox(parent)
            combo.addItem(NOT_RECORDED)
            combo.addItems(list(attribute.choices))
            combo.activated.connect(
                lambda index, a=attribute: self._emit(
                    a, None if index == 0 else a.choices[index - 1]
                )
            )
            editor = combo
        elif attribute.type == "date":
            field = DateField(attribute.label, parent)
            field.date_entered.connect(lambda iso, a=attribute: self._emit(a, iso))
            return field
        else:
            line = QLineEdit(parent)
            line.editingFinished.connect(lambda a=attribute, w=line: self._typed(a, w))
            editor = line
        editor.setAccessibleName(attribute.label)
        return editor

    def _show_value(self, attribute: Attribute, value: AttributeValue) -> None:
        editor = self._editors.get(attribute.id)
        if editor is None:
            return
        editor.blockSignals(True)
        try:
            if isinstance(editor, QCheckBox):
                editor.setChecked(bool(value))
            elif isinstance(editor, QComboBox):
                choices = list(attribute.choices)
                editor.setCurrentIndex(choices.index(value) + 1 if value in choices else 0)
            elif isinstance(editor, DateField):
                editor.set_value(None if value is None else str(value))
            elif isinstance(editor, QLineEdit) and not editor.isModified():
                editor.setText("" if value is None else str(value))
        finally:
            editor.blockSignals(False)

    def _typed(self, attribute: Attribute, line: QLineEdit) -> None:
        line.setModified(False)
        self._emit(attribute, line.text().strip() or None)

    def _emit(self, attribute: Attribute, value: AttributeValue) -> None:
        if self._values.get(attribute.id) != value:
            self.changed.emit(attribute.id, attribute.label, value)
