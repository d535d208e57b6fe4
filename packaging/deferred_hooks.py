"""PyInstaller runtime hooks run when their module is first imported, not at every start-up.

PyInstaller runs each runtime hook of the build before the application's first line, and
several hooks import the module they adjust: ``pyi_rth_pyside6`` imports Qt (so even
``fieldwork info`` loaded Qt), ``pyi_rth_multiprocessing`` imports multiprocessing and
subprocess, ``pyi_rth_pkgutil`` pkgutil, ``pyi_rth_inspect`` inspect and zipfile. The
application from source imports some of these late or never. The spec
(``fieldwork.spec``) takes those hooks out of the build and puts in their place this file
with their source appended, as ``defer({"module": "hook source", ...})``: each hook's
code then runs, unchanged and once, right after its module is first imported (before the
importing statement gets the module), so that whatever uses the module sees it adjusted
as before.

Runs at the frozen application's start-up, before anything else: standard library only,
no import that is not already loaded.
"""

import sys


def defer(hooks):
    """Run each hook's source (by module name) once, just after that module is imported."""
    pending = dict(hooks)

    class RunHookAfterImport:
        """A meta path finder that finds nothing itself: it asks the other finders for the
        module's spec and hands it back with a loader that runs the hook after the module."""

        @staticmethod
        def find_spec(name, path=None, target=None):
            source = pending.pop(name, None)
            if source is None:
                return None
            for finder in sys.meta_path:  # as the import system asks them
                find = getattr(finder, "find_spec", None)
                if finder is RunHookAfterImport or find is None:
                    continue
                spec = find(name, path, target)
                if spec is not None:
                    break
            else:
                return None
            if spec.loader is None or not hasattr(spec.loader, "exec_module"):
                return spec
            spec.loader = AfterLoader(spec.loader, name, source)
            return spec

        @staticmethod
        def invalidate_caches():
            pass

    class AfterLoader:
        def __init__(self, loader, name, source):
            self.loader, self.name, self.source = loader, name, source

        def create_module(self, spec):
            return self.loader.create_module(spec)

        def exec_module(self, module):
            # The module keeps its own loader; only this one call passes through here.
            module.__loader__ = self.loader
            if getattr(module, "__spec__", None) is not None:
                module.__spec__.loader = self.loader
            try:
                self.loader.exec_module(module)
            except BaseException:
                pending[self.name] = self.source  # its next import runs the hook
                raise
            run(self.name, self.source)

        def __getattr__(self, attribute):  # get_source, is_package, ... of the real loader
            return getattr(self.loader, attribute)

    for name in [name for name in pending if name in sys.modules]:
        run(name, pending.pop(name))  # imported already: as PyInstaller would, now
    if pending:
        sys.meta_path.insert(0, RunHookAfterImport)


def run(name, source):
    code = compile(source, f"<runtime hook for {name}>", "exec")
    exec(code, {"__name__": f"__runtime_hook_{name}__", "__builtins__": __builtins__})
