"""REFI-QDA projects (``.qdpx``): the exchange format of NVivo, MAXQDA, ATLAS.ti and QualCoder.

A ``.qdpx`` file is a zip holding ``project.qde`` (XML in the namespace
``urn:QDA-XML:project:1.0``, the REFI-QDA Project schema of March 2019) and a ``Sources``
folder with each text source as UTF-8 plain text. This module only maps that file to plain
records and back; what the records mean for Accord (documents, codes, passages) is decided by
the exporter (report/qdpx.py) and the gold reader (validation/qdpx_gold.py).

Positions of a text selection count characters (Unicode code points) of the source's plain
text from 0, end exclusive, as Python slices do.

Everything written is deterministic: GUIDs are name-based (UUID 5) and zip entries carry a
fixed date, so the same store gives the same bytes.
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from accord.errors import ValidationDataError

NAMESPACE = "urn:QDA-XML:project:1.0"
PROJECT_FILE = "project.qde"
SOURCES_FOLDER = "Sources"
INTERNAL = "internal://"
_GUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "accord:refi-qda")
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # zip's earliest date: no clock in the file
_Q = f"{{{NAMESPACE}}}"
DOCUMENT_VARIABLE = "Accord document"  # the variable naming a source's document in the store


def accord_guid(*parts: str) -> str:
    """The GUID Accord gives a thing named by ``parts``: the same name, the same GUID.

    Example:
        >>> accord_guid("code", "domain", "health") == accord_guid("code", "domain", "health")
        True
    """
    return str(uuid.uuid5(_GUID_NAMESPACE, "\x1f".join(parts))).upper()


def code_guid(dimension: str, category: str | None = None) -> str:
    """The GUID of a codebook dimension's code, or of one of its categories' codes."""
    return (
        accord_guid("code", dimension)
        if category is None
        else accord_guid("code", dimension, category)
    )


@dataclass(frozen=True)
class QdaCode:
    guid: str
    name: str
    codable: bool = True
    description: str = ""
    children: tuple[QdaCode, ...] = ()


@dataclass(frozen=True)
class QdaCoding:
    guid: str
    code_guid: str
    user_guid: str | None = None
    note: str | None = None  # the text of a note attached to the coding


@dataclass(frozen=True)
class QdaSelection:
    guid: str
    start: int
    end: int
    name: str = ""
    user_guid: str | None = None
    codings: tuple[QdaCoding, ...] = ()


@dataclass(frozen=True)
class QdaVariable:
    guid: str
    name: str
    kind: str = "Text"  # typeOfVariable: Text, Integer, ...


@dataclass(frozen=True)
class QdaSource:
    guid: str
    name: str
    text: str
    description: str = ""
    values: dict[str, str | int] = field(default_factory=dict)  # variable guid -> value
    selections: tuple[QdaSelection, ...] = ()


@dataclass(frozen=True)
class QdaCase:
    guid: str
    name: str
    source_guids: tuple[str, ...] = ()


@dataclass(frozen=True)
class QdaProject:
    name: str
    users: dict[str, str] = field(default_factory=dict)  # guid -> name
    codes: tuple[QdaCode, ...] = ()
    variables: tuple[QdaVariable, ...] = ()
    cases: tuple[QdaCase, ...] = ()
    sources: tuple[QdaSource, ...] = ()
    origin: str = ""
    description: str = ""

    def variable_values(self, source: QdaSource) -> dict[str, str | int]:
        """A source's variable values by variable name."""
        names = {v.guid: v.name for v in self.variables}
        return {names[g]: value for g, value in source.values.items() if g in names}


# ---------------------------------------------------------------- writing


