"""What the gate part of training registers when the app is ready: the check an activation
must pass and the router's gate (see ``gate``)."""

from relais.partners import extensions
from relais.routing import gates
from relais.training.gate import activation_check, router_gate


def register() -> None:
    extensions.add_activation_check(activation_check)
    gates.add_gate(router_gate)
