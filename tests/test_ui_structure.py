"""The page's modules stand side by side: no import circle in ui/, and no module of ui/ imports a tab (each tab imports
only the shared floor below it; streamlit_app.py alone puts the tabs together)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UI = ROOT / "ui"


def ui_imports(path: Path) -> set[str]:
    """The ui modules a file imports, at any depth of its code: `from ui import a, b`, `from ui.a import x`,
    `import ui.a`."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module == "ui":
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("ui."):
            found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found |= {alias.name.split(".")[1] for alias in node.names if alias.name.startswith("ui.")}
    return found


def tab_modules() -> set[str]:
    """The ui modules whose `render` the TABS table of streamlit_app.py calls (each Tab's second argument): the
    tabs."""
    tree = ast.parse((ROOT / "streamlit_app.py").read_text(encoding="utf-8"))
    imported = ui_imports(ROOT / "streamlit_app.py")
    (table,) = [node for node in tree.body if isinstance(node, ast.Assign) and node.targets[0].id == "TABS"]
    renders = [call.args[1] for call in table.value.elts]
    return {node.id for render in renders for node in ast.walk(render) if isinstance(node, ast.Name)} & imported


def graph() -> dict[str, set[str]]:
    """{ui module: the ui modules it imports}; a package inside ui/ (ui/live/) is one module, all its files' imports."""
    imports: dict[str, set[str]] = {}
    for path in UI.rglob("*.py"):
        module = path.relative_to(UI).parts[0].removesuffix(".py")
        if module != "__init__":
            imports.setdefault(module, set()).update(ui_imports(path) - {module})
    return imports


def test_the_tabs_are_found():
    """The walk below sees the six tabs (so that its other assertion can fail)."""
    assert {"draw", "softmax", "relu", "mistakes", "model_tab", "classroom"} <= tab_modules()


def test_no_module_imports_a_tab():
    """Each tab imports the shared floor, never another tab; no shared module reaches up into a tab."""
    tabs = tab_modules()
    offending = {module: sorted(imports & tabs) for module, imports in graph().items() if imports & tabs}
    assert offending == {}


def test_ui_has_no_import_circle():
    """Following every import between ui's modules never leads back to where it started."""
    imports = graph()
    done: set[str] = set()

    def visit(module: str, trail: list[str]) -> None:
        assert module not in trail, f"import circle: {' -> '.join([*trail, module])}"
        if module in done:
            return
        for imported in sorted(imports.get(module, ())):
            visit(imported, [*trail, module])
        done.add(module)

    for module in sorted(imports):
        visit(module, [])
