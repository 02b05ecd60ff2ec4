"""Keys remapped in the config (`[keys]`): checked against the bindings the console has, so a
typo is an error that names the file and the binding (with the closest known id), not a
remapping that silently does nothing. Textual's keymap API does the remapping itself."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from rapidfuzz import process
from textual.binding import Binding, BindingType

from console.core.errors import InvalidInput


def binding_ids() -> set[str]:
    """Every binding id of the console's screens and widgets."""
    from console.tui.app import ConsoleApp
    from console.tui.screens.compose import ComposeScreen
    from console.tui.screens.detail import DetailScreen
    from console.tui.screens.help import HelpScreen
    from console.tui.screens.macro_picker import MacroPicker
    from console.tui.screens.main import MainScreen
    from console.tui.widgets.ticket_list import TicketList

    found: set[str] = set()
    for owner in (
        ConsoleApp,
        MainScreen,
        DetailScreen,
        ComposeScreen,
        HelpScreen,
        MacroPicker,
        TicketList,
    ):
        found.update(_ids(owner.BINDINGS))
    return found


def _ids(bindings: Iterable[BindingType]) -> Iterable[str]:
    for binding in bindings:
        if isinstance(binding, Binding) and binding.id:
            yield binding.id


def check(keys: Mapping[str, str], where: Mapping[str, str]) -> None:
    """Refuse a keymap that names a binding the console does not have."""
    known = binding_ids()
    for binding in keys:
        if binding not in known:
            closest = process.extractOne(binding, sorted(known))
            hint = f" (did you mean {closest[0]}?)" if closest else ""
            raise InvalidInput(
                f"{where.get(binding, 'config')}: keys.{binding}: no such key binding{hint}"
            )
