"""Central ▸ Inspection set-up…: the inspection and its inspectors."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QDate,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from fieldwork.central import (
    ROLES,
    add_inspector,
    set_up_inspection,
)
from fieldwork.service import Inspection, Inspector, Service
from ui.central.dialog import CentralDialog, buddy_label

if TYPE_CHECKING:
    from ui.main_window import MainWindow


# -- Inspection set-up --------------------------------------------------------------------------
@dataclass(frozen=True)
class SetupState:
    inspection: Inspection | None
    framework: str  # the framework's title, id and version
    inspectors: tuple[Inspector, ...]


def _setup_state(service: Service) -> SetupState:
    f = service.framework
    return SetupState(
        service.inspection(),
        f"{f.title} ({f.id}, version {f.version})",
        tuple(service.inspectors()),
    )


class SetupDialog(CentralDialog):
    """The inspection (created here if the workspace has none) and its inspectors."""

    state_shown = Signal(object)  # SetupState
    created = Signal(object)  # Inspection
    inspector_added = Signal(object)  # Inspector

    def __init__(self, window: MainWindow):
        super().__init__(window, "Inspection set-up")
        self.state: SetupState | None = None
        self.heading = QLabel(self)
        self.heading.setWordWrap(True)
        self.name = QLineEdit(self)
        self.name.setAccessibleName("Inspection name")
        self.name.setPlaceholderText("e.g. North West Division of the NPS")
        self.provider = QLineEdit(self)
        self.provider.setAccessibleName("Provider")
        self.dates = QCheckBox("Fieldwork from", self)
        self.dates.setAccessibleName("Fieldwork dates known")
        self.dates.setChecked(True)
        self.start = QDateEdit(self)
        self.end = QDateEdit(self)
        today = QDate.currentDate()
        for edit, name, day in (
            (self.start, "Fieldwork start", today),
            (self.end, "Fieldwork end", today.addDays(11)),
        ):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("d MMM yyyy")
            edit.setDate(day)
            edit.setAccessibleName(name)
        self.framework = QLabel(self)
        self.framework.setAccessibleName("Framework")
        self.framework.setWordWrap(True)
        self.create_button = QPushButton("&Create the inspection", self)

        self.inspectors = QTableWidget(0, 3, self)
        self.inspectors.setAccessibleName("Inspectors")
        self.inspectors.setHorizontalHeaderLabels(("Name", "Email", "Role"))
        self.inspectors.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.inspectors.verticalHeader().hide()
        self.inspectors.horizontalHeader().setStretchLastSection(True)
        self.inspector_name = QLineEdit(self)
        self.inspector_name.setAccessibleName("New inspector's name")
        self.inspector_name.setPlaceholderText("name")
        self.email = QLineEdit(self)
        self.email.setAccessibleName("New inspector's email")
        self.email.setPlaceholderText("email (optional)")
        self.role = QComboBox(self)
        self.role.setAccessibleName("New inspector's role")
        self.role.addItems(list(ROLES))
        self.add_button = QPushButton("&Add inspector", self)
        self.close_button = QPushButton("Close", self)

        form = QFormLayout()
        form.addRow(buddy_label("&Name:", self.name), self.name)
        form.addRow(buddy_label("&Provider:", self.provider), self.provider)
        dates = QHBoxLayout()
        dates.addWidget(self.dates)
        dates.addWidget(self.start)
        dates.addWidget(QLabel("to", self))
        dates.addWidget(self.end)
        dates.addStretch(1)
        form.addRow("Dates:", dates)
        form.addRow("Framework:", self.framework)
        add_row = QHBoxLayout()
        add_row.addWidget(self.inspector_name, 2)
        add_row.addWidget(self.email, 2)
        add_row.addWidget(self.role, 1)
        add_row.addWidget(self.add_button)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(form)
        layout.addWidget(self.create_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.error)
        layout.addWidget(QLabel("<b>Inspectors</b>", self))
        layout.addWidget(self.inspectors, 1)
        layout.addLayout(add_row)
        layout.addLayout(bottom)

        self.dates.toggled.connect(self.start.setEnabled)
        self.dates.toggled.connect(self.end.setEnabled)
        self.create_button.clicked.connect(self.create_inspection)
        self.add_button.clicked.connect(self.add_inspector)
        self.inspector_name.returnPressed.connect(self.add_inspector)
        self.close_button.clicked.connect(self.close)
        self.resize(720, 560)
        self.refresh()

    def refresh(self) -> None:
        self._submit(_setup_state, self._show)

    def _show(self, state: SetupState) -> None:
        self.state = state
        inspection = state.inspection
        self.framework.setText(state.framework)
        if inspection is None:
            self.heading.setText(
                "This workspace has no inspection yet. Give its details and create it; then "
                "add the inspectors."
            )
        else:
            self.heading.setText(
                "The inspection of this workspace (its details are fixed once created)."
            )
            self.name.setText(inspection.name)
            self.provider.setText(inspection.provider)
            self.dates.setChecked(bool(inspection.fieldwork_start or inspection.fieldwork_end))
            for edit, day in (
                (self.start, inspection.fieldwork_start),
                (self.end, inspection.fieldwork_end),
            ):
                if day:
                    d = date.fromisoformat(day)
                    edit.setDate(QDate(d.year, d.month, d.day))
        editable = inspection is None
        for widget in (self.name, self.provider, self.dates):
            widget.setEnabled(editable)
        for edit in (self.start, self.end):
            edit.setEnabled(editable and self.dates.isChecked())
        self.create_button.setVisible(editable)
        for control in (self.inspector_name, self.email, self.role, self.add_button):
            control.setEnabled(not editable)
        self.inspectors.setRowCount(len(state.inspectors))
        for row, inspector in enumerate(state.inspectors):
            for column, text in enumerate((inspector.name, inspector.email, inspector.role)):
                self.inspectors.setItem(row, column, QTableWidgetItem(text))
        self.inspectors.resizeColumnsToContents()
        self.state_shown.emit(state)

    def create_inspection(self) -> None:
        name, provider = self.name.text(), self.provider.text()
        start = end = None
        if self.dates.isChecked():
            start = self.start.date().toPython()
            end = self.end.date().toPython()

        def op(service: Service) -> Inspection:
            return set_up_inspection(
                service,
                name,
                provider=provider,
                fieldwork_start=start,  # type: ignore[arg-type]
                fieldwork_end=end,  # type: ignore[arg-type]
            )

        def done(inspection: Inspection) -> None:
            self._clear_error()
            self.window_.statusBar().showMessage(f"Created the inspection {inspection.name}.", 8000)
            self.created.emit(inspection)
            self.refresh()
            self.window_.refresh()
            self.inspector_name.setFocus()

        self._submit(op, done)

    def add_inspector(self) -> None:
        name, email, role = self.inspector_name.text(), self.email.text(), self.role.currentText()

        def done(inspector: Inspector) -> None:
            self._clear_error()
            self.inspector_name.clear()
            self.email.clear()
            self.window_.statusBar().showMessage(
                f"Added {inspector.name} ({inspector.role}).", 8000
            )
            self.inspector_added.emit(inspector)
            self.refresh()

        self._submit(lambda s: add_inspector(s, name, email=email, role=role), done)
