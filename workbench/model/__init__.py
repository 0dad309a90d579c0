"""Pure domain objects: validated, immutable, no UI imports."""
from .application import (Application, CollaborativeComputing, ComputeService, EventResponse,
                          RemoteSensingInference)
from .constellation import Constellation, TLESet, WalkerShell, period_s
from .economics import Economics, LaunchVehicle
from .errors import DatasetError, FetchError, ModelError, PropagationWarning, TLEError
from .fields import FieldSpec, describe, quantity
from .ground import GroundSegment, GroundSite
from .hardware import ComputeChip, ComputePayload, Platform
from .scenario import Scenario, load_scenario

__all__ = [
    "Application", "CollaborativeComputing", "ComputeChip", "ComputePayload", "ComputeService",
    "Constellation", "DatasetError", "Economics", "EventResponse", "FetchError", "FieldSpec",
    "GroundSegment", "GroundSite", "LaunchVehicle", "ModelError", "Platform",
    "PropagationWarning", "RemoteSensingInference", "Scenario", "TLEError", "TLESet",
    "WalkerShell", "describe", "load_scenario", "period_s", "quantity",
]