def write_qdpx(project: QdaProject, path: Path) -> Path:
    """Write the project as a ``.qdpx`` zip: project.qde and one text file per source."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    xml = project_xml(project)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        _add(archive, PROJECT_FILE, xml)
        for source in project.sources:
            _add(archive, f"{SOURCES_FOLDER}/{source.guid}.txt", source.text.encode("utf-8"))
    return path


def _add(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    archive.writestr(info, data)


def project_xml(project: QdaProject) -> bytes:
    """project.qde: elements in the order the schema's sequences require."""
    ET.register_namespace("", NAMESPACE)
    root = ET.Element(_Q + "Project", {"name": project.name})
    if project.origin:
        root.set("origin", project.origin)
    if project.users:
        users = ET.SubElement(root, _Q + "Users")
        for guid, name in project.users.items():
            ET.SubElement(users, _Q + "User", {"guid": guid, "name": name})
    if project.codes:
        codes = ET.SubElement(ET.SubElement(root, _Q + "CodeBook"), _Q + "Codes")
        for code in project.codes:
            _code_element(codes, code)
    if project.variables:
        variables = ET.SubElement(root, _Q + "Variables")
        for variable in project.variables:
            ET.SubElement(
                variables,
                _Q + "Variable",
                {"guid": variable.guid, "name": variable.name, "typeOfVariable": variable.kind},
            )
    if project.cases:
        cases = ET.SubElement(root, _Q + "Cases")
        for case in project.cases:
            element = ET.SubElement(cases, _Q + "Case", {"guid": case.guid, "name": case.name})
            for guid in case.source_guids:
                ET.SubElement(element, _Q + "SourceRef", {"targetGUID": guid})
    notes: list[tuple[str, str, str | None]] = []  # guid, text, user
    if project.sources:
        sources = ET.SubElement(root, _Q + "Sources")
        kinds = {v.guid: v.kind for v in project.variables}
        for source in project.sources:
            _source_element(sources, source, kinds, notes)
    if notes:
        element = ET.SubElement(root, _Q + "Notes")
        for guid, text, user in notes:
            note = ET.SubElement(element, _Q + "Note", {"guid": guid, "name": "Accord score"})
            if user:
                note.set("creatingUser", user)
            ET.SubElement(note, _Q + "PlainTextContent").text = text
    if project.description:
        ET.SubElement(root, _Q + "Description").text = project.description
    ET.indent(root, space=" ")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def _code_element(parent: ET.Element, code: QdaCode) -> None:
    element = ET.SubElement(
        parent,
        _Q + "Code",
        {"guid": code.guid, "name": code.name, "isCodable": "true" if code.codable else "false"},
    )
    if code.description:
        ET.SubElement(element, _Q + "Description").text = code.description
    for child in code.children:
        _code_element(element, child)


def _source_element(
    parent: ET.Element,
    source: QdaSource,
    kinds: dict[str, str],
    notes: list[tuple[str, str, str | None]],
) -> None:
    element = ET.SubElement(
        parent,
        _Q + "TextSource",
        {"guid": source.guid, "name": source.name, "plainTextPath": f"{INTERNAL}{source.guid}.txt"},
    )
    if source.description:
        ET.SubElement(element, _Q + "Description").text = source.description
    for selection in source.selections:
        attributes = {
            "guid": selection.guid,
            "name": selection.name,
            "startPosition": str(selection.start),
            "endPosition": str(selection.end),
        }
        if selection.user_guid:
            attributes["creatingUser"] = selection.user_guid
        chosen = ET.SubElement(element, _Q + "PlainTextSelection", attributes)
        for coding in selection.codings:
            coded = ET.SubElement(chosen, _Q + "Coding", {"guid": coding.guid})
            if coding.user_guid:
                coded.set("creatingUser", coding.user_guid)
            ET.SubElement(coded, _Q + "CodeRef", {"targetGUID": coding.code_guid})
            if coding.note is not None:
                note_guid = accord_guid("note", coding.guid)
                notes.append((note_guid, coding.note, coding.user_guid))
                ET.SubElement(coded, _Q + "NoteRef", {"targetGUID": note_guid})
    for guid, value in source.values.items():
        holder = ET.SubElement(element, _Q + "VariableValue")
        ET.SubElement(holder, _Q + "VariableRef", {"targetGUID": guid})
        tag = "IntegerValue" if kinds.get(guid) == "Integer" else "TextValue"
        ET.SubElement(holder, _Q + tag).text = str(value)


# ---------------------------------------------------------------- reading


def read_qdpx(path: Path) -> QdaProject:
    """Read a ``.qdpx`` (or a bare ``project.qde``) written by any REFI-QDA tool.

    Text sources come with their plain text, from the zip's Sources folder or inline; a PDF
    source's text representation counts as a text source. Selections of other kinds (areas
    of pictures or PDF pages, audio and video spans) are not text and are left out.

    Raises:
        ValidationDataError: not a zip or not REFI-QDA XML, or a source's text is missing.
    """
    path = Path(path)
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                members = {name.lower(): name for name in archive.namelist()}
                if PROJECT_FILE not in members:
                    raise ValidationDataError(f"{path}: a .qdpx needs a {PROJECT_FILE} inside.")
                root = _parse(path, archive.read(members[PROJECT_FILE]))
                return _project(path, root, lambda name: _member(archive, members, name))
        root = _parse(path, path.read_bytes())
    except (OSError, zipfile.BadZipFile) as exc:
        raise ValidationDataError(f"Cannot read REFI-QDA project {path}: {exc}.") from exc
    return _project(path, root, lambda name: None)


def _parse(path: Path, data: bytes) -> ET.Element:
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise ValidationDataError(f"{path}: project.qde is not valid XML ({exc}).") from exc
    if root.tag != _Q + "Project":
        raise ValidationDataError(
            f"{path}: not a REFI-QDA project (root element {root.tag}).",
            hint=f"A project.qde has a <Project> element in namespace {NAMESPACE}.",
        )
    return root


