"""An import-linter contract that import-linter has no built-in for: each app's public face.

DESIGN "Boundaries": an app uses another app only through that app's ``services`` and
``selectors`` (modules or packages). ``models`` are guarded by the ``protected`` contracts of
``.importlinter`` (relations and form fields only); ``core`` is the shared library every app may
use whole. Anything else — ``views``, ``forms``, ``rules``, ``pdf`` — is the app's own.

Loaded by ``lint-imports`` from the repository root (it puts the working directory on the path).
"""

from __future__ import annotations

from importlinter import Contract, ContractCheck, fields, output


class PublicFaceContract(Contract):
    """Options:
    - ``apps``: the apps, as modules (``lpse.bids``) or one wildcard (``lpse.*``).
    - ``public``: the names of the public submodules (``services``, ``selectors``).
    - ``guarded_elsewhere``: submodules another contract rules on (``models``).
    - ``shared``: apps anyone may import whole (``lpse.core``).
    - ``exempt_importers``: modules outside the layering that wire apps together (``lpse.urls``).
    - ``public_modules``: single modules also public, each with its reason in the config.
    """

    type_name = "public_face"

    apps = fields.ListField(subfield=fields.ModuleExpressionField())
    public = fields.ListField(subfield=fields.StringField())
    guarded_elsewhere = fields.ListField(subfield=fields.StringField(), required=False)
    shared = fields.ListField(subfield=fields.StringField(), required=False)
    exempt_importers = fields.ListField(subfield=fields.StringField(), required=False)
    public_modules = fields.ListField(subfield=fields.StringField(), required=False)

    def _apps(self, graph) -> set[str]:
        names: set[str] = set()
        for expression in self.apps:  # type: ignore[attr-defined]
            text = expression.expression
            if text.endswith(".*"):
                parent = text[:-2]
                names |= {m for m in graph.find_children(parent) if graph.find_children(m)}
            else:
                names.add(text)
        return names

    def check(self, graph, verbose: bool) -> ContractCheck:
        apps = self._apps(graph)
        public = set(self.public) | set(self.guarded_elsewhere or [])  # type: ignore[arg-type]
        shared = set(self.shared or [])  # type: ignore[arg-type]
        exempt = tuple(self.exempt_importers or [])  # type: ignore[arg-type]
        also_public = set(self.public_modules or [])  # type: ignore[arg-type]

        def app_of(module: str) -> str | None:
            return next((a for a in apps if module == a or module.startswith(a + ".")), None)

        illegal = []
        for importer in sorted(graph.modules):
            importer_app = app_of(importer)
            if importer_app is None or importer.startswith(exempt):
                continue
            for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                imported_app = app_of(imported)
                if imported_app in (None, importer_app) or imported_app in shared:
                    continue
                face = imported[len(imported_app) + 1 :].split(".")[0]
                if face in public or imported in also_public:
                    continue
                lines = sorted(
                    d["line_number"]
                    for d in graph.get_import_details(importer=importer, imported=imported)
                )
                illegal.append({"importer": importer, "imported": imported, "lines": lines})
        return ContractCheck(kept=not illegal, metadata={"illegal": illegal}, warnings=[])

    def render_broken_contract(self, check: ContractCheck) -> None:
        for link in check.metadata["illegal"]:
            lines = ", ".join(f"l.{n}" for n in link["lines"])
            output.print_error(
                f"{link['importer']} -> {link['imported']} ({lines}): not a public face "
                f"(use the app's {' or '.join(self.public)})",  # type: ignore[arg-type]
                bold=False,
            )
            output.new_line()