def _member(archive: zipfile.ZipFile, members: dict[str, str], name: str) -> bytes | None:
    wanted = f"{SOURCES_FOLDER}/{name}".lower()
    return archive.read(members[wanted]) if wanted in members else None


def _project(path: Path, root: ET.Element, read_member) -> QdaProject:
    users = {
        u.get("guid", ""): u.get("name") or u.get("id") or u.get("guid", "")
        for u in root.iterfind(f"{_Q}Users/{_Q}User")
    }
    codes = tuple(_code(c) for c in root.iterfind(f"{_Q}CodeBook/{_Q}Codes/{_Q}Code"))
    variables = tuple(
        QdaVariable(v.get("guid", ""), v.get("name", ""), v.get("typeOfVariable", "Text"))
        for v in root.iterfind(f"{_Q}Variables/{_Q}Variable")
    )
    notes = {
        n.get("guid", ""): n.findtext(f"{_Q}PlainTextContent") or ""
        for n in root.iterfind(f"{_Q}Notes/{_Q}Note")
    }
    sources = []
    for element in root.iterfind(f"{_Q}Sources/*"):
        text_element = element if element.tag == _Q + "TextSource" else None
        if element.tag == _Q + "PDFSource":
            text_element = element.find(f"{_Q}Representation")
        if text_element is not None:
            sources.append(_source(path, element, text_element, read_member, notes))
    cases = tuple(
        QdaCase(
            c.get("guid", ""),
            c.get("name", ""),
            tuple(r.get("targetGUID", "") for r in c.iterfind(f"{_Q}SourceRef")),
        )
        for c in root.iterfind(f"{_Q}Cases/{_Q}Case")
    )
    return QdaProject(
        root.get("name", path.stem),
        users,
        codes,
        variables,
        cases,
        tuple(sources),
        root.get("origin", ""),
        root.findtext(f"{_Q}Description") or "",
    )


def _code(element: ET.Element) -> QdaCode:
    return QdaCode(
        element.get("guid", ""),
        element.get("name", ""),
        element.get("isCodable", "true").strip().lower() in ("true", "1"),
        element.findtext(f"{_Q}Description") or "",
        tuple(_code(c) for c in element.iterfind(f"{_Q}Code")),
    )


def _source(path, element, text_element, read_member, notes) -> QdaSource:
    name = element.get("name") or element.get("guid", "")
    text = _source_text(path, name, text_element, read_member)
    selections = tuple(
        QdaSelection(
            s.get("guid", ""),
            _integer(path, s, "startPosition"),
            _integer(path, s, "endPosition"),
            s.get("name", ""),
            s.get("creatingUser"),
            tuple(_coding(c, notes) for c in s.iterfind(f"{_Q}Coding")),
        )
        for s in text_element.iterfind(f"{_Q}PlainTextSelection")
    )
    values: dict[str, str | int] = {}
    for holder in element.iterfind(f"{_Q}VariableValue"):
        ref = holder.find(f"{_Q}VariableRef")
        value = next((child.text for child in holder if child is not ref), None)
        if ref is not None and value is not None:
            values[ref.get("targetGUID", "")] = value.strip()
    return QdaSource(
        element.get("guid", ""),
        name,
        text,
        element.findtext(f"{_Q}Description") or "",
        values,
        selections,
    )


def _coding(element: ET.Element, notes: dict[str, str]) -> QdaCoding:
    ref = element.find(f"{_Q}CodeRef")
    note_refs = [n.get("targetGUID", "") for n in element.iterfind(f"{_Q}NoteRef")]
    note = next((notes[g] for g in note_refs if g in notes), None)
    return QdaCoding(
        element.get("guid", ""),
        ref.get("targetGUID", "") if ref is not None else "",
        element.get("creatingUser"),
        note,
    )


def _source_text(path: Path, name: str, element: ET.Element, read_member) -> str:
    inline = element.findtext(f"{_Q}PlainTextContent")
    if inline is not None:
        return inline
    location = element.get("plainTextPath", "")
    data = read_member(location[len(INTERNAL) :]) if location.startswith(INTERNAL) else None
    if data is None:
        raise ValidationDataError(
            f"{path}: the text of source '{name}' is not in the project ({location or 'no path'}).",
            hint="Export the project from your QDA tool with its sources included.",
        )
    # A byte-order mark is not part of the text the positions count.
    return data.decode("utf-8-sig")


def _integer(path: Path, element: ET.Element, attribute: str) -> int:
    try:
        return int(element.get(attribute, ""))
    except ValueError:
        raise ValidationDataError(
            f"{path}: selection {element.get('guid')} has no whole-number {attribute}."
        ) from None
